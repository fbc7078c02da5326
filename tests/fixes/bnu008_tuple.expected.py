# fix: --unsafe-fixes
# A tuple of trainable variables: the moving statistics join the list inside tuple(), since
# tuple + list raises TypeError; a name bound to a tuple gets no fix.
import tensorflow as tf


def net(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)


def savers():
    saver = tf.train.Saver(tuple(tf.trainable_variables() + [
            v for v in tf.global_variables()
            if "moving_mean" in v.name or "moving_variance" in v.name]))
    frozen = tuple(tf.trainable_variables())
    other = tf.train.Saver(frozen)
    return saver, other
