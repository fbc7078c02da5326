"""The fix loop's one bound, and which files a tree's next fix round checks again.

``engine.MAX_FIX_ROUNDS`` bounds every fixed-point loop: a file's rounds (``fix_source``), a
tree's rounds (``cli.command.fix_files``) and a notebook's per-code rounds
(``notebooks.checking``). After a round
that fixed something, only the files near a fixed module are checked again (its importers and
what it imports), not the whole tree, and not a fixed file for its own sake (it reached its
fixed point).
"""
from __future__ import annotations

import inspect
import re
import subprocess
import sys
import textwrap

from flake8_bn_update_ops.cli import command as cli
from flake8_bn_update_ops import engine
from flake8_bn_update_ops.editor import quickfix
from flake8_bn_update_ops.notebooks import checking as nbcheck


def test_every_fix_loop_uses_the_engines_one_bound():
    for function in (engine.fix_source, cli.fix_files, nbcheck._fix):
        assert "MAX_FIX_ROUNDS" in inspect.getsource(function), function.__name__
    for module in (engine, cli, nbcheck):
        text = inspect.getsource(module)
        # No loop bounded by a number of its own (``for _ in range(16)``, ``rounds: int = 3``).
        assert not re.search(r"for _ in range\(\d+\)", text), module.__name__
        assert not re.search(r"rounds\s*:\s*int\s*=\s*\d", text), module.__name__


def test_a_notebook_fixes_code_by_code_through_the_engines_constrained_fix():
    # Each code's findings go to ``fix_source(only=...)`` (the editor's quick-fix entry point),
    # from one analysis per round: the command is run once (all fixes at once), not once per code.
    source = inspect.getsource(nbcheck._fix)
    assert "engine.fix_source(" in source and "only=engine.only_these(" in source
    assert source.count("check_text(") == 1
    quick_fix = inspect.getsource(quickfix.code_actions)
    assert "only=engine.only_these(" in quick_fix


def _write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_the_next_round_checks_the_fixed_modules_neighbours_only(tmp_path):
    model = _write(tmp_path, "model.py", "import ops\n\ndef net(x):\n    return ops.bn(x)\n")
    ops = _write(tmp_path, "ops.py", "def bn(x):\n    return x\n")
    train = _write(tmp_path, "train.py", "from model import net\n")
    package = _write(tmp_path, "nets/__init__.py", "X = 1\n")
    uses_package = _write(tmp_path, "run.py", "import nets\n")
    unrelated = _write(tmp_path, "unrelated.py", "import os\nmodel_fn = 1\n")   # model_fn is not model
    paths = [model, ops, train, package, uses_package, unrelated]
    assert cli._near_fixed(paths, [model]) == [ops, train]
    assert cli._near_fixed(paths, [package]) == [uses_package]
    assert cli._near_fixed(paths, [model, ops]) == [model, ops, train]    # each near the other
    assert cli._near_fixed(paths, [unrelated]) == []
    assert cli._near_fixed(paths, []) == []


def test_a_tree_fix_reaches_its_fixed_point_and_a_second_run_changes_nothing(tmp_path):
    # Two modules of one project, each with a fix, and a clean neighbour: the command fixes
    # both, reports nothing left, and a second --fix writes nothing.
    _write(tmp_path, "model.py", """\
        import tensorflow as tf


        def net(x, is_training):
            return tf.layers.batch_normalization(x)
        """)
    _write(tmp_path, "train.py", """\
        import tensorflow as tf
        from model import net


        def train(x, is_training):
            loss = tf.reduce_mean(net(x, is_training))
            return tf.train.AdamOptimizer().minimize(loss)
        """)
    _write(tmp_path, "clean.py", "import os\n")
    command = [sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--fix", "--jobs", "1", "."]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in first.stderr, first.stderr
    assert re.search(r"fixed [1-9]\d*, remaining 0", first.stdout + first.stderr), first.stdout + first.stderr
    assert "training=is_training" in (tmp_path / "model.py").read_text()
    assert "control_dependencies" in (tmp_path / "train.py").read_text()
    before = {path.name: path.read_bytes() for path in tmp_path.glob("*.py")}
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert second.returncode == 0 and "fixed 0, remaining 0" in second.stdout + second.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.py")} == before
