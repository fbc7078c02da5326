import tensorflow as tf


def train(x, is_training):
    extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    h = tf.layers.batch_normalization(x, training=is_training)
    train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
    return train_op
