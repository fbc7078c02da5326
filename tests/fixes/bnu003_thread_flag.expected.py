# fix: --unsafe-fixes
# The builder two calls below the training graph has no flag: it is threaded down from the
# caller's placeholder parameter; the evaluation call keeps today's behaviour by the default.
import tensorflow as tf


def conv_bn(x, filters, is_training=False):
    x = tf.layers.conv2d(x, filters, 3)
    return tf.layers.batch_normalization(x, training=is_training)


def stage(x, filters, is_training=False):
    x = conv_bn(x, filters, is_training=is_training)
    return conv_bn(x, filters * 2, is_training=is_training)


def network(images, is_training):
    return tf.layers.dense(tf.layers.flatten(stage(images, 16,
                                                   is_training=is_training)), 10)


def evaluate(images):
    return stage(images, 16)
