# Silent look-alike: the looped layer objects build no batch norm.
import tensorflow as tf

from plain_layers import Conv


def train(images, is_training, layers=None):
    if layers is None:
        layers = []
        layers.append(Conv(8))
    net = images
    for layer in layers + [Conv(16)]:
        net = layer.create_layer(net, is_training)
    return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net))
