"""What BNU001 and BNU005 share: which train ops run none of the update ops they need, and
whether the update ops were attached to the loss instead. At most one of the two per train op.

Measured: with no dependency the moving mean and variance stay at 0 and 1, and inference
normalizes with them. A scalar loss's gradient never reads an identity op built under
``control_dependencies(update_ops)``, so BNU005's pattern runs nothing either.
"""
from __future__ import annotations

from typing import Iterator, Optional, Tuple

from .. import tf_api
from ..core.evaluate import is_control_dependencies
from ..core.facts.module import ModuleFacts
from ..core.facts.records import ANY_UPDATES, UPDATE_OPS, TrainOpInfo
from ..core.index import WITH, Scope, within_function
from ..core.kinds import ScopeKind
from ..core.resolver import At
from ..core.values import ApiCall, ParamValue, options
from ..fixes.flag_threading import importer_facts
from ..fixes.planning import plan_wrap, tf_spelling, update_ops_expression
from .base import Report


def unhandled_train_ops(facts: ModuleFacts) -> Iterator[Tuple[TrainOpInfo, set, Optional[tuple], str]]:
    """(train op, collections it must depend on, loss dependency or None, the sites' API names)
    for every train op that runs none of them: the loss dependency is (the control_dependencies
    call around the loss, whether the loss is a scalar) when the update ops were attached to the
    loss."""
    for op in facts.train_ops:
        required = facts.required_collections(op)
        if not required:
            required, names = _left_unhandled_by_callers_elsewhere(facts, op)
            if required:
                yield op, required, None, names
            continue
        if facts.all_literal_true(op):
            continue
        handling = facts.handling(op)
        if handling.covers(required) and not _only_from_another_graph(facts, op, handling, required):
            continue
        yield op, required, _loss_dependency(facts, op, required), site_api_names(facts)


def _left_unhandled_by_callers_elsewhere(facts: ModuleFacts, op: TrainOpInfo) -> Tuple[set, str]:
    """(collections, the sites' API names) for a train op whose loss is a parameter of its
    function, in a module that builds no batch norm it needs: judged with the sites of each
    other module of the project that calls the function (RULES.md "Train ops in helpers": a
    library's ``train_op_fn(loss)`` in ``utils/``, the network in ``train.py``), as the same
    helper is judged in one module. Handled as there: a dependency around the op, around every
    call of the function, or a run that fetches it with the update ops."""
    function = _loss_parameter_owner(facts, op)
    if function is None:
        return set(), ""
    for importer, _ in importer_facts(facts, function):
        if not importer.callers(function) or importer.all_literal_true():
            continue
        required = importer.required_collections()
        if required and not importer.handling(op).covers(required):
            return required, site_api_names(importer)
    return set(), ""


def _loss_parameter_owner(facts: ModuleFacts, op: TrainOpInfo) -> Optional[Scope]:
    """The function whose parameter is the train op's loss, or None."""
    loss = _loss_behind(facts, op)
    function = op.call.scope.function()
    if loss is None or function.kind != ScopeKind.FUNCTION:
        return None
    alternatives = options(facts.resolver.value(*loss))
    if alternatives and all(type(option) is ParamValue and option.param.scope is function for option in alternatives):
        return function
    return None


def _only_from_another_graph(facts: ModuleFacts, op: TrainOpInfo, handling, required) -> bool:
    """Every update-ops read that handles the train op reads the default graph while the op is
    built inside ``with G.as_default():`` (BNU004 reports the read): the op runs none of its
    graph's update ops. When the op is wrapped in a dependency on that read, the read is the one
    thing to move and BNU004 alone says so; when the read is only fetched beside it (``run``), the
    op itself needs the dependency (BNU001)."""
    if ANY_UPDATES in handling.keys or not handling.reads or required - {UPDATE_OPS}:
        return False
    for read, consumer in handling.reads:
        if not facts.evaluator.read_in_other_graph(op, read):
            return False
        if consumer is not None and is_control_dependencies(consumer.node):
            return False
    return True


def _loss_dependency(facts: ModuleFacts, op: TrainOpInfo, required) -> Optional[tuple]:
    loss = _loss_behind(facts, op)
    if loss is None:
        return None
    node, at = loss
    for option in options(facts.resolver.value(node, at)):
        if type(option) is not ApiCall or option.at is None:
            continue
        site = option.at.scope.index.call_site(option.node)
        if site is None:
            continue
        for entry in within_function(site.context):
            if entry.kind != WITH:
                continue
            items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
            for item in items:
                expr = item.context_expr
                if not is_control_dependencies(expr) or not expr.args:
                    continue
                statement = site.scope.index.statement_of_node.get(id(entry.node))
                keys = facts.evaluator.carried_expression(expr.args[0], At(site.scope, statement))
                if ANY_UPDATES in keys or required <= keys:
                    return expr, facts.evaluator.is_scalar(node, at), option
    return None


def _loss_behind(facts: ModuleFacts, op: TrainOpInfo):
    """The loss expression a train op minimizes (through ``compute_gradients`` for
    ``apply_gradients``), with where to read it."""
    at = facts.at(op.call)
    loss = op.loss
    if op.method == tf_api.APPLY_GRADIENTS_METHOD:
        loss, at = facts.evaluator.loss_behind_gradients(loss, at)
    if loss is None:
        return None
    return loss, at


def site_api_names(facts: ModuleFacts) -> str:
    names = sorted({reached.site.api.display for reached in facts.counting_sites()})
    return " / ".join(names[:2]) or "batch-norm"


def wrap_fix(facts: ModuleFacts, op: TrainOpInfo, dependency: Optional[str] = None, required=None):
    spelling = tf_spelling(facts)
    if dependency is None:
        dependency = update_ops_expression(facts, op.call, spelling.prefix, required)
    return plan_wrap(facts, op.call, f"{spelling.prefix}.control_dependencies({dependency})", spelling.add_import)


def bnu001_reports(facts: ModuleFacts) -> Iterator[Report]:
    for op, required, loss, names in unhandled_train_ops(facts):
        if loss is not None:
            continue
        yield Report(op.call.node, "BNU001",
                     f"BNU001 `{op.method}` does not run the {names} update ops (UPDATE_OPS): the "
                     "moving mean and variance never update, so inference normalizes with their initial 0 and 1",
                     wrap_fix(facts, op, None, required))


def bnu005_reports(facts: ModuleFacts) -> Iterator[Report]:
    for op, required, loss, names in unhandled_train_ops(facts):
        if loss is None:
            continue
        dependency_call, scalar, _ = loss
        if scalar is False:
            continue    # a non-scalar loss's gradient reads the identity op: the updates run (measured)
        dependency = facts.source.segment(dependency_call.args[0])
        # The ``loss = tf.identity(loss)`` block stays: a fix changes the train op's statement and
        # nothing else (RULES.md's fix guarantees), and once the train op depends on the update
        # ops the block is harmless (a run executes each op once).
        yield Report(op.call.node, "BNU005",
                     f"BNU005 the {names} update ops are attached to the loss, not to "
                     f"`{op.method}`: a scalar loss's gradient never runs them, so the moving statistics stay at "
                     "0 and 1", wrap_fix(facts, op, dependency))
