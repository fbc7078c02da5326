# Silent: a class constant names the module and getattr the builder, which keeps its statistics.
import importlib

import tensorflow as tf


class Trainer(object):
    NETWORK = "keeps_stats"

    def build(self, images, phase_train):
        module = importlib.import_module(f"nets.{self.NETWORK}")
        inference = getattr(module, "inference")
        logits = inference(images, phase_train)
        saver = tf.train.Saver(tf.trainable_variables())
        return logits, saver
