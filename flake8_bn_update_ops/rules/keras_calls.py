"""Calls of a Keras model or layer that contains batch norm, without a ``training`` argument
(BNU003 in graph mode, BNU007 in a GradientTape block)."""
from __future__ import annotations

import ast
from typing import Iterator, Tuple

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.index import WITH, CallSite, within_function
from ..core.resolver import At
from ..core.values import Api, ApiCall, Class, Function, Partial, options


def keras_model_calls(facts: ModuleFacts) -> Iterator[Tuple[CallSite, object]]:
    """(call, the model or layer value) for calls of a Keras model/layer containing batch norm."""
    for call in facts.index.calls:
        for option in options(facts.callee(call)):
            if type(option) in (Api, Function, Class, Partial):
                continue
            if facts.evaluator.keras_bn(option) is not None:
                yield call, option
                break


def keras_calls_without_training(facts: ModuleFacts, in_tape: bool) -> Iterator[Tuple[CallSite, str]]:
    functional = _functional_model_scopes(facts)
    calls = [call for call, _ in keras_model_calls(facts)]
    for call in calls:
        node = call.node
        if len(node.args) >= 2 or \
                any(keyword.arg in (tf_api.KERAS_TRAINING_ARGUMENT, None) for keyword in node.keywords):
            continue
        if in_tape:
            if not inside_gradient_tape(facts, call):
                continue
        else:
            if facts.in_eager_function(call) or id(call.scope.function()) in functional:
                continue
            if facts.separate_tower(call, calls):
                continue    # an evaluation tower: the learning phase's inference mode is right there
        yield call, display_name(facts, call)


def display_name(facts: ModuleFacts, call: CallSite) -> str:
    """How a message names the called Keras model: its source text in backquotes when short."""
    func = call.node.func
    if type(func) in (ast.Name, ast.Attribute):
        name = facts.source.segment(func)
        if len(name) <= 40:
            return f"`{name}`"
    return "this Keras model"


def inside_gradient_tape(facts: ModuleFacts, call: CallSite) -> bool:
    """Whether the call runs inside a ``with tf.GradientTape()`` block of its function."""
    for entry in within_function(call.context):
        if entry.kind != WITH:
            continue
        items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
        statement = call.scope.index.statement_of_node.get(id(entry.node))
        for item in items:
            value = facts.resolver.value(item.context_expr, At(call.scope, statement))
            if any(type(option) is ApiCall and option.name == tf_api.GRADIENT_TAPE for option in options(value)):
                return True
    return False


def evaluation_tapes(facts: ModuleFacts, call: CallSite) -> bool:
    """The call sits in ``GradientTape`` blocks and no ``gradient`` is taken on any of them in
    its function (RULES.md "Evaluation in a tape": a test step written as a copy of the train step)."""
    tapes = []
    for entry in within_function(call.context):
        if entry.kind != WITH:
            continue
        items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
        statement = call.scope.index.statement_of_node.get(id(entry.node))
        for item in items:
            value = facts.resolver.value(item.context_expr, At(call.scope, statement))
            if any(type(option) is ApiCall and option.name == tf_api.GRADIENT_TAPE for option in options(value)):
                tapes.append(item.optional_vars)
    if not tapes:
        return False
    names = {tape.id for tape in tapes if type(tape) is ast.Name}
    if len(names) < len(tapes):
        return False        # a tape bound to something other than a name: cannot tell
    function = call.scope.function()
    for other in function.index.calls:
        func = other.node.func
        if type(func) is ast.Attribute and func.attr in tf_api.TAPE_GRADIENT_METHODS and \
                type(func.value) is ast.Name and func.value.id in names and other.scope.function() is function:
            return False
    return True


def _functional_model_scopes(facts: ModuleFacts) -> set:
    """Functions that build a functional model on ``keras.Input``: the layers applied there
    are the model's construction, and the model's own call takes ``training``."""
    return {id(call.scope.function()) for call in facts.index.calls if facts.api_name(call) in tf_api.KERAS_INPUTS}
