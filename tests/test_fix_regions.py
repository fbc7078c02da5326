"""Fixes read with libcst only the statements they touch (``fixes.regions``), and write exactly
what a fix of the whole module writes.

The whole-module path (``apply_plans`` on libcst's tree of the entire file) is the reference:
for every fix pair, every end-to-end TF script and every rule's flagged example, each round of
the fix loop is made both ways and must give the same text; hypothesis adds generated TF
programs. Then the region's edges: semicolon-joined lines, one-line suites, decorators, tabs,
CRLF, deep indentation, an import added at the top.
"""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source
from flake8_bn_update_ops.findings import SAFE, UNSAFE
from flake8_bn_update_ops.fixes.apply import apply_plans, fix_text, parse_module
from flake8_bn_update_ops.fixes.regions import default_indent, import_line, region_of, split_lines
from flake8_bn_update_ops.rules import all_rules
from requires import require

TESTS = Path(__file__).parent
SOURCES = sorted(path for path in (TESTS / "fixes").glob("*.py") if not path.name.endswith(".expected.py")) \
    + sorted((TESTS / "tf" / "scripts").glob("*.py"))
EXAMPLES = [(rule.code, index, source) for rule in all_rules() for index, source in enumerate(rule.flagged)]


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def _rounds_agree(source: str) -> int:
    """Fix ``source`` round by round (unsafe fixes too), each round both ways; the rounds made."""
    rounds = 0
    for _ in range(10):
        plans = [finding.fix for finding in analyze_source(source, honour_noqa=True)
                 if finding.fix is not None and finding.fix_safety in (SAFE, UNSAFE)]
        if not plans:
            break
        whole = apply_plans(parse_module(source), plans).code
        by_region = fix_text(source, ast.parse(source), plans)
        assert by_region == whole
        if whole == source:
            break
        source = whole
        rounds += 1
    return rounds


@pytest.mark.parametrize("path", SOURCES, ids=[path.stem for path in SOURCES])
def test_region_fix_writes_what_a_whole_module_fix_writes_on_every_fix_pair(path):
    source = _read(path)
    if not any(finding.fix is not None for finding in analyze_source(source)):
        # A pair that documents a refusal (bnu004_no_fix_...): both ways leave it as it is.
        assert _rounds_agree(source) == 0
        return
    assert _rounds_agree(source) >= 1


@pytest.mark.parametrize("code,index,source", EXAMPLES, ids=[f"{code}-{index}" for code, index, _ in EXAMPLES])
def test_region_fix_writes_what_a_whole_module_fix_writes_on_every_flagged_example(code, index, source):
    _rounds_agree(source)


def test_region_fix_agrees_on_generated_tf_programs():
    require(importlib.util.find_spec("hypothesis"), "hypothesis is not installed")
    from hypothesis import HealthCheck, given, settings

    from tf_snippets import tf_programs

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(source=tf_programs())
    def check(source):
        _rounds_agree(source)

    check()


# --------------------------------------------------------------------------- region edges

EDGES = {
    "semicolons": """\
        import tensorflow as tf


        def train(x, is_training):
            h = tf.layers.batch_normalization(x, training=is_training)
            loss = tf.reduce_mean(h); train_op = tf.train.AdamOptimizer().minimize(loss); n = 1
            return train_op
        """,
    "one_line_suite": """\
        import tensorflow as tf


        def train(x, is_training, go):
            h = tf.layers.batch_normalization(x, training=is_training)
            if go: train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
            else: train_op = None
            return train_op
        """,
    "decorated_and_deep": """\
        import tensorflow as tf


        class Model:
            @staticmethod
            def build(x, is_training):
                for _ in range(2):
                    with tf.variable_scope("s"):
                        while True:
                            h = tf.layers.batch_normalization(x)
                            break
                return h
        """,
    "import_added_after_docstring": '''\
        """A module that never imports TensorFlow as a whole."""


        def train(x, is_training, optimizer):
            h = batch_norm(x, is_training=is_training)
            return optimizer.minimize(h)


        from tensorflow.contrib.layers import batch_norm
        ''',
    "import_added_after_the_last_import": '''\
        from tensorflow.contrib.layers import batch_norm
        import os; import sys  # two on a line


        def train(x, is_training, optimizer):
            h = batch_norm(x, is_training=is_training)
            return optimizer.minimize(h)
        ''',
}


@pytest.mark.parametrize("name", sorted(EDGES))
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("unit", ["    ", "\t", "  "], ids=["four", "tab", "two"])
def test_region_edges_agree_with_a_whole_module_fix(name, newline, unit):
    source = textwrap.dedent(EDGES[name]).replace("    ", unit).replace("\n", newline)
    findings = analyze_source(source)
    assert any(finding.fix is not None for finding in findings), findings
    _rounds_agree(source)
    result = fix_source(source, unsafe=True)
    compile(result.source, "<fixed>", "exec")
    assert result.fixed >= 1 and result.source != source
    assert fix_source(result.source, unsafe=True).source == result.source


def test_a_region_is_the_statement_and_the_statements_sharing_its_lines():
    source = textwrap.dedent("""\
        import os
        def f():
            a = 1
            b = g(); c = 2
            if a: d = h()
            return a
        """)
    tree, lines = ast.parse(source), split_lines(source)
    assert region_of(tree, lines, [(3, 4, 3, 9)]) == (3, 3)
    assert region_of(tree, lines, [(4, 8, 4, 11)]) == (4, 4)         # b = g(); c = 2: both
    assert region_of(tree, lines, [(5, 14, 5, 17)]) == (5, 5)        # the if, not its one-line body alone
    assert region_of(tree, lines, [(3, 4, 3, 9), (6, 4, 6, 12)]) == (2, 6)   # both: the function
    assert import_line(tree) == 1
    assert default_indent(source) == "    "


