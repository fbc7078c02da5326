# fix: --unsafe-fixes
import tensorflow as tf


def model_fn(features, labels, mode):
    h = tf.layers.batch_normalization(features, training=mode == tf.estimator.ModeKeys.TRAIN)
    loss = tf.reduce_mean(h)
    train_op = 1
    return tf.estimator.EstimatorSpec(mode, loss=loss,
                                      train_op=tf.train.AdamOptimizer().minimize(loss))


def lazy(loss):
    return (lambda: tf.train.AdamOptimizer().minimize(loss))
