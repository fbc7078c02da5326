"""Issue 26 (part A): the user's own flake8 (and ruff) configuration, read by the command as
flake8 reads it, compared with the real flake8 on the same files.

select/extend-select, per-file-ignores and disable-noqa decide the same findings in both tools;
``--add-noqa`` marks legacy code so that both pass; ruff settings the command does not read are
named in one line.
"""
import json
import re
import subprocess
import sys
import textwrap

import pytest
from test_cli import BUGGY, finding_lines, run_cli, write

# BNU003 (line 5, flag missing) and BNU001 (line 12): both with safe fixes.
TWO_CODES = textwrap.dedent("""\
    import tensorflow as tf


    def tower(x, training):
        return tf.layers.batch_normalization(x)


    def build(x, labels, training):
        net = tf.layers.batch_normalization(x, training=training)
        loss = tf.losses.mean_squared_error(labels, net)
        optimizer = tf.train.AdamOptimizer(1e-3)
        train_op = optimizer.minimize(loss)
        return train_op
""")
PLACE = re.compile(r"^(\S+?:\d+:\d+): (BNU\d{3})")


def places(text):
    """{(path, line, column, code)} of the BNU lines of flake8-style output, "./" dropped."""
    found = set()
    for line in text.splitlines():
        match = PLACE.match(line)
        if match:
            found.add((match.group(1).replace("./", "", 1) if match.group(1).startswith("./") else match.group(1),
                       match.group(2)))
    return found


def run_flake8(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# ---------------------------------------------------------------------------- select = E,W,F

def test_a_flake8_select_without_bnu_is_a_one_line_error_not_a_silent_pass(tmp_path):
    write(tmp_path, "setup.cfg", "[flake8]\nselect = E,W,F\n")
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, ".")
    assert proc.returncode == 2 and proc.out == ""
    lines = proc.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flake8-bn-update-ops: error: no BNU code is selected "
                                                   "(select = E,W,F (")
    assert "setup.cfg)" in lines[0] and "extend-select = BNU" in lines[0] and "--select BNU" in lines[0]
    # flake8 itself, correctly, reports no BNU code under that configuration.
    assert "BNU" not in run_flake8(tmp_path, ".").stdout
    # The two ways out the message names both work.
    assert run_cli(tmp_path, "--select", "BNU", ".").returncode == 1
    write(tmp_path, "setup.cfg", "[flake8]\nselect = E,W,F\nextend-select = BNU\n")
    proc = run_cli(tmp_path, ".")
    assert proc.returncode == 1
    assert places(proc.out) == places(run_flake8(tmp_path, ".").stdout) == {("train.py:7:16", "BNU001")}


def test_extend_select_adds_to_the_configured_select_as_in_flake8(tmp_path):
    write(tmp_path, "setup.cfg", "[flake8]\nselect = E,W,F\n")
    write(tmp_path, "model.py", TWO_CODES)
    proc = run_cli(tmp_path, "--extend-select", "BNU001", "model.py")
    flake8 = run_flake8(tmp_path, "--extend-select", "BNU001", "model.py")
    assert proc.returncode == 1
    assert places(proc.out) == places(flake8.stdout) == {("model.py:12:16", "BNU001")}
    # Without a select, extend-select only adds: every BNU code stays selected.
    proc = run_cli(tmp_path, "--isolated", "--extend-select", "BNU001", "model.py")
    assert {code for _, code in places(proc.out)} == {"BNU001", "BNU003"}


def test_a_longer_select_beats_a_shorter_ignore_as_in_flake8(tmp_path):
    write(tmp_path, "model.py", TWO_CODES)
    args = ("--isolated", "--select", "BNU001", "--ignore", "BNU", "model.py")
    proc = run_cli(tmp_path, *args)
    assert places(proc.out) == places(run_flake8(tmp_path, *args).stdout) == {("model.py:12:16", "BNU001")}


# ---------------------------------------------------------------------------- per-file-ignores

PER_FILE = """\
[flake8]
per-file-ignores =
    legacy/*.py: BNU
    test_*.py: BNU001,E501
"""


