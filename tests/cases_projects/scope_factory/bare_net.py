# Uses bare_utils's scope and never gives batch norm a flag.
import tensorflow.contrib.slim as slim

import bare_utils


def bare_net(inputs, is_training):
    with slim.arg_scope(bare_utils.bare_arg_scope()):
        return slim.conv2d(slim.conv2d(inputs, 16, 3), 32, 3)
