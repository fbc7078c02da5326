# A builder with batch norm.
import tensorflow as tf


def conv_bn(x, is_training):
    x = tf.layers.conv2d(x, 8, 3)
    return tf.layers.batch_normalization(x, training=is_training)
