"""Docstring stays first."""
from tensorflow.contrib.layers import batch_norm
import os
import tensorflow as tf


def train(x, is_training, optimizer):
    update_ops = tf_ops.get_collection(tf_ops.GraphKeys.UPDATE_OPS, "scope")
    h = batch_norm(x, is_training=is_training)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return optimizer.minimize(h)
