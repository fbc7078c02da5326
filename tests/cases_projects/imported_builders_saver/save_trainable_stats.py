# Silent: the imported builder keeps its moving statistics among the trainable variables.
import tensorflow as tf

import nets_trainable_stats as network


def build(images, phase_train):
    logits = network.inference(images, phase_train)
    saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=3)
    return logits, saver
