# Silent: the layer class (from norm_layers.py) adds its updates to UPDATE_OPS, and the train op runs them.
import tensorflow as tf

from norm_layers import CollectedBatchNorm


def model_fn(features, labels, mode):
    outputs = CollectedBatchNorm()(tf.compat.v1.layers.dense(features, 8), training=mode == "train")
    loss = tf.compat.v1.losses.mean_squared_error(labels, outputs)
    with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
        train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


estimator = tf.estimator.Estimator(model_fn=model_fn)
