# A network module whose batch norm is called outside any scope: the flag is missing.
import tensorflow.contrib.slim as slim


def vgg(inputs):
    return slim.batch_norm(slim.conv2d(inputs, 8, 3))  # expect: BNU003:12
