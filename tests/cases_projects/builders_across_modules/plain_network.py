# The same shapes of network without batch norm.
import tensorflow as tf


class LocalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.dropout(tf.layers.conv2d(images, 8, 3), training=is_training)


class GlobalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.dense(tf.layers.flatten(images), 12)


def build_network(network_type, **kwargs):
    if network_type == "local":
        return LocalNet(**kwargs)
    return GlobalNet(**kwargs)


def create(images, is_training):
    net = LocalNet(images, is_training)
    return net


MODELS = {"local": LocalNet, "global": GlobalNet}
