# The default True reached through the **kwargs pass-through, while the flag is at hand.
import tensorflow.contrib.slim as slim

import mobilenet_v2


def pose_net(images, is_training):
    with slim.arg_scope(mobilenet_v2.training_scope()):  # expect: BNU002:25
        return slim.batch_norm(slim.conv2d(images, 32, 3))
