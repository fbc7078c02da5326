# Flagged: an imported factory returns an instance of a builder class of its own module.
import tensorflow as tf

import network


def train(images, is_training, network_type):
    net = network.build_network(network_type, images=images, is_training=is_training)
    loss = tf.reduce_mean(net.ddf)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
