import tensorflow as tf


def train(x, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    h = tf.layers.batch_normalization(x, training=is_training)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))


def mutated(x, is_training):
    ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    h = tf.layers.batch_normalization(x, training=is_training)
    ops.append(tf.no_op())
    with tf.control_dependencies(ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
