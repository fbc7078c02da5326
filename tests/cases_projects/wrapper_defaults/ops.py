# A DCGAN-style class wrapper; its __call__ default train=True becomes contrib's flag.
import tensorflow as tf


class batch_norm(object):
    def __init__(self, name="batch_norm"):
        self.name = name

    def __call__(self, x, train=True):
        return tf.contrib.layers.batch_norm(x, decay=0.9, scale=True, is_training=train, scope=self.name)
