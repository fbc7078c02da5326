import tensorflow as tf

from layers import conv_bn_relu


def classifier(images):
    hidden = conv_bn_relu(images, 8, "block1")
    hidden = conv_bn_relu(hidden, 16, "block2")
    return tf.layers.dense(tf.layers.flatten(hidden), 2)
