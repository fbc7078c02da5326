"""The one analysis core every front end calls.

source text -> pre-check -> parse -> facts (one visitor pass) -> rules -> findings (with fixes).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

from .findings import Finding, UnparsableSource  # noqa: F401  (re-exported for front ends)
from .settings import DEFAULT_SETTINGS, Settings


@dataclass
class FixResult:
    source: str                 # the fixed source (== input when nothing changed)
    fixed: int                  # how many findings the applied fixes removed
    remaining: List[Finding]    # findings left after fixing (noqa'd ones excluded)
    unsafe_fixable: int         # how many of ``remaining`` an --unsafe-fixes run would fix


def analyze_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
                   *, honour_noqa: bool = False, select: Optional[Sequence[str]] = None,
                   ignore: Optional[Sequence[str]] = None) -> List[Finding]:
    """Findings for one module, sorted by position. Raises UnparsableSource."""
    raise NotImplementedError


def fix_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
               *, unsafe: bool = False, select: Optional[Sequence[str]] = None,
               ignore: Optional[Sequence[str]] = None) -> FixResult:
    """Apply fixes until nothing changes (bounded). ``# noqa``'d findings are not fixed."""
    raise NotImplementedError
