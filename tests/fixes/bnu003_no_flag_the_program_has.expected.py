# fix: --unsafe-fixes
# No fix: a module constant named like a flag is not a fed placeholder, and a class that
# stores two flag attributes leaves the choice to its author.
import tensorflow as tf

is_training = True


def block(x):
    return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3))


class Network:
    def __init__(self, training, is_training):
        self.training = training
        self.is_training = is_training

    def block(self, x):
        return tf.layers.batch_normalization(x)
