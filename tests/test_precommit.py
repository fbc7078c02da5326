"""The pre-commit hooks, through the real ``pre-commit try-repo`` against this repository.

try-repo clones this repository's HEAD (plus uncommitted changes to tracked files, via a
temporary commit), builds the hook's virtualenv with pip exactly as a user's pre-commit would,
and runs it in a throw-away git repository holding a buggy training module.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                       reason="pre-commit is not installed in this environment"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH"),
    pytest.mark.skipif(not (REPO_ROOT / ".git").exists(),
                       reason="not a git checkout: pre-commit try-repo needs this repository's history"),
]

# Two findings with safe fixes: BNU003 (flag missing, the function has a `training` parameter)
# and BNU001 (the train op does not run UPDATE_OPS).
BUGGY = '''\
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x)


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    optimizer = tf.train.AdamOptimizer(1e-3)
    train_op = optimizer.minimize(loss)
    return train_op
'''

# The fixed form RULES' BNU003 and BNU001 safe fixes write (plain `tensorflow` alias: TF1 code).
FIXED = '''\
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x, training=training)


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    optimizer = tf.train.AdamOptimizer(1e-3)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.minimize(loss)
    return train_op
'''

# Mentions TensorFlow's trigger words only in a string and a comment: must stay untouched.
CLEAN = '''\
# opt.minimize(loss) is discussed in the docs, not called here.
HELP = "call tf.layers.batch_normalization(x, training=training)"
'''


def _git_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="test", GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test", GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _try_repo(hook: str, project: Path, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO_ROOT), hook,
         "--all-files", "--color", "never", "--verbose"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )
    print(f"--- pre-commit try-repo {hook}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_checker_fails_then_fixer_repairs_then_checker_passes(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    env = _git_env(tmp_path)
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    (project / "model.py").write_text(BUGGY)
    (project / "notes.py").write_text(CLEAN)
    subprocess.run(["git", "add", "model.py", "notes.py"], cwd=project, check=True, env=env)

    check = _try_repo("bn-update-ops", project, env)
    assert check.returncode == 1, "the checker hook must fail on the buggy module"
    assert "- exit code: 1" in check.stdout, "the command itself must exit 1 (findings), not 2 (error)"
    assert "Traceback" not in check.stdout + check.stderr
    assert "BNU001" in check.stdout and "BNU003" in check.stdout
    assert "model.py:12:16: BNU001" in check.stdout  # the `o` of optimizer.minimize, 1-based column
    assert not re.search(r"notes\.py:\d+:\d+:", check.stdout), "no finding on the clean file"
    assert (project / "model.py").read_text() == BUGGY, "the checker must not write"

    fix = _try_repo("bn-update-ops-fix", project, env)
    # pre-commit fails a hook that modified files, whatever its exit code.
    assert fix.returncode == 1
    assert "Traceback" not in fix.stdout + fix.stderr
    assert "files were modified by this hook" in fix.stdout
    assert (project / "model.py").read_text() == FIXED
    assert (project / "notes.py").read_text() == CLEAN
    compile(FIXED, "model.py", "exec")

    recheck = _try_repo("bn-update-ops", project, env)
    assert recheck.returncode == 0, "the fixed module must pass the checker"
    assert "BNU0" not in recheck.stdout

    refix = _try_repo("bn-update-ops-fix", project, env)
    assert refix.returncode == 0, "a second fixer run must change nothing"
    assert (project / "model.py").read_text() == FIXED
