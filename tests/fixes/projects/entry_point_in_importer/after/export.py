import tensorflow as tf

import layers


def serving_graph(training=False):
    inputs = tf.placeholder(tf.float32, [None, 4], name="inputs")
    return layers.network(inputs, training=training)
