# tf.layers batch norm: its moving statistics are global, not trainable.
import tensorflow as tf


def inference(images, phase_train):
    return tf.layers.batch_normalization(tf.layers.conv2d(images, 16, 3), training=phase_train)
