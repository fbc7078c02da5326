# fix: --unsafe-fixes
import tensorflow as tf
import tensorflow.contrib.slim as slim


def block(x, is_training):
    x = tf.layers.batch_normalization(x, training=is_training)
    x = slim.batch_norm(x, decay=0.9, is_training=is_training, **{})
    x = slim.batch_norm(
        x,
        decay=0.9,
        is_training=is_training,
    )
    return tf.layers.batch_normalization(x, training=is_training)


def estimator_head(x, mode):
    return tf.layers.batch_normalization(
            x, momentum=0.9, training=(mode == tf.estimator.ModeKeys.TRAIN))


def no_flag_in_scope(x):
    return tf.layers.batch_normalization(x, training=False)
