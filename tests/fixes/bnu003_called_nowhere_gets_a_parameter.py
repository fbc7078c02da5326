# fix: --unsafe-fixes
"""Builders a library exports: nothing in the project calls them, so each gets the flag as a
parameter defaulting to what it does today, and its callers choose the mode (the command's note
says so). The block below a tower that nothing calls gets it through the tower. A parameter whose
name has "train" in it but whose default is no flag's (a count) is not a flag."""
import tensorflow as tf


def conv_bn(inputs, filters, scope):
    outputs = tf.layers.conv2d(inputs, filters, 3, name=scope)
    return tf.layers.batch_normalization(outputs)


def dense_bn(inputs, *layers, **options):
    for units in layers:
        inputs = tf.layers.dense(inputs, units, **options)
    return tf.contrib.layers.batch_norm(inputs, decay=0.9, epsilon=1e-5, activation_fn=tf.nn.relu,
                                        updates_collections=None, scope="dense_bn")


def _residual(inputs):
    return inputs + tf.layers.batch_normalization(tf.layers.conv2d(inputs, 8, 3, padding="same"))


def tower(images):
    return _residual(_residual(images))


def stem(images, train_steps=100):
    return tf.layers.batch_normalization(images)
