# The imported layer objects sit in a list literal and are built in a loop: the loop variable
# holds each element, so the loop builds batch norm.
import tensorflow as tf

from conv_layers import ConvBN
from plain_layers import Conv


def train(images, is_training):
    net = images
    for layer in [ConvBN(8), Conv(16)]:
        net = layer.create_layer(net, is_training)
    return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net))  # expect: BNU001:12
