# A base network class whose ``trainable`` only decides which variables train: it is no
# batch-norm flag.
import tensorflow.contrib.slim as slim


class PlainNetwork(object):
    def __init__(self, inputs, trainable=True):
        self.inputs = inputs
        self.trainable = trainable

    def conv(self, net):
        return slim.conv2d(net, 32, 3, trainable=self.trainable)
