import tensorflow as tf


def network(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)


def attached_to_loss(x, is_training):
    loss = tf.reduce_mean(network(x, is_training))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        loss = tf.identity(loss)
    return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU005:12


def attached_to_loss_then_apply_gradients(x, is_training):
    loss = tf.losses.mean_squared_error(x, network(x, is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    optimizer = tf.train.AdamOptimizer()
    grads = optimizer.compute_gradients(loss)
    return optimizer.apply_gradients(grads)  # expect: BNU005:12


def non_scalar_loss_runs_them(x, is_training):
    loss = tf.square(network(x, is_training) - x)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    return tf.train.AdamOptimizer().minimize(loss)

# --- the loss is fetched with the train op: its identity op runs the updates
import tensorflow as tf


def train(sess, x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    train_op = tf.train.AdamOptimizer().minimize(loss)
    for _ in range(10):
        sess.run([train_op, loss], feed_dict={is_training: True})

# --- a summary of the loss, merged and fetched with the train op
import tensorflow as tf


def train(sess, x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    tf.summary.scalar("loss", loss)
    summaries = tf.summary.merge_all()
    train_op = tf.train.AdamOptimizer().minimize(loss)
    sess.run([train_op, summaries])

# --- the loss fetched only in an evaluation run does not count
import tensorflow as tf


def train(sess, x, is_training):
    loss = tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU005:16
    sess.run(train_op, feed_dict={is_training: True})
    print(sess.run([train_op, loss], feed_dict={is_training: False}))

# --- the identity loss on an attribute, never fetched with the train op
import tensorflow.compat.v1 as tf


class Trainer(object):
    def __init__(self, x, is_training):
        h = tf.layers.batch_normalization(x, training=is_training)
        self.loss = tf.losses.mean_squared_error(x, h)
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            self.loss = tf.identity(self.loss)
        self.train_op = tf.train.AdamOptimizer().minimize(self.loss)  # expect: BNU005:25

# --- add_n of losses attached, train op built from compute_gradients in a helper
import tensorflow as tf


def build(x, is_training):
    losses = [tf.reduce_mean(tf.layers.batch_normalization(x, training=is_training))]
    total = tf.add_n(losses)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        total = tf.identity(total)
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    return opt.apply_gradients(opt.compute_gradients(total))  # expect: BNU005:12
