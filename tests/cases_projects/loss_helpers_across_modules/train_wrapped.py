# Builds batch norm and calls the bare helper inside control_dependencies(update ops): handled.
import tensorflow as tf

from training.wrapped_optim import optimize_wrapped

x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=flag)
loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1)))
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = optimize_wrapped(loss)
with tf.Session() as sess:
    sess.run(train_op, {flag: True})
