# fix: --unsafe-fixes
"""Builders a library exports: nothing in the project calls them, so each gets the flag as a
parameter defaulting to what it does today, and its callers choose the mode."""
import tensorflow as tf


def conv_bn(inputs, filters, scope):
    outputs = tf.layers.conv2d(inputs, filters, 3, name=scope)
    return tf.layers.batch_normalization(outputs)


def dense_bn(inputs, *layers, **options):
    for units in layers:
        inputs = tf.layers.dense(inputs, units, **options)
    return tf.contrib.layers.batch_norm(inputs, decay=0.9, epsilon=1e-5, activation_fn=tf.nn.relu,
                                        updates_collections=None, scope="dense_bn")
