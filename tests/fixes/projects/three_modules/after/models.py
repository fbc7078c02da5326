import tensorflow as tf

from layers import conv_bn_relu


def classifier(images, training=False):
    hidden = conv_bn_relu(images, 8, "block1", training=training)
    hidden = conv_bn_relu(hidden, 16, "block2", training=training)
    return tf.layers.dense(tf.layers.flatten(hidden), 2)
