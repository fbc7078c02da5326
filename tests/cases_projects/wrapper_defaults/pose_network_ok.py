# Silent look-alike: the flag passed through the same pass-through.
import tensorflow.contrib.slim as slim

import mobilenet_v2


def pose_net(images, is_training):
    with slim.arg_scope(mobilenet_v2.training_scope(is_training=is_training)):
        return slim.batch_norm(slim.conv2d(images, 32, 3))
