# fix: --unsafe-fixes
import tensorflow as tf


def model_fn(features, labels, mode):
    is_training = mode == tf.estimator.ModeKeys.TRAIN

    def build_model(images):
        model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(),
                                     tf.keras.layers.Dense(1)])
        logits = model(images, training=is_training)
        return logits

    logits = build_model(features)
    loss = tf.compat.v1.losses.mean_squared_error(labels, logits)
    # Batch norm requires update_ops to be added as a train_op dependency.
    update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
