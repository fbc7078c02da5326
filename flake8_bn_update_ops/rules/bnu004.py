"""BNU004: the update-ops list is read before the batch-norm layers exist.

``get_collection`` returns a copy (measured: read early, the list is empty and nothing
updates). ``get_collection_ref`` is live, but ``control_dependencies(L)`` and ``tf.group(*L)``
read ``L`` when they run, so layers built after that consuming call are missed even with
``_ref`` (measured: moving_mean stays 0.0; read early and consumed after the layers, 0.30).
"""
from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Tuple

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.index import ARG
from ..fixes.plans import SAFE, RenameAttribute
from .base import Report, Rule
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    if facts.all_literal_true():
        return
    builds = _builds(facts)
    if not builds:
        return
    # Every (train op, consuming call) that relies on a read, with the layers built too late
    # for it: one finding per read, and a fix only if it cures every one of them.
    late_by_read: Dict[int, Tuple[object, List[tuple]]] = {}
    for op in facts.train_ops:
        function = op.call.scope.function()
        for read, consumer in facts.handling(op).reads:
            if read.at is None or read.at.scope.function() is not function:
                continue
            read_seq = read.at.seq
            consumer_seq = consumer.statement.seq if consumer is not None else None
            frozen_at = consumer_seq if read.live and consumer_seq is not None else read_seq
            late = [seq for call_function, seq in builds if call_function is function
                    and frozen_at < seq < op.call.statement.seq]
            entry = late_by_read.setdefault(id(read.node), (read, []))
            if late:
                entry[1].append((consumer_seq, late))
    for read, problems in late_by_read.values():
        if not problems:
            continue
        yield Report(read.node, "BNU004",
                     f"BNU004 `{_reader(read)}(UPDATE_OPS)` is read before the batch-norm layers exist: "
                     "the list misses their update ops, so the moving statistics never update",
                     _fix(facts, read, problems))
    yield from _outside_graph(facts)


def _builds(facts: ModuleFacts) -> List[tuple]:
    """(function scope, statement seq) of every place in this module that builds batch norm
    whose updates go to a collection: sites, and calls that reach such sites."""
    builds = []
    for site in facts.sites:
        if site.writes_update_ops:
            builds.append((site.call.scope.function(), site.call.statement.seq))
    for call in facts.index.calls:
        reached = facts.calls_reaching.get(id(call.node), ())
        if any(item.site.writes_update_ops for item in reached):
            builds.append((call.scope.function(), call.statement.seq))
    return builds


def _reader(read) -> str:
    return tf_api.LIVE_COLLECTION_READER if read.live else tf_api.COLLECTION_READER


def _fix(facts: ModuleFacts, read, problems):
    """``get_collection`` -> ``get_collection_ref`` only when, for every consumer, the late
    layers come before that consuming call, and the list is never mutated (mutating a _ref
    list writes into the graph's own collection)."""
    if read.live:
        return None
    for consumer_seq, late in problems:
        if consumer_seq is None or any(seq > consumer_seq for seq in late):
            return None
    func = read.node.func
    if type(func) is not ast.Attribute:
        return None
    site = facts.index.call_site(read.node)
    if site is None:
        return None
    statement = site.statement.node
    if type(statement) is ast.Assign and statement.value is read.node:
        names = [target.id for target in statement.targets if type(target) is ast.Name]
        if any(name in facts.index.mutations for name in names):
            return None
    elif not _is_direct_argument(site, read.node):
        return None
    return RenameAttribute(facts.source.span(func), tf_api.LIVE_COLLECTION_READER, SAFE)


def _is_direct_argument(site, node) -> bool:
    """The read is itself an argument of a call (``control_dependencies(get_collection(...))``)."""
    context = site.context
    return context is not None and context.kind == ARG and any(arg is node for arg in context.node.args)


def _outside_graph(facts: ModuleFacts) -> Iterable[Report]:
    """A read outside the ``with G.as_default():`` block that builds the train op (lexically, or
    through every call of the function that builds it) reads the default graph's collection,
    which never holds the layers' update ops (measured)."""
    reported = set()
    for op in facts.train_ops:
        if not facts.required_collections(op):
            continue
        for read, _ in facts.handling(op).reads:
            if id(read.node) in reported or not facts.evaluator.read_in_other_graph(op, read):
                continue
            reported.add(id(read.node))
            yield Report(read.node, "BNU004",
                         f"BNU004 `{_reader(read)}(UPDATE_OPS)` is read outside the `with <graph>.as_default():` "
                         "block that builds the batch-norm layers: it reads the default graph's collection, "
                         "which never holds their update ops")


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
    fix_safety=FixSafety.SAFE,
    fix_title="read the update ops with `{attr}`",
    no_fix=(
        "a later consumer of the list, a mutation of it, or a read outside `as_default()`: "
        "`get_collection_ref` alone would not make it right"),
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
    fixed=(
        (
            """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
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
    ),
)
