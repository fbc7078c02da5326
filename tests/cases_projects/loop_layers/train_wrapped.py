# Silent look-alike: the loop builds batch norm, and the train op runs the update ops.
import tensorflow as tf

from conv_layers import ConvBN


def train_wrapped(images, is_training):
    net = images
    for layer in [ConvBN(8), ConvBN(16)]:
        net = layer.create_layer(net, is_training)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(net))
