# The same network with a scope that sets only the flag: the statistics stay global variables.
import tensorflow.contrib.slim as slim


def net_arg_scope(is_training):
    params = {"is_training": is_training, "updates_collections": None}
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
        with slim.arg_scope([slim.batch_norm], **params) as scope:
            return scope


def inference(images, is_training):
    with slim.arg_scope(net_arg_scope(is_training)):
        return slim.conv2d(slim.conv2d(images, 16, 3), 32, 3)
