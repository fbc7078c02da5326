# Silent: the network's own arg_scope keeps the statistics among the trainable variables.
import tensorflow as tf

from nets import face_net


def build(images, is_training):
    logits = face_net.inference(images, is_training)
    saver = tf.train.Saver(tf.trainable_variables())
    return logits, saver
