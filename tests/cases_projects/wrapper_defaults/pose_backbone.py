# The backbone: its batch norm takes the flag from whatever arg_scope its caller opens.
import tensorflow.contrib.slim as slim


def backbone(images):
    return slim.conv2d(images, 16, 3, normalizer_fn=slim.batch_norm)
