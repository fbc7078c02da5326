# fix: --unsafe-fixes
import tensorflow as tf

images = tf.placeholder(tf.float32, [None, 32, 32, 3])
is_training = tf.placeholder_with_default(False, shape=(), name="is_training")


def block(x):
    return tf.contrib.layers.batch_norm(tf.layers.conv2d(x, 8, 3))


logits = tf.layers.dense(tf.layers.flatten(block(images)), 10)
