"""Which functions are training steps: those inside a function handed to a gradient transform
(``facts.differentiated_scopes``; BNU202, BNU301, BNU302), and which are evaluation steps by
their name (BNU302)."""
from __future__ import annotations

from typing import AbstractSet

from .. import keras_flax_api
from ..core.kinds import ScopeKind


def inside(scope, differentiated: AbstractSet[int]) -> bool:
    while scope is not None:
        if id(scope) in differentiated:
            return True
        scope = scope.parent
    return False


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
