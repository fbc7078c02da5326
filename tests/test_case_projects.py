"""Case projects: annotated multi-file cases, for the forms one module cannot show.

Format. Each folder ``tests/cases_projects/<name>/`` is one small project laid out as a user's
repository would be (packages with or without ``__init__.py``, scripts in subfolders, relative
imports). Every ``.py`` file in it carries its expectations inline, exactly as the single-module
case files in ``tests/cases`` do: a trailing ``# expect: BNU001:16`` names a finding's code and
1-based column on that line, and every other line of every file must stay silent. A project
puts a form and its look-alike side by side: typically a flagged trainer next to a silent one
that differs only in what it imports (a module with batch norm, or one without), so that a
checker that guesses instead of resolving fails one of the two. Each file opens with a comment
saying what it shows.

Judging. Each project is copied to a temporary folder, so that real paths, and nothing from
this repository's tree, decide what an import reaches, and is judged twice, the way a user runs
the tools at the root of their repository:

- by the engine: ``analyze_source(text, <real path>)`` for every file, with the project root as
  the current directory (an import root, as in a flake8 run there);
- by the real flake8 executable, ``flake8 --isolated --select BNU .`` run in the project root.

Both must report exactly the annotated findings. Adding a case is adding a folder or a file;
avoid file names that pytest collects (``test_*.py``, ``*_test.py``).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from casefiles import all_projects
from flake8_bn_update_ops.engine import analyze_source

PROJECTS = all_projects()


@pytest.fixture
def copied(request, tmp_path, monkeypatch):
    project = request.param
    root = tmp_path / project.root.name
    shutil.copytree(project.root, root)
    monkeypatch.chdir(root)
    return project, root


@pytest.mark.parametrize("copied", PROJECTS, ids=[project.id for project in PROJECTS], indirect=True)
def test_engine_reports_exactly_the_annotated_findings(copied):
    project, root = copied
    found, expected = set(), set()
    for relative, marked in project.expected.items():
        path = root / relative
        source = path.read_text(encoding="utf-8")
        found |= {(relative, finding.line, finding.column + 1, finding.code)
                  for finding in analyze_source(source, str(path))}
        expected |= {(relative, line, column, code) for line, column, code in marked}
    assert found == expected, _explain(found, expected)


@pytest.mark.parametrize("copied", PROJECTS, ids=[project.id for project in PROJECTS], indirect=True)
def test_real_flake8_reports_exactly_the_annotated_findings(copied):
    project, root = copied
    expected = {(relative, line, column, code)
                for relative, marked in project.expected.items() for line, column, code in marked}
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "BNU",
         "--format", "%(path)s|%(row)d|%(col)d|%(code)s", "."],
        cwd=root, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, column, code = line.split("|")
        found.add((re.sub(r"^\./", "", path).replace("\\", "/"), int(row), int(column), code))
    assert found == expected, _explain(found, expected)
    assert result.returncode == (1 if expected else 0)


def test_every_project_annotates_a_finding():
    # A marker that no longer parses would otherwise turn a project into "all silent".
    assert PROJECTS
    for project in PROJECTS:
        assert any(project.expected.values()), f"{project.id} annotates no finding"


def _explain(found, expected) -> str:
    return f"missing: {sorted(expected - found)}\nunexpected: {sorted(found - expected)}"
