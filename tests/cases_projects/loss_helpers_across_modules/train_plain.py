# A network without batch norm handed to the bare helper: nothing to run.
import tensorflow as tf

from training.plain_optim import plain_optimize

x = tf.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(tf.square(tf.layers.dense(tf.layers.dense(x, 8, activation=tf.nn.relu), 1)))
train_op = plain_optimize(loss)
with tf.Session() as sess:
    sess.run(train_op)
