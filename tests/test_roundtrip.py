"""The fixer over a large real code base: every .py file of the installed TensorFlow and tf_keras.

Thousands of files written by other people, with real batch-norm and optimizer code among them,
fixed with ``--fix --unsafe-fixes`` by the real command: no crash, every changed file still
compiles, and a second run changes nothing. Prints the counts and the time taken.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import pytest

from requires import require

PACKAGES = ("tensorflow", "tf_keras")
FINDING = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>BNU\d{3}) ", re.MULTILINE)


def _package_dirs():
    """Installed package directories, located without importing them (TensorFlow costs seconds)."""
    found = {}
    for name in PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            found[name] = Path(list(spec.submodule_search_locations)[0])
    return found


def _copy_python_files(packages: dict, corpus: Path) -> int:
    count = 0
    for name, root in packages.items():
        for source in root.rglob("*.py"):
            if "__pycache__" in source.parts or not source.is_file():
                continue
            target = corpus / name / source.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            count += 1
    return count


def _snapshot(corpus: Path) -> dict:
    return {p.relative_to(corpus): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}


def _compiles(data: bytes, path: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _run(corpus: Path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--fix", "--unsafe-fixes", str(corpus)],
                          capture_output=True, text=True, timeout=3600, env=env)
    return proc, time.monotonic() - start


@pytest.mark.slow
def test_fix_round_trip_over_installed_tensorflow_and_tf_keras(tmp_path):
    packages = _package_dirs()
    require(set(packages) == set(PACKAGES),
            f"{', '.join(sorted(set(PACKAGES) - set(packages)))} not installed (the tox `tf` env installs both)")
    corpus = tmp_path / "corpus"
    n_files = _copy_python_files(packages, corpus)
    assert n_files > 100, f"suspiciously few files in {packages}"
    before = _snapshot(corpus)

    first, first_seconds = _run(corpus)
    output = first.stdout + first.stderr
    assert "Traceback" not in output, output[-5000:]
    assert first.returncode in (0, 1), (first.returncode, first.stderr[-3000:])  # 2 would mean an I/O error
    after = _snapshot(corpus)
    assert set(after) == set(before), f"files appeared or vanished: {sorted(set(after) ^ set(before))[:10]}"

    changed = sorted(rel for rel in before if after[rel] != before[rel])
    broken = [str(rel) for rel in changed if not _compiles(after[rel], str(rel))]
    assert not broken, f"fixed files that no longer compile: {broken}"

    second, second_seconds = _run(corpus)
    assert "Traceback" not in second.stdout + second.stderr, (second.stdout + second.stderr)[-5000:]
    assert second.returncode in (0, 1), (second.returncode, second.stderr[-3000:])
    again = _snapshot(corpus)
    moved = sorted(str(rel) for rel in after if again[rel] != after[rel])
    assert not moved, f"a second run changed files again: {moved}"

    remaining = Counter(m["code"] for m in FINDING.finditer(first.stdout))
    remaining_second = Counter(m["code"] for m in FINDING.finditer(second.stdout))
    print(f"\nround trip over {', '.join(f'{k} ({v})' for k, v in packages.items())}")
    print(f"files: {n_files}; changed by the fix run: {len(changed)}")
    for rel in changed:
        print(f"  changed: {rel}")
    print(f"first run: exit {first.returncode}, {first_seconds:.1f} s; findings reported: {dict(sorted(remaining.items()))}")
    print(f"second run: exit {second.returncode}, {second_seconds:.1f} s; findings reported: "
          f"{dict(sorted(remaining_second.items()))}")
    print("first run summary (last lines of stderr):")
    for line in first.stderr.strip().splitlines()[-5:]:
        print("  " + line)
    # The second run starts from the fixed tree: it can only report what the first run left.
    assert not remaining_second - remaining, "the fixed tree has findings the first run never reported"
