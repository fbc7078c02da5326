# A project wrapper of one batch-norm layer whose is_training defaults to True (issue 24, seen by a
# new user): the call that leaves the default is where the flag is missing.
import tensorflow as tf


def my_bn(h, is_training=True):
    return tf.layers.batch_normalization(h, training=is_training)
