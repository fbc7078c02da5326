# The network sets batch norm's flag for its blocks, as slim's resnet_v1 did.
import tensorflow.contrib.slim as slim

import net_utils


def net(inputs, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=is_training):
        return net_utils.block(net_utils.block(inputs, 16), 32)


def train(images, labels, is_training):
    with slim.arg_scope(net_utils.net_arg_scope()):
        logits = net(images, is_training)
    return slim.losses.softmax_cross_entropy(logits, labels)
