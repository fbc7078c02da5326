# fix: --unsafe-fixes
# The builder two calls below the training graph has no flag: it is threaded down from the
# caller's placeholder parameter; the evaluation call keeps today's behaviour by the default.
import tensorflow as tf


def conv_bn(x, filters):
    x = tf.layers.conv2d(x, filters, 3)
    return tf.layers.batch_normalization(x)


def stage(x, filters):
    x = conv_bn(x, filters)
    return conv_bn(x, filters * 2)


def network(images, is_training):
    return tf.layers.dense(tf.layers.flatten(stage(images, 16)), 10)


def evaluate(images):
    return stage(images, 16)
