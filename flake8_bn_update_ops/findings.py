"""What the analysis hands to every front end."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional


class FixSafety(str, Enum):
    """How a fix may be applied (ruff's split): ``--fix`` applies safe fixes; unsafe ones also
    need ``--unsafe-fixes``. A rule unit declares which of them its findings can carry
    (``SAFE_OR_UNSAFE`` when it depends on the finding, ``NONE`` when it offers no fix); a
    finding carries ``SAFE``, ``UNSAFE`` or no fix at all. A ``str`` so that JSON, SARIF and
    pickled findings see the plain word."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    SAFE_OR_UNSAFE = "safe or unsafe"
    NONE = "none"

    def __str__(self) -> str:       # the word, on every Python (3.12 formats mixins by name)
        return self.value

    __format__ = str.__format__


SAFE = FixSafety.SAFE
UNSAFE = FixSafety.UNSAFE


@dataclass(frozen=True)
class Finding:
    """One reported problem.

    ``line`` is 1-based; ``column`` is 0-based (flake8's convention: flake8 and the
    command print ``column + 1``). ``message`` starts with ``code``, as flake8 requires.
    ``fix_safety`` is ``"safe"``, ``"unsafe"`` or ``None`` (no fix offered).
    """

    line: int
    column: int
    code: str
    message: str
    fix_safety: Optional[str] = None
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    # The fix plan (``fixes.plans``: plain data, so it crosses process boundaries) travels
    # with the finding but is not part of its identity.
    fix: Optional[object] = field(default=None, compare=False, hash=False, repr=False)
    # Why no fix is offered, in a few words ("no caller passes a training flag"); None with a fix.
    no_fix: Optional[str] = field(default=None, compare=False, hash=False, repr=False)

    @property
    def sort_key(self):
        return (self.line, self.column, self.code)


class UnparsableSource(Exception):
    """Python (or, for a fix, libcst) cannot parse the source; the message is one line."""


def one_line(text: object) -> str:
    """``text`` (a message or an exception) as every front end prints a reason: on one line,
    newlines and runs of blanks made one space; an exception without a message is named by its
    type."""
    flat = " ".join(str(text).split())
    if flat:
        return flat
    return type(text).__name__ if isinstance(text, BaseException) else "unknown error"
