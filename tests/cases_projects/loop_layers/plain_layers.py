# Layer objects without batch norm.
import tensorflow as tf


class Conv(object):
    def __init__(self, channels):
        self.channels = channels

    def create_layer(self, net, is_training):
        return tf.layers.dropout(tf.layers.conv2d(net, self.channels, 3), training=is_training)
