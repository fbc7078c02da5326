"""Inputs of the fix-path benchmark (``benchmarks/run.py --fix-path``), generated in code.

Three scenarios of issue 26: what a fix costs must follow the statements it touches, not the
file or the tree around them.

- ``big_module(lines, findings)``: one module of about ``lines`` lines of TF1 blocks (conv,
  batch norm, a train op under ``control_dependencies``), ``findings`` of them buggy: half a
  train op without the update ops (BNU001, a statement wrap), half a batch norm without
  ``training`` (BNU003, a keyword insertion).
- ``small_files(files, fixes)``: a folder of ``files`` small modules, ``fixes`` of them with
  one fixable finding each (alternating BNU001 and BNU003).
- The editor's code action runs on ``big_module(2000, 20)`` in-process (``code_action_times``),
  as pylsp runs it: one session, the first request warms libcst and the project's caches,
  then one request per finding, each at the finding's position (a cursor stop).
"""
from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import List, Tuple

HEADER = "import tensorflow as tf\n\n"

CLEAN = '''\


def block_{i}(x, is_training, filters={filters}):
    """Block {i}: convolution, batch norm, ReLU, twice, and a residual connection."""
    with tf.variable_scope("block_{i}"):
        h = tf.layers.conv2d(x, filters, 3, padding="same", name="conv")
        h = tf.layers.batch_normalization(h, training=is_training, name="bn")
        h = tf.nn.relu(h)
        h = tf.layers.conv2d(h, filters, 3, padding="same", name="conv2")
        h = tf.layers.batch_normalization(h, training=is_training, name="bn2")
        h = tf.nn.relu(h + x)
    tf.summary.histogram("block_{i}", h)
    return h
'''

# One correct train step every TRAIN_EVERY blocks: a long model file holds a few train ops.
TRAIN_EVERY = 25
TRAIN = '''\


def step_{i}(loss):
    """A correct train step: the update ops run before it."""
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer({rate}).minimize(loss)
'''

BNU001 = '''\


def train_{i}(x, labels, is_training):
    """Train step {i}: the update ops are never run (BNU001)."""
    h = tf.layers.batch_normalization(x, training=is_training)
    loss = tf.reduce_mean(tf.square(h - labels))
    train_op = tf.train.AdamOptimizer({rate}).minimize(loss)
    return train_op
'''

BNU003 = '''\


def head_{i}(x, is_training):
    """Head {i}: batch norm without the training flag (BNU003)."""
    h = tf.layers.dense(x, 10)
    return tf.layers.batch_normalization(h)
'''


def _lines(text: str) -> int:
    return text.count("\n")


def big_module_text(lines: int, findings: int) -> str:
    """About ``lines`` lines with ``findings`` fixable findings spread evenly through them."""
    clean_lines = _lines(CLEAN.format(i=0, filters=64)) + _lines(TRAIN.format(i=0, rate=1e-3)) / TRAIN_EVERY
    buggy = [(BNU001 if n % 2 == 0 else BNU003) for n in range(findings)]
    buggy_lines = sum(_lines(template.format(i=0, rate=1e-3)) for template in buggy)
    clean_count = max(0, int((lines - _lines(HEADER) - buggy_lines) // clean_lines))
    every = max(1, clean_count // max(1, findings))
    parts = [HEADER]
    pending = list(buggy)
    for i in range(clean_count):
        parts.append(CLEAN.format(i=i, filters=32 + i % 64))
        if i % TRAIN_EVERY == TRAIN_EVERY - 1:
            parts.append(TRAIN.format(i=i, rate=f"{1 + i % 9}e-4"))
        if pending and i % every == every - 1:
            parts.append(pending.pop(0).format(i=i, rate=f"{1 + i % 9}e-3"))
    parts += [template.format(i=clean_count + n, rate="1e-3") for n, template in enumerate(pending)]
    return "".join(parts)


def write_big_module(folder: Path, lines: int, findings: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"module_{lines}.py"
    path.write_text(big_module_text(lines, findings), encoding="utf-8")
    return path


def write_small_files(folder: Path, files: int, fixes: int) -> Path:
    """``files`` modules of ~25 lines in folders of 100; every ``files // fixes``-th one buggy."""
    if folder.exists():
        shutil.rmtree(folder)
    every = max(1, files // max(1, fixes))
    made = 0
    for n in range(files):
        package = folder / f"pkg_{n // 100:03d}"
        package.mkdir(parents=True, exist_ok=True)
        text = HEADER + CLEAN.format(i=n, filters=32 + n % 64)
        if n % every == every - 1 and made < fixes:
            text += (BNU001 if made % 2 == 0 else BNU003).format(i=n, rate="1e-3")
            made += 1
        (package / f"module_{n:05d}.py").write_text(text, encoding="utf-8")
    return folder


def code_action_times(path: Path, repeat: int = 1) -> Tuple[float, List[float], int, List[float]]:
    """(first request's seconds, later requests' seconds, code actions offered, later requests'
    CPU seconds: this process only, less sensitive to a loaded machine) for quick fixes asked
    at each fixable finding of ``path``, in one editor session."""
    from flake8_bn_update_ops.core.project import Project
    from flake8_bn_update_ops.engine import analyze_source
    from flake8_bn_update_ops.editor.quickfix import Request, code_actions
    from flake8_bn_update_ops.settings import Settings

    settings = Settings()
    project = Project(settings)
    source = path.read_text(encoding="utf-8")
    findings = [finding for finding in analyze_source(source, str(path), settings) if finding.fix is not None]

    def ask(finding) -> Tuple[float, float, int]:
        cursor = {"line": finding.line - 1, "character": finding.column}
        request = Request(uri=path.as_uri(), path=str(path), source=source,
                          range={"start": cursor, "end": cursor}, context={"diagnostics": [], "only": None})
        start, cpu = time.perf_counter(), time.process_time()
        actions = code_actions(request, settings, project=project)
        return time.perf_counter() - start, time.process_time() - cpu, len(actions)

    first, _, offered = ask(findings[0])
    later: List[float] = []
    later_cpu: List[float] = []
    for _ in range(repeat):
        for finding in findings[1:]:
            seconds, cpu, count = ask(finding)
            later.append(seconds)
            later_cpu.append(cpu)
            offered += count
    return first, later, offered, later_cpu


def median(values: List[float]) -> float:
    return statistics.median(values) if values else 0.0


def main(argv=None) -> int:
    """``python benchmarks/fixpath.py code-action FILE``: print the code-action timings as JSON
    (run in a child process, so the benchmark measures the package its interpreter imports)."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "code-action":
        print(main.__doc__, file=sys.stderr)
        return 2
    first, later, offered, later_cpu = code_action_times(Path(args[1]))
    print(json.dumps({"first": first, "later": later, "offered": offered, "later_cpu": later_cpu}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
