# Flagged: `from a import b` (a submodule) reaches the builder with batch norm.
import tensorflow as tf
from nets import resnet


def train(images, is_training):
    loss = tf.reduce_mean(resnet.conv_bn(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
