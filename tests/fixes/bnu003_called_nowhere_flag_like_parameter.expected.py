# fix: --unsafe-fixes
# No fix: builders that nothing in the project calls, whose parameter reads as a training flag
# that the fix does not know (not in bn-training-names): a new `training` would be a second flag.
import tensorflow as tf


def block(x, in_training_mode):
    return tf.layers.batch_normalization(x)


def head(x, training_now=None):
    return tf.contrib.layers.batch_norm(tf.layers.dense(x, 10))
