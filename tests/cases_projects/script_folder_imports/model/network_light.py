# Silent look-alike: the same import form reaches layers without batch norm.
import tensorflow as tf
from utils import light_ops


class UNet(object):
    def __init__(self, images, is_training):
        self.output = light_ops.conv(images, is_training, "down1")
        self.saver = tf.train.Saver(tf.trainable_variables())