def _per_file_tree(tmp_path):
    write(tmp_path, "setup.cfg", PER_FILE)
    write(tmp_path, "train.py", TWO_CODES)
    write(tmp_path, "legacy/old.py", TWO_CODES)
    write(tmp_path, "tests/test_model.py", TWO_CODES)


def test_per_file_ignores_decides_the_same_findings_as_flake8(tmp_path):
    _per_file_tree(tmp_path)
    proc = run_cli(tmp_path, ".")
    flake8 = run_flake8(tmp_path, "--select", "BNU", ".")
    expected = {("train.py:5:12", "BNU003"), ("train.py:12:16", "BNU001"),
                ("tests/test_model.py:5:12", "BNU003")}
    assert places(proc.out) == places(flake8.stdout) == expected
    assert proc.returncode == 1
    assert "3 files: fixed 0, remaining 3" in proc.err
    assert "1 file not checked: per-file-ignores ignores every code" in proc.err


def test_fix_leaves_what_per_file_ignores_excludes(tmp_path):
    _per_file_tree(tmp_path)
    proc = run_cli(tmp_path, "--fix", ".")
    assert proc.returncode == 0, proc.err
    assert (tmp_path / "legacy" / "old.py").read_text() == TWO_CODES
    test_module = (tmp_path / "tests" / "test_model.py").read_text()
    assert "tf.layers.batch_normalization(x, training=training)\n\n\ndef build" in test_module   # BNU003 fixed
    assert "control_dependencies" not in test_module                                          # BNU001 kept
    assert "control_dependencies" in (tmp_path / "train.py").read_text()


def test_per_file_ignores_on_the_command_line_and_in_pyproject(tmp_path):
    write(tmp_path, "train.py", TWO_CODES)
    proc = run_cli(tmp_path, "--isolated", "--per-file-ignores", "train.py:BNU003", "train.py")
    assert places(proc.out) == {("train.py:12:16", "BNU001")}
    write(tmp_path, "pyproject.toml", '[tool.flake8-bn-update-ops]\nper-file-ignores = {"train.py" = ["BNU001"]}\n')
    proc = run_cli(tmp_path, "train.py")
    assert places(proc.out) == {("train.py:5:12", "BNU003")}
    write(tmp_path, "pyproject.toml", '[tool.flake8-bn-update-ops]\nper-file-ignores = "train.py BNU001"\n')
    proc = run_cli(tmp_path, "train.py")
    assert proc.returncode == 2 and "per-file-ignores: expected pairs of 'file globs: codes'" in proc.err


def test_per_file_ignores_applies_to_standard_input_by_its_display_name(tmp_path):
    write(tmp_path, "setup.cfg", PER_FILE)
    proc = run_cli(tmp_path, "--stdin-filename", "legacy/old.py", "-", stdin=TWO_CODES.encode())
    assert proc.returncode == 0 and finding_lines(proc.out) == []
    proc = run_cli(tmp_path, "--stdin-filename", "new.py", "-", stdin=TWO_CODES.encode())
    assert proc.returncode == 1 and len(finding_lines(proc.out)) == 2


# ---------------------------------------------------------------------------- --disable-noqa

def test_disable_noqa_reports_what_noqa_hides_as_flake8_does(tmp_path):
    hidden = TWO_CODES.replace("optimizer.minimize(loss)", "optimizer.minimize(loss)  # noqa: BNU001")
    write(tmp_path, "hidden.py", hidden)
    write(tmp_path, "exempt.py", "# flake8: noqa\n" + BUGGY)
    quiet = run_cli(tmp_path, "--isolated", "hidden.py", "exempt.py")
    assert places(quiet.out) == {("hidden.py:5:12", "BNU003")}
    loud = run_cli(tmp_path, "--isolated", "--disable-noqa", "hidden.py", "exempt.py")
    flake8 = run_flake8(tmp_path, "--isolated", "--select", "BNU", "--disable-noqa", "hidden.py", "exempt.py")
    expected = {("hidden.py:5:12", "BNU003"), ("hidden.py:12:16", "BNU001"), ("exempt.py:8:16", "BNU001")}
    assert places(loud.out) == places(flake8.stdout) == expected
    write(tmp_path, "setup.cfg", "[flake8]\ndisable-noqa = true\n")
    assert places(run_cli(tmp_path, "hidden.py", "exempt.py").out) == expected


