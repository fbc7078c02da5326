# The same bare helper, called only by train_plain.py, whose network has no batch norm: silent.
import tensorflow as tf


def plain_optimize(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
