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
