"""What a rule unit is: its code, its documentation, its examples, and its check.

Fixit's shape: each code is one module that declares ``RULE = Rule(...)``. The examples are
the documentation and the tests at once: ``tests/test_rule_examples.py`` runs every flagged
example (``# expect: CODE:column`` marks each finding, 1-based column), every silent one and
every fixed one (source -> what the fix writes), and ``--explain``, the README's code sections
and the SARIF rule metadata are rendered from the same fields, so there is no second copy to
drift.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Tuple

from ..findings import FixSafety


@dataclass(frozen=True)
class Report:
    """What a check yields: where the finding sits, its message, the fix it offers."""

    node: object                  # the ast node the finding sits on (its first character)
    code: str
    message: str
    fix: Optional[object] = None  # a fixes.plans plan, or None
    no_fix: Optional[str] = None  # without a plan: why (the rule's general reason when None)


@dataclass(frozen=True)
class Rule:
    code: str
    title: str                    # one line, lower case: what is wrong
    effect: str                   # what goes wrong at run time (markdown)
    fix: str                      # what the fix writes, when, and why it is (un)safe (markdown)
    fix_safety: FixSafety         # which fixes its findings can carry
    flagged: Tuple[str, ...]      # examples that must be reported, with ``# expect:`` markers
    silent: Tuple[str, ...]       # close look-alikes that must stay silent
    check: Callable[..., Iterable[Report]]
    # The quick-fix title's verb phrase ("Fix BNU001: run the update ops before `minimize`"),
    # a format string over the plan's text fields and ``{method}`` (the train op's method).
    fix_title: str = ""
    # Why a finding of this code has no fix when its check does not say more.
    no_fix: str = "no fix for this form"
    # Fixed-output examples, (source, what ``--fix --unsafe-fixes`` of this code alone writes):
    # written from the code's fix text and read by eye, then checked by the generic test
    # (output, a second fix changes nothing, the result compiles and is silent for the code).
    fixed: Tuple[Tuple[str, str], ...] = ()

    @property
    def anchor(self) -> str:
        return self.code.lower()
