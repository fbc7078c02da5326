"""Which functions are training steps: those handed to a gradient transform (BNU202, BNU302),
and which are evaluation steps by their name (BNU302)."""
from __future__ import annotations

import ast
from typing import Set

from .. import keras_flax_api
from ..core.kinds import ScopeKind
from ..core.model import ModuleModel
from ..core.resolver import At
from ..core.values import Function, options

_TRANSFORM_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in keras_flax_api.GRADIENT_TRANSFORMS)


def differentiated_scopes(model: ModuleModel) -> Set[int]:
    """The functions this module hands to a gradient transform (``jax.value_and_grad(loss_fn)``,
    ``@jax.grad``): the loss of a training step."""
    found: Set[int] = set()
    for call in model.index.calls:
        func = call.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in _TRANSFORM_LAST_NAMES or not call.node.args:
            continue
        if model.api_name(call) not in keras_flax_api.GRADIENT_TRANSFORMS:
            continue
        for option in options(model.resolver.value(call.node.args[0], model.at(call))):
            if type(option) is Function and option.scope is not None:
                found.add(id(option.scope))
    for scope in model.index.scopes:
        if scope.kind != ScopeKind.FUNCTION:
            continue
        decorators = getattr(scope.node, "decorator_list", ())
        if not decorators:
            continue
        # Decorators run where the ``def`` statement is, in the enclosing scope.
        at = At(scope.parent, scope.index.statement_of_node.get(id(scope.node)))
        for decorator in decorators:
            value = model.resolver.value(decorator, at)
            if any(getattr(option, "name", None) in keras_flax_api.GRADIENT_TRANSFORMS for option in options(value)):
                found.add(id(scope))
    return found


def inside(scope, differentiated: Set[int]) -> bool:
    while scope is not None:
        if id(scope) in differentiated:
            return True
        scope = scope.parent
    return False


def differentiated_scopes_of(model: ModuleModel) -> Set[int]:
    """``differentiated_scopes``, computed once per module."""
    found = model.__dict__.get("_differentiated_scopes")
    if found is None:
        found = model.__dict__["_differentiated_scopes"] = differentiated_scopes(model)
    return found


def evaluation_function(scope) -> bool:
    """A function (or one it is nested in) whose name says it evaluates: ``eval_step``,
    ``validate``, ``test_epoch``, ``predict``; not a pytest test (``test_update``) or one nested in it."""
    while scope is not None:
        if scope.kind == ScopeKind.FUNCTION and scope.name.lower().startswith(keras_flax_api.PYTEST_FUNCTION_PREFIXES):
            return False
        if scope.kind == ScopeKind.FUNCTION and \
                keras_flax_api.EVALUATION_NAME_WORDS & set(scope.name.lower().split("_")):
            return True
        scope = scope.parent
    return False
