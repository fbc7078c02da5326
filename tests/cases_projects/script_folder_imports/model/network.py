# `from utils import ops` resolves from this file's folder (model/, the scripts' folder), not
# from the repository root where flake8 runs.
import tensorflow as tf
from utils import ops


class UNet(object):
    def __init__(self, images, is_training):
        self.output = ops.conv_bn(images, is_training, "down1")
        self.saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:37
