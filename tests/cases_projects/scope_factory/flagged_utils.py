# A scope factory that sets the flag.
import tensorflow.contrib.slim as slim


def flagged_arg_scope(is_training=True, weight_decay=1e-4):
    params = {"decay": 0.997, "updates_collections": None, "is_training": is_training}
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay),
                        normalizer_fn=slim.batch_norm, normalizer_params=params):
        with slim.arg_scope([slim.batch_norm], **params) as scope:
            return scope
