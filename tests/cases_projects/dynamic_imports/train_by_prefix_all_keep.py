# Silent look-alike of train_by_prefix.py: only the package shows ("keeping_nets." + name), and every
# one of its modules keeps the statistics in what the Saver saves (all candidates agree).
import importlib

import tensorflow as tf


def build(name, images, phase_train):
    network = importlib.import_module("keeping_nets." + name)
    logits = network.inference(images, phase_train)
    saver = tf.train.Saver(tf.trainable_variables())
    return logits, saver
