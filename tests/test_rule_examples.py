"""Every rule unit's own examples (``rules/<code>.py``): flagged ones are reported exactly where
their ``# expect: CODE:column`` markers say, by the engine and by the real flake8; silent ones
get no finding of that code; fixed ones (source -> expected) are what the fix of that code
writes, in the engine and through the real command, and fixing again changes nothing."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source
from flake8_bn_update_ops.findings import FixSafety
from flake8_bn_update_ops.rules import CODES, all_rules

_EXPECT = re.compile(r"#\s*expect:\s*((?:BNU\d{3}:\d+[\s,]*)+)")

RULES = all_rules()
FLAGGED = [(rule, index, source) for rule in RULES for index, source in enumerate(rule.flagged)]
SILENT = [(rule, index, source) for rule in RULES for index, source in enumerate(rule.silent)]


def expected_findings(source: str, code: str):
    found = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for item in re.findall(r"BNU\d{3}:\d+", match.group(1)):
                marked, column = item.split(":")
                if marked == code:
                    found.add((number, int(column)))
    return found


def test_the_registry_lists_each_code_once_in_order():
    assert [rule.code for rule in RULES] == list(CODES)
    assert len(set(CODES)) == len(CODES) >= 8 and list(CODES) == sorted(CODES)


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_rule_documents_itself_with_examples_both_ways(rule):
    assert rule.title and rule.effect and rule.fix
    assert rule.fix_safety in ("safe", "unsafe", "safe or unsafe", "none")
    assert rule.flagged and rule.silent
    assert all(expected_findings(source, rule.code) for source in rule.flagged)


@pytest.mark.parametrize("rule,index,source", FLAGGED, ids=[f"{r.code}-flagged-{i}" for r, i, _ in FLAGGED])
def test_flagged_example_is_reported_where_marked(rule, index, source):
    compile(source, f"{rule.code}_flagged_{index}.py", "exec")
    found = {(f.line, f.column + 1) for f in analyze_source(source) if f.code == rule.code}
    assert found == expected_findings(source, rule.code)


@pytest.mark.parametrize("rule,index,source", SILENT, ids=[f"{r.code}-silent-{i}" for r, i, _ in SILENT])
def test_silent_example_gets_no_finding_of_its_code(rule, index, source):
    compile(source, f"{rule.code}_silent_{index}.py", "exec")
    assert [f for f in analyze_source(source) if f.code == rule.code] == []


def test_real_flake8_agrees_on_every_example(tmp_path):
    expected = set()
    for rule, index, source in FLAGGED + SILENT:
        kind = "flagged" if (rule, index, source) in FLAGGED else "silent"
        name = f"{rule.code.lower()}_{kind}_{index}.py"
        (tmp_path / name).write_text(source, encoding="utf-8")
        expected |= {(name, line, column, rule.code) for line, column in expected_findings(source, rule.code)}
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "BNU",
         "--format", "%(path)s|%(row)d|%(col)d|%(code)s", "."],
        cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, column, code = line.split("|")
        name = re.sub(r"^\./", "", path)
        if code == name.split("_")[0].upper():   # each example is judged on its own code
            found.add((name, int(row), int(column), code))
    assert found == expected


FIXED = [(rule, index, source, expected) for rule in RULES for index, (source, expected) in enumerate(rule.fixed)]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_a_rule_with_a_fix_shows_what_it_writes(rule):
    if rule.fix_safety == FixSafety.NONE:
        assert rule.fixed == ()
    else:
        assert rule.fixed, f"{rule.code} offers a fix but has no fixed-output example"


@pytest.mark.parametrize("rule,index,source,expected", FIXED, ids=[f"{r.code}-fixed-{i}" for r, i, _, _ in FIXED])
def test_fixed_example_is_what_the_fix_writes(rule, index, source, expected):
    name = f"{rule.code}_fixed_{index}.py"
    fixable = [f for f in analyze_source(source, name) if f.code == rule.code and f.fix is not None]
    assert fixable, f"the source of {rule.code}'s fixed example {index} has no fixable {rule.code} finding"
    result = fix_source(source, name, unsafe=True, select=(rule.code,))
    assert result.source == expected
    compile(expected, name, "exec", dont_inherit=True)
    assert [f for f in analyze_source(expected, name) if f.code == rule.code] == []
    again = fix_source(expected, name, unsafe=True, select=(rule.code,))
    assert again.source == expected and again.fixed == 0


def test_the_real_command_writes_every_fixed_example(tmp_path):
    # One run over every example, each file judged on its own code (the others ignored there, as a
    # fix of one code can reveal another: BNU002's flag makes a BNU001 appear).
    ignores = []
    for rule, index, source, _ in FIXED:
        name = f"{rule.code.lower()}_fixed_{index}.py"
        (tmp_path / name).write_text(source, encoding="utf-8")
        ignores.append(f"{name}:{','.join(code for code in CODES if code != rule.code)}")
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--fix", "--unsafe-fixes",
                           "--select", "BNU", "--per-file-ignores", " ".join(ignores), "."],
                          cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr and proc.returncode == 0, proc.stdout + proc.stderr
    for rule, index, _, expected in FIXED:
        assert (tmp_path / f"{rule.code.lower()}_fixed_{index}.py").read_text(encoding="utf-8") == expected
