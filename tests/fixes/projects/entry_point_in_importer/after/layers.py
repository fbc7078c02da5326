import tensorflow as tf


def dense_bn(inputs, units, training=False):
    out = tf.layers.dense(inputs, units)
    return tf.nn.relu(tf.layers.batch_normalization(out, training=training))


def network(inputs, training=False):
    hidden = dense_bn(inputs, 16, training=training)
    return tf.layers.dense(dense_bn(hidden, 16, training=training), 1)
