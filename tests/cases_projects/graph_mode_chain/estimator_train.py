# The Estimator receives its model_fn positionally: graph mode; the train op lacks the Keras updates (BNU006).
import tensorflow as tf

import tower


def model_fn(features, labels, mode):
    logits = tower.build(features)
    loss = tf.compat.v1.losses.mean_squared_error(labels, logits)
    train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)  # expect: BNU006:16
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


estimator = tf.estimator.Estimator(model_fn)
