"""Batch-norm momentum written with the other framework's meaning (BNU203 for Keras/TF,
BNU303 for Flax/Haiku): one check, its APIs and their rule in ``keras_flax_api.MOMENTUM_PARAMETERS``."""
from __future__ import annotations

import ast
from decimal import Decimal, InvalidOperation
from typing import Iterator, Optional

from .. import keras_flax_api, tf_api
from ..core.facts.module import ModuleFacts
from ..core.values import Const, options
from ..fixes.plans import UNSAFE, ReplaceExpression
from .base import Report

# The last part of every API name: a call spelled with none of them is not resolved at all.
_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in keras_flax_api.MOMENTUM_PARAMETERS)


def momentum_reports(facts: ModuleFacts, code: str) -> Iterator[Report]:
    table = keras_flax_api.MOMENTUM_PARAMETERS
    if not facts.source.mentions(_LAST_NAMES):
        return
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
        if node is None:
            continue
        value = _number(facts.resolver.value(node, facts.at(call)))
        if value is None or not 0 <= value <= keras_flax_api.MOMENTUM_SUSPECT_AT:
            continue
        display = tf_api.display_name(name)
        written = facts.source.segment(node) if type(node) is ast.Constant else repr(value)
        fix = None
        if type(node) is ast.Constant:
            complement = _complement(written)
            if complement is not None:
                fix = ReplaceExpression(facts.source.span(node), complement, UNSAFE)
        yield Report(node, code,
                     f"{code} `{parameter.keyword}={written}` in `{display}` is the weight of the old moving "
                     f"statistic here (default {parameter.default}), not of the new batch as in PyTorch: the "
                     "moving statistics follow only the last few batches", fix)


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
