"""BNU001 (train op does not run the batch-norm update ops) and BNU005 (the update ops are
attached to the loss, not the train op). At most one of them per train op.

Measured: with no dependency the moving mean and variance stay at 0 and 1, and inference
normalizes with them. A scalar loss's gradient never reads an identity op built under
``control_dependencies(update_ops)``, so BNU005's pattern runs nothing either.
"""
from __future__ import annotations

from typing import Iterable, Set

from .. import tf_api
from ..planning import plan_wrap, tf_spelling, update_ops_expression
from .base import Report


def required_collections(context) -> Set[str]:
    return {site.collection for site in context.analysis.sites if site.writes_update_ops}


def check_bnu001(context) -> Iterable[Report]:
    return (report for report in _check(context) if report.code == "BNU001")


def check_bnu005(context) -> Iterable[Report]:
    return (report for report in _check(context) if report.code == "BNU005")


def _check(context) -> Iterable[Report]:
    analyzer, analysis = context.analyzer, context.analysis
    required = required_collections(context) | context.external_collections
    if not required:
        return
    api = _site_api(context)
    for op in analysis.train_ops:
        handling = analyzer.handling(op)
        if handling.covers(required):
            continue
        loss_keys = _loss_dependency_keys(analyzer, op)
        if loss_keys is not None and (tf_api.ANY_UPDATES in loss_keys[0] or required <= loss_keys[0]):
            keys, dependency, scalar = loss_keys
            if scalar is False:
                continue  # a non-scalar loss's gradient reads the identity op: the updates run (measured)
            yield Report(op.call.node, "BNU005",
                         f"BNU005 the {api} update ops are attached to the loss, not to `{op.method}`: "
                         "a scalar loss's gradient never runs them, so the moving statistics stay at 0 and 1",
                         _wrap(context, op, dependency))
            continue
        yield Report(op.call.node, "BNU001",
                     f"BNU001 `{op.method}` does not run the {api} update ops (UPDATE_OPS): the moving "
                     "mean and variance never update, so inference normalizes with their initial 0 and 1",
                     _wrap(context, op, None, required))


def _site_api(context) -> str:
    names = sorted({site.api.display for site in context.analysis.sites if site.writes_update_ops})
    if not names and context.external_collections:
        return "imported batch-norm builder's"
    return " / ".join(names[:2])


def _loss_dependency_keys(analyzer, op):
    """(keys, dependency text) when the loss was bound inside a carrying control_dependencies
    block and is a scalar; None otherwise."""
    binding = analyzer.loss_binding(op)
    if binding is None:
        return None
    keys = analyzer.dependency_keys(binding.parents, binding.scope)
    if not keys:
        return None
    scalar = analyzer.is_scalar_loss(binding.value, binding.scope, binding.seq)
    dependency = None
    for node in reversed(binding.parents):
        items = getattr(node, "items", None)
        if items:
            for item in items:
                call = item.item
                if getattr(getattr(call, "func", None), "attr", None) is not None and \
                        call.func.attr.value == tf_api.CONTROL_DEPENDENCIES and call.args:
                    dependency = context_code(analyzer, call.args[0].value)
                    break
        if dependency:
            break
    return keys, dependency, scalar


def context_code(analyzer, node) -> str:
    return analyzer.facts.module.code_for_node(node)


def _wrap(context, op, dependency=None, required=None):
    spelling = tf_spelling(context.analyzer)
    if dependency is None:
        dependency = update_ops_expression(context.analyzer, op.call, spelling.prefix, required)
    return plan_wrap(context.analyzer, op.call, f"{spelling.prefix}.control_dependencies({dependency})",
                     spelling.add_import)
