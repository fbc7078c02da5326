"""Train ops that never run the batch-norm update ops. Mentions of UPDATE_OPS in this
docstring, and in comments, must not count as handling."""
import tensorflow as tf


def network(images, is_training):
    net = tf.layers.conv2d(images, 32, 3)
    net = tf.layers.batch_normalization(net, training=is_training)
    return tf.nn.relu(net)


def plain_minimize(loss):
    optimizer = tf.train.AdamOptimizer(1e-3)
    return optimizer.minimize(loss)  # expect: BNU001:12


def inline_optimizer(loss, step):
    train_op = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=step)  # expect: BNU001:16
    return train_op


def apply_gradients_form(loss):
    opt = tf.train.GradientDescentOptimizer(0.1)
    grads_and_vars = opt.compute_gradients(loss)
    return opt.apply_gradients(grads_and_vars)  # expect: BNU001:12


def trainable_variables_as_dependencies(loss):
    # control_dependencies on trainable variables does not run the update ops
    with tf.control_dependencies(tf.trainable_variables()):
        train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:20
    return train_op


def block_builds_only_the_optimizer(loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        optimizer = tf.train.AdamOptimizer(1e-4)
    return optimizer.minimize(loss)  # expect: BNU001:12


def block_builds_an_op_never_run(loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        unused = tf.no_op()
    train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16
    return train_op, unused


def collected_and_never_used(loss):
    extra_update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16
    return train_op


def with_around_a_def(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        def make():
            return tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:20
    return make()


def evaluation_run_does_not_count(sess, loss, is_training, x):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train_op = tf.train.AdamOptimizer().minimize(loss)  # expect: BNU001:16
    sess.run(train_op)
    sess.run(update_ops, feed_dict={is_training: False, x: 0})


def docstring_mentions_update_ops(loss):
    """with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):"""
    text = "tf.get_collection(tf.GraphKeys.UPDATE_OPS)"
    return tf.train.AdamOptimizer().minimize(loss), text  # expect: BNU001:12
