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
from . import Report

CODES = ("BNU004",)


def check(context) -> Iterable[Report]:
    analyzer, analysis = context.analyzer, context.analysis
    builds = [site.call for site in analysis.sites if site.writes_update_ops] + list(analysis.builder_calls)
    builds += context.external_builder_calls
    if not builds:
        return
    reported = set()
    for op in analysis.train_ops:
        handling = analyzer.handling(op)
        for read, consumer_seq in handling.reads:
            if id(read.call.node) in reported:
                continue
            function = read.call.scope.function()
            if function is not op.call.scope.function():
                continue
            frozen_at = consumer_seq if read.live and consumer_seq is not None else read.call.seq
            late = [fact for fact in builds
                    if fact.scope.function() is function and frozen_at < fact.seq < op.call.seq]
            if not late:
                continue
            reported.add(id(read.call.node))
            yield Report(read.call.node, "BNU004",
                         f"BNU004 `{_reader(read)}(UPDATE_OPS)` is read before the batch-norm layers exist: "
                         "the list misses their update ops, so the moving statistics never update",
                         _fix(context, read, consumer_seq, late))


def _reader(read) -> str:
    return tf_api.LIVE_COLLECTION_READER if read.live else "get_collection"


def _fix(context, read, consumer_seq, late):
    """``get_collection`` -> ``get_collection_ref`` only when every late site comes before the
    consuming call and the list is never mutated (mutating a _ref list writes into the graph's
    own collection)."""
    if read.live or consumer_seq is None or any(fact.seq > consumer_seq for fact in late):
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
