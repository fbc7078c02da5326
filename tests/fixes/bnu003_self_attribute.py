# fix: --unsafe-fixes
import tensorflow as tf


class Network:
    def __init__(self, images, is_training):
        self.is_training = is_training
        self.logits = self.head(self.block(images))

    def block(self, x):
        return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3))

    def head(self, x):
        x = tf.contrib.layers.batch_norm(x, is_training=True)
        return tf.layers.dense(tf.layers.flatten(x), 10)
