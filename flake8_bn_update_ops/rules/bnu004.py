"""BNU004: the update-ops list is read before the batch-norm layers exist.

``get_collection`` returns a copy (measured: read early, the list is empty and nothing
updates). ``get_collection_ref`` is live, but ``control_dependencies(L)`` and ``tf.group(*L)``
read ``L`` when they run, so layers built after that consuming call are missed even with
``_ref`` (measured: moving_mean stays 0.0; read early and consumed after the layers, 0.30).
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from .. import tf_api
from ..fixes import ReplaceNode
from .base import Report, Rule


def check(context) -> Iterable[Report]:
    analyzer, analysis = context.analyzer, context.analysis
    builds = [site.call for site in analysis.sites if site.writes_update_ops] + list(analysis.builder_calls)
    builds += context.external_builder_calls
    if not builds:
        return
    # Every (train op, consuming call) that relies on a read, with the layers built too late
    # for it: one finding per read, and a fix only if it cures every one of them.
    late_by_read = {}
    for op in analysis.train_ops:
        for read, consumer_seq in analyzer.handling(op).reads:
            function = read.call.scope.function()
            if function is not op.call.scope.function():
                continue
            frozen_at = consumer_seq if read.live and consumer_seq is not None else read.call.seq
            late = [fact for fact in builds
                    if fact.scope.function() is function and frozen_at < fact.seq < op.call.seq]
            entry = late_by_read.setdefault(id(read.call.node), (read, []))
            if late:
                entry[1].append((consumer_seq, late))
    for read, problems in late_by_read.values():
        if not problems:
            continue
        yield Report(read.call.node, "BNU004",
                     f"BNU004 `{_reader(read)}(UPDATE_OPS)` is read before the batch-norm layers exist: "
                     "the list misses their update ops, so the moving statistics never update",
                     _fix(context, read, problems))


def _reader(read) -> str:
    return tf_api.LIVE_COLLECTION_READER if read.live else "get_collection"


def _fix(context, read, problems):
    """``get_collection`` -> ``get_collection_ref`` only when, for every consumer, the late
    layers come before that consuming call, and the list is never mutated (mutating a _ref
    list writes into the graph's own collection)."""
    if read.live:
        return None
    for consumer_seq, late in problems:
        if consumer_seq is None or any(fact.seq > consumer_seq for fact in late):
            return None
    func = read.call.node.func
    if not isinstance(func, cst.Attribute):
        return None
    parent = read.call.parents[-1] if read.call.parents else None
    if isinstance(parent, cst.Assign):
        names = [target.target.value for target in parent.targets if isinstance(target.target, cst.Name)]
        if any(mutation.name in names for mutation in context.analyzer.facts.mutations):
            return None
    elif parent is not None and not isinstance(parent, cst.Arg):
        return None
    return ReplaceNode(read.call.node, lambda updated: updated.with_changes(
        func=updated.func.with_changes(attr=cst.Name(tf_api.LIVE_COLLECTION_READER))))


RULE = Rule(
    code="BNU004",
    title="update ops read before the batch-norm layers exist",
    effect=(
        "`get_collection` returns a copy of the collection at the call (measured): read before the layers are "
        "built, the list is empty and the dependency runs nothing. `get_collection_ref` is live, but "
        "`control_dependencies(L)` and `tf.group(*L)` read `L` when they run, so layers built after that consuming "
        "call (inside the `with` block itself, for one) are still missed. Also reported: a read outside the "
        "`with G.as_default():` block inside which the layers are built, which reads the default graph's "
        "collection (empty, measured)."),
    fix=(
        "`get_collection` becomes `get_collection_ref` at that call (safe), only when every late layer comes "
        "before the consuming call and the list is never mutated (`append`, `extend` or `+=` on a `_ref` list "
        "would write into the graph's own collection). Otherwise no fix is offered."),
    fix_safety="safe",
    flagged=(
        """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
    ),
    silent=(
        """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
    ),
    check=check,
)
