"""Score a flake8 with the BNU plugin against hand-labelled real repositories.

Each repository listed in ``labels.tsv`` (beside this file) is expected as an exported snapshot under
``--snapshots`` (``<owner>__<name>/``, the tree of the commit named in the labels; see REPOS.md for how to
re-fetch them). flake8 runs in each snapshot root as a user would run it there, with
``--isolated --select=BNU,E999``, and every labelled line is judged by the codes that land near it:

* a BUG row is caught when a code of its kind's family lands within 3 lines of it;
* an OK row is a false alarm when a code of its kind's family lands within 2 lines of it;
* UNSURE rows are not scored (their nearby codes are shown with ``--verbose``);
* a BUG row of kind ``other`` describes a defect that no rule in RULES.md covers: it is listed, never scored.

Findings that no labelled row accounts for (no row of the same file within 3 lines) are listed as
unlabelled: each one needs a judgement and a row. Nothing is copied or rebuilt; the snapshots stay where they are.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SNAPSHOTS = "/work/real-snapshots"
CATCH_SPAN = 3
ALARM_SPAN = 2

UPDATE_OPS_CODES = frozenset({"BNU001", "BNU004", "BNU005", "BNU006"})
FLAG_CODES = frozenset({"BNU002", "BNU003", "BNU007"})
ALL_CODES = frozenset(f"BNU00{i}" for i in range(1, 9))

# Which codes speak about a labelled line, by the row's kind.
FAMILY = {
    "missing_update_ops": UPDATE_OPS_CODES,
    "missing_training": frozenset({"BNU003", "BNU007"}),
    "hardcoded_training": frozenset({"BNU002"}),
    "keras_bn_graph_mode": frozenset({"BNU006", "BNU003"}),
    "checkpoint_missing_moving_stats": frozenset({"BNU008"}),
    "update_ops_read_early": frozenset({"BNU004"}),
    "ok_control_deps": UPDATE_OPS_CODES,
    "ok_group": UPDATE_OPS_CODES,
    "ok_helper": UPDATE_OPS_CODES,
    "ok_inplace_updates": UPDATE_OPS_CODES,
    "ok_sess_run_update_ops": UPDATE_OPS_CODES,
    "ok_training_var": FLAG_CODES,
    "ok_checkpoint": frozenset({"BNU008"}),
    "other": ALL_CODES,
}

FINDING = re.compile(r"^\./(?P<path>.+?):(?P<line>\d+):\d+: (?P<code>[A-Z]+\d+) ")


@dataclass(frozen=True)
class Row:
    repo: str
    commit: str
    path: str
    line: int
    kind: str
    verdict: str
    justification: str

    @property
    def snapshot_name(self) -> str:
        return self.repo.replace("/", "__", 1)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str


@dataclass
class Tally:
    bugs: int = 0
    caught: int = 0
    ok_rows: int = 0
    false_alarms: int = 0
    misses: list = field(default_factory=list)
    beyond_rules: list = field(default_factory=list)
    alarms: list = field(default_factory=list)
    unlabelled: list = field(default_factory=list)
    unsure_hits: list = field(default_factory=list)
    syntax_errors: int = 0
    crashes: list = field(default_factory=list)
    missing_snapshots: list = field(default_factory=list)


def load_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = []
        for raw in reader:
            if raw["kind"] not in FAMILY or raw["verdict"] not in ("BUG", "OK", "UNSURE"):
                raise ValueError(f"bad label row: {raw}")
            rows.append(Row(raw["repo"], raw["commit"], raw["path"], int(raw["line"]), raw["kind"],
                            raw["verdict"], raw["justification"]))
    return rows


def parse_flake8_output(text: str) -> list[Finding]:
    found = []
    for line in text.splitlines():
        match = FINDING.match(line)
        if match:
            found.append(Finding(match["path"], int(match["line"]), match["code"]))
    return found


def run_flake8(flake8: str, root: Path) -> tuple[list[Finding], str | None]:
    """Run flake8 in ``root``; return its findings and a crash description (None when it ran cleanly)."""
    proc = subprocess.run([flake8, "--isolated", "--select=BNU,E999", "."], cwd=root,
                          capture_output=True, text=True)
    crash = None
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        crash = tail[0]
    return parse_flake8_output(proc.stdout), crash


def near(findings: list[Finding], row: Row, span: int, codes: frozenset) -> list[Finding]:
    return [f for f in findings if f.path == row.path and abs(f.line - row.line) <= span and f.code in codes]


def judge(rows: list[Row], findings: list[Finding], tally: Tally) -> None:
    """Score one repository's rows against its findings, adding to ``tally``."""
    for row in rows:
        family = FAMILY[row.kind]
        if row.verdict == "BUG" and row.kind == "other":
            tally.beyond_rules.append((row, near(findings, row, CATCH_SPAN, ALL_CODES)))
        elif row.verdict == "BUG":
            tally.bugs += 1
            if near(findings, row, CATCH_SPAN, family):
                tally.caught += 1
            else:
                tally.misses.append(row)
        elif row.verdict == "OK":
            tally.ok_rows += 1
            hits = near(findings, row, ALARM_SPAN, family)
            if hits:
                tally.false_alarms += 1
                tally.alarms.append((row, hits))
        else:
            hits = near(findings, row, CATCH_SPAN, ALL_CODES)
            if hits:
                tally.unsure_hits.append((row, hits))
    for finding in findings:
        if finding.code == "E999":
            tally.syntax_errors += 1
            continue
        accounted = any(r.path == finding.path and abs(r.line - finding.line) <= CATCH_SPAN for r in rows)
        if not accounted:
            tally.unlabelled.append((rows[0].repo, finding))


