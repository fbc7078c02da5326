# Flagged: a star import of the builder's module.
import tensorflow as tf
from nets.resnet import *


def train(images, is_training):
    loss = tf.reduce_mean(conv_bn(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
