# A network module whose batch norm gets its flag from the scope its caller opens (network.py),
# called directly and as a convolution's normalizer_fn.
import tensorflow as tf
import tensorflow.contrib.slim as slim


def bottleneck(inputs, depth):
    preact = slim.batch_norm(inputs, activation_fn=tf.nn.relu)
    return inputs + slim.conv2d(preact, depth, 3)


def conv_bn(inputs, depth):
    return slim.conv2d(inputs, depth, 3, normalizer_fn=slim.batch_norm)
