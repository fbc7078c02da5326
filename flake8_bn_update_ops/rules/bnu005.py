"""BNU005: the update ops are attached to the loss, not to the train op.

Measured: a scalar loss's gradient never reads an identity op built under
``control_dependencies(update_ops)``, so the train op alone runs none of them.
"""
from __future__ import annotations

from .base import Rule
from .train_op_dependency import bnu005_reports
from ..findings import FixSafety


RULE = Rule(
    code="BNU005",
    title="update ops attached to the loss, not to the train op",
    effect=(
        "`with tf.control_dependencies(update_ops): loss = tf.identity(loss)` looks like it runs the update ops "
        "with every step, but the gradient of a scalar loss never reads that identity op (measured), so the train "
        "op alone runs none of them and the moving statistics stay at 0 and 1. It works only while the loss, or "
        "something computed from it (a summary), is fetched in the same `run` as the train op: then it is silent. "
        "A non-scalar loss's gradient does read the identity op, and is silent too."),
    fix="Wraps the train-op statement as BNU001 does, with the same update-ops expression (safe).",
    fix_safety=FixSafety.SAFE,
    fix_title="run the update ops before `{method}`",
    no_fix=(
        "the train op is built inside a lambda, a comprehension, a conditional expression or an `and`/`or`: "
        "the fix does not move it"),
    flagged=(
        """\
import tensorflow as tf


def train(images, labels, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(tf.square(net - labels))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU005:12
""",
    ),
    silent=(
        """\
import tensorflow as tf


def train(sess, images, labels, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(tf.square(net - labels))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return sess.run([train_op, loss])
""",
        """\
import tensorflow as tf


def train(images, labels, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.square(net - labels)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
    ),
    check=bnu005_reports,
    fixed=(
        (
            """\
import tensorflow as tf


def train(images, labels, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(tf.square(net - labels))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
        tf.summary.histogram("net", net)
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
            """\
import tensorflow as tf


def train(images, labels, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = tf.reduce_mean(tf.square(net - labels))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        loss = tf.identity(loss)
        tf.summary.histogram("net", net)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        ),
    ),
)
