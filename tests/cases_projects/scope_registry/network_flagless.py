# The same registry where no factory sets the flag: it is missing.
import tensorflow.contrib.slim as slim

import scopes

ARG_SCOPES = {"plain": scopes.plain_arg_scope, "decay": scopes.decay_arg_scope}


def network(name, images, is_training):
    with slim.arg_scope(ARG_SCOPES[name](is_training=is_training)):
        return slim.batch_norm(slim.conv2d(images, 16, 3))  # expect: BNU003:16
