"""Two ``--fix`` runs at once on the same tree (an editor's fix-on-save racing a pre-commit hook)
leave every file either as it was or exactly as one run alone fixes it: never truncated, never
fixed twice, never half-written, and no temporary file left behind.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

N_FILES = 50
# Two runs walking the files in the same order work in lockstep and write the same bytes at the
# same moments, which hides a non-atomic write. Explicit file lists in other orders (as
# pre-commit or an editor pass them) make one run read a file while the other writes it.
ORDERS = [("tree", "tree"), ("tree", "reversed"), ("shuffled:1", "shuffled:2")]
COMMAND = [sys.executable, "-m", "flake8_bn_update_ops", "--fix", "--unsafe-fixes"]

# Modules with safe and unsafe fixes of several codes, plus one with nothing to fix.
SNIPPETS = [
    # BNU003 (safe: pass `training`) and BNU001 (safe: wrap the train op)
    '''import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x)


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    optimizer = tf.train.AdamOptimizer(1e-3)
    train_op = optimizer.minimize(loss)
    return train_op
''',
    # BNU002 (unsafe: the literal becomes the function's flag) and BNU001 once it is replaced
    '''import tensorflow as tf
slim = tf.contrib.slim


def model_fn(images, labels, is_training):
    net = slim.conv2d(images, 32, [3, 3])
    net = slim.batch_norm(net, is_training=True)
    loss = tf.losses.softmax_cross_entropy(labels, slim.fully_connected(net, 10))
    return tf.train.MomentumOptimizer(0.01, 0.9).minimize(loss)
''',
    # BNU001 nested in an EstimatorSpec (unsafe: hoist and wrap) and BNU008 (unsafe: add the moving statistics)
    '''import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode, params):
    net = tf.layers.batch_normalization(features, training=(mode == tf.estimator.ModeKeys.TRAIN))
    loss = tf.reduce_mean(tf.square(tf.layers.dense(net, 1) - labels))
    saver = tf.train.Saver(var_list=tf.trainable_variables())
    optimizer = tf.train.AdamOptimizer(1e-3)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=optimizer.minimize(loss),
                                      scaffold=tf.train.Scaffold(saver=saver))
''',
    # BNU004 (safe: read the collection live), CRLF line endings
    'import tensorflow as tf\r\n'
    '\r\n'
    '\r\n'
    'def train(x, labels, training):\r\n'
    '    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\r\n'
    '    net = tf.layers.batch_normalization(x, training=training)\r\n'
    '    loss = tf.reduce_mean(tf.square(net - labels))\r\n'
    '    optimizer = tf.train.AdamOptimizer(1e-3)\r\n'
    '    with tf.control_dependencies(update_ops):\r\n'
    '        train_op = optimizer.minimize(loss)\r\n'
    '    return train_op\r\n',
    # nothing to fix
    '''import tensorflow as tf


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op
''',
]


def _filler(n_lines: int, newline: str) -> str:
    # Bulk after the training code, so that reading and writing a file take a while.
    return "".join(f"def helper_{i}(x):{newline}    return x + {i}{newline}{newline}{newline}"
                   for i in range(n_lines // 4))


def _make_tree(root: Path) -> dict:
    contents = {}
    for i in range(N_FILES):
        snippet = SNIPPETS[i % len(SNIPPETS)]
        newline = "\r\n" if "\r\n" in snippet else "\n"
        text = snippet + newline + newline + _filler((i * 37) % 400, newline)
        rel = Path(f"pkg{i % 4}") / f"module_{i:02d}.py"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        contents[rel] = path.read_bytes()
    return contents


def _snapshot(root: Path) -> dict:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _arguments(tree: Path, files: list, order: str) -> list:
    if order == "tree":
        return [str(tree)]
    if order == "reversed":
        return [str(tree / rel) for rel in reversed(files)]
    shuffled = list(files)
    random.Random(int(order.split(":")[1])).shuffle(shuffled)
    return [str(tree / rel) for rel in shuffled]


def _env():
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    return env


def test_two_fix_runs_at_once_leave_each_file_original_or_fixed(tmp_path):
    original = _make_tree(tmp_path / "template")

    # What one run alone writes.
    reference = tmp_path / "reference"
    shutil.copytree(tmp_path / "template", reference)
    alone = subprocess.run(COMMAND + [str(reference)], capture_output=True, text=True, timeout=600, env=_env())
    assert "Traceback" not in alone.stdout + alone.stderr, alone.stderr
    assert alone.returncode in (0, 1), alone.stderr
    expected = _snapshot(reference)
    assert set(expected) == set(original), "a single run must leave no stray files"
    changed = {rel for rel in original if expected[rel] != original[rel]}
    # The race is only meaningful when there is something to fix: every buggy snippet is fixed.
    assert len(changed) == N_FILES - N_FILES // len(SNIPPETS), sorted(changed)

    for round_number, orders in enumerate(ORDERS):
        tree = tmp_path / f"race{round_number}"
        shutil.copytree(tmp_path / "template", tree)
        runs = [subprocess.Popen(COMMAND + _arguments(tree, sorted(original), order), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=_env()) for order in orders]
        outputs = [run.communicate(timeout=600) for run in runs]
        for run, (out, err) in zip(runs, outputs):
            assert "Traceback" not in out + err, err
            # 2: the file changed on disk between read and write (the other run fixed it first)
            assert run.returncode in (0, 1, 2), (run.returncode, err)
        after = _snapshot(tree)
        assert set(after) == set(original), f"stray or missing files: {set(after) ^ set(original)}"
        for rel, data in after.items():
            assert data in (original[rel], expected[rel]), (
                f"{rel} is neither untouched nor correctly fixed "
                f"({len(data)} bytes; original {len(original[rel])}, fixed {len(expected[rel])})")
        # and a calm run afterwards finishes the job exactly as one run alone does
        calm = subprocess.run(COMMAND + [str(tree)], capture_output=True, text=True, timeout=600, env=_env())
        assert calm.returncode in (0, 1), calm.stderr
        assert _snapshot(tree) == expected
