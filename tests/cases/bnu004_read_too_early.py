import tensorflow as tf


def network(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)


def read_before_layers(x, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    logits = network(x, is_training)
    loss = tf.reduce_mean(logits)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)


def read_inside_with_before_layers(x, is_training):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):  # expect: BNU004:34
        h = tf.layers.batch_normalization(x, training=is_training)
        loss = tf.reduce_mean(h)
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return train_op


def ref_consumed_before_layers(x, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    with tf.control_dependencies(update_ops):
        h = network(x, is_training)
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))


def ref_read_early_consumed_after(x, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    h = network(x, is_training)
    loss = tf.reduce_mean(h)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)


def read_after_layers(x, is_training):
    h = network(x, is_training)
    loss = tf.reduce_mean(h)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss)


class Model(object):
    def build(self, x, is_training):
        return tf.layers.batch_normalization(x, training=is_training)

    def train(self, x, is_training):
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:22
        loss = tf.reduce_mean(self.build(x, is_training))
        with tf.control_dependencies(update_ops):
            return tf.train.AdamOptimizer().minimize(loss)


def layers_with_flag_false_do_not_count(x, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    h = tf.layers.batch_normalization(x, training=False)  # expect: BNU002:51
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
