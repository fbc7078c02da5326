# fix: --unsafe-fixes
import tensorflow as tf


def conv_bn(x, is_training=True):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3), training=is_training)


def network(images, training):
    net = conv_bn(images, is_training=True)
    return conv_bn(net)


# Refused: at module level, with no flag and no training run to create one for.
images = tf.placeholder(tf.float32, [None, 8, 8, 3])
features = conv_bn(images, is_training=True)
