# tf.layers batch norm: its moving statistics are global variables, not trainable ones.
import tensorflow as tf


def inference(images, is_training):
    return tf.layers.batch_normalization(tf.layers.conv2d(images, 16, 3), training=is_training)
