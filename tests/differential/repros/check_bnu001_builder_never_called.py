# expect: silent
# The batch-norm builder is never called: the network that is trained has no batch norm, and the bare train
# op is right (RULES.md "The program model", Reach: "a site that provably reaches no train op's loss does not
# count: [...] a builder that is never called"). TensorFlow 2.21: the graph holds no moving_mean variable.
# The checker reported BNU001 at 23:12 until a never-called builder counted only for a loss it may reach.
# Found by the differential form model/uncalled_builder/uncalled.
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def bn_block(inputs, training):
    return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training))


def network(inputs):
    return tf.layers.dense(tf.layers.dense(inputs, 8, activation=tf.nn.relu), 1)


x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
loss = tf.reduce_mean(tf.square(network(x) - y))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))
    for _ in range(10):
        sess.run(train_op, {x: data, y: data[:, :1]})
