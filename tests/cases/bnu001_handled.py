"""Every handled form of RULES.md: all silent."""

# --- handled form: textbook
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def textbook(loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op

# --- handled form: inline_read
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def inline_read(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- handled form: nested_withs
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def nested_withs(loss):
    with tf.control_dependencies(tf.get_collection("update_ops")):
        with tf.name_scope("train"):
            return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- handled form: other_receivers
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def other_receivers(loss, graph):
    with graph.control_dependencies(ops.get_collection(ops.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- handled form: scoped_read
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def scoped_read(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS, "tower_0")):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- handled form: grouped
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def grouped(loss):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    return tf.group(train_op, *update_ops)

# --- handled form: grouped_list
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def grouped_list(loss):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return tf.group([train_op] + tf.get_collection(tf.GraphKeys.UPDATE_OPS))

# --- handled form: appended_then_grouped
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def appended_then_grouped(loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    update_ops.append(train_op)
    return tf.group(*update_ops)

# --- handled form: dependency_on_both
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def dependency_on_both(loss):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    with tf.control_dependencies([train_op] + tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.no_op(name="train")
    return train

# --- handled form: updates_after_train_op
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def updates_after_train_op(loss):
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    with tf.control_dependencies([train_op]):
        train_op = tf.group(*tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    return train_op

# --- handled form: run_together
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def run_together(sess, loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    sess.run([train_op, update_ops])

# --- handled form: parameter_named_update
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def parameter_named_update(loss, extra_update_ops):
    with tf.control_dependencies(extra_update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)

# --- handled form: build_train_op
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def build_train_op(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)

def caller(loss):
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return build_train_op(loss)

# --- handled form: helper_runs_updates
import tensorflow as tf
from tensorflow.python.framework import ops


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def helper_runs_updates(loss, optimizer):
    return tf.contrib.training.create_train_op(loss, optimizer)
