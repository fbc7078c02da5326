# The same scope factory, but no module that uses it ever sets batch norm's flag: every
# convolution normalizes with batch statistics, at inference too.
import tensorflow.contrib.slim as slim


def bare_arg_scope(weight_decay=1e-4):
    batch_norm_params = {"decay": 0.997, "epsilon": 1e-5, "scale": True}
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay),  # expect: BNU003:10
                        normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params):
        with slim.arg_scope([slim.batch_norm], **batch_norm_params) as scope:
            return scope
