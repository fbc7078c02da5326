# contrib batch norm whose moving statistics go to TRAINABLE_VARIABLES.
import tensorflow as tf


def inference(images, phase_train):
    return tf.contrib.layers.batch_norm(tf.layers.conv2d(images, 16, 3), is_training=phase_train,
                                        variables_collections=[tf.GraphKeys.TRAINABLE_VARIABLES])
