"""BNU006: Keras batch normalization trained by a graph-mode train op that ignores its updates.

Keras layers never put their updates into UPDATE_OPS (measured: the collection stays empty),
so the textbook ``control_dependencies(get_collection(UPDATE_OPS))`` does nothing for them;
only ``layer.updates`` / ``model.updates`` (Keras 2) run them.
"""
from __future__ import annotations

from typing import Iterable

from .. import tf_api
from ..findings import UNSAFE
from ..planning import plan_wrap, tf_spelling
from . import Report

CODES = ("BNU006",)


def check(context) -> Iterable[Report]:
    analyzer, analysis = context.analyzer, context.analysis
    if not analysis.graph_mode or not (analysis.keras_sites or analysis.keras_models or context.external_keras):
        return
    for op in analysis.train_ops:
        if analyzer.in_eager_function(op.call):
            continue
        keys = analyzer.handling(op).keys
        if tf_api.KERAS_UPDATES in keys or tf_api.ANY_UPDATES in keys:
            continue
        if analyzer.keras_updates_in_update_ops and tf_api.UPDATE_OPS in keys:
            continue  # the module itself adds the Keras updates to UPDATE_OPS
        yield Report(op.call.node, "BNU006",
                     f"BNU006 `{op.method}` trains Keras BatchNormalization in graph mode without its "
                     "`.updates`: Keras never adds them to UPDATE_OPS, so the moving statistics never update",
                     _fix(context, op))


def _fix(context, op):
    candidates = context.keras_models_in_scope(op.call)
    if len(candidates) != 1 or not candidates[0].keras2:
        return None
    spelling = tf_spelling(context.analyzer)
    wrap = plan_wrap(context.analyzer, op.call,
                     f"{spelling.prefix}.control_dependencies({candidates[0].binding.name}.updates)",
                     spelling.add_import)
    if wrap is not None:
        wrap.safety = UNSAFE
    return wrap
