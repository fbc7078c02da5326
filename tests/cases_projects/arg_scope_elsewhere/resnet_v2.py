# A network module whose batch norm gets its flag from the scope its caller opens (network.py).
import tensorflow as tf
import tensorflow.contrib.slim as slim


def bottleneck(inputs, depth):
    preact = slim.batch_norm(inputs, activation_fn=tf.nn.relu)
    return inputs + slim.conv2d(preact, depth, 3)
