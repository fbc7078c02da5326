"""Score a flake8 with the BNU plugin against hand-labelled PyTorch / Keras / Flax repositories (issue 27).

Each repository listed in ``labels.tsv`` (beside this file) is expected as an exported snapshot under
``--snapshots`` (``<owner>__<name>/``, the tree of the commit named in the labels; REPOS.md says how to
rebuild them). flake8 runs in each snapshot root as a user would run it there, with
``--isolated --select=BNU,E999``; notebooks, which flake8 does not read, go through the plugin's own command
(``python -m flake8_bn_update_ops`` with the Python beside the given flake8). Every labelled line is judged by
the codes that land near it, by the framework family of its kind (the kinds describe behaviour, not codes):

* PyTorch kinds (eval_in_train_mode, train_after_eval_missing, frozen_bn_still_updating,
  stats_dropped_by_averaging): BNU1xx; Keras kinds: BNU2xx or BNU007; Flax: BNU3xx; momentum_inverted: any of
  BNU1xx/2xx/3xx;
* a BUG row is caught when a code of its family lands within 3 lines of it (in a notebook: in the same cell);
* an OK row is a false alarm when a code of its family lands within 2 lines of it, unless a BUG row that the
  same finding catches lies at least as near (adjacent buggy and correct statements do not share a finding);
* rows tagged ``[intentional]`` or ``[harmless]`` in their justification are counted apart: the rule's
  conditions hold there, and the row says why it does not matter;
* UNSURE rows are not scored (their nearby codes are shown with ``--verbose``).

Findings that no labelled row accounts for (no row of the same file within 3 lines) are listed as
unlabelled: each one needs a judgement and a row. Per-code figures: a code's hits are the BUG rows it catches
and the OK rows it is charged to; its recall is counted over the BUG rows of the kinds it caught at least once.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import judging  # noqa: E402  (benchmarks/judging.py: nearness and row charging, shared with benchmarks/real)

DEFAULT_SNAPSHOTS = "/work/torch-snapshots"
CATCH_SPAN = judging.CATCH_SPAN
ALARM_SPAN = judging.ALARM_SPAN
TAGS = ("[intentional]", "[harmless]")
SKIPPED_DIRS = frozenset({".git", ".ipynb_checkpoints", "__pycache__", "node_modules"})
# The bar a code must meet on these rows to ship on by default (issue 27).
BAR_PRECISION = 0.90
BAR_RECALL = 0.80

# Which code prefixes speak about a kind's lines: the issue numbers PyTorch codes BNU1xx, Keras codes BNU2xx (BNU007
# already covers a Keras model called without `training` in a custom step) and Flax codes BNU3xx.
PYTORCH = ("BNU1",)
KERAS = ("BNU2", "BNU007")
FLAX = ("BNU3",)
FAMILY = {
    "eval_in_train_mode": PYTORCH,
    "train_after_eval_missing": PYTORCH,
    "frozen_bn_still_updating": PYTORCH,
    "stats_dropped_by_averaging": PYTORCH,
    "momentum_inverted": PYTORCH + ("BNU2", "BNU3"),
    "keras_finetune_training_missing": KERAS,
    "keras_custom_loop_training_missing": KERAS,
    "flax_batch_stats_discarded": FLAX,
}
KINDS = frozenset(FAMILY) | frozenset(f"ok_{kind}" for kind in FAMILY)
VERDICTS = ("BUG", "OK", "UNSURE")
COLUMNS = ["repo", "commit", "path", "line", "kind", "verdict", "justification"]

NOTEBOOK_LINE = re.compile(r"^cell_(?P<cell>[1-9]\d*):(?P<line>[1-9]\d*)$")


def in_family(code: str, kind: str) -> bool:
    return code.startswith(FAMILY[kind.removeprefix("ok_")])


@dataclass(frozen=True)
class Row:
    repo: str
    commit: str
    path: str
    cell: int | None  # a notebook's code cell, counted from 1; None in a .py file
    line: int
    kind: str
    verdict: str
    justification: str

    @property
    def snapshot_name(self) -> str:
        return self.repo.replace("/", "__", 1)

    @property
    def tagged(self) -> bool:
        return any(tag in self.justification for tag in TAGS)

    @property
    def where(self) -> str:
        return f"{self.path}:cell_{self.cell}:{self.line}" if self.cell else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Finding:
    path: str
    cell: int | None
    line: int
    code: str


@dataclass
class KindTally:
    bugs: int = 0
    caught: int = 0
    tagged_bugs: int = 0
    tagged_caught: int = 0
    ok_rows: int = 0
    false_alarms: int = 0
    tagged_ok: int = 0
    tagged_alarms: int = 0


@dataclass
class Tally:
    kinds: dict = field(default_factory=lambda: defaultdict(KindTally))
    code_hits: dict = field(default_factory=lambda: defaultdict(list))    # code -> BUG rows it catches
    code_alarms: dict = field(default_factory=lambda: defaultdict(list))  # code -> untagged OK rows charged
    misses: list = field(default_factory=list)
    alarms: list = field(default_factory=list)
    unlabelled: list = field(default_factory=list)
    unsure_hits: list = field(default_factory=list)
    syntax_errors: int = 0
    crashes: list = field(default_factory=list)
    missing_snapshots: list = field(default_factory=list)
    bug_rows_by_kind: Counter = field(default_factory=Counter)
    outcomes: dict = field(default_factory=dict)  # row key -> caught / missed / alarm / silent
    bug_rows: list = field(default_factory=list)


def parse_line(path: str, text: str) -> tuple[int | None, int]:
    """A row's line: ``N`` in a .py file, ``cell_N:L`` in a notebook (nbqa's and the command's positions)."""
    if path.endswith(".ipynb"):
        match = NOTEBOOK_LINE.match(text)
        if not match:
            raise ValueError(f"notebook line must be cell_N:L, not {text!r}")
        return int(match["cell"]), int(match["line"])
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"line must be a positive number, not {text!r}")
    return None, int(text)


