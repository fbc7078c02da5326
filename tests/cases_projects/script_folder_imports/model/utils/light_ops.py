# Layers without batch norm, beside ops.py.
import tensorflow as tf


def conv(x, is_training, name):
    return tf.layers.conv3d(x, 8, 3, name=name + "_conv")
