"""How much of what the checker finds on real code its fixes repair (issue 25).

    python benchmarks/fix_coverage.py TREE [TREE ...] [--json] [--labels LABELS.tsv]

Each TREE is a project folder (or a folder of project folders: every direct subfolder is taken
as one project). Each project is copied to a scratch folder and, as a new user would:

1. ``python -m flake8_bn_update_ops --isolated --format json .`` lists the findings and the
   fix each one offers (safe, unsafe or none);
2. ``--fix --unsafe-fixes --isolated .`` fixes the copy;
3. every file the fix changed must still compile, a second ``--fix --unsafe-fixes`` run must
   change nothing, and the re-check must show no finding the first check did not have (by code,
   per file: a count that grows is a new finding).

Per code it prints the findings, how many offered a safe or an unsafe fix, how many are gone
after the fix (fixed), how many were left although a fix was offered (the fix did not take,
with the note the fix run gave for that file), and how many had no fix (refused), with the
reasons the command gave for none. The trees themselves are
never written.

With ``--labels`` (a corpus's labels.tsv: the shared corpora's, whose scorer rebuilds one tree
``tNN`` per (repository, commit) in the order the rows first name them, or benchmarks/real's, whose
snapshots are ``owner__name`` folders), only the findings on BUG rows are counted: a finding of a
code of the row's family within 3 lines of it, as the scorers catch a row. Labels are measurement
input only; no test reads them.
"""
from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

COMMAND = [sys.executable, "-m", "flake8_bn_update_ops", "--isolated"]

# Which codes catch a BUG row of each kind: the union of the scorers' families (shared/real's and
# benchmarks/real's); framework kinds go by code prefix as in shared/real/score.py.
UPDATE_OPS_CODES = {"BNU001", "BNU004", "BNU005", "BNU006"}
FAMILY = {
    "missing_update_ops": UPDATE_OPS_CODES,
    "update_ops_read_early": {"BNU004"},
    "keras_bn_graph_mode": {"BNU006", "BNU003"},
    "missing_training": {"BNU003", "BNU007"},
    "hardcoded_training": {"BNU002"},
    "checkpoint_missing_moving_stats": {"BNU008"},
}
FRAMEWORK_PREFIXES = {
    "eval_in_train_mode": ("BNU1",), "train_after_eval_missing": ("BNU1",),
    "frozen_bn_still_updating": ("BNU1",), "stats_dropped_by_averaging": ("BNU1",),
    "momentum_inverted": ("BNU1", "BNU2", "BNU3"),
    "keras_finetune_training_missing": ("BNU2", "BNU007"),
    "keras_custom_loop_training_missing": ("BNU2", "BNU007"),
    "flax_batch_stats_discarded": ("BNU3",),
}
CATCH_SPAN = 3


def catches(kind: str, code: str) -> bool:
    if kind in FAMILY:
        return code in FAMILY[kind]
    return code.startswith(FRAMEWORK_PREFIXES.get(kind, ("\0",)))


