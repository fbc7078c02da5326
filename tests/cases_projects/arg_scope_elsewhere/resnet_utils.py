# The arg_scope helper that supplies slim batch norm's flag, spread from a dict.
import tensorflow.contrib.slim as slim


def resnet_arg_scope(is_training, weight_decay=1e-4):
    batch_norm_params = {"is_training": is_training, "decay": 0.997, "epsilon": 1e-5}
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay)):
        with slim.arg_scope([slim.batch_norm], **batch_norm_params) as scope:
            return scope
