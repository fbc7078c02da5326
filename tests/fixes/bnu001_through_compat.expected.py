import tensorflow as tf

def train(x, is_training, step):
    h = tf.compat.v1.layers.batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(h)
    with tf.compat.v1.control_dependencies(
            tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
        train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss, global_step=step)
    if is_training:
        with tf.compat.v1.control_dependencies(
                tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
            op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    return train_op, op
