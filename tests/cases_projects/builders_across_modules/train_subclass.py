# Flagged: a subclass, defined here, of a builder class from another module.
import tensorflow as tf

from network import LocalNet


class TwoScaleNet(LocalNet):
    def __init__(self, images, is_training):
        super(TwoScaleNet, self).__init__(images, is_training)
        self.coarse = tf.layers.average_pooling2d(self.ddf, 2, 2)


def train(images, is_training):
    loss = tf.reduce_mean(TwoScaleNet(images, is_training).coarse)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
