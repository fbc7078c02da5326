# BNU008: an inference script run from notebooks/ puts ../src first on sys.path, so `net` is
# src/net.py, whose batch norm keeps its moving statistics out of the trainable variables.
import sys

import tensorflow as tf

sys.path.insert(0, "../src")
from net import inference  # noqa: E402


def restore(images, phase):
    logits = inference(images, phase)
    saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:28
    return logits, saver
