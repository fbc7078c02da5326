# Layers with contrib batch norm, in model/utils/ (no __init__.py anywhere).
import tensorflow as tf


def conv_bn(x, is_training, name):
    net = tf.layers.conv3d(x, 8, 3, name=name + "_conv")
    return tf.contrib.layers.batch_norm(net, is_training=is_training, scope=name + "_bn")
