# A network function whose is_training defaults to True; slim batch norm updated in place.
import tensorflow.contrib.slim as slim


def CNN(inputs, is_training=True):
    batch_norm_params = {"is_training": is_training, "decay": 0.9, "updates_collections": None}
    with slim.arg_scope([slim.conv2d, slim.fully_connected], normalizer_fn=slim.batch_norm,
                        normalizer_params=batch_norm_params):
        net = slim.conv2d(inputs, 32, [5, 5])
        return slim.fully_connected(slim.flatten(net), 10, activation_fn=None, normalizer_fn=None)
