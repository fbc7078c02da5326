import tensorflow as tf


def conv_bn_relu(inputs, filters, name, training=False):
    with tf.variable_scope(name):
        outputs = tf.layers.conv2d(inputs, filters, 3, padding="same")
        return tf.nn.relu(tf.layers.batch_normalization(outputs,
                                                        training=training))
