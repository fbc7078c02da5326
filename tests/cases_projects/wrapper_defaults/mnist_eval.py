# Silent look-alike: the evaluation script passes the flag.
import tensorflow as tf

import cnn_model


def evaluate():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    is_training = tf.placeholder(tf.bool, name="MODE")
    return cnn_model.CNN(x, is_training=is_training), is_training
