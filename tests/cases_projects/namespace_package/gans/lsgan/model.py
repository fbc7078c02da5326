# Silent look-alike: the same namespace package, a module of it without batch norm.
import tensorflow as tf

import gans.plain_modules as t


def generator(z, is_train):
    h = t.layer_norm(t.dense(z, 64, name="g_fc0"), is_train=is_train, name="g_ln0")
    return t.dense(tf.nn.relu(h), 8, name="g_fc1")


def build(z, x, is_train):
    g_loss = tf.reduce_mean(tf.square(generator(z, is_train) - x))
    return tf.train.AdamOptimizer(2e-4).minimize(g_loss)
