"""The pre-commit hooks, through the real ``pre-commit try-repo`` against this repository.

try-repo clones this repository's HEAD (plus uncommitted changes to tracked files, via a
temporary commit), builds the hook's virtualenv with pip exactly as a user's pre-commit would,
and runs it in a throw-away git repository holding a buggy training module.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from requires import require

REPO_ROOT = Path(__file__).resolve().parents[1]

require(importlib.util.find_spec("pre_commit") is not None, "pre-commit is not installed in this environment")
require(shutil.which("git") is not None, "git is not on PATH")
require((REPO_ROOT / ".git").exists(), "not a git checkout: pre-commit try-repo needs this repository's history")

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


# A notebook with the same bug in its training cell, after a magic, a shell escape and a markdown cell.
NOTEBOOK_CELLS = [
    ("markdown", "# Training"),
    ("code", "%matplotlib inline\n!pip install -q numpy\nimport tensorflow as tf"),
    ("code", "def build(x, loss, training):\n    net = tf.layers.batch_normalization(x, training=training)\n"
             "    optimizer = tf.train.AdamOptimizer(1e-3)\n    return optimizer.minimize(loss)"),
]
NOTEBOOK_FIXED_CELL = ("def build(x, loss, training):\n    net = tf.layers.batch_normalization(x, training=training)\n"
                       "    optimizer = tf.train.AdamOptimizer(1e-3)\n"
                       "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n"
                       "        return optimizer.minimize(loss)")


def _notebook_text() -> str:
    cells = []
    for number, (kind, source) in enumerate(NOTEBOOK_CELLS):
        cell = {"cell_type": kind, "id": f"cell-{number}", "metadata": {},
                "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=number, outputs=[{"name": "stdout", "output_type": "stream",
                                                          "text": ["ran\n"]}])
        cells.append(cell)
    kernel = {"language": "python", "name": "python3", "display_name": "Python 3"}
    return json.dumps({"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1, ensure_ascii=False) + "\n"


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
    (project / "nb").mkdir()
    (project / "nb" / "train.ipynb").write_text(_notebook_text())
    subprocess.run(["git", "add", "model.py", "notes.py", "nb/train.ipynb"], cwd=project, check=True, env=env)

    check = _try_repo("bn-update-ops", project, env)
    assert check.returncode == 1, "the checker hook must fail on the buggy module"
    assert "- exit code: 1" in check.stdout, "the command itself must exit 1 (findings), not 2 (error)"
    assert "Traceback" not in check.stdout + check.stderr
    assert "BNU001" in check.stdout and "BNU003" in check.stdout
    assert "model.py:12:16: BNU001" in check.stdout  # the `o` of optimizer.minimize, 1-based column
    assert not re.search(r"notes\.py:\d+:\d+:", check.stdout), "no finding on the clean file"
    assert "nb/train.ipynb:cell_2:4:12: BNU001" in check.stdout   # the hook is given the notebook too
    assert (project / "model.py").read_text() == BUGGY, "the checker must not write"

    fix = _try_repo("bn-update-ops-fix", project, env)
    # pre-commit fails a hook that modified files, whatever its exit code.
    assert fix.returncode == 1
    assert "Traceback" not in fix.stdout + fix.stderr
    assert "files were modified by this hook" in fix.stdout
    assert (project / "model.py").read_text() == FIXED
    assert (project / "notes.py").read_text() == CLEAN
    compile(FIXED, "model.py", "exec")
    before, after = json.loads(_notebook_text()), json.loads((project / "nb" / "train.ipynb").read_text())
    assert "".join(after["cells"][2].pop("source")) == NOTEBOOK_FIXED_CELL
    before["cells"][2].pop("source")
    assert after == before   # outputs, ids, metadata and the other cells untouched

    recheck = _try_repo("bn-update-ops", project, env)
    assert recheck.returncode == 0, "the fixed module must pass the checker"
    assert "BNU0" not in recheck.stdout

    refix = _try_repo("bn-update-ops-fix", project, env)
    assert refix.returncode == 0, "a second fixer run must change nothing"
    assert (project / "model.py").read_text() == FIXED


def _readme_local_hook() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pre-commit"):]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    local, = [block for block in blocks if "repo: local" in block]
    return local


def test_readme_local_hook_works_as_written(tmp_path):
    """The README's `repo: local` block, copied as it is, fails a buggy module and notebook."""
    project = tmp_path / "project"
    project.mkdir()
    env = _git_env(tmp_path)
    # language: system runs the command from PATH: the environment this package is installed in.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    (project / ".pre-commit-config.yaml").write_text(_readme_local_hook())
    (project / "model.py").write_text(BUGGY)
    (project / "train.ipynb").write_text(_notebook_text())
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert "model.py:12:16: BNU001" in proc.stdout and "train.ipynb:cell_2:4:12: BNU001" in proc.stdout


