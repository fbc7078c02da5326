# fix: --unsafe-fixes
import tensorflow as tf
import tensorflow.contrib.slim as slim

BN_PARAMS = {"decay": 0.9, "epsilon": 1e-5}


def network(images, is_training):
    net = slim.conv2d(images, 32, 3, normalizer_fn=slim.batch_norm,
                      normalizer_params={"is_training": is_training})
    net = slim.conv2d(net, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={
            "decay": 0.99, "is_training": is_training})
    net = slim.conv2d(net, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={
            **BN_PARAMS, "is_training": is_training})
    # Refused: the `**` dict may hold the flag.
    net = slim.conv2d(net, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params={**BN_PARAMS})
    return net
