# A builder without batch norm, with the same signature.
import tensorflow as tf


def conv_dropout(x, is_training):
    x = tf.layers.conv2d(x, 8, 3)
    return tf.layers.dropout(x, training=is_training)
