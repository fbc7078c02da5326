# Silent look-alike: `from a import b` reaches a submodule without batch norm.
import tensorflow as tf
from nets import plain


def train(images, is_training):
    loss = tf.reduce_mean(plain.conv_dropout(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
