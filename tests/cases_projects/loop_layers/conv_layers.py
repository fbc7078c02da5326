# Layer objects whose create_layer builds contrib batch norm (updates in UPDATE_OPS).
import tensorflow as tf


class ConvBN(object):
    def __init__(self, channels):
        self.channels = channels

    def create_layer(self, net, is_training):
        net = tf.layers.conv2d(net, self.channels, 3)
        return tf.contrib.layers.batch_norm(net, is_training=is_training)
