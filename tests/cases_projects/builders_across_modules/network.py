# Networks with contrib batch norm (updates to UPDATE_OPS), reached from trainers through a
# factory, a function that returns an instance, a registry dict, and a subclass.
import tensorflow as tf


def conv_bn(x, is_training, name):
    net = tf.layers.conv2d(x, 8, 3, name=name + "_conv")
    return tf.contrib.layers.batch_norm(net, is_training=is_training, scope=name + "_bn")


class LocalNet(object):
    def __init__(self, images, is_training):
        self.ddf = conv_bn(images, is_training, "local")


class GlobalNet(object):
    def __init__(self, images, is_training):
        self.ddf = tf.layers.dense(tf.layers.flatten(conv_bn(images, is_training, "global")), 12)


def build_network(network_type, **kwargs):
    if network_type == "local":
        return LocalNet(**kwargs)
    return GlobalNet(**kwargs)


def create(images, is_training):
    net = LocalNet(images, is_training)
    return net


MODELS = {"local": LocalNet, "global": GlobalNet}
