import tensorflow as tf


def dense_bn(inputs, units):
    out = tf.layers.dense(inputs, units)
    return tf.nn.relu(tf.layers.batch_normalization(out))


def network(inputs):
    hidden = dense_bn(inputs, 16)
    return tf.layers.dense(dense_bn(hidden, 16), 1)
