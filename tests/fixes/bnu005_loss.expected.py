import tensorflow as tf


def train(x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    bn_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(bn_updates):
        loss = tf.identity(loss)
    with tf.control_dependencies(bn_updates):
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return train_op
