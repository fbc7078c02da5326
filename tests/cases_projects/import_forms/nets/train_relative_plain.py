# Silent look-alike: a relative import of a module without batch norm.
import tensorflow as tf
from .plain import conv_dropout


def train(images, is_training):
    loss = tf.reduce_mean(conv_dropout(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
