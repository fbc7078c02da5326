# Builds batch norm and hands the loss to training/optim.py's bare helper (reported there).
import tensorflow as tf

from training.optim import optimize

x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=flag)
loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1)))
train_op = optimize(loss)
with tf.Session() as sess:
    sess.run(train_op, {flag: True})
