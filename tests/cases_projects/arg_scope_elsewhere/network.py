# resnet_v2 is built inside resnet_arg_scope(is_training); vgg_bn outside it.
import tensorflow.contrib.slim as slim

import resnet_utils
import resnet_v2
import vgg_bn


def deeplab(images, is_training):
    with slim.arg_scope(resnet_utils.resnet_arg_scope(is_training)):
        features = resnet_v2.bottleneck(images, 8)
        features = resnet_v2.conv_bn(features, 8)
    return vgg_bn.vgg_conv_bn(vgg_bn.vgg(features))
