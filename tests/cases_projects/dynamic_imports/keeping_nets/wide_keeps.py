# A wider network, also keeping its moving statistics among the trainable variables.
import tensorflow as tf


def inference(images, phase_train):
    h = tf.layers.conv2d(images, 64, 3)
    return tf.contrib.layers.batch_norm(h, is_training=phase_train,
                                        variables_collections=[tf.GraphKeys.TRAINABLE_VARIABLES])
