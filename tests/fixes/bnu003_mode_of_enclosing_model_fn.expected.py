# fix: --unsafe-fixes
import tensorflow as tf


def model_fn(features, labels, mode):
    def block(x):
        return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3),
                training=(mode == tf.estimator.ModeKeys.TRAIN))

    logits = tf.layers.dense(tf.layers.flatten(block(features)), 10)
    return tf.estimator.EstimatorSpec(mode, predictions=logits)
