# Silent look-alike: the same import, with ../lib appended to sys.path beside this file: `net` is
# lib/net.py, whose batch norm keeps its moving statistics in the trainable variables.
import os
import sys

import tensorflow as tf

sys.path.append(os.path.join(os.path.dirname(__file__), "..", "lib"))
from net import inference  # noqa: E402


def restore(images, phase):
    logits = inference(images, is_training=phase)
    saver = tf.train.Saver(tf.trainable_variables())
    return logits, saver
