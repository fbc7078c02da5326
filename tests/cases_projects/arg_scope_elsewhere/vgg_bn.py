# A network module whose batch norm is called outside any scope: the flag is missing, for
# the direct call and for the normalizer_fn alike.
import tensorflow.contrib.slim as slim


def vgg(inputs):
    return slim.batch_norm(slim.conv2d(inputs, 8, 3))  # expect: BNU003:12


def vgg_conv_bn(inputs):
    return slim.conv2d(inputs, 8, 3, normalizer_fn=slim.batch_norm)  # expect: BNU003:12
