# Two scope factories: one sets batch norm's flag, one does not touch batch norm.
import tensorflow.contrib.slim as slim


def plain_arg_scope(is_training=True, weight_decay=1e-4):
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay)) as scope:
        return scope


def bn_arg_scope(is_training=True, weight_decay=1e-4):
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay)):
        with slim.arg_scope([slim.batch_norm], is_training=is_training) as scope:
            return scope


def decay_arg_scope(is_training=True, weight_decay=1e-4):
    with slim.arg_scope([slim.batch_norm], decay=0.99) as scope:
        return scope
