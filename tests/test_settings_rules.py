"""The configurable knowledge: project wrappers, extra flag names, helpers that run updates."""
from __future__ import annotations

import textwrap

from flake8_bn_update_ops.engine import analyze_source, fix_source
from flake8_bn_update_ops.settings import Settings

WRAPPED = textwrap.dedent("""\
    import tensorflow as tf
    from mylib.layers import bn


    def net(x, is_training):
        return bn(bn(x, is_training=is_training))


    def train(loss):
        return tf.train.AdamOptimizer().minimize(loss)
""")


def found(source, **settings):
    return [(finding.line, finding.column + 1, finding.code)
            for finding in analyze_source(source, "train.py", Settings(**settings))]


def test_unconfigured_wrapper_is_unknown():
    assert found(WRAPPED) == []


def test_configured_wrapper_builds_batch_norm_sites():
    assert found(WRAPPED, wrappers={"mylib.layers.bn": "is_training"}) == [(6, 12, "BNU003"), (10, 12, "BNU001")]


def test_configured_wrapper_with_literal_flag():
    source = WRAPPED.replace("bn(bn(x, is_training=is_training))", "bn(x, is_training=False)")
    assert found(source, wrappers={"mylib.layers.bn": "is_training"}) == [(6, 30, "BNU002")]


def test_extra_training_names_feed_the_fix():
    source = textwrap.dedent("""\
        import tensorflow as tf


        def net(x, in_training_mode):
            return tf.layers.batch_normalization(x)
    """)
    assert fix_source(source, unsafe=True).source == source
    fixed = fix_source(source, unsafe=True, settings=Settings(training_names=("in_training_mode",))).source
    assert "tf.layers.batch_normalization(x, training=in_training_mode)" in fixed
    assert fix_source(source, settings=Settings(training_names=("in_training_mode",))).source == source


def test_configured_train_op_helper_is_not_a_train_op():
    source = textwrap.dedent("""\
        import tensorflow as tf


        def net(x, training):
            return tf.layers.batch_normalization(x, training=training)


        def make_train_op(loss):
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
            ops = [tf.train.AdamOptimizer().minimize(loss)]
            return tf.group(ops + [update_ops])
    """)
    assert found(source) == []
    unhandled = source.replace("return tf.group(ops + [update_ops])", "return ops[0]")
    assert found(unhandled) == [(10, 12, "BNU001")]
    assert found(unhandled, train_op_helpers=("mylib.make_train_op",)) == []