def fetch_list(rows: list[Row]) -> list[str]:
    seen = {}
    for row in rows:
        seen.setdefault(row.repo, row.commit)
    return [f"github:{repo}@{commit}" for repo, commit in seen.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flake8", default="flake8", help="flake8 executable with the plugin installed")
    parser.add_argument("--snapshots", default=os.environ.get("BNU_REAL_SNAPSHOTS", DEFAULT_SNAPSHOTS),
                        help="folder holding <owner>__<name>/ snapshot trees (env BNU_REAL_SNAPSHOTS)")
    parser.add_argument("--labels", default=str(HERE / "labels.tsv"), help="labels file (default: beside this script)")
    parser.add_argument("--fetch-list", action="store_true",
                        help="print github:owner/name@commit for every labelled repository and exit")
    parser.add_argument("--repo", action="append", default=[], help="score only this owner/name (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="also show codes found near UNSURE rows")
    args = parser.parse_args(argv)

    rows = load_rows(Path(args.labels))
    if args.fetch_list:
        print("\n".join(fetch_list(rows)))
        return 0
    flake8 = args.flake8
    if os.sep in flake8:  # a relative path names a file from here, not from each snapshot root
        flake8 = str(Path(flake8).resolve())
    elif shutil.which(flake8) is None:
        parser.error(f"no flake8 executable named {flake8!r} on PATH")
    by_repo: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if not args.repo or row.repo in args.repo:
            by_repo[row.repo].append(row)

    tally = Tally()
    snapshots = Path(args.snapshots)
    for repo, repo_rows in by_repo.items():
        root = snapshots / repo_rows[0].snapshot_name
        if not root.is_dir():
            tally.missing_snapshots.append(repo)
            continue
        findings, crash = run_flake8(flake8, root)
        if crash:
            tally.crashes.append((repo, crash))
        judge(repo_rows, findings, tally)

    for row in tally.misses:
        print(f"missed      {row.repo} {row.path}:{row.line} {row.kind}")
    for row, hits in tally.alarms:
        codes = ",".join(sorted({h.code for h in hits}))
        print(f"false alarm {row.repo} {row.path}:{row.line} {row.kind} ({codes})")
    for repo, finding in tally.unlabelled:
        print(f"unlabelled  {repo} {finding.path}:{finding.line} {finding.code}")
    if args.verbose:
        for row, hits in tally.beyond_rules:
            codes = ",".join(sorted({h.code for h in hits})) or "none"
            print(f"beyond      {row.repo} {row.path}:{row.line} (codes near it: {codes})")
        for row, hits in tally.unsure_hits:
            codes = ",".join(sorted({h.code for h in hits}))
            print(f"unsure      {row.repo} {row.path}:{row.line} {row.kind} ({codes})")
    for repo, crash in tally.crashes:
        print(f"crash       {repo}: {crash}")
    for repo in tally.missing_snapshots:
        print(f"no snapshot {repo} (under {snapshots}; see --fetch-list)")
    scored = len(by_repo) - len(tally.missing_snapshots)
    print(f"real: caught {tally.caught}/{tally.bugs} BUG rows, "
          f"false alarms {tally.false_alarms}/{tally.ok_rows} OK rows, "
          f"{len(tally.unlabelled)} unlabelled findings, {len(tally.beyond_rules)} bugs beyond the rules, "
          f"{len(tally.crashes)} crashes, {tally.syntax_errors} E999, "
          f"{scored} repositories scored, {len(tally.missing_snapshots)} missing")
    return 1 if tally.missing_snapshots or tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
