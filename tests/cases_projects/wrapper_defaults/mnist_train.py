# The training script defines the flag placeholder but leaves CNN's default True: evaluation
# runs through the same call normalize with batch statistics.
import tensorflow as tf

import cnn_model


def train():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    labels = tf.placeholder(tf.float32, [None, 10])
    is_training = tf.placeholder(tf.bool, name="MODE")
    y = cnn_model.CNN(x)  # expect: BNU002:9
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=y))
    return tf.train.AdamOptimizer(1e-4).minimize(loss), is_training
