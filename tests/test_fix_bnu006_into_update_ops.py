"""BNU006 where the train op cannot name the Keras model (issue 25, item 3): a model local to the
helper that builds and calls it, while the train op already depends on ``UPDATE_OPS``. The fix
adds the model's ``get_updates_for(<input>)`` to ``UPDATE_OPS`` right after its training call
(TensorFlow 2.21: tests/differential/repros/fix_bnu006_helper_model_into_update_ops.py), and
is refused wherever that addition would not reach the train op. Through the real command, on
real files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAIR = Path(__file__).parent / "fixes" / "bnu006_helper_model_into_update_ops.py"
GENERAL = ("not exactly one Keras 2 model or layer can be named as the one the train op trains "
           "(Keras 3 has no `.updates`)")
INLINE = ("its Keras batch norm layers are created and called in one expression (`BatchNormalization()(x)`): "
          "no name holds their `.updates` for the train op to depend on")


def run(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def findings(folder, name):
    return [record for record in json.loads(run(folder, "--format", "json", name).stdout)
            if record["code"] == "BNU006"]


def variant(old: str, new: str) -> str:
    source = PAIR.read_text()
    assert source.count(old) == 1, old
    return source.replace(old, new)


def test_a_helper_local_model_gets_its_updates_added_to_update_ops(tmp_path):
    (tmp_path / "estimator.py").write_text(PAIR.read_text())
    record, = findings(tmp_path, "estimator.py")
    assert (record["line"], record["column"], record["code"]) == (19, 20, "BNU006")
    assert record["fix_safety"] == "unsafe"
    assert run(tmp_path, "--fix", "estimator.py").returncode == 1      # unsafe: not made without the flag
    assert (tmp_path / "estimator.py").read_text() == PAIR.read_text()
    run(tmp_path, "--fix", "--unsafe-fixes", "estimator.py")
    fixed = (tmp_path / "estimator.py").read_text()
    assert fixed == PAIR.with_name(PAIR.stem + ".expected.py").read_text()
    assert ("        logits = model(images, training=is_training)\n"
            "        for update in model.get_updates_for(images):\n"
            "            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS, update)\n"
            "        return logits\n") in fixed
    compile(fixed, "estimator.py", "exec")
    assert findings(tmp_path, "estimator.py") == []
    assert run(tmp_path, "--fix", "--unsafe-fixes", "estimator.py").returncode == 0
    assert (tmp_path / "estimator.py").read_text() == fixed


def test_the_loop_variable_does_not_take_a_name_the_helper_uses(tmp_path):
    source = variant("        logits = model(images, training=is_training)\n",
                     "        update = 0\n        logits = model(images, training=is_training)\n")
    (tmp_path / "estimator.py").write_text(source)
    run(tmp_path, "--fix", "--unsafe-fixes", "estimator.py")
    fixed = (tmp_path / "estimator.py").read_text()
    assert "        for update_2 in model.get_updates_for(images):\n" in fixed
    assert findings(tmp_path, "estimator.py") == []


REFUSED = {
    # The collection is read before the helper runs: the additions come too late for it.
    "read_before_the_call": ("    logits = build_model(features)\n    loss = tf.compat.v1.losses.mean_squared_error("
                             "labels, logits)\n    # Batch norm requires update_ops to be added as a train_op "
                             "dependency.\n    update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys."
                             "UPDATE_OPS)\n",
                             "    update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)\n"
                             "    logits = build_model(features)\n    loss = tf.compat.v1.losses.mean_squared_error("
                             "labels, logits)\n"),
    # ``images = model(images)``: after the call the name no longer holds the model's input.
    "input_rebound": ("        logits = model(images, training=is_training)\n        return logits\n",
                      "        images = model(images, training=is_training)\n        return images\n"),
    # The call is the block's last statement: nothing comes after it to insert before.
    "call_returned": ("        logits = model(images, training=is_training)\n        return logits\n",
                      "        return model(images, training=is_training)\n"),
    # Two statements on one line: what follows the call is not a line of its own to insert before.
    "one_line": ("        logits = model(images, training=is_training)\n        return logits\n",
                 "        logits = model(images, training=is_training); return logits\n"),
    # The train op does not depend on UPDATE_OPS: adding to the collection alone would not reach it.
    "no_update_ops_dependency": ("    with tf.control_dependencies(update_ops):\n        train_op = tf.compat.v1"
                                 ".train.AdamOptimizer(1e-3).minimize(loss)\n",
                                 "    train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)\n"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_where_the_addition_would_not_reach_the_train_op(tmp_path, name):
    source = variant(*REFUSED[name])
    (tmp_path / "estimator.py").write_text(source)
    record, = findings(tmp_path, "estimator.py")
    assert record["code"] == "BNU006" and record["fix_available"] is False
    assert record["no_fix"] == GENERAL
    run(tmp_path, "--fix", "--unsafe-fixes", "estimator.py")
    assert (tmp_path / "estimator.py").read_text() == source


INLINE_LAYERS = """\
import tensorflow.compat.v1 as tf
from tensorflow.keras.layers import BatchNormalization


def encoder(x):
    z = tf.layers.dense(x, 8)
    z = BatchNormalization()(z, training=True)
    return tf.layers.dense(z, 1)


x = tf.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(tf.square(encoder(x) - x[:, :1]))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
"""


def test_inline_keras_layers_are_refused_with_their_own_reason(tmp_path):
    (tmp_path / "cae.py").write_text(INLINE_LAYERS)
    record, = findings(tmp_path, "cae.py")
    assert (record["line"], record["column"]) == (13, 12)
    assert record["fix_available"] is False and record["no_fix"] == INLINE


def test_a_layer_bound_to_a_name_is_not_given_the_inline_reason(tmp_path):
    # The close look-alike: the same layer bound to a name in scope is named by the usual fix.
    source = INLINE_LAYERS.replace("    z = BatchNormalization()(z, training=True)\n",
                                   "    z = bn(z, training=True)\n").replace(
        "def encoder(x):\n", "bn = BatchNormalization()\n\n\ndef encoder(x):\n")
    (tmp_path / "cae.py").write_text(source)
    record, = findings(tmp_path, "cae.py")
    assert record["fix_safety"] == "unsafe"
    run(tmp_path, "--fix", "--unsafe-fixes", "cae.py")
    assert "with tf.control_dependencies(bn.updates):\n" in (tmp_path / "cae.py").read_text()


def test_the_addition_goes_above_the_decorators_of_a_def_that_follows_the_call(tmp_path):
    source = variant("        logits = model(images, training=is_training)\n",
                     "        logits = model(images, training=is_training)\n\n"
                     "        @staticmethod\n        def unused():\n            return 0\n")
    (tmp_path / "estimator.py").write_text(source)
    run(tmp_path, "--fix", "--unsafe-fixes", "estimator.py")
    fixed = (tmp_path / "estimator.py").read_text()
    compile(fixed, "estimator.py", "exec")
    assert fixed.index("logits = model(images") < fixed.index("for update in model.get_updates_for(images):") < \
        fixed.index("@staticmethod") < fixed.index("def unused")
    assert findings(tmp_path, "estimator.py") == []
