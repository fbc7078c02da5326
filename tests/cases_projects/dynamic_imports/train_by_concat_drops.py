# BNU008: a class constant joined to the package name with `+` picks the module, getattr the builder,
# whose tf.layers batch norm keeps its statistics out of the trainable variables.
import importlib

import tensorflow as tf


class Trainer(object):
    NETWORK = "drops_stats"

    def build(self, images, phase_train):
        module = importlib.import_module("nets." + self.NETWORK)
        inference = getattr(module, "inference")
        logits = inference(images, phase_train)
        saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:32
        return logits, saver
