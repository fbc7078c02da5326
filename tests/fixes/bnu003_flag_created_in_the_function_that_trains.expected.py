# fix: --unsafe-fixes
# The function with the batch norm builds the graph and runs its train op, and its only caller is
# the script (no flag): the flag is created there and fed True where the train op runs. Its twin
# already binds `training` (a log file): the name is not rebound, and no fix is offered.
import numpy as np
import tensorflow as tf


def train(steps):
    x = tf.placeholder(tf.float32, [None, 4])
    training = tf.placeholder_with_default(False, shape=(), name="training")
    hidden = tf.layers.batch_normalization(tf.layers.dense(x, 8),
                                           training=training)
    loss = tf.reduce_mean(tf.square(hidden - 1.0))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train_op, feed_dict={x: np.random.rand(8, 4),
                                          training: True})


def train_logged(steps):
    training = open("training.log", "w")
    x = tf.placeholder(tf.float32, [None, 4])
    hidden = tf.layers.batch_normalization(tf.layers.dense(x, 8), name="logged")
    loss = tf.reduce_mean(tf.square(hidden - 1.0))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(steps):
            training.write(f"{step} {sess.run([train_op, loss], feed_dict={x: np.random.rand(8, 4)})[1]}\n")


train(10)
train_logged(10)
