# Silent look-alike: another name re-exported by nets/__init__.py, without batch norm.
import tensorflow as tf
from nets import conv_dropout


def train(images, is_training):
    loss = tf.reduce_mean(conv_dropout(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
