# Flagged: the imported builder's moving statistics are not trainable, so this Saver drops them.
import tensorflow as tf

import nets_default as network


def build(images, phase_train):
    logits = network.inference(images, phase_train)
    saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=3)  # expect: BNU008:28
    return logits, saver
