import tensorflow as tf


def train(x, is_training):
    h = tf.layers.batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(h)
    # the optimizer step
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)  # keep this comment
    metric = tf.reduce_mean(h)
    return train_op, metric