def test_code_libcst_cannot_read_outside_the_fixed_statement_does_not_stop_the_fix(tmp_path):
    # The mixed tabs below pass Python's tokenizer and fail libcst's: a whole-module parse
    # refuses the file; a region parse fixes the statement and keeps those bytes.
    source = textwrap.dedent("""\
        import tensorflow as tf


        def train(x, is_training):
            h = tf.layers.batch_normalization(x, training=is_training)
            return tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
        """) + "if x:\n    if y:\n\t    pass\n"
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--fix", "x.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    fixed = path.read_text(encoding="utf-8")
    assert fixed.endswith("if x:\n    if y:\n\t    pass\n")
    assert "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n" \
           "        return tf.train.AdamOptimizer()" in fixed
    compile(fixed, "x.py", "exec")


MODULE_CONSTANT = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    training = True

    images = tf.placeholder(tf.float32, [None, 4])
    hidden = tf.layers.batch_normalization(tf.layers.dense(images, 8), training=training)
    loss = tf.reduce_mean(tf.square(hidden))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {images: np.random.rand(4, 4)}
        for step in range(3):
            sess.run(train_op, feed_dict=feed)
            if step == 2:
    """)
# 15 spaces and a tab: Python reads 16 columns (consistent with the next line), libcst does not
# reproduce the module (seen in a real repository, shared/real t39).
MIXED = "               \tprint(step)\n                print(step)\n"


def _fix_command(tmp_path, source: str):
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    command = [sys.executable, "-m", "flake8_bn_update_ops", "--isolated"]
    run = subprocess.run(command + ["--fix", "--unsafe-fixes", "x.py"], cwd=tmp_path, capture_output=True, text=True)
    return path, run, command


def test_a_combined_fix_is_placed_edit_by_edit_around_code_libcst_cannot_read(tmp_path):
    # BNU002's fix turns the module constant into a placeholder and feeds it True in the run far
    # below: two small regions, not the module between them (which libcst cannot reproduce).
    path, run, command = _fix_command(tmp_path, MODULE_CONSTANT + MIXED)
    assert run.returncode == 0, run.stdout + run.stderr
    fixed = path.read_text(encoding="utf-8")
    assert fixed == (MODULE_CONSTANT + MIXED).replace(
        "training = True\n", 'training = tf.placeholder_with_default(False, shape=(), name="training")\n').replace(
        "sess.run(train_op, feed_dict=feed)", "sess.run(train_op, feed_dict={**feed, training: True})")
    compile(fixed, "x.py", "exec")
    again = subprocess.run(command + ["--fix", "--unsafe-fixes", "x.py"], cwd=tmp_path, capture_output=True, text=True)
    assert path.read_text(encoding="utf-8") == fixed and "fixed 0, remaining 0" in again.stderr
    assert subprocess.run(command + ["x.py"], cwd=tmp_path, capture_output=True, text=True).stdout == ""


def test_a_combined_fix_with_an_edit_libcst_cannot_read_is_refused_whole(tmp_path):
    # The run to feed heads an ``if`` whose body libcst cannot reproduce: nothing is written,
    # not even the placeholder (a placeholder no run feeds would turn training off), and the
    # one-line note says why.
    source = MODULE_CONSTANT.replace("        sess.run(train_op, feed_dict=feed)\n", "").replace(
        "if step == 2:", "if sess.run(train_op, feed_dict=feed) is None:") + MIXED
    compile(source, "x.py", "exec")
    path, run, _ = _fix_command(tmp_path, source)
    assert path.read_text(encoding="utf-8") == source
    assert run.stdout.startswith("x.py:7:77: BNU002 ")
    notes = [line for line in run.stderr.splitlines() if "not fixed" in line]
    assert notes == ["flake8-bn-update-ops: note: x.py: not fixed: libcst cannot parse this file at lines 16-18: "
                     "does not reproduce this file byte for byte"], run.stderr


def test_a_statement_continued_from_the_line_above_is_fixed_in_its_whole_module():
    source = textwrap.dedent("""\
        import tensorflow as tf


        def train(x, is_training):
            h = tf.layers.batch_normalization(x, training=is_training)
            n = 1; \\
            train_op = tf.train.AdamOptimizer().minimize(tf.reduce_mean(h))
            return train_op
        """)
    tree, lines = ast.parse(source), split_lines(source)
    assert region_of(tree, lines, [(7, 4, 7, 30)]) == (4, 8)     # the function, not line 7 alone
    _rounds_agree(source)
    result = fix_source(source)
    compile(result.source, "<fixed>", "exec")
    assert result.fixed == 1


def test_a_quick_fix_reports_what_remains_when_asked_and_reuses_given_findings():
    # A one-round fix (an editor's quick fix) does not analyse its result unless ``remaining``
    # is read; what it then reports is a fresh analysis of the fixed text. Findings passed in
    # are the first round's: the same fix as without them.
    source = _read(TESTS / "fixes" / "bnu002_bnu003_flags.py")
    findings = analyze_source(source, honour_noqa=True)
    first = next(finding for finding in findings if finding.fix is not None)
    only = {(first.line, first.column, first.code)}
    given = fix_source(source, unsafe=True, only=only, findings=findings)
    fresh = fix_source(source, unsafe=True, only=only)
    assert given.source == fresh.source != source and given.fixed == fresh.fixed == 1
    assert [(f.line, f.column, f.code) for f in given.remaining] == \
        [(f.line, f.column, f.code) for f in analyze_source(given.source, honour_noqa=True)]
    assert given.unsafe_fixable == 0 and len(given.remaining) == len(findings) - 1
