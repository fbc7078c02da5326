# BNU006: the same train op with the subclass that only renames: UPDATE_OPS stays empty for it.
import tensorflow as tf

from norm_layers import NamedBatchNorm


def model_fn(features, labels, mode):
    outputs = NamedBatchNorm()(tf.compat.v1.layers.dense(features, 8), training=mode == "train")
    loss = tf.compat.v1.losses.mean_squared_error(labels, outputs)
    with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
        train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:20
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


estimator = tf.estimator.Estimator(model_fn=model_fn)
