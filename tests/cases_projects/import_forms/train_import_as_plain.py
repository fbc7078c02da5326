# Silent look-alike: `import a.b as m` reaches a builder without batch norm.
import tensorflow as tf
import nets.plain as backbone


def train(images, is_training):
    loss = tf.reduce_mean(backbone.conv_dropout(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
