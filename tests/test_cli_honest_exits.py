"""Issue 26 (part A): the command's exits and reports say what happened, through the real command.

Unparsable files are placed where the parser stops, skipped files are counted, a failed write
reports the file on disk, a selection that matches nothing is an error, every format gives a
code the same severity, and ``--diff`` applies with ``git apply``.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest
from requires import require
from test_cli import BUGGY, finding_lines, run_cli, write
from flake8_bn_update_ops.rules import CODES

# Two BNU001: the first has a safe fix (which adds a line), the second only an unsafe one, so
# after the safe fix the second sits one line lower than on disk.
TWO = textwrap.dedent("""\
    import tensorflow as tf


    def build(x, is_training):
        h = tf.layers.batch_normalization(x, training=is_training)
        loss = tf.reduce_mean(h)
        opt = tf.train.AdamOptimizer(1e-3)
        train_op = opt.minimize(loss)
        return train_op


    def model_fn(features, labels, mode):
        h = tf.layers.batch_normalization(features, training=mode == tf.estimator.ModeKeys.TRAIN)
        loss = tf.reduce_mean(h)
        opt = tf.train.AdamOptimizer(1e-3)
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=opt.minimize(loss))
""")

# Names batch norm, then fails to parse at line 3: Python stops at the ``:`` (column 7, 1-based).
BROKEN = "import tensorflow as tf\nx = tf.layers.batch_normalization(y)\ndef f(:\n    pass\n"


def test_a_file_that_does_not_parse_is_reported_where_the_parser_stops(tmp_path):
    path = write(tmp_path, "bad.py", BROKEN)
    proc = run_cli(tmp_path, "bad.py")
    assert finding_lines(proc.out) == ["bad.py:3:7: BNU900 could not parse: invalid syntax"]
    assert proc.returncode == 1 and "remaining 1" in proc.err
    # flake8's E999 names the same line (its column is one further: a flake8 quirk).
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "E9", "bad.py"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert flake8.stdout.startswith("bad.py:3:")
    fixed = run_cli(tmp_path, "--fix", "bad.py")
    assert fixed.returncode == 1 and finding_lines(fixed.out) == finding_lines(proc.out)
    assert path.read_text() == BROKEN


def test_an_unclosed_bracket_at_the_end_is_placed_on_the_last_line(tmp_path):
    write(tmp_path, "open.py", "import tensorflow as tf\nh = tf.layers.batch_normalization(x\n")
    proc = run_cli(tmp_path, "--show-source", "open.py")
    lines = finding_lines(proc.out)
    assert lines == ["open.py:2:34: BNU900 could not parse: '(' was never closed"]
    assert "h = tf.layers.batch_normalization(x\n                                 ^" in proc.out


def test_files_the_precheck_skips_are_counted_in_the_summary(tmp_path):
    write(tmp_path, "syntax.py", "def f(:\n    pass\n")       # no batch-norm word: not parsed
    write(tmp_path, "py2.py", 'print "x"\n')
    write(tmp_path, "train.py", BUGGY.replace("opt.minimize(loss)", "opt.minimize(loss)  # noqa: BNU001"))
    proc = run_cli(tmp_path, ".")
    assert proc.returncode == 0 and proc.out == ""
    assert ("3 files: fixed 0, remaining 0; 2 files skipped by the pre-check: they name no batch-norm API "
            "(not parsed)") in proc.err
    one = run_cli(tmp_path, "py2.py")
    assert "1 file skipped by the pre-check: it names no batch-norm API" in one.err
    parsed = run_cli(tmp_path, "train.py")
    assert "skipped" not in parsed.err


def test_a_failed_write_reports_the_file_on_disk(tmp_path):
    path = write(tmp_path, "two.py", TWO)
    check = run_cli(tmp_path, "two.py")
    on_disk = [line.replace(" [*]", "") for line in finding_lines(check.out)]
    assert [line.split(": BNU")[0] for line in on_disk] == ["two.py:8:16", "two.py:16:65"]
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        proc = run_cli(tmp_path, "--fix", "two.py")
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    assert proc.returncode == 2
    assert "error: two.py: is read-only; not written" in proc.err
    assert finding_lines(proc.out) == on_disk       # both findings, at their lines on disk
    assert "1 file: fixed 0, remaining 2;" in proc.err
    assert path.read_text() == TWO


@pytest.mark.parametrize("option", ["--select", "--extend-select"])
def test_a_selection_that_matches_no_code_is_an_error(tmp_path, option):
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, option, "XYZ", "train.py")
    assert proc.returncode == 2 and proc.out == ""
    errors = proc.err.strip().splitlines()
    assert errors == [f"flake8-bn-update-ops: error: {option}: 'XYZ' matches none of this tool's codes "
                      f"({', '.join(CODES + ('BNU900',))})"]
    # A list with one stray prefix is refused too: the stray one would silently check nothing.
    assert run_cli(tmp_path, option, "BNU001,E501", "train.py").returncode == 2


@pytest.mark.parametrize("prefix", ["BNU", "BNU0", "BNU001", "B"])
def test_selections_that_match_codes_still_work(tmp_path, prefix):
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, "--select", prefix, "train.py")
    assert proc.returncode == 1 and len(finding_lines(proc.out)) == 1


def test_ignoring_every_code_checks_nothing_and_says_so(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, "--ignore", "BNU", "train.py")
    assert proc.returncode == 0 and proc.out == ""
    assert proc.err.strip() == ("flake8-bn-update-ops: note: every BNU code is ignored "
                                "(ignore = BNU (command line)); nothing was checked")


def test_github_and_sarif_give_each_code_the_same_severity(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    write(tmp_path, "bad.py", BROKEN)
    github = run_cli(tmp_path, "--format", "github", "bad.py", "train.py").out.splitlines()
    github_levels = {line.split("title=")[1].split("::")[0]: line.split(" ")[0].lstrip(":") for line in github}
    sarif = json.loads(run_cli(tmp_path, "--format", "sarif", "bad.py", "train.py").out)
    sarif_levels = {result["ruleId"]: result["level"] for result in sarif["runs"][0]["results"]}
    assert github_levels == sarif_levels == {"BNU900": "error", "BNU001": "warning"}
    # The rule metadata agrees with the results it describes.
    rules = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["BNU001"] == "warning" and rules["BNU900"] == "error"


def _git(cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("target", [".", "./pkg", "ABSOLUTE"])
def test_diff_applies_with_git_apply(tmp_path, target):
    require(shutil.which("git") is not None, "git is not on PATH")
    write(tmp_path, "train.py", BUGGY)
    write(tmp_path, "pkg/model.py", BUGGY)
    assert _git(tmp_path, "init", "-q").returncode == 0
    argument = str(tmp_path) if target == "ABSOLUTE" else target
    diff = run_cli(tmp_path, "--diff", argument)
    assert diff.returncode == 1
    headers = [line for line in diff.out.splitlines() if line.startswith(("--- ", "+++ "))]
    expected = ["--- a/pkg/model.py", "+++ b/pkg/model.py"]
    if target != "./pkg":   # a folder's own files come before its subfolders'
        expected = ["--- a/train.py", "+++ b/train.py"] + expected
    assert headers == expected
    (tmp_path / "fix.patch").write_text(diff.out)
    check = _git(tmp_path, "apply", "--check", "fix.patch")
    assert check.returncode == 0, check.stderr
    assert _git(tmp_path, "apply", "fix.patch").returncode == 0
    # What git applied is what --fix writes: a second check finds nothing left.
    after = run_cli(tmp_path, argument)
    assert after.returncode == 0 and finding_lines(after.out) == []
