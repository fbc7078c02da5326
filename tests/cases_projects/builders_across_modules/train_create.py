# Flagged: an imported function binds an instance to a name and returns it.
import tensorflow as tf

from network import create


def train(images, is_training, network_type):
    net = create(images, is_training)
    loss = tf.reduce_mean(net.ddf)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
