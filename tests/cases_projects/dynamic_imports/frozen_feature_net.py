# Silent: a module that trains passes a literal False to a network it cannot see: a frozen feature
# extractor (its statistics come from its own checkpoint), which does not make the Saver suspect.
import tensorflow as tf


def build(feature_net, images, targets):
    _, features = feature_net.inference(images, phase_train=False)
    loss = tf.reduce_mean(tf.square(features - targets))
    train_op = tf.train.AdamOptimizer().minimize(loss)
    saver = tf.train.Saver(tf.trainable_variables())
    return train_op, saver
