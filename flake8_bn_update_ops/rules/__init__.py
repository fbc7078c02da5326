"""The rule registry: one unit per code (see ``base.Rule``).

Each unit declares its code, title, run-time effect, fix, flagged and silent examples, and
its check. Everything that lists the codes (the engine, ``--select``/``--ignore``,
``--explain``, SARIF rule metadata, the README) reads them from here.
"""
from __future__ import annotations

from typing import Dict, Tuple

from .base import Report, Rule  # noqa: F401  (re-exported for rule modules and front ends)

# Import order is report order for findings at the same position.
_UNITS = ("bnu001", "bnu002", "bnu003", "bnu004", "bnu005", "bnu006", "bnu007", "bnu008",
          "bnu101", "bnu102", "bnu103", "bnu104")


def all_rules() -> Tuple[Rule, ...]:
    import importlib

    return tuple(importlib.import_module(f"{__name__}.{unit}").RULE for unit in _UNITS)


def rules_by_code() -> Dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


CODES: Tuple[str, ...] = tuple(unit.upper() for unit in _UNITS)
