# BNU008: the network's arg_scope leaves the statistics out of the trainable variables.
import tensorflow as tf

from nets import plain_net


def build(images, is_training):
    logits = plain_net.inference(images, is_training)
    saver = tf.train.Saver(tf.trainable_variables())  # expect: BNU008:28
    return logits, saver
