import tensorflow as tf


def block(x, training, phase_train):
    return tf.layers.batch_normalization(x)


def head(x, training):
    return tf.layers.batch_normalization(x, name="bn", training=training)


def guessed(x, is_train):
    return tf.layers.batch_normalization(x)
