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


# Codes under the bar on labelled real code (precision >= 90% and recall >= 80%) ship off by
# default: flake8's default ignore list (``extend_default_ignore`` in the plugin's options) and the
# command's default. ``--select BNU`` (or naming the code) turns them on, as in flake8. Figures on
# ../shared/torchwild (25 repositories), when each was turned off:
#   BNU101: 3 of 5 bug rows caught (60%), 0 false alarms on 31 correct look-alikes;
#   BNU103: no labelled row of its form (the corpus's one averaging bug is a hand-written EMA).
OFF_BY_DEFAULT: Tuple[str, ...] = ("BNU101", "BNU103")


def with_default_ignore(select, ignore):
    """The command's default: with no ``select``, the off-by-default codes join ``ignore``."""
    if select:
        return ignore
    return tuple(ignore or ()) + OFF_BY_DEFAULT


def all_rules() -> Tuple[Rule, ...]:
    import importlib

    return tuple(importlib.import_module(f"{__name__}.{unit}").RULE for unit in _UNITS)


def rules_by_code() -> Dict[str, Rule]:
    return {rule.code: rule for rule in all_rules()}


CODES: Tuple[str, ...] = tuple(unit.upper() for unit in _UNITS)
