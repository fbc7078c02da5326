"""Score a flake8 with the BNU plugin against hand-labelled real repositories.

Each repository listed in ``labels.tsv`` (beside this file) is expected as an exported snapshot under
``--snapshots`` (``<owner>__<name>/``, the tree of the commit named in the labels; see REPOS.md for how to
re-fetch them). flake8 runs in each snapshot root as a user would run it there, with
``--isolated --select=BNU,E999``, and every labelled line is judged by the codes that land near it:

* a BUG row is caught when a code of its kind's family lands within 3 lines of it;
* an OK row is a false alarm when a code of its kind's family lands within 2 lines of it, unless a BUG row
  that the same finding catches lies at least as near (``benchmarks/judging.py``, shared with torchreal);
* UNSURE rows are not scored (their nearby codes are shown with ``--verbose``);
* a BUG row of kind ``other`` describes a defect that no rule in RULES.md covers: it is listed, never scored.

Findings that no labelled row accounts for (no row of the same file within 3 lines) are listed as
unlabelled: each one needs a judgement and a row. Nothing is copied or rebuilt; the snapshots stay where they are.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import judging  # noqa: E402  (benchmarks/judging.py: nearness and row charging, shared with torchreal)

DEFAULT_SNAPSHOTS = "/work/real-snapshots"
CATCH_SPAN = judging.CATCH_SPAN
ALARM_SPAN = judging.ALARM_SPAN

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


def speaks(code: str, kind: str) -> bool:
    return code in FAMILY[kind]


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
    return judging.parse_flake8_output(text, Finding)


def run_flake8(flake8: str, root: Path) -> tuple[list[Finding], str | None]:
    """Run flake8 in ``root``; return its findings and a crash description (None when it ran cleanly)."""
    proc = judging.run_flake8(flake8, root)
    return parse_flake8_output(proc.stdout), judging.crash(proc)


def near(findings: list[Finding], row: Row, span: int, codes: frozenset) -> list[Finding]:
    return judging.near(findings, row, span, lambda code, kind: code in codes)


def judge(rows: list[Row], findings: list[Finding], tally: Tally) -> None:
    """Score one repository's rows against its findings, adding to ``tally``."""
    bug_rows = [r for r in rows if r.verdict == "BUG" and r.kind != "other"]
    for row in rows:
        if row.verdict == "BUG" and row.kind == "other":
            tally.beyond_rules.append((row, near(findings, row, CATCH_SPAN, ALL_CODES)))
        elif row.verdict == "BUG":
            tally.bugs += 1
            if judging.catches(findings, row, speaks):
                tally.caught += 1
            else:
                tally.misses.append(row)
        elif row.verdict == "OK":
            tally.ok_rows += 1
            hits = judging.charged(findings, row, bug_rows, speaks)
            if hits:
                tally.false_alarms += 1
                tally.alarms.append((row, hits))
        else:
            hits = near(findings, row, CATCH_SPAN, ALL_CODES)
            if hits:
                tally.unsure_hits.append((row, hits))
    tally.syntax_errors += sum(f.code in judging.SYNTAX_CODES for f in findings)
    tally.unlabelled += [(rows[0].repo, f) for f in judging.unlabelled(findings, rows)]


def fetch_list(rows: list[Row]) -> list[str]:
    return judging.fetch_list(rows)


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
    flake8 = judging.resolve_flake8(args.flake8)
    if flake8 is None:
        parser.error(f"no flake8 executable named {args.flake8!r} on PATH")
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
