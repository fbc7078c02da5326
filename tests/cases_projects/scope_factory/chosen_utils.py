# A scope factory that takes is_training and forgets to use it: its batch norm gets no flag.
import tensorflow.contrib.slim as slim


def chosen_arg_scope(is_training=True, weight_decay=1e-4):
    params = {"decay": 0.997, "updates_collections": None}
    with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay),  # expect: BNU003:10
                        normalizer_fn=slim.batch_norm, normalizer_params=params):
        with slim.arg_scope([slim.batch_norm], **params) as scope:
            return scope
