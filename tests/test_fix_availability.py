"""What can be fixed, shown as ruff shows it (issue 25, item 4), through the real command:
``--unsafe-fixes`` alone marks the unsafe fixes as available, and the summary counts the
findings with a safe fix, with an unsafe fix and with none, and says why for none."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

# Three findings: a BNU001 with a safe fix, a BNU003 whose flag is threaded from its caller
# (unsafe), and a BNU003 in a builder that nothing in the module calls and whose parameter reads
# as a flag the fix does not know (no fix: no second flag is added; and why).
PROGRAM = textwrap.dedent("""\
    import tensorflow as tf


    def conv_bn(x):
        return tf.layers.batch_normalization(tf.layers.conv2d(x, 8, 3))


    def exported_block(x, in_training_mode):
        return tf.layers.batch_normalization(x)


    def head(x, is_training):
        return tf.layers.batch_normalization(x, training=is_training)


    def train(images, is_training):
        loss = tf.reduce_mean(head(conv_bn(images), is_training))
        return tf.train.AdamOptimizer().minimize(loss)
    """)
THREADED_LINE, EXPORTED_LINE, TRAIN_OP_LINE = 5, 9, 18


def run(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_unsafe_fixes_alone_marks_the_unsafe_fixes_as_available(tmp_path):
    (tmp_path / "train.py").write_text(PROGRAM)
    plain = run(tmp_path, "train.py")
    unsafe = run(tmp_path, "--unsafe-fixes", "train.py")
    assert plain.returncode == unsafe.returncode == 1
    marked = {int(line.split(":")[1]) for line in unsafe.stdout.splitlines() if " [*] " in line}
    assert marked == {THREADED_LINE, TRAIN_OP_LINE}
    assert {int(line.split(":")[1]) for line in plain.stdout.splitlines() if " [*] " in line} == {TRAIN_OP_LINE}
    assert "2 fixable with --fix --unsafe-fixes (marked [*]; 1 of them unsafe)" in unsafe.stderr
    assert "1 fixable with --fix (marked [*]); 1 more fixable with --unsafe-fixes" in plain.stderr
    assert (tmp_path / "train.py").read_text() == PROGRAM      # marking writes nothing


def test_the_summary_says_why_a_finding_has_no_fix(tmp_path):
    (tmp_path / "train.py").write_text(PROGRAM)
    proc = run(tmp_path, "train.py")
    assert "; 1 without a fix" in proc.stderr
    reason, = [line.strip() for line in proc.stderr.splitlines() if line.startswith("  ")]
    assert reason == ("1 without a fix: the function `exported_block` at the top of the path is called nowhere in "
                      "the project and has `in_training_mode`, which reads as a training flag but is not one the fix "
                      "knows (bn-training-names names it): no second flag is added")
    records = json.loads(run(tmp_path, "--format", "json", "train.py").stdout)
    by_line = {record["line"]: record for record in records}
    assert by_line[EXPORTED_LINE]["no_fix"] == reason.split(": ", 1)[1]
    assert by_line[EXPORTED_LINE]["fix_available"] is False
    assert by_line[THREADED_LINE]["no_fix"] is None and by_line[THREADED_LINE]["fix_safety"] == "unsafe"


def test_after_fixing_the_reasons_describe_what_is_left(tmp_path):
    (tmp_path / "train.py").write_text(PROGRAM)
    proc = run(tmp_path, "--fix", "--unsafe-fixes", "train.py")
    assert proc.returncode == 1
    # conv_bn's call is broken over two lines by the fix (79 columns): the builder below moves down one
    assert [int(line.split(":")[1]) for line in proc.stdout.splitlines() if ": BNU" in line] == [EXPORTED_LINE + 1]
    assert "fixed 2, remaining 1; 1 without a fix" in proc.stderr
    fixed = (tmp_path / "train.py").read_text()
    compile(fixed, "train.py", "exec")
    assert "def conv_bn(x, is_training=False):" in fixed
    assert run(tmp_path, "--fix", "--unsafe-fixes", "train.py").stderr.count("fixed 0") == 1


def test_a_module_constant_flag_without_a_training_run_is_refused_with_its_reason(tmp_path):
    pair = Path(__file__).parent / "fixes" / "bnu002_module_constant_no_run.py"
    (tmp_path / "export.py").write_text(pair.read_text())
    record, = json.loads(run(tmp_path, "--format", "json", "export.py").stdout)
    assert (record["line"], record["column"], record["code"]) == (8, 79, "BNU002")
    assert record["fix_available"] is False
    assert record["no_fix"] == ("the flag is the module constant `training`, and this module runs no train op to "
                                "feed a placeholder in")


def test_two_keras_models_making_updates_on_the_way_to_one_loss_are_refused_with_the_reason(tmp_path):
    # One model on the loss among several in scope is named (fixes/bnu006_model_on_the_loss_among_several);
    # a generator's loss read through the critic, both called with training=True, names neither.
    pair = Path(__file__).parent / "fixes" / "bnu006_no_fix_two_models_on_the_loss.py"
    (tmp_path / "gan.py").write_text(pair.read_text())
    record, = json.loads(run(tmp_path, "--format", "json", "gan.py").stdout)
    assert (record["line"], record["column"], record["code"]) == (12, 18, "BNU006")
    assert record["fix_available"] is False
    assert record["no_fix"] == ("not exactly one Keras 2 model or layer can be named as the one the train op "
                                "trains (Keras 3 has no `.updates`)")
