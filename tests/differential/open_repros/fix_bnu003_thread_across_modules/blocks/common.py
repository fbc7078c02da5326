# expect: BNU003 7:9 (with a fix under --unsafe-fixes)
# The site's module; train.py beside it builds the graph and runs the train op. See train.py.
import tensorflow.compat.v1 as tf


def dense_bn(inputs, units):
    h = tf.layers.batch_normalization(tf.layers.dense(inputs, units))
    return tf.nn.relu(h)
