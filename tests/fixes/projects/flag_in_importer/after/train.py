import numpy as np
import tensorflow as tf

from ops import conv_bn


def build(images, is_training):
    net = conv_bn(images, 8, "conv1", training=is_training)
    net = conv_bn(net, 8, "conv2", training=is_training)
    return tf.reduce_mean(net, axis=[1, 2, 3])


images = tf.placeholder(tf.float32, [None, 8, 8, 3])
is_training = tf.placeholder(tf.bool, shape=())
loss = tf.reduce_mean(tf.square(build(images, is_training)))
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    batch = np.random.rand(4, 8, 8, 3)
    sess.run(train_op, feed_dict={images: batch, is_training: True})
    print(sess.run(loss, feed_dict={images: batch, is_training: False}))
