# A module of the same name elsewhere: contrib batch norm that puts its moving statistics in
# TRAINABLE_VARIABLES, so a trainables-only Saver keeps them.
import tensorflow as tf


def inference(images, is_training):
    return tf.contrib.layers.batch_norm(tf.layers.conv2d(images, 16, 3), is_training=is_training,
                                        variables_collections=[tf.GraphKeys.TRAINABLE_VARIABLES])
