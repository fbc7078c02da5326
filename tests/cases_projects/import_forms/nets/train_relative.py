# Flagged: a relative import inside the package.
import tensorflow as tf
from .resnet import conv_bn


def train(images, is_training):
    loss = tf.reduce_mean(conv_bn(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
