"""Parent-chain helpers shared by the analysis modules."""
from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst


def enclosing(parents: Tuple[cst.CSTNode, ...], types) -> Optional[cst.CSTNode]:
    for node in reversed(parents):
        if isinstance(node, types):
            return node
    return None


def function_parents(parents: Tuple[cst.CSTNode, ...]) -> Tuple[cst.CSTNode, ...]:
    """The part of a parent chain inside the nearest function or lambda (a ``with`` around a
    ``def`` does not apply to the ops the function builds later)."""
    for index in range(len(parents) - 1, -1, -1):
        if isinstance(parents[index], (cst.FunctionDef, cst.Lambda)):
            return parents[index + 1:]
    return parents


def child_expressions(expr: cst.CSTNode):
    """The semantic children of an expression node, call arguments unwrapped to their values
    (for the questions that ask whether an expression "is or contains" something)."""
    from .facts import _walked_fields

    for field in _walked_fields(type(expr)):
        child = getattr(expr, field)
        for item in child if isinstance(child, (tuple, list)) else (child,):
            if isinstance(item, cst.Arg):
                item = item.value
            if isinstance(item, cst.CSTNode):
                yield item
