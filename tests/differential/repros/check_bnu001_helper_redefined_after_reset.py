# expect: silent
# A notebook-like module: the first graph trains batch norm with its update ops; after reset_default_graph()
# the helper `block` is redefined without batch norm and the second graph's bare train op is right (RULES.md
# "Execution order": "a later cell's definition replaces the earlier one from that cell on, and
# reset_default_graph() [...] starts a new graph"). TensorFlow 2.21: the first session's moving_mean moves
# (0.0 -> 0.47 after 10 steps, max |value|); the second graph has no moving_mean variable.
# The checker reported BNU001 at 39:12 until reset_default_graph() separated the graphs. Found by the
# differential form model/notebook_redefine/redefined_without_bn.
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
data = np.random.RandomState(0).normal(3.0, 1.0, (32, 4))


def block(inputs, training):
    return tf.nn.relu(tf.layers.batch_normalization(tf.layers.dense(inputs, 8), training=training))


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(10):
        sess.run(train_op, {x: data, flag: True})

tf.reset_default_graph()


def block(inputs, training=None):
    return tf.layers.dense(inputs, 8, activation=tf.nn.elu)


x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
loss = tf.reduce_mean(tf.square(block(x, flag)))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(10):
        sess.run(train_op, {x: data, flag: True})
