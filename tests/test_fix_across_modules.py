"""Fixes that thread a training flag from a builder module into the module that imports it
(issue 25): the real command on real project folders. ``tests/fixes/projects/NAME/before`` fixed
with ``--fix --unsafe-fixes`` must equal ``NAME/after`` file for file; every fixed file compiles,
a second run changes nothing, and no finding is left. A project without ``after`` is refused:
nothing is written and the summary says why."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

PROJECTS = Path(__file__).parent / "fixes" / "projects"
FIXED = sorted(path.name for path in PROJECTS.iterdir() if (path / "after").is_dir())
REFUSED = sorted(path.name for path in PROJECTS.iterdir() if not (path / "after").is_dir())


def _command(folder: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *options, "."],
                          cwd=folder, capture_output=True, text=True)


def _files(folder: Path) -> dict:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.py"))}


def _copy(name: str, tmp_path: Path) -> Path:
    work = tmp_path / name
    shutil.copytree(PROJECTS / name / "before", work)
    return work


@pytest.mark.parametrize("name", FIXED)
def test_fix_threads_the_flag_into_the_importing_module(name, tmp_path):
    work = _copy(name, tmp_path)
    before = _command(work, "--format", "json")
    assert '"fix_safety": "unsafe"' in before.stdout
    done = _command(work, "--fix", "--unsafe-fixes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _files(work) == _files(PROJECTS / name / "after")
    changed = [path for path in work.glob("*.py")
               if path.read_bytes() != (PROJECTS / name / "before" / path.name).read_bytes()]
    assert len(changed) >= 2       # the builder's module and its importer, together
    for path in changed:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    fixed = _files(work)
    again = _command(work, "--fix", "--unsafe-fixes")
    assert _files(work) == fixed, "a second run changed a file"
    assert "remaining 0" in again.stderr + again.stdout


@pytest.mark.parametrize("name", FIXED)
def test_diff_shows_every_module_of_the_fix_and_writes_none(name, tmp_path):
    work = _copy(name, tmp_path)
    shown = _command(work, "--diff", "--unsafe-fixes")
    assert _files(work) == _files(PROJECTS / name / "before")
    headers = sorted(line[len("+++ b/"):] for line in shown.stdout.splitlines() if line.startswith("+++ b/"))
    changed = sorted(path.name for path in (PROJECTS / name / "after").glob("*.py")
                     if path.read_bytes() != (PROJECTS / name / "before" / path.name).read_bytes())
    assert headers == changed


@pytest.mark.parametrize("name", FIXED)
def test_a_module_that_cannot_be_written_leaves_every_module_as_it_was(name, tmp_path):
    """All or none: the builder's module is read-only, so after its importer was written the
    importer gets its old bytes back."""
    work = _copy(name, tmp_path)
    builder = next(path for path in work.glob("*.py")
                   if "batch_normalization(" in path.read_text())
    builder.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        done = _command(work, "--fix", "--unsafe-fixes")
    finally:
        builder.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert _files(work) == _files(PROJECTS / name / "before")
    assert "read-only" in done.stderr + done.stdout


# Why each refused project has no fix: its export.py is a script (no function to take a flag, no
# flag, no train op), one module above the builder's module or two.
REFUSAL = {
    "refused_no_flag_in_importer": "no caller within 3 calls has a training flag",
    "refused_three_modules": ("the site's function is called only from other modules, and none of them has a "
                              "training flag or runs the train op to pass one from"),
}


def test_every_refused_project_names_its_reason():
    assert sorted(REFUSAL) == REFUSED


@pytest.mark.parametrize("name", REFUSED)
def test_no_fix_when_no_importer_has_a_flag_to_pass(name, tmp_path):
    work = _copy(name, tmp_path)
    listed = _command(work, "--format", "json")
    assert '"fix_safety": null' in listed.stdout
    reason = REFUSAL[name]
    assert reason in listed.stdout
    done = _command(work, "--fix", "--unsafe-fixes")
    assert _files(work) == _files(PROJECTS / name / "before")
    assert reason in done.stderr + done.stdout
    assert os.listdir(work) == os.listdir(PROJECTS / name / "before")


def test_a_flag_parameter_nothing_passes_comes_with_a_note_for_its_callers(tmp_path):
    """The top of the path is a function nothing in the project calls: its new parameter keeps
    today's behaviour, and the command says who must pass it; a flag created where the train op
    runs (three_modules) needs no such note."""
    work = _copy("entry_point_in_importer", tmp_path)
    note = ("note: ./layers.py: in export.py: `serving_graph` gets a parameter `training=False` (what it does "
            "today) that nothing in the project passes: pass `training=True` where the training graph is built "
            "and `training=False` where it evaluates")
    assert note in _command(work, "--diff", "--unsafe-fixes").stderr
    assert note in _command(work, "--fix", "--unsafe-fixes").stderr
    assert "gets a parameter" not in _command(work, "--fix", "--unsafe-fixes").stderr    # nothing left to fix
    created = _command(_copy("three_modules", tmp_path), "--fix", "--unsafe-fixes")
    assert "remaining 0" in created.stderr and "gets a parameter" not in created.stderr
