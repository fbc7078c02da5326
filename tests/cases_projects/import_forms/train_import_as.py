# Flagged: `import a.b as m` reaches the builder with batch norm.
import tensorflow as tf
import nets.resnet as backbone


def train(images, is_training):
    loss = tf.reduce_mean(backbone.conv_bn(images, is_training))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU001:12
