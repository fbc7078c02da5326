# A training scope whose is_training defaults to True (as in slim's mobilenet library).
import tensorflow.contrib.slim as slim


def training_scope(is_training=True, bn_decay=0.997):
    batch_norm_params = {"is_training": is_training, "decay": bn_decay}
    with slim.arg_scope([slim.batch_norm], **batch_norm_params) as scope:
        return scope
