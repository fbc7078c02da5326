# fix: --unsafe-fixes
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def build(images):
    model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3), tf.keras.layers.BatchNormalization()])
    loss = tf.reduce_mean(model(images, training=True))
    # the textbook wrapper: the collection is empty for Keras layers
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op, update_ops
