# Silent look-alike: the same factory in a module without batch norm.
import tensorflow as tf

import plain_network as network


def train(images, is_training, network_type):
    net = network.build_network(network_type, images=images, is_training=is_training)
    loss = tf.reduce_mean(net.ddf)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