def test_readme_flake8_hook_args_catch_a_file_that_does_not_parse(tmp_path):
    """`--select BNU,E9`, as the README's flake8 hook passes it: a syntax error is not a silent pass."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pre-commit"):]
    args = re.findall(r"id: flake8\n\s+args: \[(.*?)\]", section)
    assert args == ['--select, "BNU,E9"']
    (tmp_path / "broken.py").write_text("import tensorflow as tf\nprint 'py2'\n")
    for select in ("BNU", "BNU,E9"):
        proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", select, "broken.py"],
                              cwd=tmp_path, capture_output=True, text=True)
        assert (proc.returncode, "E999" in proc.stdout) == ((0, False) if select == "BNU" else (1, True))


def _local_hooks(fix: bool = False) -> str:
    """Both hooks as `repo: local` entries running this environment's command (no hook venv)."""
    entry = f"{sys.executable} -m flake8_bn_update_ops" + (" --fix" if fix else "")
    return textwrap.dedent(f"""\
        repos:
          - repo: local
            hooks:
              - id: bn-update-ops
                name: bn-update-ops
                entry: {entry}
                language: system
                types_or: [python, jupyter]
                require_serial: true
        """)


def _pre_commit_run(project: Path, env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)
    print(proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def _project_with(tmp_path: Path, files: dict, fix: bool = False) -> "tuple[Path, dict]":
    project = tmp_path / "project"
    env = _git_env(tmp_path)
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    (project / ".pre-commit-config.yaml").write_text(_local_hooks(fix))
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    subprocess.run(["git", "add", "."], cwd=project, check=True, env=env)
    return project, env


def test_hook_fails_loudly_when_the_flake8_configuration_selects_no_bnu_code(tmp_path):
    """`[flake8] select = E,W,F` (issue 26): the hook must not pass having checked nothing."""
    project, env = _project_with(tmp_path, {"setup.cfg": "[flake8]\nselect = E,W,F\n", "model.py": BUGGY})
    proc = _pre_commit_run(project, env)
    assert proc.returncode == 1
    assert "- exit code: 2" in proc.stdout
    assert "error: no BNU code is selected (select = E,W,F (" in proc.stdout
    assert "extend-select = BNU" in proc.stdout
    (project / "setup.cfg").write_text("[flake8]\nselect = E,W,F\nextend-select = BNU\n")
    proc = _pre_commit_run(project, env)
    assert proc.returncode == 1 and "model.py:12:16: BNU001" in proc.stdout


def test_fix_hook_leaves_files_per_file_ignores_excludes(tmp_path):
    """`per-file-ignores` (issue 26): the fix hook must not rewrite a file the user excluded."""
    project, env = _project_with(tmp_path, {"setup.cfg": "[flake8]\nper-file-ignores = legacy/*: BNU\n",
                                            "legacy/model.py": BUGGY, "model.py": BUGGY}, fix=True)
    proc = _pre_commit_run(project, env)
    assert proc.returncode == 1 and "files were modified by this hook" in proc.stdout
    assert (project / "model.py").read_text() == FIXED
    assert (project / "legacy" / "model.py").read_text() == BUGGY
    assert _pre_commit_run(project, env).returncode == 0
