import tensorflow as tf


def train(x, is_training):
    extra_update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    h = tf.layers.batch_normalization(x, training=is_training)
    with tf.control_dependencies(extra_update_ops):
        train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
    return train_op
