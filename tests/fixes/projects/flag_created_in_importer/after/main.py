import numpy as np
import tensorflow as tf

import layers

inputs = tf.placeholder(tf.float32, [None, 4])
targets = tf.placeholder(tf.float32, [None, 1])
training = tf.placeholder_with_default(False, shape=(), name="training")
prediction = layers.network(inputs, training=training)
loss = tf.reduce_mean(tf.square(prediction - targets))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(10):
        batch = np.random.rand(8, 4)
        sess.run(train_op, feed_dict={inputs: batch, targets: batch[:, :1],
                                      training: True})
    print(sess.run(loss, feed_dict={inputs: batch, targets: batch[:, :1]}))
