# The wrapper's default reached through __call__: g_bn0 gets the flag at hand, g_bn1 is left
# at the default True.
import tensorflow as tf

from ops import batch_norm


class Generator(object):
    def __init__(self):
        self.g_bn0 = batch_norm(name="g_bn0")
        self.g_bn1 = batch_norm(name="g_bn1")

    def __call__(self, z, is_training):
        h0 = tf.nn.relu(self.g_bn0(tf.layers.dense(z, 64), train=is_training))
        h1 = tf.nn.relu(self.g_bn1(tf.layers.dense(h0, 64)))  # expect: BNU002:25
        return tf.layers.dense(h1, 8)
