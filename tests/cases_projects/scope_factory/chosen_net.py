# One of two scope factories is chosen by name: the other factory's flag does not reach the
# convolutions that the chosen one normalizes.
import tensorflow.contrib.slim as slim

import chosen_utils
import flagged_utils

ARG_SCOPES = {"flagged": flagged_utils.flagged_arg_scope, "chosen": chosen_utils.chosen_arg_scope}


def build(name, images, is_training):
    scope = ARG_SCOPES[name](is_training=is_training)
    with slim.arg_scope(scope):
        return slim.conv2d(images, 16, 3)
