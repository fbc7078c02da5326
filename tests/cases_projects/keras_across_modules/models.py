# Keras models built through a function and a class, each block holding BatchNormalization.
import tensorflow as tf


def conv_block(filters):
    return tf.keras.Sequential([tf.keras.layers.Conv2D(filters, 3), tf.keras.layers.BatchNormalization()])


class ResNet(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.block = conv_block(16)
        self.head = tf.keras.layers.Dense(10)

    def call(self, x, training=None):
        return self.head(tf.reduce_mean(self.block(x, training=training), [1, 2]))


def get_model():
    return ResNet()
