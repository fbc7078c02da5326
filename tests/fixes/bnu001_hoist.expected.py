# fix: --unsafe-fixes
import tensorflow as tf


def model_fn(features, labels, mode):
    h = tf.layers.batch_normalization(features, training=mode == tf.estimator.ModeKeys.TRAIN)
    loss = tf.reduce_mean(h)
    train_op = 1
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op_2 = tf.train.AdamOptimizer().minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss,
                                      train_op=train_op_2)


def lazy(loss):
    return (lambda: tf.train.AdamOptimizer().minimize(loss))
