"""Lines a fix writes stay within the configured line length (issue 16): flake8's
``max-line-length`` from the project's configuration, else 79; the inserted text is broken
inside its own brackets."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from flake8_bn_update_ops.engine import analyze_source, fix_source
from flake8_bn_update_ops.settings import Settings

# Every original line is at most 48 characters, so a line over a limit of 55 or more is one a
# fix wrote (the re-indented train-op line stays under it too).
SOURCE = textwrap.dedent("""\
    import tensorflow as tf


    def build(images, labels, is_training):
        h = tf.layers.dense(images, 8)
        net = tf.layers.batch_normalization(h)
        loss = tf.losses.log_loss(labels, net)
        opt = tf.train.AdamOptimizer()
        train_op = opt.minimize(loss)
        var_list = tf.trainable_variables()
        saver = tf.train.Saver(var_list)
        return train_op, saver
    """)


def _written_lines(before: str, after: str):
    """The lines of ``after`` that a fix wrote (not present, stripped, in ``before``)."""
    old = {line.strip() for line in before.splitlines()}
    return [line for line in after.splitlines() if line.strip() not in old]


@pytest.mark.parametrize("limit", [79, 60, 55])
def test_every_line_a_fix_writes_fits_the_limit(limit):
    settings = Settings(max_line_length=limit)
    result = fix_source(SOURCE, "train.py", settings, unsafe=True)
    assert result.fixed == 3, result.source                          # BNU003, BNU001, BNU008
    written = _written_lines(SOURCE, result.source)
    assert written, "the fixes wrote nothing"
    assert max(len(line) for line in SOURCE.splitlines()) <= 48
    assert [line for line in written if len(line) > limit] == []
    compile(result.source, "train.py", "exec")
    assert fix_source(result.source, "train.py", settings, unsafe=True).source == result.source
    assert [f.code for f in analyze_source(result.source, "train.py", settings)] == []


def test_a_short_limit_breaks_inside_the_brackets():
    result = fix_source(SOURCE, "train.py", Settings(max_line_length=60), unsafe=True)
    assert result.source == textwrap.dedent("""\
        import tensorflow as tf


        def build(images, labels, is_training):
            h = tf.layers.dense(images, 8)
            net = tf.layers.batch_normalization(
                    h, training=is_training)
            loss = tf.losses.log_loss(labels, net)
            opt = tf.train.AdamOptimizer()
            with tf.control_dependencies(
                    tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = opt.minimize(loss)
            var_list = tf.trainable_variables()
            saver = tf.train.Saver(var_list + [
                    v for v in tf.global_variables()
                    if ("moving_mean" in v.name
                        or "moving_variance" in v.name)])
            return train_op, saver
        """)


def test_the_default_limit_keeps_what_fits_on_one_line():
    result = fix_source(SOURCE, "train.py", Settings(), unsafe=True)
    assert "    net = tf.layers.batch_normalization(h, training=is_training)\n" in result.source
    assert "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n" in result.source
    # 79 columns cannot hold the moving statistics' list beside the Saver: it is broken.
    assert "    saver = tf.train.Saver(var_list + [\n" in result.source


def test_the_command_reads_max_line_length_from_the_flake8_configuration(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE)
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = 60\n")
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--fix", "--unsafe-fixes", "train.py"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    fixed = (tmp_path / "train.py").read_text()
    assert fixed == fix_source(SOURCE, "train.py", Settings(max_line_length=60), unsafe=True).source
