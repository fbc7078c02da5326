"""The rule registry: one unit per code (see ``base.Rule``), discovered, never listed.

Each unit is a module of this package named after its code (``bnu001.py``, ``bnu101.py``) that
declares ``RULE = Rule(...)``: code, title, run-time effect, fix, fix title and safety, flagged
and silent examples, and its check. Everything that lists the codes (the engine,
``--select``/``--ignore``, ``--explain``, SARIF rule metadata, the docs, the tests) reads them
from here, so adding a code is adding its unit.
"""
from __future__ import annotations

import re
from typing import Dict, Tuple

from .base import Report, Rule  # noqa: F401  (re-exported for rule units and front ends)

_UNIT_NAME = re.compile(r"bnu\d{3}")

# Codes under the bar on labelled real code (precision >= 90% and recall >= 80%) ship off by
# default: flake8's default ignore list (``extend_default_ignore`` in the plugin's options) and the
# command's and the editor's (``config.CodeChoice.default_ignore``). ``--select BNU`` or naming
# the code turns them on, as in flake8. Each unit's effect says so, with its figures. A plain
# tuple: the flake8 plugin reads it at start-up without importing the rule units.
DEFAULT_OFF: Tuple[str, ...] = ("BNU101", "BNU102", "BNU103", "BNU105", "BNU106", "BNU107", "BNU108",
                                "BNU201", "BNU202", "BNU203", "BNU301", "BNU302", "BNU303")


def _unit_names() -> Tuple[str, ...]:
    import pkgutil

    names = (info.name for info in pkgutil.iter_modules(__path__))
    # Code order is report order for findings at the same position.
    return tuple(sorted(name for name in names if _UNIT_NAME.fullmatch(name)))


def all_rules() -> Tuple[Rule, ...]:
    import importlib

    rules = tuple(importlib.import_module(f"{__name__}.{unit}").RULE for unit in _UNIT_NAMES)
    for unit, rule in zip(_UNIT_NAMES, rules):
        if rule.code.lower() != unit:
            raise ImportError(f"rule unit {unit} declares {rule.code}")
    return rules


def rules_by_code() -> Dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


_UNIT_NAMES: Tuple[str, ...] = _unit_names()
CODES: Tuple[str, ...] = tuple(unit.upper() for unit in _UNIT_NAMES)
