"""How the real-code scorers judge a labelled line by the findings near it (benchmarks/real, benchmarks/torchreal).

Both corpora label lines of public repositories BUG / OK / UNSURE and run flake8 in each snapshot root; only the
mapping from a row's kind to the codes that speak about it differs (each scorer's ``FAMILY``). What is shared,
and defined once here:

* a BUG row is caught when a code that speaks about its kind lands within ``CATCH_SPAN`` lines of it (in a
  notebook: in the same cell);
* an OK row is charged with a false alarm when such a code lands within ``ALARM_SPAN`` lines of it, unless a BUG
  row that the same finding catches lies at least as near (adjacent buggy and correct statements do not share a
  finding);
* a finding that no row of its file accounts for (within ``CATCH_SPAN``) is unlabelled: it needs a judgement;
* per code, recall is counted over the BUG rows of the kinds the code caught at least once, precision over the
  labelled rows it hit (BUG rows caught against OK rows charged).

Rows and findings are the scorers' own dataclasses; a row or finding without a ``cell`` is a .py line.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

CATCH_SPAN = 3
ALARM_SPAN = 2
SYNTAX_CODES = frozenset({"E999", "BNU900"})

FLAKE8_FINDING = re.compile(r"^\./(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>[A-Z]+\d+) ")

Speaks = Callable[[str, str], bool]  # (code, kind) -> whether the code speaks about rows of that kind


def _cell(item) -> int | None:
    return getattr(item, "cell", None)


def same_place(finding, row, span: int) -> bool:
    return finding.path == row.path and _cell(finding) == _cell(row) and abs(finding.line - row.line) <= span


def near(findings: Iterable, row, span: int, speaks: Speaks | None = None) -> list:
    """The findings within ``span`` lines of ``row`` (same file and cell) whose code speaks about its kind."""
    return [f for f in findings if same_place(f, row, span) and (speaks is None or speaks(f.code, row.kind))]


def catches(findings: Iterable, row, speaks: Speaks) -> list:
    return near(findings, row, CATCH_SPAN, speaks)


def charged(findings: Iterable, row, bug_rows: Sequence, speaks: Speaks) -> list:
    """The findings an OK row is charged with: near it, of its family, and not catching a BUG row as near."""
    def excused(finding) -> bool:
        distance = abs(finding.line - row.line)
        return any(same_place(finding, bug, min(distance, CATCH_SPAN)) and speaks(finding.code, bug.kind)
                   for bug in bug_rows)
    return [f for f in near(findings, row, ALARM_SPAN, speaks) if not excused(f)]


def unlabelled(findings: Iterable, rows: Sequence) -> list:
    """Findings (syntax errors aside) that no row of their file and cell accounts for."""
    return [f for f in findings if f.code not in SYNTAX_CODES
            and not any(same_place(f, r, CATCH_SPAN) for r in rows)]


def parse_flake8_output(text: str, make: Callable) -> list:
    """``./path:line:col: CODE message`` lines, each made into ``make(path, line, code)``."""
    found = []
    for line in text.splitlines():
        match = FLAKE8_FINDING.match(line)
        if match:
            found.append(make(match["path"], int(match["line"]), match["code"]))
    return found


def crash(proc: subprocess.CompletedProcess) -> str | None:
    """A one-line description when a checker did not run cleanly (exit status past 1, or a traceback)."""
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        return tail[0]
    return None


def run_flake8(flake8: str, root: Path) -> subprocess.CompletedProcess:
    """flake8 in the snapshot root, as a user would run it there."""
    return subprocess.run([flake8, "--isolated", "--select=BNU,E999", "."], cwd=root, capture_output=True, text=True)


def resolve_flake8(name: str) -> str | None:
    """An absolute flake8 path: a path names a file from here, not from each snapshot root; a bare name is
    looked up on PATH (None when there is none)."""
    if os.sep in name:
        return str(Path(name).resolve())
    return shutil.which(name)


def fetch_list(rows: Iterable) -> list[str]:
    seen: dict[str, str] = {}
    for row in rows:
        seen.setdefault(row.repo, row.commit)
    return [f"github:{repo}@{commit}" for repo, commit in seen.items()]


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator}/{denominator} ({100 * numerator / denominator:.0f}%)" if denominator else "-"


@dataclass(frozen=True)
class CodeFigures:
    """One code's figures on the labelled rows."""
    code: str
    caught: int        # untagged BUG rows it catches
    pool: int          # untagged BUG rows of the kinds it caught at least once
    alarms: int        # untagged OK rows it is charged with
    unlabelled: int    # its findings no row accounts for
    kinds: tuple

    @property
    def recall(self) -> str:
        return ratio(self.caught, self.pool)

    @property
    def precision(self) -> str:
        return ratio(self.caught, self.caught + self.alarms)

    def meets(self, precision: float, recall: float) -> bool:
        hits = self.caught + self.alarms
        return bool(self.pool and hits) and self.caught >= precision * hits and self.caught >= recall * self.pool


def code_figures(code_hits: dict, code_alarms: dict, bug_rows: Sequence, unlabelled_codes: Counter,
                 is_tagged: Callable = lambda row: False,
                 not_its_own: Callable = lambda code, catchers: False) -> list[CodeFigures]:
    """Per code: ``code_hits`` maps a code to the BUG rows it catches, ``code_alarms`` to the untagged OK rows it
    is charged with; ``bug_rows`` are all BUG rows scored. A code's recall pool is the untagged BUG rows of the
    kinds it caught, less those that ``not_its_own(code, codes that caught the row)`` gives to another code (a
    kind shared by frameworks: a Keras momentum row caught by the Keras code is not the PyTorch code's to miss)."""
    catchers: dict = {}
    for code, rows in code_hits.items():
        for row in rows:
            catchers.setdefault(id(row), set()).add(code)
    codes = sorted(set(code_hits) | set(code_alarms) | set(unlabelled_codes))
    figures = []
    for code in codes:
        hits = [r for r in code_hits.get(code, ()) if not is_tagged(r)]
        kinds = tuple(sorted({r.kind for r in code_hits.get(code, ())}))
        pool = [r for r in bug_rows if r.kind in kinds and not is_tagged(r)
                and not not_its_own(code, catchers.get(id(r), set()))]
        figures.append(CodeFigures(code, len(hits), len(pool), len(code_alarms.get(code, ())),
                                   unlabelled_codes[code], kinds))
    return figures


def code_table(figures: Sequence[CodeFigures]) -> list[str]:
    """The per-code table, one line per code, with the counts behind each figure."""
    lines = [f"  {'code':7} {'recall':14} {'precision':14} {'caught':>6} {'of':>4} {'alarms':>6} "
             f"{'unlabelled':>10}  kinds"]
    for f in figures:
        lines.append(f"  {f.code:7} {f.recall:14} {f.precision:14} {f.caught:6} {f.pool:4} {f.alarms:6} "
                     f"{f.unlabelled:10}  {','.join(f.kinds) or '-'}")
    return lines
