# The scope is chosen by name from a registry: whichever factory comes first in it, the one
# that sets the flag could supply it.
import tensorflow.contrib.slim as slim

import scopes

ARG_SCOPES = {"plain": scopes.plain_arg_scope, "bn": scopes.bn_arg_scope}


def network(name, images, is_training):
    with slim.arg_scope(ARG_SCOPES[name](is_training=is_training)):
        return slim.batch_norm(slim.conv2d(images, 16, 3))
