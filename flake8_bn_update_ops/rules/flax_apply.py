"""Flax ``apply`` calls that make ``batch_stats`` mutable (BNU301, BNU302)."""
from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from .. import keras_flax_api
from ..core.index import CallSite
from ..core.kinds import ScopeKind
from ..core.model import ModuleModel
from ..core.values import Const, Sequence, Spread, options

_COLLECTION = keras_flax_api.BATCH_STATS_COLLECTION


def batch_stats_applies(model: ModuleModel) -> List[CallSite]:
    """The ``apply`` calls whose ``mutable=`` makes the batch statistics mutable (``True``,
    ``"batch_stats"`` or a list holding it), computed once per module."""
    found = model.__dict__.get("_batch_stats_applies")
    if found is not None:
        return found
    found = model.__dict__["_batch_stats_applies"] = []
    if _COLLECTION not in model.source.text:    # only Flax code names the collection
        return found
    for call in model.index.calls:
        func = call.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in keras_flax_api.FLAX_APPLY_METHODS:
            continue
        mutable = keyword_node(call.node, keras_flax_api.MUTABLE_KEYWORD)
        if mutable is not None and mutates_batch_stats(model, call, mutable):
            found.append(call)
    return found


def keyword_node(call: ast.Call, name: str) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def mutates_batch_stats(model: ModuleModel, call: CallSite, node) -> bool:
    value = model.resolver.value(node, model.at(call))
    for option in options(value):
        if type(option) is Const and (option.value is True or option.value == _COLLECTION):
            return True
        if type(option) is Sequence:
            for item in option.items:
                if type(item) is Spread:
                    continue
                item_value = model.resolver.arg_value(item)
                if any(type(o) is Const and o.value == _COLLECTION for o in options(item_value)):
                    return True
    return False


def name_parts(scope) -> Iterator[str]:
    while scope is not None:
        if scope.kind == ScopeKind.FUNCTION:
            yield from scope.name.lower().split("_")
        scope = scope.parent
