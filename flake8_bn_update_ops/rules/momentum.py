"""Batch-norm momentum written with the other framework's meaning (BNU203 for Keras/TF,
BNU303 for Flax/Haiku): one check, its APIs and their rule in ``keras_flax_api.MOMENTUM_PARAMETERS``.

The value is read where it is written: in the batch-norm call itself, or, when that call passes
a parameter of its function unchanged (a project's own ``batch_norm(x, momentum=0.99)``
wrapper), at each call of the wrapper that writes the argument (``batch_norm(x,
momentum=0.1)``), in this module or another."""
from __future__ import annotations

import ast
from decimal import Decimal, InvalidOperation
from typing import Iterator, Optional, Tuple

from .. import keras_flax_api, tf_api
from ..core.evaluate import argument_for
from ..core.facts.module import ModuleFacts
from ..core.index import CallSite, Scope
from ..core.kinds import BindingKind
from ..core.values import Const, Function, options
from ..fixes.plans import UNSAFE, ReplaceExpression
from .base import Report

# The last part of every API name: a call spelled with none of them is not resolved at all.
_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in keras_flax_api.MOMENTUM_PARAMETERS)


def momentum_reports(facts: ModuleFacts, code: str) -> Iterator[Report]:
    if facts.source.mentions(_LAST_NAMES):
        yield from _direct_reports(facts, code)
    yield from _wrapper_reports(facts, code)


def _direct_reports(facts: ModuleFacts, code: str) -> Iterator[Report]:
    table = keras_flax_api.MOMENTUM_PARAMETERS
    for call in facts.index.calls:
        func = call.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in _LAST_NAMES:
            continue
        name = facts.api_name(call)
        parameter = table.get(name) if name is not None else None
        if parameter is None or parameter.code != code:
            continue
        node = _argument(call.node, parameter)
        suspect = _suspect(facts, call, node)
        if suspect is None:
            continue
        written, fix = suspect
        display = tf_api.display_name(name)
        yield Report(node, code,
                     f"{code} `{parameter.keyword}={written}` in `{display}` is the weight of the old moving "
                     f"statistic here (default {parameter.default}), not of the new batch as in PyTorch: the "
                     "moving statistics follow only the last few batches", fix)


def _wrapper_reports(facts: ModuleFacts, code: str) -> Iterator[Report]:
    """Calls of a project function that hands one of its parameters, unchanged, to the momentum
    of a batch-norm API of this code: the suspect value is the argument this call writes."""
    forwarded = {}      # id(function scope) -> what it forwards (each function read once)
    for call in facts.index.calls:
        for option in options(facts.callee(call)):
            if type(option) is not Function or option.scope is None:
                continue
            key = id(option.scope)
            if key not in forwarded:
                forwarded[key] = list(_forwarded_momentum(facts, option.scope, code))
            for param, site, parameter, name in forwarded[key]:
                node = argument_for(call.node, param)
                suspect = _suspect(facts, call, node)
                if suspect is None:
                    continue
                written, fix = suspect
                yield Report(node, code,
                             f"{code} `{param.name}={written}` reaches `{parameter.keyword}` of "
                             f"`{tf_api.display_name(name)}` through `{option.scope.name}`, where it is the weight "
                             f"of the old moving statistic (default {parameter.default}), not of the new batch as "
                             "in PyTorch: the moving statistics follow only the last few batches", fix)


def _suspect(facts: ModuleFacts, call: CallSite, node) -> Optional[Tuple[str, Optional[ReplaceExpression]]]:
    """(the value as written, the fix) when the momentum expression ``node`` written in ``call``
    holds one number at most MOMENTUM_SUSPECT_AT; None otherwise. The fix writes ``1 - m`` over a
    literal only."""
    if node is None:
        return None
    value = _number(facts.resolver.value(node, facts.at(call)))
    if value is None or not 0 <= value <= keras_flax_api.MOMENTUM_SUSPECT_AT:
        return None
    written = facts.source.segment(node) if type(node) is ast.Constant else repr(value)
    complement = _complement(written) if type(node) is ast.Constant else None
    fix = ReplaceExpression(facts.source.span(node), complement, UNSAFE) if complement is not None else None
    return written, fix


def _forwarded_momentum(facts: ModuleFacts, function: Scope, code: str):
    """(param, site, table row, API name) for each batch-norm call of ``code`` written in
    ``function`` whose momentum is one of its parameters, passed as it is (never rebound)."""
    if not function.params:
        return
    table = keras_flax_api.MOMENTUM_PARAMETERS
    params = {param.name: param for param in function.params}
    for site in _calls_written_in(function):
        func = site.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in _LAST_NAMES:
            continue
        name = facts.evaluator.api_name(site)
        parameter = table.get(name) if name is not None else None
        if parameter is None or parameter.code != code:
            continue
        node = _argument(site.node, parameter)
        if type(node) is not ast.Name or node.id not in params:
            continue
        if any(binding.kind is not BindingKind.PARAM for binding in function.bindings.get(node.id, ())):
            continue
        yield params[node.id], site, parameter, name


def _calls_written_in(function: Scope) -> Iterator[CallSite]:
    index = function.index
    for call in index.calls if index is not None else ():
        if call.scope is function:
            yield call


def _argument(call: ast.Call, parameter) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg == parameter.keyword:
            return keyword.value
    position = parameter.position
    if position is not None and position < len(call.args) and \
            not any(type(arg) is ast.Starred for arg in call.args[:position + 1]):
        return call.args[position]
    return None


def _number(value) -> Optional[float]:
    found = None
    for option in options(value):
        if type(option) is not Const or type(option.value) not in (int, float):
            return None     # one unknown or non-number possibility: no finding
        if found is not None and found != option.value:
            return None
        found = option.value
    return found


def _complement(literal: str) -> Optional[str]:
    """``1 - m`` as a decimal literal, exactly (``0.1`` -> ``0.9``, not ``0.9000000000000000222``)."""
    try:
        result = Decimal(1) - Decimal(literal.replace("_", ""))
    except InvalidOperation:
        return None
    text = f"{result.normalize():f}"
    return text if "." in text else text + ".0"
