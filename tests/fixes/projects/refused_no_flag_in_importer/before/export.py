import tensorflow as tf

import layers

# A script's serving graph: no function to take a flag, no flag and no train op to pass one from.
inputs = tf.placeholder(tf.float32, [None, 4], name="inputs")
outputs = layers.network(inputs)
