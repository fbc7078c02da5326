# Silent look-alike: a class constant joined to the package name with `+` picks the module, getattr the builder,
# whose contrib batch norm keeps its statistics in the trainable variables.
import importlib

import tensorflow as tf


class Trainer(object):
    NETWORK = "keeps_stats"

    def build(self, images, phase_train):
        module = importlib.import_module("nets." + self.NETWORK)
        inference = getattr(module, "inference")
        logits = inference(images, phase_train=phase_train)
        saver = tf.train.Saver(tf.trainable_variables())
        return logits, saver
