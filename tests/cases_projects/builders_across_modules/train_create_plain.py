# Silent look-alike: the same function in a module without batch norm.
import tensorflow as tf

from plain_network import create


def train(images, is_training, network_type):
    net = create(images, is_training)
    loss = tf.reduce_mean(net.ddf)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