def bug_rows(labels: Path) -> Dict[str, Dict[str, List[tuple]]]:
    """Project folder name -> relative path -> [(line, kind)] of the BUG rows, named both ways a
    corpus names its trees (``tNN`` by first appearance, ``owner__name``)."""
    with labels.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    trees: Dict[tuple, str] = {}
    found: Dict[str, Dict[str, List[tuple]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for row in rows:
        tree = trees.setdefault((row["repo"], row["commit"]), f"t{len(trees):02d}")
        if row["verdict"] != "BUG":
            continue
        path = row["path"]
        if path.endswith(".ipynb") and row.get("file", "").endswith(".py"):
            path += ".py"  # a notebook's code cells are scored as a .py beside it (shared/real/score.py)
        for name in (tree, row["repo"].replace("/", "__", 1)):
            found[name][path].append((int(row["line"]), row["kind"]))
    return found


def on_bug_row(finding: dict, rows: Dict[str, List[tuple]]) -> bool:
    path = re.sub(r"^\./", "", finding["path"])
    return any(abs(finding["line"] - line) <= CATCH_SPAN and catches(kind, finding["code"])
               for line, kind in rows.get(path, ()))


def projects(roots: List[Path]) -> List[Path]:
    found = []
    for root in roots:
        children = sorted(path for path in root.iterdir() if path.is_dir()) if root.is_dir() else []
        if children and not any(root.glob("*.py")):
            found.extend(children)
        else:
            found.append(root)
    return found


def check(folder: Path) -> List[dict]:
    out = subprocess.run(COMMAND + ["--format", "json", "."], cwd=folder, capture_output=True, text=True)
    return json.loads(out.stdout or "[]")


def snapshot(folder: Path) -> Dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*.py")}


def measure(project: Path, scratch: Path) -> dict:
    copy = scratch / project.name
    shutil.copytree(project, copy, symlinks=True)
    before = check(copy)
    original = snapshot(copy)
    run = subprocess.run(COMMAND + ["--fix", "--unsafe-fixes", "."], cwd=copy, capture_output=True, text=True)
    # Why an offered fix was not made: the command's one-line note per file ("not fixed: ...").
    notes = {}
    for line in run.stderr.splitlines():
        found = re.match(r".*?: note: (.+?): not fixed: (.+)$", line)
        if found:
            notes[re.sub(r"^\./", "", found.group(1))] = found.group(2)
    fixed_once = snapshot(copy)
    subprocess.run(COMMAND + ["--fix", "--unsafe-fixes", "."], cwd=copy, capture_output=True, text=True)
    fixed_twice = snapshot(copy)
    after = check(copy)
    changed = [name for name, data in fixed_once.items() if original.get(name) != data]
    broken = []
    for name in changed:
        try:
            compile(fixed_once[name], name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            broken.append(f"{project.name}/{name}: {error}")
    counts_before = collections.Counter((f["path"], f["code"]) for f in before)
    counts_after = collections.Counter((f["path"], f["code"]) for f in after)
    new = [f"{project.name}/{path}: {code} x{counts_after[(path, code)] - counts_before[(path, code)]}"
           for path, code in counts_after if counts_after[(path, code)] > counts_before[(path, code)]]
    return {"before": before, "after": after, "changed": changed, "broken": broken, "new": new, "notes": notes,
            "unstable": [f"{project.name}/{name}" for name in fixed_once if fixed_twice.get(name) != fixed_once[name]]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print the per-code table as JSON")
    parser.add_argument("--labels", type=Path, help="count only the findings on this labels.tsv's BUG rows")
    args = parser.parse_args(argv)
    labelled = bug_rows(args.labels) if args.labels else None
    table: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    reasons: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    left: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    problems: Dict[str, List[str]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        for index, project in enumerate(projects(args.trees)):
            result = measure(project, Path(scratch) / f"p{index:03d}")
            remaining = collections.Counter((f["path"], f["code"]) for f in result["after"])
            counted = [f for f in result["before"]
                       if labelled is None or on_bug_row(f, labelled.get(project.name, {}))]
            offered = collections.Counter()
            for finding in counted:
                row = table[finding["code"]]
                row["findings"] += 1
                row[finding.get("fix_safety") or "none"] += 1
                if finding.get("fix_safety"):
                    offered[(finding["path"], finding["code"])] += 1
                else:
                    reasons[finding["code"]][finding.get("no_fix") or "(no reason given)"] += 1
            # What is gone is counted per (file, code): the findings that went, at most those offered.
            all_before = collections.Counter((f["path"], f["code"]) for f in result["before"])
            for key, count in offered.items():
                gone = max(all_before[key] - remaining[key], 0)
                table[key[1]]["fixed"] += min(gone, count)
                table[key[1]]["not taken"] += count - min(gone, count)
                if count > gone:
                    note = result["notes"].get(re.sub(r"^\./", "", key[0]), "(the command gave no note)")
                    left[key[1]][re.sub(r" at lines \d+-\d+", "", note)] += count - min(gone, count)
            for kind in ("broken", "new", "unstable"):
                problems[kind].extend(result[kind])
    if args.json:
        print(json.dumps({"codes": table, "no_fix": reasons, "not_taken": left, "problems": problems}, indent=2,
                         sort_keys=True))
    else:
        print(f"{'code':8}{'findings':>9}{'safe':>6}{'unsafe':>8}{'none':>6}{'fixed':>7}{'not taken':>11}")
        total = collections.Counter()
        for code in sorted(table):
            row = table[code]
            total.update(row)
            print(f"{code:8}{row['findings']:>9}{row['safe']:>6}{row['unsafe']:>8}{row['none']:>6}"
                  f"{row['fixed']:>7}{row['not taken']:>11}")
        share = total["fixed"] / total["findings"] if total["findings"] else 0.0
        print(f"{'total':8}{total['findings']:>9}{total['safe']:>6}{total['unsafe']:>8}{total['none']:>6}"
              f"{total['fixed']:>7}{total['not taken']:>11}   fixed {share:.0%} of the findings")
        offered = (total["safe"] + total["unsafe"]) / total["findings"] if total["findings"] else 0.0
        print(f"a fix offered for {offered:.0%} of the findings")
        for code in sorted(reasons):
            for reason, count in reasons[code].most_common():
                print(f"  no fix {code} x{count}: {reason}")
        for code in sorted(left):
            for reason, count in left[code].most_common():
                print(f"  not taken {code} x{count}: {reason}")
        for kind, what in (("broken", "fixed files that do not compile"), ("new", "new findings after the fix"),
                           ("unstable", "files a second --fix run changed")):
            print(f"{what}: {len(problems[kind])}")
            for line in problems[kind]:
                print(f"  {line}")
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
