"""Minimal reproductions of the disagreements the differential test found against TensorFlow.

Each file in ``tests/differential/repros/`` starts with ``# expect: CODE line:col`` (or
``# expect: silent``); the TensorFlow numbers that decided it are in the file's header. Files
named ``fix_*`` also prove their fix: it applies under ``--unsafe-fixes``, compiles, silences the
code and is a fixed point.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source

REPROS = sorted((Path(__file__).parent / "differential" / "repros").glob("*.py"))


def expectation(source: str):
    header = re.match(r"# expect: (silent|(BNU\d{3}) (\d+):(\d+))", source)
    assert header, "a repro starts with '# expect: ...'"
    return None if header.group(1) == "silent" else (header.group(2), int(header.group(3)), int(header.group(4)))


@pytest.mark.parametrize("path", REPROS, ids=[path.stem for path in REPROS])
def test_repro_is_reported_as_tensorflow_decided(path):
    source = path.read_text(encoding="utf-8")
    expected = expectation(source)
    found = [(finding.code, finding.line, finding.column + 1) for finding in analyze_source(source, str(path))]
    assert found == ([] if expected is None else [expected])


@pytest.mark.parametrize("path", [path for path in REPROS if path.name.startswith("fix_")],
                         ids=lambda path: path.stem)
def test_repro_fix_applies(path):
    source = path.read_text(encoding="utf-8")
    code = expectation(source)[0]
    result = fix_source(source, str(path), unsafe=True)
    assert result.source != source and result.fixed >= 1
    compile(result.source, str(path), "exec")
    assert code not in {finding.code for finding in analyze_source(result.source, str(path))}
    assert fix_source(result.source, str(path), unsafe=True).source == result.source
