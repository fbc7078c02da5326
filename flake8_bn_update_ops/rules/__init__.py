"""One small module per code; each exposes ``CODE`` and ``check(context)``.

A rule reads the module's analysis (sites, train ops, handling) and yields ``Report``s: the
node a finding sits on, its message, and the fix it offers (if any). Rules never walk the
tree; positions are computed afterwards only for the reported nodes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst


@dataclass(eq=False)
class Report:
    node: cst.CSTNode
    code: str
    message: str
    fix: Optional[object] = None   # fixes.ReplaceNode | fixes.WrapStatement


def all_rules():
    from . import bnu001_005, bnu002, bnu003, bnu004, bnu006, bnu007, bnu008
    return (bnu001_005, bnu002, bnu003, bnu004, bnu006, bnu007, bnu008)
