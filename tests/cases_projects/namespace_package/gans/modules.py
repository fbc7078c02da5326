# A GAN project's shared layers, in a folder without __init__.py (a PEP 420 namespace package).
import tensorflow as tf


def batch_norm(x, is_train, name="bn"):
    return tf.layers.batch_normalization(x, training=is_train, name=name)


def dense(x, units, name="fc"):
    return tf.layers.dense(x, units, name=name)
