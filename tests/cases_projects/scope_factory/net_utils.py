# A scope factory (slim's older resnet_utils.resnet_arg_scope): convolutions normalized by
# batch norm whose params give no flag. The batch norm runs inside each conv2d, so the flag is
# whatever batch-norm arg_scope is open there: net.py opens one around every block.
import tensorflow.contrib.slim as slim


def net_arg_scope(weight_decay=1e-4):
    batch_norm_params = {"decay": 0.997, "epsilon": 1e-5, "scale": True}
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay),
                        normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params):
        with slim.arg_scope([slim.batch_norm], **batch_norm_params) as scope:
            return scope


def block(inputs, depth):
    return slim.conv2d(inputs, depth, 3)
