"""JAX training steps: the functions a module hands to a gradient transform (the loss of a
training step: ``jax.value_and_grad(loss_fn)``, ``@jax.grad``), and the Flax ``apply`` calls
whose ``mutable=`` makes the batch statistics mutable (BNU202, BNU301, BNU302)."""
from __future__ import annotations

import ast
from typing import FrozenSet, Optional, Set, Tuple

from ... import keras_flax_api
from ..evaluate import Evaluator
from ..index import CallSite, ModuleIndex
from ..kinds import ScopeKind
from ..resolver import At
from ..values import Const, Function, Sequence, Spread, options

_TRANSFORM_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in keras_flax_api.GRADIENT_TRANSFORMS)
_COLLECTION = keras_flax_api.BATCH_STATS_COLLECTION


def differentiated_scopes(evaluator: Evaluator, index: ModuleIndex) -> FrozenSet[int]:
    """id() of each function this module hands to a gradient transform."""
    resolver = evaluator.resolver
    found: Set[int] = set()
    for call in index.calls:
        func = call.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in _TRANSFORM_LAST_NAMES or not call.node.args:
            continue
        if evaluator.api_name(call) not in keras_flax_api.GRADIENT_TRANSFORMS:
            continue
        for option in options(resolver.value(call.node.args[0], evaluator.at(call))):
            if type(option) is Function and option.scope is not None:
                found.add(id(option.scope))
    for scope in index.scopes:
        if scope.kind != ScopeKind.FUNCTION:
            continue
        decorators = getattr(scope.node, "decorator_list", ())
        if not decorators:
            continue
        # Decorators run where the ``def`` statement is, in the enclosing scope.
        at = At(scope.parent, scope.index.statement_of_node.get(id(scope.node)))
        for decorator in decorators:
            value = resolver.value(decorator, at)
            if any(getattr(option, "name", None) in keras_flax_api.GRADIENT_TRANSFORMS for option in options(value)):
                found.add(id(scope))
    return frozenset(found)


def batch_stats_applies(evaluator: Evaluator, index: ModuleIndex, source) -> Tuple[CallSite, ...]:
    """The ``apply`` calls whose ``mutable=`` makes the batch statistics mutable (``True``,
    ``"batch_stats"`` or a list holding it)."""
    if _COLLECTION not in source.text:    # only Flax code names the collection
        return ()
    found = []
    for call in index.calls:
        func = call.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in keras_flax_api.FLAX_APPLY_METHODS:
            continue
        mutable = keyword_node(call.node, keras_flax_api.MUTABLE_KEYWORD)
        if mutable is not None and mutates_batch_stats(evaluator, call, mutable):
            found.append(call)
    return tuple(found)


def keyword_node(call: ast.Call, name: str) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def mutates_batch_stats(evaluator: Evaluator, call: CallSite, node) -> bool:
    resolver = evaluator.resolver
    value = resolver.value(node, evaluator.at(call))
    for option in options(value):
        if type(option) is Const and (option.value is True or option.value == _COLLECTION):
            return True
        if type(option) is Sequence:
            for item in option.items:
                if type(item) is Spread:
                    continue
                item_value = resolver.arg_value(item)
                if any(type(o) is Const and o.value == _COLLECTION for o in options(item_value)):
                    return True
    return False
