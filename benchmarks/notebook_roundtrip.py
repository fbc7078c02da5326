"""Round trip of `--fix` over real notebooks: byte for byte where nothing is fixed, only the fixed
cells' `source` otherwise. Not a CI test: it needs a folder of real notebooks (a copy is made;
the originals are never written).

    python benchmarks/notebook_roundtrip.py /path/to/notebooks [--jobs N]

For every `.ipynb` under the folder it runs the real command, `--fix --unsafe-fixes`, on a copy,
then compares: a notebook the command did not fix must be byte-identical; a fixed one must parse,
equal the original in everything but the `source` of some code cells, and differ from it in the
raw text only inside `source` values. Prints one line per problem and a summary; exit 1 on any.
"""
from __future__ import annotations

import argparse
import collections
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEYS_OUTSIDE_SOURCE = ('"outputs"', '"execution_count"', '"metadata"', '"cell_type"', '"source"')


def check_fixed(original: bytes, fixed: bytes) -> str:
    """'' when ``fixed`` differs from ``original`` only in code cells' sources, else why not."""
    try:
        before, after = json.loads(original), json.loads(fixed)
    except ValueError as exc:
        return f"the fixed notebook is not JSON: {exc}"
    if {k: v for k, v in before.items() if k != "cells"} != {k: v for k, v in after.items() if k != "cells"}:
        return "top-level keys changed"
    if len(before["cells"]) != len(after["cells"]):
        return "cell count changed"
    for old, new in zip(before["cells"], after["cells"]):
        old, new = dict(old), dict(new)
        old_source, new_source = old.pop("source"), new.pop("source")
        if old != new:
            return "something besides a source changed in a cell"
        if old_source != new_source and old.get("cell_type") != "code":
            return "a non-code cell changed"
    # Line by line (a character-level diff of a notebook full of base64 images is quadratic): every
    # changed line must be inside a source value.
    old_lines = original.decode("utf-8").splitlines(keepends=True)
    new_lines = fixed.decode("utf-8").splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = "".join(old_lines[i1:i2] + new_lines[j1:j2])
        if tag != "equal" and len(old_lines) > 1 and any(key in changed for key in KEYS_OUTSIDE_SOURCE):
            return "the raw text changed outside a source value"
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    originals = sorted(p for p in args.folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not originals:
        print(f"no notebooks under {args.folder}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "nb"
        for path in originals:
            target = copy / path.relative_to(args.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--fix", "--unsafe-fixes", "--isolated",
                               "--no-respect-gitignore", "--format", "json", "--jobs", str(args.jobs), "."],
                              cwd=copy, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if "Traceback" in proc.stderr:
            print(proc.stderr)
            return 1
        records = json.loads(proc.stdout or "[]")
        problems, identical, fixed = [], 0, 0
        for path in originals:
            relative = path.relative_to(args.folder)
            before, after = path.read_bytes(), (copy / relative).read_bytes()
            if before == after:
                identical += 1
                continue
            fixed += 1
            reason = check_fixed(before, after)
            if reason:
                problems.append(f"{relative}: {reason}")
    codes = collections.Counter(r["code"] for r in records)
    unparsable = collections.Counter(r["message"].split(":")[1].strip() for r in records if r["code"] == "BNU900")
    notes = [line for line in proc.stderr.splitlines() if ": note: " in line]
    for problem in problems:
        print(f"PROBLEM {problem}")
    print(f"{len(originals)} notebooks under {args.folder}: {identical} byte-identical after --fix, "
          f"{fixed} fixed ({fixed - len(problems)} changed only in code cells' source), "
          f"{len(problems)} problems; {seconds:.1f} s with --jobs {args.jobs}")
    print(f"remaining findings after the fix: {dict(sorted(codes.items()))}")
    if unparsable:
        print(f"BNU900 reasons: {dict(unparsable.most_common(5))}")
    print(f"notes ({len(notes)}): " + "; ".join(note.split(": note: ", 1)[1] for note in notes[:5]))
    print(proc.stderr.splitlines()[-1] if proc.stderr else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
