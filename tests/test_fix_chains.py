"""The flag fix's refusals next to its class-shaped and Estimator forms (issue 25), through the
real command: the twins of fixes/bnu003_flag_on_self_* and fixes/bnu003_mode_added_to_model_fn,
each one condition away from a fix, get neither a flag on `self` nor a `mode` parameter. Since
the entry-point form landed (a function nothing calls takes the flag as a parameter), they get
that fix instead, which keeps what each program does today."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# The class runs no train op (a function does, through an instance): the flag could not be fed
# from the class, so none is created on `self`.
TRAINED_OUTSIDE = textwrap.dedent("""\
    import tensorflow.compat.v1 as tf


    class Model(object):
        def __init__(self, width):
            self.x_ph = tf.placeholder(tf.float32, [None, width], name="x")
            self.head()

        def head(self):
            bn = tf.layers.batch_normalization(tf.layers.dense(self.x_ph, 8))
            self.optimizer = tf.train.AdamOptimizer(1e-2).minimize(tf.reduce_mean(bn))


    def main(data):
        model = Model(4)
        with tf.Session() as sess:
            sess.run(model.optimizer, {model.x_ph: data})
    """)

# The building method makes its placeholders as locals and is called twice (two towers): one
# `self` flag would be the second tower's only.
BUILT_TWICE = textwrap.dedent("""\
    import tensorflow.compat.v1 as tf


    class Towers(object):
        def __init__(self):
            self.train_logits, self.optimizer = self.build("train")
            self.eval_logits, _ = self.build("eval")

        def build(self, name):
            def block(inputs):
                return tf.layers.batch_normalization(tf.layers.dense(inputs, 8), name=name)

            inputs = tf.placeholder(tf.float32, [None, 4], name=name)
            logits = block(inputs)
            return logits, tf.train.AdamOptimizer(1e-3).minimize(tf.reduce_mean(logits))

        def train(self, sess):
            sess.run(self.optimizer)
    """)

# The model function is also called directly, where no Estimator passes `mode`.
CALLED_DIRECTLY = textwrap.dedent("""\
    import tensorflow as tf


    def network(x):
        return tf.contrib.layers.fully_connected(x, 10, normalizer_fn=tf.contrib.layers.batch_norm)


    def model(x, y):
        logits = network(x)
        loss = tf.losses.softmax_cross_entropy(tf.one_hot(y, 10), logits)
        return logits, loss, tf.contrib.layers.optimize_loss(loss, None, optimizer="Adagrad", learning_rate=0.01)


    def export(x):
        return model(x, None)[0]


    classifier = tf.contrib.learn.Estimator(model_fn=model)
    """)


def run(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def refused(tmp_path, program: str):
    (tmp_path / "model.py").write_text(program)
    records = json.loads(run(tmp_path, "--format", "json", "model.py").stdout)
    run(tmp_path, "--fix", "--unsafe-fixes", "model.py")
    return [(record["line"], record["column"], record["code"], record["no_fix"]) for record in records
            if record["code"] == "BNU003"], (tmp_path / "model.py").read_text()


def test_no_flag_on_self_where_the_class_runs_no_train_op(tmp_path):
    found, fixed = refused(tmp_path, TRAINED_OUTSIDE)
    # No flag on `self`: the class could not feed it. What is left is the entry-point fix (the
    # constructor nothing in the module calls by name takes the flag as a parameter, with a note).
    assert [finding[:3] for finding in found] == [(10, 14, "BNU003")]
    assert "self.training" not in fixed
    assert "def __init__(self, width, training=False):" in fixed


def test_no_flag_on_self_where_the_building_method_is_called_twice(tmp_path):
    found, fixed = refused(tmp_path, BUILT_TWICE)
    assert [finding[:3] for finding in found] == [(11, 20, "BNU003")]
    assert "self.training" not in fixed
    assert "def build(self, name, training=False):" in fixed


def test_no_mode_added_to_a_model_function_also_called_directly(tmp_path):
    found, fixed = refused(tmp_path, CALLED_DIRECTLY)
    assert [finding[:3] for finding in found] == [(5, 12, "BNU003")]
    assert "mode=None" not in fixed and "ModeKeys" not in fixed