def load_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path}: header must be {' '.join(COLUMNS)}")
        rows = []
        for number, raw in enumerate(reader, start=2):
            if None in raw or any(raw[c] in (None, "") for c in COLUMNS):
                raise ValueError(f"{path}:{number}: expected {len(COLUMNS)} non-empty tab-separated fields")
            if raw["kind"] not in KINDS or raw["verdict"] not in VERDICTS:
                raise ValueError(f"{path}:{number}: bad kind or verdict: {raw['kind']} {raw['verdict']}")
            if raw["verdict"] == "BUG" and raw["kind"].startswith("ok_"):
                raise ValueError(f"{path}:{number}: a BUG row's kind has no ok_ prefix")
            if raw["verdict"] == "OK" and not raw["kind"].startswith("ok_"):
                raise ValueError(f"{path}:{number}: an OK row's kind is ok_<kind>")
            try:
                cell, line = parse_line(raw["path"], raw["line"])
            except ValueError as error:
                raise ValueError(f"{path}:{number}: {error}") from None
            rows.append(Row(raw["repo"], raw["commit"], raw["path"], cell, line, raw["kind"], raw["verdict"],
                            raw["justification"]))
    return rows


def parse_flake8_output(text: str) -> list[Finding]:
    return judging.parse_flake8_output(text, lambda path, line, code: Finding(path, None, line, code))


def parse_command_json(text: str, root: Path) -> list[Finding]:
    """Findings from ``python -m flake8_bn_update_ops --format json``; paths made relative to ``root``."""
    found = []
    for item in json.loads(text or "[]"):
        path = Path(item["path"])
        relative = path.relative_to(root) if path.is_absolute() else path
        found.append(Finding(relative.as_posix().removeprefix("./"), item.get("cell"), item["line"], item["code"]))
    return found


