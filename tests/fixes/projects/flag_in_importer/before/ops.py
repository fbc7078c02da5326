import tensorflow as tf


def conv_bn(inputs, filters, name):
    with tf.variable_scope(name):
        out = tf.layers.conv2d(inputs, filters, 3, padding="same")
        out = tf.layers.batch_normalization(out)
        return tf.nn.relu(out)
