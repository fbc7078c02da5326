"""Every annotated case file, judged by the engine and by the real flake8 executable."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from casefiles import all_sections
from flake8_bn_update_ops.engine import analyze_source

SECTIONS = all_sections()


@pytest.mark.parametrize("section", SECTIONS, ids=[section.id for section in SECTIONS])
def test_engine_reports_exactly_the_annotated_findings(section):
    found = {(finding.line, finding.column + 1, finding.code) for finding in analyze_source(section.source)}
    assert found == section.expected, _explain(found, section.expected)


def test_real_flake8_reports_exactly_the_annotated_findings(tmp_path):
    expected = set()
    for number, section in enumerate(SECTIONS):
        name = f"{section.file.stem}__{section.index}.py"
        (tmp_path / name).write_text(section.source, encoding="utf-8")
        expected |= {(name, line, column, code) for line, column, code in section.expected}
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "BNU", "--format", "%(path)s|%(row)d|%(col)d|%(code)s", "."],
        cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, column, code = line.split("|")
        found.add((re.sub(r"^\./", "", path), int(row), int(column), code))
    assert found == expected, _explain(found, expected)
    assert result.returncode == (1 if expected else 0)


def test_case_files_annotate_every_code():
    codes = {code for section in SECTIONS for _, _, code in section.expected}
    assert {"BNU001", "BNU002", "BNU003", "BNU004", "BNU005", "BNU006", "BNU007", "BNU008"} <= codes


def _explain(found, expected) -> str:
    return f"missing: {sorted(expected - found)}\nunexpected: {sorted(found - expected)}"
