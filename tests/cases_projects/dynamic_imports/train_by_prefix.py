# BNU008: only the package shows ("nets." + name), and one of its modules leaves the statistics out.
import importlib

import tensorflow as tf


def build(name, images, phase_train):
    network = importlib.import_module("nets." + name)
    logits = network.inference(images, phase_train)
    saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:28
    return logits, saver
