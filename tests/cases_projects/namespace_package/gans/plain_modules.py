# The same project's layers without batch norm.
import tensorflow as tf


def layer_norm(x, is_train, name="ln"):
    return tf.contrib.layers.layer_norm(x, scope=name)


def dense(x, units, name="fc"):
    return tf.layers.dense(x, units, name=name)
