"""BNU001: the train op does not run the batch-norm update ops.

Measured: with no dependency on ``UPDATE_OPS`` the moving mean and variance stay at their
initial 0 and 1, and inference normalizes with them.
"""
from __future__ import annotations

from .base import Rule
from .train_op_dependency import bnu001_reports
from ..findings import FixSafety


RULE = Rule(
    code="BNU001",
    title="train op does not run the batch-norm update ops",
    effect=(
        "`tf.layers`, `tf.contrib.layers` and slim batch norm put the ops that update their moving mean and "
        "variance into the graph collection `UPDATE_OPS`, and nothing runs them unless the train op depends on "
        "them. Training looks fine; the moving statistics stay at their initial 0 and 1 (measured), so inference "
        "normalizes with them and validation accuracy collapses. Handled, and silent: the train op built inside "
        "`with control_dependencies(<update ops>)` (or in a function every call of which is), combined with them "
        "(`tf.group(train_op, *update_ops)`), fetched by a `run` together with them, or every batch norm "
        "updating in place (`updates_collections=None`). Not handled, though it looks like it: "
        "`control_dependencies(tf.trainable_variables())`, a `with` block that builds only the optimizer, an "
        "update list collected and never used."),
    fix=(
        "Wraps that one statement, and nothing else, in "
        "`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`, in the module's own "
        "spelling (`tf`, `tf.compat.v1`, an alias of `tensorflow.compat.v1`, an update-ops variable already "
        "bound in the scope). Safe when the train-op call is the whole value of an assignment, `return` or "
        "expression statement. A call nested deeper (`EstimatorSpec(train_op=opt.minimize(loss))`) is first "
        "hoisted into its own wrapped assignment: unsafe, and never out of a `lambda`, a comprehension, a "
        "conditional expression or `and`/`or`. A wider block would be wrong: an evaluation metric built inside "
        "it would run the updates on evaluation data (measured)."),
    fix_safety=FixSafety.SAFE_OR_UNSAFE,
    fix_title="run the update ops before `{method}`",
    no_fix=(
        "the train op is built inside a lambda, a comprehension, a conditional expression or an `and`/`or`, "
        "or the module has no TensorFlow alias to write: the fix does not move it"),
    flagged=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    optimizer = tf.train.AdamOptimizer(1e-3)
    return optimizer.minimize(loss)  # expect: BNU001:12
""",
        """\
import tensorflow.compat.v1 as tf
slim = tf.contrib.slim


def network(images, is_training):
    return slim.batch_norm(images, is_training=is_training)


def train(loss):
    with tf.control_dependencies(tf.trainable_variables()):
        train_op = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)  # expect: BNU001:20
    return train_op
""",
    ),
    silent=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def train(loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.contrib.layers.batch_norm(images, is_training=is_training, updates_collections=None)


def train(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf
from scipy.optimize import minimize


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def fit(f, x0):
    return minimize(f, x0)
""",
    ),
    check=bnu001_reports,
    fixed=(
        (
            """\
import tensorflow as tf


def train(images, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(net)
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op
""",
            """\
import tensorflow as tf


def train(images, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(net)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op
""",
        ),
        (
            """\
import tensorflow as tf


def model_fn(features, labels, mode):
    net = tf.layers.batch_normalization(features, training=mode == tf.estimator.ModeKeys.TRAIN)
    loss = tf.losses.mean_squared_error(labels, net)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.train.AdamOptimizer().minimize(loss))
""",
            """\
import tensorflow as tf


def model_fn(features, labels, mode):
    net = tf.layers.batch_normalization(features, training=mode == tf.estimator.ModeKeys.TRAIN)
    loss = tf.losses.mean_squared_error(labels, net)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer().minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
""",
        ),
    ),
)