def test_fix_with_disable_noqa_leaves_noqa_lines_and_still_reports_them(tmp_path):
    hidden = TWO_CODES.replace("optimizer.minimize(loss)", "optimizer.minimize(loss)  # noqa: BNU001")
    path = write(tmp_path, "hidden.py", hidden)
    proc = run_cli(tmp_path, "--isolated", "--disable-noqa", "--fix", "hidden.py")
    assert proc.returncode == 1
    assert places(proc.out) == {("hidden.py:12:16", "BNU001")}
    assert "fixed 1, remaining 1" in proc.err
    assert path.read_text() == hidden.replace("batch_normalization(x)", "batch_normalization(x, training=training)")


# ---------------------------------------------------------------------------- --add-noqa

MARKED = TWO_CODES.replace(
    "batch_normalization(x)\n", "batch_normalization(x)  # noqa: E501, BNU003\n").replace(
    "optimizer.minimize(loss)\n", "optimizer.minimize(loss)  # noqa: BNU001\n")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_add_noqa_marks_every_finding_merging_existing_comments(tmp_path, newline):
    legacy = TWO_CODES.replace("batch_normalization(x)\n", "batch_normalization(x)  # noqa:E501\n")
    path = tmp_path / "legacy.py"
    path.write_bytes(legacy.replace("\n", newline).encode())
    proc = run_cli(tmp_path, "--isolated", "--add-noqa", "legacy.py")
    assert proc.returncode == 0 and proc.out == "", proc.out
    assert "1 file: fixed 0, remaining 0; added 2 # noqa comments" in proc.err
    assert path.read_bytes() == MARKED.replace("\n", newline).encode()
    compile(path.read_bytes(), "legacy.py", "exec")
    # flake8 agrees the findings are hidden, and a second run changes nothing.
    assert "BNU" not in run_flake8(tmp_path, "--isolated", "--select", "BNU", "legacy.py").stdout
    again = run_cli(tmp_path, "--isolated", "--add-noqa", "legacy.py")
    assert again.returncode == 0 and "added 0 # noqa comments" in again.err
    assert path.read_bytes() == MARKED.replace("\n", newline).encode()


def test_add_noqa_on_a_multi_line_string_statement_marks_the_line_flake8_reads(tmp_path):
    source = BUGGY.replace("train_op = opt.minimize(loss)",
                           'train_op = opt.minimize(loss, name="""a\n    b""")')
    path = write(tmp_path, "doc.py", source)
    proc = run_cli(tmp_path, "--isolated", "--add-noqa", "doc.py")
    assert proc.returncode == 0
    assert path.read_text() == source.replace('b""")', 'b""")  # noqa: BNU001')
    assert "BNU" not in run_flake8(tmp_path, "--isolated", "--select", "BNU", "doc.py").stdout


