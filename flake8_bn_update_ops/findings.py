"""What the analysis hands to every front end."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

SAFE = "safe"
UNSAFE = "unsafe"


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
    # The fix itself travels with the finding but is not part of its identity.
    fix: Optional[object] = field(default=None, compare=False, hash=False, repr=False)

    @property
    def sort_key(self):
        return (self.line, self.column, self.code)

    def __reduce__(self):
        # The fix holds libcst nodes and closures: it stays in the process that made it. A
        # finding sent to another process (the command's worker pool) travels without it.
        return (Finding, (self.line, self.column, self.code, self.message, self.fix_safety,
                          self.end_line, self.end_column))


class UnparsableSource(Exception):
    """libcst (or Python) cannot parse the source; the message is one line."""
