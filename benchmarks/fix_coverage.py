"""How much of what the checker finds on real code its fixes repair (issue 25).

    python benchmarks/fix_coverage.py TREE [TREE ...] [--json]

Each TREE is a project folder (or a folder of project folders: every direct subfolder is taken
as one project). Each project is copied to a scratch folder and, as a new user would:

1. ``python -m flake8_bn_update_ops --isolated --format json .`` lists the findings and the
   fix each one offers (safe, unsafe or none);
2. ``--fix --unsafe-fixes --isolated .`` fixes the copy;
3. every file the fix changed must still compile, a second ``--fix --unsafe-fixes`` run must
   change nothing, and the re-check must show no finding the first check did not have (by code,
   per file: a count that grows is a new finding).

Per code it prints the findings, how many offered a safe or an unsafe fix, how many are gone
after the fix (fixed), how many were left although a fix was offered (the fix did not take),
and how many had no fix. The trees themselves are never written.
"""
from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

COMMAND = [sys.executable, "-m", "flake8_bn_update_ops", "--isolated"]


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
    subprocess.run(COMMAND + ["--fix", "--unsafe-fixes", "."], cwd=copy, capture_output=True, text=True)
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
    return {"before": before, "after": after, "changed": changed, "broken": broken, "new": new,
            "unstable": [f"{project.name}/{name}" for name in fixed_once if fixed_twice.get(name) != fixed_once[name]]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print the per-code table as JSON")
    args = parser.parse_args(argv)
    table: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    problems: Dict[str, List[str]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        for index, project in enumerate(projects(args.trees)):
            result = measure(project, Path(scratch) / f"p{index:03d}")
            remaining = collections.Counter((f["path"], f["code"]) for f in result["after"])
            offered = collections.Counter()
            for finding in result["before"]:
                row = table[finding["code"]]
                row["findings"] += 1
                row[finding.get("fix_safety") or "none"] += 1
                if finding.get("fix_safety"):
                    offered[(finding["path"], finding["code"])] += 1
            for key, count in offered.items():
                gone = max(collections.Counter((f["path"], f["code"]) for f in result["before"])[key]
                           - remaining[key], 0)
                table[key[1]]["fixed"] += min(gone, count)
                table[key[1]]["not taken"] += count - min(gone, count)
            for kind in ("broken", "new", "unstable"):
                problems[kind].extend(result[kind])
    if args.json:
        print(json.dumps({"codes": table, "problems": problems}, indent=2, sort_keys=True))
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
        for kind, what in (("broken", "fixed files that do not compile"), ("new", "new findings after the fix"),
                           ("unstable", "files a second --fix run changed")):
            print(f"{what}: {len(problems[kind])}")
            for line in problems[kind]:
                print(f"  {line}")
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