def test_add_noqa_refuses_notebooks_standard_input_and_fix_in_one_line(tmp_path):
    cell = {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1, "outputs": [],
            "source": BUGGY.splitlines(keepends=True)}
    notebook = json.dumps({"cells": [cell], "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                           "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    path = write(tmp_path, "train.ipynb", notebook)
    proc = run_cli(tmp_path, "--isolated", "--add-noqa", "train.ipynb")
    assert proc.returncode == 1 and len(finding_lines(proc.out)) == 1
    assert "note: train.ipynb: --add-noqa does not edit notebooks; its findings are reported" in proc.err
    assert path.read_text() == notebook
    proc = run_cli(tmp_path, "--isolated", "--add-noqa", "-", stdin=BUGGY.encode())
    assert proc.returncode == 2 and proc.err.strip().endswith("--add-noqa edits files; it cannot read standard input")
    proc = run_cli(tmp_path, "--isolated", "--add-noqa", "--fix", "train.ipynb")
    assert proc.returncode == 2 and "--add-noqa cannot be combined with --fix or --diff" in proc.err


# ---------------------------------------------------------------------------- ruff's settings

def test_ruff_settings_the_command_does_not_read_are_named_in_one_line(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    write(tmp_path, "pyproject.toml", textwrap.dedent("""\
        [tool.ruff]
        line-length = 100
        [tool.ruff.lint]
        select = ["E", "F"]
        external = ["BNU"]
        per-file-ignores = {"legacy/*" = ["BNU001"], "tests/*" = ["S101"]}
    """))
    proc = run_cli(tmp_path, "train.py")
    notes = [line for line in proc.err.splitlines() if "ruff" in line]
    assert notes == ["flake8-bn-update-ops: note: pyproject.toml: ruff's line-length, lint.per-file-ignores are "
                     "not read by this command (nor by flake8); set them in [flake8] or "
                     "[tool.flake8-bn-update-ops]"]
    assert proc.returncode == 1     # the check itself runs as before
    assert "ruff" not in run_cli(tmp_path, "--isolated", "train.py").err


def test_a_ruff_configuration_that_cannot_change_the_command_is_not_mentioned(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    write(tmp_path, "ruff.toml", '[lint]\nselect = ["E", "F"]\nper-file-ignores = {"tests/*" = ["S101"]}\n')
    assert "ruff" not in run_cli(tmp_path, "train.py").err
    write(tmp_path, "ruff.toml", '[lint]\nextend-ignore = ["BNU002"]\n')
    assert "ruff's lint.extend-ignore is not read" in run_cli(tmp_path, "train.py").err


def test_per_file_ignores_globs_are_relative_to_the_current_folder_as_in_flake8(tmp_path):
    # flake8 7.5 makes a glob with a slash absolute against the current folder, not against the
    # configuration file's: from a subfolder, "legacy/*.py" no longer names ../legacy/old.py.
    _per_file_tree(tmp_path)
    (tmp_path / "sub").mkdir()
    from_sub = run_cli(tmp_path / "sub", "../legacy/old.py")
    flake8 = run_flake8(tmp_path / "sub", "--select", "BNU", "../legacy/old.py")
    assert {code for _, code in places(from_sub.out)} == {code for _, code in places(flake8.stdout)} \
        == {"BNU001", "BNU003"}
    assert run_cli(tmp_path, "legacy/old.py").returncode == 0


def test_add_noqa_leaves_a_line_whose_noqa_text_flake8_reads_first_and_says_so(tmp_path):
    # flake8 reads the first "# noqa" text of a line, even inside a string: a comment added after
    # it would hide nothing, so the line is left as it is and the finding stays reported.
    source = BUGGY.replace("opt.minimize(loss)", 'opt.minimize(loss, name="# noqa: E1")')
    path = write(tmp_path, "s.py", source)
    proc = run_cli(tmp_path, "--isolated", "--add-noqa", "s.py")
    assert proc.returncode == 1 and places(proc.out) == {("s.py:7:16", "BNU001")}
    assert ("note: s.py: no # noqa comment added at line 7: flake8 would read another # noqa text there first"
            in proc.err)
    assert path.read_text() == source


@pytest.mark.parametrize("line, message", [
    ("per-file-ignores = a.py", "per-file-ignores: expected pairs of 'file globs: codes', got 'a.py'"),
    ("per-file-ignores = a.py: b.py: BNU", "per-file-ignores: expected pairs of 'file globs: codes'"),
    ("disable-noqa = maybe", "disable-noqa: expected yes or no, got 'maybe'"),
    ("extend-select = bnu", "extend-select: 'bnu' is not a code prefix"),
])
def test_bad_values_of_the_new_keys_are_one_line_errors_naming_the_file(tmp_path, line, message):
    write(tmp_path, "setup.cfg", f"[flake8]\n{line}\n")
    path = write(tmp_path, "train.py", BUGGY)
    for args in (("train.py",), ("--fix", "train.py")):
        proc = run_cli(tmp_path, *args)
        assert proc.returncode == 2 and proc.out == ""
        lines = proc.err.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(f"flake8-bn-update-ops: error: {tmp_path / 'setup.cfg'}: {message}")
    assert path.read_text() == BUGGY
