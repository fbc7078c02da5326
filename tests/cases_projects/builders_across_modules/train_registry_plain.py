# Silent look-alike: the same registry in a module without batch norm.
import tensorflow as tf

from plain_network import MODELS


def train(images, is_training, network_type):
    net = MODELS[network_type](images, is_training)
    loss = tf.reduce_mean(net.ddf)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
