# fix: --unsafe-fixes
import tensorflow as tf


def net(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)


saver = tf.train.Saver(tf.trainable_variables() + [
        v for v in tf.global_variables()
        if ("moving_mean" in v.name
            or "moving_variance" in v.name)], max_to_keep=3)
names = tf.train.Saver(var_list={**{v.op.name: v for v in tf.trainable_variables()}, **{
        v.op.name: v for v in tf.global_variables()
        if "moving_mean" in v.name or "moving_variance" in v.name}})
