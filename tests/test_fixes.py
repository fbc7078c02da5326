"""Fix pairs: ``tests/fixes/NAME.py`` fixed must equal ``NAME.expected.py`` byte for byte.

A first-line ``# fix: --unsafe-fixes`` opts a pair into unsafe fixes. Every pair also proves
the fixed file compiles, that a second run changes nothing, and that the fixed codes are gone.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source

FIXES_DIR = Path(__file__).parent / "fixes"
PAIRS = sorted(path for path in FIXES_DIR.glob("*.py") if not path.name.endswith(".expected.py"))


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:   # keep CRLF as it is
        return handle.read()


@pytest.mark.parametrize("path", PAIRS, ids=[path.stem for path in PAIRS])
def test_fix_output_matches_expected(path):
    source = _read(path)
    unsafe = source.startswith("# fix: --unsafe-fixes")
    before = analyze_source(source)
    result = fix_source(source, str(path), unsafe=unsafe)
    expected = _read(path.with_name(path.stem + ".expected.py"))
    assert result.source == expected
    compile(result.source, str(path), "exec")
    again = fix_source(result.source, str(path), unsafe=unsafe)
    assert again.source == result.source, "a second run changed the file"
    assert again.fixed == 0
    fixed_codes = {finding.code for finding in before if finding.fix_safety in (("safe", "unsafe") if unsafe else ("safe",))}
    after = {finding.code for finding in analyze_source(result.source)}
    assert not (fixed_codes & after) or _still_explained(before, result.source, fixed_codes, unsafe)


def _still_explained(before, fixed_source, fixed_codes, unsafe) -> bool:
    # A code may remain where another finding of it had no fix it may apply (a lambda it
    # cannot hoist out of, an unsafe guess): then the count dropped by the fixable ones.
    allowed = ("safe", "unsafe") if unsafe else ("safe",)
    fixable = sum(1 for finding in before if finding.fix_safety in allowed and finding.code in fixed_codes)
    remaining = sum(1 for finding in analyze_source(fixed_source) if finding.code in fixed_codes)
    total = sum(1 for finding in before if finding.code in fixed_codes)
    return remaining == total - fixable


def test_every_pair_has_an_expected_file():
    for path in PAIRS:
        assert path.with_name(path.stem + ".expected.py").exists(), path


# The end-to-end scripts are fix pairs too: ``tests/tf/scripts/NAME.py`` fixed must equal
# ``tests/tf/scripts/fixed/NAME.py``, the program TensorFlow runs to prove the fix trains
# (tests/tf/test_fix_e2e.py). Checked here without TensorFlow, so every environment checks the text.
TF_SCRIPTS = Path(__file__).parent / "tf" / "scripts"
TF_PAIRS = sorted(TF_SCRIPTS.glob("*.py"))


def test_every_tf_script_has_a_handwritten_fix():
    assert len(TF_PAIRS) >= 14
    assert sorted(path.name for path in (TF_SCRIPTS / "fixed").glob("*.py")) == [path.name for path in TF_PAIRS]


@pytest.mark.parametrize("path", TF_PAIRS, ids=[path.stem for path in TF_PAIRS])
def test_tf_script_fix_is_the_handwritten_fix(path):
    source = _read(path)
    unsafe = source.startswith("# fix: --unsafe-fixes")
    assert analyze_source(source, str(path)), "the buggy script has nothing to fix"
    result = fix_source(source, str(path), unsafe=unsafe)
    assert result.source == _read(TF_SCRIPTS / "fixed" / path.name)
    assert result.remaining == [] and analyze_source(result.source, str(path)) == []
    assert fix_source(result.source, str(path), unsafe=unsafe).source == result.source
