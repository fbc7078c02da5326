# Its arg_scope helper gives slim batch norm variables_collections through **params, and the
# network re-enters the returned scope: the moving statistics are trainable variables.
import tensorflow as tf
import tensorflow.contrib.slim as slim


def net_arg_scope(is_training):
    params = {"is_training": is_training, "updates_collections": None,
              "variables_collections": [tf.GraphKeys.TRAINABLE_VARIABLES]}
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
        with slim.arg_scope([slim.batch_norm], **params) as scope:
            return scope


def inference(images, is_training):
    with slim.arg_scope(net_arg_scope(is_training)):
        return slim.conv2d(slim.conv2d(images, 16, 3), 32, 3)
