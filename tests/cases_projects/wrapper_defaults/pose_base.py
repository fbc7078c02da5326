# A base network class that takes its training flag as ``trainable`` and passes that
# attribute to batch norm itself.
import tensorflow.contrib.slim as slim


class BaseNetwork(object):
    def __init__(self, inputs, trainable=True):
        self.inputs = inputs
        self.trainable = trainable

    def conv_bn(self, net):
        with slim.arg_scope([slim.batch_norm], is_training=self.trainable):
            return slim.conv2d(net, 32, 3, normalizer_fn=slim.batch_norm)
