"""Docstring stays first."""
from tensorflow.contrib.layers import batch_norm
import os


def train(x, is_training, optimizer):
    update_ops = tf_ops.get_collection(tf_ops.GraphKeys.UPDATE_OPS, "scope")
    h = batch_norm(x, is_training=is_training)
    return optimizer.minimize(h)