def notebooks_under(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        found += [(Path(folder) / f).relative_to(root).as_posix() for f in sorted(files) if f.endswith(".ipynb")]
    return found


def command_python(flake8: str) -> str | None:
    """The Python interpreter installed beside ``flake8`` (its venv), which runs the plugin's own command."""
    folder = Path(flake8).parent
    for name in ("python", "python3"):
        if (folder / name).exists():
            return str(folder / name)
    return None


def run_checkers(flake8: str, root: Path) -> tuple[list[Finding], list[str]]:
    """flake8 over the .py files of ``root``, the plugin's command over its notebooks; findings and crashes."""
    proc = judging.run_flake8(flake8, root)
    findings, crashes = parse_flake8_output(proc.stdout), [c for c in [judging.crash(proc)] if c]
    notebooks = notebooks_under(root)
    python = command_python(flake8)
    if notebooks and python is None:
        crashes.append(f"{len(notebooks)} notebooks not checked: no Python beside {flake8}")
    elif notebooks:
        proc = subprocess.run([python, "-m", "flake8_bn_update_ops", "--isolated", "--select", "BNU", "--format",
                               "json", "--exit-zero", "--no-respect-gitignore", "--", *notebooks],
                              cwd=root, capture_output=True, text=True)
        crash = judging.crash(proc)
        try:
            findings += parse_command_json(proc.stdout, root)
        except (ValueError, KeyError) as error:
            crash = crash or f"notebook findings unreadable: {error}"
        if crash:
            crashes.append(crash)
    return findings, crashes


def judge(rows: list[Row], findings: list[Finding], tally: Tally) -> None:
    """Score one repository's rows against its findings, adding to ``tally``."""
    bug_rows = [r for r in rows if r.verdict == "BUG"]
    for row in rows:
        counts = tally.kinds[row.kind.removeprefix("ok_")]
        if row.verdict == "BUG":
            hits = judging.catches(findings, row, in_family)
            tally.bug_rows_by_kind[row.kind] += 1
            tally.bug_rows.append(row)
            tally.outcomes[row_key(row)] = "caught" if hits else "missed"
            if row.tagged:
                counts.tagged_bugs += 1
                counts.tagged_caught += bool(hits)
            else:
                counts.bugs += 1
                counts.caught += bool(hits)
                if not hits:
                    tally.misses.append(row)
            for code in {f.code for f in hits}:
                tally.code_hits[code].append(row)
        elif row.verdict == "OK":
            charged = judging.charged(findings, row, bug_rows, in_family)
            tally.outcomes[row_key(row)] = "alarm" if charged else "silent"
            if row.tagged:
                counts.tagged_ok += 1
                counts.tagged_alarms += bool(charged)
            else:
                counts.ok_rows += 1
                if charged:
                    counts.false_alarms += 1
                    tally.alarms.append((row, charged))
                    for code in {f.code for f in charged}:
                        tally.code_alarms[code].append(row)
        else:
            hits = judging.near(findings, row, CATCH_SPAN)
            if hits:
                tally.unsure_hits.append((row, hits))
    tally.syntax_errors += sum(f.code in judging.SYNTAX_CODES for f in findings)
    tally.unlabelled += [(rows[0].repo, f) for f in judging.unlabelled(findings, rows)]


def row_key(row: Row) -> str:
    return f"{row.repo} {row.where}"


def fetch_list(rows: list[Row]) -> list[str]:
    return judging.fetch_list(rows)


def report(tally: Tally, verbose: bool) -> None:
    for row in tally.misses:
        print(f"missed      {row.repo} {row.where} {row.kind}")
    for row, hits in tally.alarms:
        print(f"false alarm {row.repo} {row.where} {row.kind} ({','.join(sorted({h.code for h in hits}))})")
    for repo, f in tally.unlabelled:
        where = f"{f.path}:cell_{f.cell}:{f.line}" if f.cell else f"{f.path}:{f.line}"
        print(f"unlabelled  {repo} {where} {f.code}")
    if verbose:
        for row, hits in tally.unsure_hits:
            print(f"unsure      {row.repo} {row.where} {row.kind} ({','.join(sorted({h.code for h in hits}))})")
    for repo, crash in tally.crashes:
        print(f"crash       {repo}: {crash}")
    print("per kind: recall = BUG rows caught; precision = caught / (caught + OK rows falsely alarmed); tagged apart")
    for kind in FAMILY:
        k = tally.kinds.get(kind)
        if k is None:
            continue
        precision = judging.ratio(k.caught, k.caught + k.false_alarms)
        print(f"  {kind:36} recall {judging.ratio(k.caught, k.bugs):14} precision {precision:14}"
              f" false alarms {k.false_alarms}/{k.ok_rows} OK rows; tagged: caught {k.tagged_caught}/{k.tagged_bugs},"
              f" on {k.tagged_alarms}/{k.tagged_ok} OK rows")
    figures = per_code(tally)
    if figures:
        print(f"per code: recall over the BUG rows of the kinds it caught, precision over the labelled rows it hit "
              f"(tagged rows apart); * = under the bar (precision >= {BAR_PRECISION:.0%}, recall >= {BAR_RECALL:.0%})")
        table = judging.code_table(figures)
        print(table[0])
        for line, figure in zip(table[1:], figures):
            print(line if figure.meets(BAR_PRECISION, BAR_RECALL) else "*" + line[1:])


def framework(code: str) -> tuple:
    """The framework family of a code (a TensorFlow code is its own)."""
    return next((prefixes for prefixes in (PYTORCH, KERAS, FLAX) if code.startswith(prefixes)), (code,))


def per_code(tally: Tally) -> list:
    def not_its_own(code: str, catchers: set) -> bool:
        """The row was caught by another framework's codes only (momentum_inverted spans the three)."""
        return bool(catchers) and all(framework(other) != framework(code) for other in catchers)
    return judging.code_figures(tally.code_hits, tally.code_alarms, tally.bug_rows,
                                Counter(f.code for _, f in tally.unlabelled), lambda row: row.tagged, not_its_own)


def save(tally: Tally, path: Path) -> None:
    """Each scored row's outcome and each code's counts, for a later ``--against``."""
    figures = {f.code: {"caught": f.caught, "of": f.pool, "alarms": f.alarms, "unlabelled": f.unlabelled}
               for f in per_code(tally)}
    path.write_text(json.dumps({"rows": tally.outcomes, "codes": figures}, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


def compare(tally: Tally, path: Path) -> None:
    """Before/after: the rows of this run whose outcome changed since the saved run (``unscored`` when it did not
    score them), and each code's counts then and now (compare runs over the same repositories)."""
    before = json.loads(path.read_text(encoding="utf-8"))
    print(f"against {path}:")
    for key in sorted(tally.outcomes):
        then, now = before["rows"].get(key, "unscored"), tally.outcomes.get(key, "unscored")
        if then != now:
            print(f"  changed     {key}: {then} -> {now}")
    now_codes = {f.code: f for f in per_code(tally)}
    for code in sorted(set(before["codes"]) | set(now_codes)):
        then = before["codes"].get(code)
        now = now_codes.get(code)
        was = f"caught {then['caught']}/{then['of']}, alarms {then['alarms']}, unlabelled {then['unlabelled']}" \
            if then else "-"
        is_ = f"caught {now.caught}/{now.pool}, alarms {now.alarms}, unlabelled {now.unlabelled}" if now else "-"
        if was != is_:
            print(f"  {code}  before {was}; after {is_}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flake8", default="flake8", help="flake8 executable with the plugin installed")
    parser.add_argument("--snapshots", default=os.environ.get("BNU_TORCHREAL_SNAPSHOTS", DEFAULT_SNAPSHOTS),
                        help="folder holding <owner>__<name>/ snapshot trees (env BNU_TORCHREAL_SNAPSHOTS)")
    parser.add_argument("--labels", default=str(HERE / "labels.tsv"), help="labels file (default: beside this script)")
    parser.add_argument("--fetch-list", action="store_true",
                        help="print github:owner/name@commit for every labelled repository and exit")
    parser.add_argument("--repo", action="append", default=[], help="score only this owner/name (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="also show codes found near UNSURE rows")
    parser.add_argument("--save", metavar="FILE", help="write each row's outcome and each code's counts as JSON")
    parser.add_argument("--against", metavar="FILE",
                        help="compare with a run saved by --save: changed rows and per-code counts before/after")
    args = parser.parse_args(argv)

    try:
        rows = load_rows(Path(args.labels))
    except (OSError, ValueError) as error:
        print(f"score.py: {error}", file=sys.stderr)
        return 2
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
        findings, crashes = run_checkers(flake8, root)
        tally.crashes += [(repo, crash) for crash in crashes]
        judge(repo_rows, findings, tally)

    report(tally, args.verbose)
    if args.save:   # before the comparison, so that a bad --against file does not lose this run
        save(tally, Path(args.save))
    if args.against:
        try:
            compare(tally, Path(args.against))
        except (OSError, ValueError, KeyError) as error:
            print(f"score.py: cannot compare with {args.against}: {error}", file=sys.stderr)
            return 2
    for repo in tally.missing_snapshots:
        print(f"no snapshot {repo} (under {snapshots}; see --fetch-list)")
    bugs = sum(k.bugs for k in tally.kinds.values())
    caught = sum(k.caught for k in tally.kinds.values())
    ok_rows = sum(k.ok_rows for k in tally.kinds.values())
    alarms = sum(k.false_alarms for k in tally.kinds.values())
    scored = len(by_repo) - len(tally.missing_snapshots)
    print(f"torchreal: caught {caught}/{bugs} BUG rows, false alarms {alarms}/{ok_rows} OK rows, "
          f"{len(tally.unlabelled)} unlabelled findings, {len(tally.crashes)} crashes, {tally.syntax_errors} E999, "
          f"{scored} repositories scored, {len(tally.missing_snapshots)} missing")
    return 1 if tally.missing_snapshots or tally.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
