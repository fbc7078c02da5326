# A constructor's ``layers=None`` filled by appends, then built in a loop (seen in a real
# segmentation repository).
import tensorflow as tf

from conv_layers import ConvBN


class Network(object):
    def __init__(self, images, is_training, layers=None):
        if layers is None:
            layers = []
            layers.append(ConvBN(8))
            layers.append(ConvBN(16))
        net = images
        for layer in layers:
            net = layer.create_layer(net, is_training)
        self.train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(net))  # expect: BNU001:25
