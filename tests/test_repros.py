"""Minimal reproductions of the disagreements the differential test found against TensorFlow.

Each file in ``tests/differential/repros/`` starts with ``# expect: CODE line:col`` (or
``# expect: silent``); the TensorFlow numbers that decided it are in the file's header. Files
named ``fix_*`` also prove their fix: it applies under ``--unsafe-fixes``, compiles, silences the
code and is a fixed point. A folder is a small project (what one module cannot show: a helper in
another module): each of its modules that starts with ``# expect: ...`` is judged by that line, the
others must stay silent, each read at its real path so that it sees the other modules.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source

REPROS_DIR = Path(__file__).parent / "differential" / "repros"
REPROS = sorted(REPROS_DIR.glob("*.py"))
FOLDERS = sorted(path for path in REPROS_DIR.iterdir() if path.is_dir() and not path.name.startswith("__"))


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


def _folder_expectations(folder: Path):
    """relative path -> expectation (None: silent) of every module of a folder repro."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        found[path.relative_to(folder).as_posix()] = expectation(source) if source.startswith("# expect:") else None
    return found


@pytest.mark.parametrize("folder", FOLDERS, ids=[folder.name for folder in FOLDERS])
def test_folder_repro_is_reported_as_tensorflow_decided(folder):
    expected = _folder_expectations(folder)
    assert any(value is not None for value in expected.values()), "a folder repro names the finding it shows"
    for relative, wanted in expected.items():
        path = folder / relative
        found = [(finding.code, finding.line, finding.column + 1)
                 for finding in analyze_source(path.read_text(encoding="utf-8"), str(path))]
        assert found == ([] if wanted is None else [wanted]), relative


@pytest.mark.parametrize("folder", [folder for folder in FOLDERS if folder.name.startswith("fix_")],
                         ids=lambda folder: folder.name)
def test_folder_repro_fix_applies(folder, tmp_path):
    # A copy: the fix is planned with the other modules read from disk, and nothing is written here.
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    for relative, wanted in _folder_expectations(copy).items():
        if wanted is None:
            continue
        path = copy / relative
        source = path.read_text(encoding="utf-8")
        result = fix_source(source, str(path), unsafe=True)
        assert result.source != source and result.fixed >= 1
        compile(result.source, str(path), "exec")
        assert wanted[0] not in {finding.code for finding in analyze_source(result.source, str(path))}
        assert fix_source(result.source, str(path), unsafe=True).source == result.source
