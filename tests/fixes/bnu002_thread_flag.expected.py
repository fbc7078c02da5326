# fix: --unsafe-fixes
# A literal True in a helper with no flag: the caller's flag is passed down to it, and the
# literal becomes the new parameter, whose default True keeps every other call as it was.
import tensorflow as tf


def trunk(x, is_training=True):
    return tf.contrib.layers.batch_norm(tf.layers.conv2d(x, 8, 3), is_training=is_training)


class Model:
    def __init__(self, images, is_training):
        self.logits = tf.layers.dense(tf.layers.flatten(trunk(images,
                is_training=is_training)), 10)


def sample(images):
    return trunk(images)
