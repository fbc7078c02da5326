# Builds batch norm and runs the bare helper's op together with the update ops: handled.
import tensorflow as tf

from training.fetched_optim import optimize_fetched

x = tf.placeholder(tf.float32, [None, 4])
flag = tf.placeholder_with_default(False, ())
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=flag)
loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1)))
train_op = optimize_fetched(loss)
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.Session() as sess:
    sess.run([train_op, update_ops], {flag: True})
