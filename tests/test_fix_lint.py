"""Code a fix writes passes flake8's default checks: no pycodestyle E/W code the input did not have
(E501 on a user's line that a wrap only re-indents aside: see the test).

Every fix pair of ``tests/fixes`` and every rule's flagged example (fixed with unsafe fixes too,
so every kind of fix writes), checked before and after by the real ``flake8 --select E,W`` with
flake8's default ignore list, in one run over all the files.
"""
from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from flake8_bn_update_ops.engine import fix_source
from flake8_bn_update_ops.rules import all_rules

FIXES_DIR = Path(__file__).parent / "fixes"
PAIRS = sorted(path for path in FIXES_DIR.glob("*.py") if not path.name.endswith(".expected.py"))


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _inputs():
    for path in PAIRS:
        source = _read(path)
        yield path.stem, source, source.startswith("# fix: --unsafe-fixes")
    for rule in all_rules():
        for index, source in enumerate(rule.flagged):
            yield f"{rule.code.lower()}_flagged_{index}", source, True


def _default_ignore() -> str:
    from flake8 import defaults

    return ",".join(defaults.IGNORE)


@pytest.fixture(scope="module")
def lint(tmp_path_factory):
    """{name: (codes before, codes after, fixed text)} for every input the fixer changes."""
    folder = tmp_path_factory.mktemp("lint")
    fixed_texts = {}
    for name, source, unsafe in _inputs():
        fixed = fix_source(source, f"{name}.py", unsafe=unsafe).source
        if fixed == source:
            continue
        fixed_texts[name] = fixed
        for suffix, text in (("before", source), ("after", fixed)):
            with open(folder / f"{name}__{suffix}.py", "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "E,W", "--ignore", _default_ignore(),
         "--format", "%(path)s|%(row)d|%(code)s", "."],
        cwd=folder, capture_output=True, text=True)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    codes = defaultdict(set)
    for line in result.stdout.splitlines():
        path, row, code = line.split("|")
        codes[Path(path).stem].add((code, int(row)))
    return {name: ({code for code, _ in codes[f"{name}__before"]}, codes[f"{name}__after"], text)
            for name, text in fixed_texts.items()}


def test_the_fixer_changes_every_pair_and_every_flagged_example_it_can_fix(lint):
    # The comparison below means something only if the fixes were made.
    assert len(lint) >= len(PAIRS) - 1
    assert {name.split("_")[0] for name in lint} >= {f"bnu00{n}" for n in range(1, 9)}


@pytest.mark.parametrize("name", [name for name, _, _ in _inputs()])
def test_fixed_code_adds_no_pycodestyle_code(lint, name):
    source, unsafe = next((source, unsafe) for input_name, source, unsafe in _inputs() if input_name == name)
    if name not in lint:
        # Left as it is (a pair that documents a refusal): nothing new can be written there.
        assert fix_source(source, f"{name}.py", unsafe=unsafe).source == source
        return
    before, after, text = lint[name]
    lines = text.splitlines()
    # A user's own line that the fix only moves into a new block keeps its text: it may then
    # pass the line length (E501) by the block's indentation, and the fixer does not reformat
    # user code. Every line a fix writes must fit.
    kept = {line.strip() for line in source.splitlines()}
    new = sorted((code, row) for code, row in after if code not in before
                 and not (code == "E501" and lines[row - 1].strip() in kept))
    assert not new, "\n".join(f"{code} line {row}: {lines[row - 1]!r}" for code, row in new)
