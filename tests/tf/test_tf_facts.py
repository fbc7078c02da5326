"""What TensorFlow really does: each "(measured)" fact the rule catalogue rests on, proven again.

Every test owns one minimal script (a shared prelude gives it numpy data centred on 3.0 and a tiny
training loop). All graph-mode scripts run in one child process (one TensorFlow import), the eager
ones in another; each test then reads its script's printed numbers. These tests check TensorFlow,
not our checker: if one fails after a TensorFlow upgrade, a rule's premise has changed.

Where TensorFlow disagrees with the rule catalogue, the test asserts what TensorFlow does and is
named ``test_rules_md_disagrees_...``.
"""
from __future__ import annotations

import json
import textwrap
from typing import Dict

import pytest

from harness import ScriptResult, record, run_tf_scripts

GRAPH_PRELUDE = '''
import json

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
rng = np.random.RandomState(0)
UPDATE_OPS = tf.GraphKeys.UPDATE_OPS


def batch(n=32, d=4, loc=3.0):
    return rng.normal(loc, 1.0, size=(n, d)).astype(np.float32)


def report(**values):
    print(json.dumps(values))


def bn_net(x, training, name="bn"):
    """Batch norm straight on the input (mean 3.0), then a dense head: a loss with gradients."""
    h = tf.layers.batch_normalization(x, training=training, name=name)
    return tf.layers.dense(h, 1)


def variable(suffix):
    """The one global variable named ".../<suffix>" (Keras puts its layers under the model's scope)."""
    found = [v for v in tf.global_variables() if ("/" + v.op.name).endswith("/" + suffix)]
    assert len(found) == 1, [v.op.name for v in tf.global_variables()]
    return found[0]


def stats(sess, name="bn"):
    mean = sess.run(variable(name + "/moving_mean"))
    var = sess.run(variable(name + "/moving_variance"))
    return {"moving_mean_abs": float(np.abs(mean).mean()), "moving_variance": float(var.mean())}


def train(fetches, x, flag=None, steps=10, flag_value=True, extra_feed=None):
    """Run `fetches` `steps` times on fresh batches; return the moving statistics of layer "bn"."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            feed = {x: batch()}
            if flag is not None:
                feed[flag] = flag_value
            feed.update(extra_feed or {})
            sess.run(fetches, feed)
        return stats(sess)
'''

EAGER_PRELUDE = '''
import json

import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)


def report(**values):
    print(json.dumps(values))
'''

_GRAPH: Dict[str, str] = {}
_EAGER: Dict[str, str] = {}


def graph_script(name: str, body: str) -> str:
    _GRAPH[name] = GRAPH_PRELUDE + textwrap.dedent(body)
    return name


def eager_script(name: str, body: str) -> str:
    _EAGER[name] = EAGER_PRELUDE + textwrap.dedent(body)
    return name


@pytest.fixture(scope="module")
def facts() -> Dict[str, ScriptResult]:
    results = run_tf_scripts(_GRAPH)
    results.update(run_tf_scripts(_EAGER, eager=True))
    print()
    for name, result in results.items():
        record(f"[tf fact] {name}: {json.dumps(result.data)}" + ("" if result.ok else "  FAILED"))
    return results


def data(facts: Dict[str, ScriptResult], name: str) -> Dict[str, object]:
    result = facts[name]
    assert result.ok, result.describe()
    return result.data


# --- tf.layers flag -------------------------------------------------------------------------------

FLAG_MISSING = graph_script("flag_missing", '''
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.layers.batch_normalization(x)                                   # `training` missing
    after_missing = len(tf.get_collection(UPDATE_OPS))
    tf.layers.batch_normalization(x, training=False)
    after_false = len(tf.get_collection(UPDATE_OPS))
    y_class = tf.layers.BatchNormalization()(x)                            # the class, flag missing
    after_class = len(tf.get_collection(UPDATE_OPS))
    tf.layers.batch_normalization(x, training=tf.placeholder(tf.bool, []))
    after_flag = len(tf.get_collection(UPDATE_OPS))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        xb = batch()
        out, out_class = sess.run([y, y_class], {x: xb})
    expected = xb / np.sqrt(1.0 + 1e-3)                                    # default epsilon 1e-3
    report(update_ops_missing=after_missing, update_ops_false=after_false - after_missing,
           update_ops_class_missing=after_class - after_false, update_ops_flag=after_flag - after_class,
           max_abs_diff_from_x_over_sqrt_1_eps=float(np.abs(out - expected).max()),
           max_abs_diff_class=float(np.abs(out_class - expected).max()),
           output_batch_mean_abs=float(np.abs(out.mean(axis=0)).mean()))
''')


def test_tf_layers_without_training_creates_no_update_ops_and_outputs_x_over_sqrt_1_plus_eps(facts):
    d = data(facts, FLAG_MISSING)
    assert d["update_ops_missing"] == 0, d
    assert d["update_ops_false"] == 0, d          # a literal False: no update ops either (BNU002/BNU001 order)
    assert d["update_ops_class_missing"] == 0, d
    assert d["update_ops_flag"] == 2, d           # a real flag: moving mean and variance updates
    assert d["max_abs_diff_from_x_over_sqrt_1_eps"] < 1e-5, d
    assert d["max_abs_diff_class"] < 1e-5, d
    assert d["output_batch_mean_abs"] > 2.0, d    # not normalized: the batch mean (3.0) survives


# --- BNU001: the unhandled train op ---------------------------------------------------------------

UNWRAPPED = graph_script("unwrapped_vs_wrapped", '''
    results = {}
    for wrapped in (False, True):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            is_training = tf.placeholder(tf.bool, [])
            loss = tf.reduce_mean(tf.square(bn_net(x, is_training)))
            if wrapped:
                with tf.control_dependencies(tf.get_collection(UPDATE_OPS)):
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            else:
                train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            results["wrapped" if wrapped else "unwrapped"] = train(train_op, x, is_training, steps=20)
    report(**results)
''')


def test_unhandled_train_op_leaves_moving_mean_0_and_variance_1(facts):
    d = data(facts, UNWRAPPED)
    assert d["unwrapped"] == {"moving_mean_abs": 0.0, "moving_variance": 1.0}, d
    assert d["wrapped"]["moving_mean_abs"] > 0.3, d
    assert d["wrapped"]["moving_variance"] != 1.0, d


LOOK_ALIKES = graph_script("not_handled_look_alikes", '''
    results = {}
    for variant in ("optimizer_built_in_block", "trainable_variables_as_dependencies",
                    "collected_never_used", "group_with_update_ops"):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            is_training = tf.placeholder(tf.bool, [])
            loss = tf.reduce_mean(tf.square(bn_net(x, is_training)))
            update_ops = tf.get_collection(UPDATE_OPS)
            if variant == "optimizer_built_in_block":
                with tf.control_dependencies(update_ops):
                    optimizer = tf.train.GradientDescentOptimizer(0.1)
                train_op = optimizer.minimize(loss)
            elif variant == "trainable_variables_as_dependencies":
                with tf.control_dependencies(tf.trainable_variables()):
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            elif variant == "collected_never_used":
                train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            else:   # the control: a handled form
                train_op = tf.group(tf.train.GradientDescentOptimizer(0.1).minimize(loss), *update_ops)
            results[variant] = train(train_op, x, is_training)
    report(**results)
''')


def test_not_handled_look_alikes_leave_moving_mean_at_0(facts):
    d = data(facts, LOOK_ALIKES)
    assert d["optimizer_built_in_block"]["moving_mean_abs"] == 0.0, d
    assert d["trainable_variables_as_dependencies"]["moving_mean_abs"] == 0.0, d
    assert d["collected_never_used"]["moving_mean_abs"] == 0.0, d
    assert d["group_with_update_ops"]["moving_mean_abs"] > 0.1, d


CALLEE = graph_script("control_dependencies_reaches_callee", '''
    def make_train_op(loss):
        return tf.train.GradientDescentOptimizer(0.1).minimize(loss)

    x = tf.placeholder(tf.float32, [None, 4])
    is_training = tf.placeholder(tf.bool, [])
    loss = tf.reduce_mean(tf.square(bn_net(x, is_training)))
    with tf.control_dependencies(tf.get_collection(UPDATE_OPS)):
        train_op = make_train_op(loss)
    report(**train(train_op, x, is_training))
''')


def test_control_dependencies_applies_to_ops_built_in_a_called_function(facts):
    d = data(facts, CALLEE)
    assert d["moving_mean_abs"] > 0.1, d


EVAL_METRIC_IN_BLOCK = graph_script("eval_metric_inside_block", '''
    results = {}
    for metric_inside in (False, True):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            # the usual two towers: a training tower and an evaluation tower sharing the variables
            train_out = tf.layers.batch_normalization(x, training=True, name="bn")
            eval_out = tf.layers.batch_normalization(x, training=False, name="bn", reuse=True)
            loss = tf.reduce_mean(tf.square(tf.layers.dense(train_out, 1)))
            if metric_inside:
                with tf.control_dependencies(tf.get_collection(UPDATE_OPS)):
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
                    eval_metric = tf.reduce_mean(eval_out)
            else:
                with tf.control_dependencies(tf.get_collection(UPDATE_OPS)):
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
                eval_metric = tf.reduce_mean(eval_out)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(10):                     # evaluation only, on data centred on -5
                    sess.run(eval_metric, {x: batch(loc=-5.0)})
                results["inside" if metric_inside else "outside"] = stats(sess)
    report(**results)
''')


def test_eval_metric_built_inside_the_update_ops_block_runs_the_updates_on_eval_data(facts):
    d = data(facts, EVAL_METRIC_IN_BLOCK)
    assert d["outside"]["moving_mean_abs"] == 0.0, d
    assert d["inside"]["moving_mean_abs"] > 0.3, d    # pulled towards the evaluation data (-5)


# --- BNU004: get_collection is a copy, get_collection_ref is live ----------------------------------

COPY_VS_REF = graph_script("get_collection_copy_vs_ref", '''
    lengths = {}
    results = {}
    for variant in ("copy_read_early", "ref_read_early_consumed_after_layers",
                    "ref_consumed_before_layers_built_in_block"):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            is_training = tf.placeholder(tf.bool, [])
            if variant == "copy_read_early":
                update_ops = tf.get_collection(UPDATE_OPS)
            else:
                update_ops = tf.get_collection_ref(UPDATE_OPS)
            if variant == "ref_consumed_before_layers_built_in_block":
                with tf.control_dependencies(update_ops):
                    loss = tf.reduce_mean(tf.square(bn_net(x, is_training)))
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            else:
                loss = tf.reduce_mean(tf.square(bn_net(x, is_training)))
                with tf.control_dependencies(update_ops):
                    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            lengths[variant] = len(update_ops)
            results[variant] = train(train_op, x, is_training, steps=10)
    report(lengths=lengths, **results)
''')


def test_get_collection_returns_a_copy_read_early_it_stays_empty_and_nothing_updates(facts):
    d = data(facts, COPY_VS_REF)
    assert d["lengths"]["copy_read_early"] == 0, d
    assert d["copy_read_early"]["moving_mean_abs"] == 0.0, d


def test_get_collection_ref_is_live_read_early_and_consumed_after_the_layers_it_updates(facts):
    d = data(facts, COPY_VS_REF)
    assert d["lengths"]["ref_read_early_consumed_after_layers"] == 2, d
    # RULES.md: 0.30 after 10 steps (batch norm on data centred on 3.0: 3 * (1 - 0.99**10) = 0.29)
    assert 0.2 < d["ref_read_early_consumed_after_layers"]["moving_mean_abs"] < 0.4, d


def test_ref_list_consumed_before_the_block_builds_the_layers_leaves_moving_mean_at_0(facts):
    d = data(facts, COPY_VS_REF)
    # the list has filled by the end, but control_dependencies read it when the block was entered
    assert d["lengths"]["ref_consumed_before_layers_built_in_block"] == 2, d
    assert d["ref_consumed_before_layers_built_in_block"]["moving_mean_abs"] == 0.0, d


# --- BNU005: update ops attached to the loss --------------------------------------------------------

IDENTITY_LOSS = graph_script("identity_loss", '''
    results = {}
    for variant in ("scalar_train_op_alone", "non_scalar_train_op_alone", "scalar_loss_fetched",
                    "scalar_summary_fetched", "scalar_loss_fetched_only_in_eval_run"):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            is_training = tf.placeholder(tf.bool, [])
            per_example = tf.square(bn_net(x, is_training))
            loss = per_example if variant.startswith("non_scalar") else tf.reduce_mean(per_example)
            with tf.control_dependencies(tf.get_collection(UPDATE_OPS)):
                loss = tf.identity(loss)
            train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
            summary = tf.summary.scalar("loss", loss) if not variant.startswith("non") else None
            merged = tf.summary.merge_all()
            fetches = {"scalar_loss_fetched": [train_op, loss],
                       "scalar_summary_fetched": [train_op, merged]}.get(variant, train_op)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(10):
                    sess.run(fetches, {x: batch(), is_training: True})
                    if variant == "scalar_loss_fetched_only_in_eval_run":
                        sess.run(loss, {x: batch(), is_training: False})
                results[variant] = stats(sess)
    report(**results)
''')


def test_identity_loss_scalar_train_op_alone_does_not_update(facts):
    d = data(facts, IDENTITY_LOSS)
    assert d["scalar_train_op_alone"]["moving_mean_abs"] == 0.0, d


def test_identity_loss_non_scalar_train_op_alone_does_update(facts):
    d = data(facts, IDENTITY_LOSS)
    assert d["non_scalar_train_op_alone"]["moving_mean_abs"] > 0.1, d


def test_identity_loss_fetched_in_the_same_run_updates(facts):
    d = data(facts, IDENTITY_LOSS)
    assert d["scalar_loss_fetched"]["moving_mean_abs"] > 0.1, d
    assert d["scalar_summary_fetched"]["moving_mean_abs"] > 0.1, d


def test_identity_loss_fetched_only_in_an_evaluation_run_does_not_update(facts):
    d = data(facts, IDENTITY_LOSS)
    assert d["scalar_loss_fetched_only_in_eval_run"]["moving_mean_abs"] == 0.0, d


EVAL_RUN = graph_script("update_ops_with_flag_false", '''
    x = tf.placeholder(tf.float32, [None, 4])
    is_training = tf.placeholder(tf.bool, [])
    bn_net(x, is_training)
    update_ops = tf.get_collection(UPDATE_OPS)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(10):
            sess.run(update_ops, {x: batch(), is_training: False})
        flag_false = stats(sess)
        for _ in range(10):
            sess.run(update_ops, {x: batch(), is_training: True})
        flag_true = stats(sess)
    report(n_update_ops=len(update_ops), flag_false=flag_false, flag_true=flag_true)
''')


def test_update_ops_run_with_the_flag_fed_false_change_nothing(facts):
    d = data(facts, EVAL_RUN)
    assert d["n_update_ops"] == 2, d
    assert d["flag_false"] == {"moving_mean_abs": 0.0, "moving_variance": 1.0}, d
    assert d["flag_true"]["moving_mean_abs"] > 0.1, d     # the same ops do update with the flag on


# --- Keras (tf_keras) in graph mode: BNU006 and BNU003-Keras ----------------------------------------

KERAS_GRAPH = graph_script("keras_graph_mode_updates", '''
    results = {}
    for wrapper in ("update_ops_collection", "model_updates"):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            model = tf.keras.Sequential([tf.keras.layers.BatchNormalization(name="bn"),
                                         tf.keras.layers.Dense(1)])
            loss = tf.reduce_mean(tf.square(model(x, training=True)))
            deps = tf.get_collection(UPDATE_OPS) if wrapper == "update_ops_collection" else model.updates
            with tf.control_dependencies(deps):
                train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            results[wrapper] = {"n_deps": len(deps), **train(train_op, x)}
    report(keras_module=tf.keras.layers.BatchNormalization.__module__, **results)
''')


def test_keras_batch_norm_in_graph_mode_adds_nothing_to_update_ops_and_model_updates_works(facts):
    d = data(facts, KERAS_GRAPH)
    assert d["keras_module"].startswith("tf_keras"), d          # Keras 2 (tf_keras), as on TF <= 2.15
    assert d["update_ops_collection"]["n_deps"] == 0, d
    assert d["update_ops_collection"]["moving_mean_abs"] == 0.0, d
    assert d["model_updates"]["n_deps"] == 2, d
    assert d["model_updates"]["moving_mean_abs"] > 0.1, d


KERAS_MODEL_UPDATES_WITH_INPUT = graph_script("keras_model_updates_with_input_shape", '''
    results = {}
    for deps_kind in ("model.updates", "model.get_updates_for(x)"):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            model = tf.keras.Sequential([tf.keras.layers.BatchNormalization(name="bn", input_shape=(4,)),
                                         tf.keras.layers.Dense(1)])
            loss = tf.reduce_mean(tf.square(model(x, training=True)))
            deps = model.updates if deps_kind == "model.updates" else model.get_updates_for(x)
            with tf.control_dependencies(deps):
                train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            try:
                results[deps_kind] = {"n_deps": len(deps), **train(train_op, x)}
            except tf.errors.InvalidArgumentError as exc:
                missing = [line for line in exc.message.splitlines() if "must feed" in line]
                results[deps_kind] = {"n_deps": len(deps), "error": missing[0] if missing else exc.message}
    report(**results)
''')


def test_rules_md_disagrees_model_updates_fails_for_a_model_already_built_on_its_own_input(facts):
    """Not a contradiction of a measured line, but a limit of BNU006's unsafe fix RULES.md does not state.

    A Keras model built with an input shape (or functionally on ``tf.keras.Input``) has already been
    called once on its own Input placeholder: ``model.updates`` holds those updates too, so a train op
    wrapped in ``control_dependencies(model.updates)`` and run on another tensor fails for want of a
    feed. ``model.get_updates_for(x)`` names only the call on ``x`` and works.
    """
    d = data(facts, KERAS_MODEL_UPDATES_WITH_INPUT)
    assert d["model.updates"]["n_deps"] == 4, d
    assert "must feed a value for placeholder" in d["model.updates"].get("error", ""), d
    assert d["model.get_updates_for(x)"]["n_deps"] == 2, d
    assert d["model.get_updates_for(x)"]["moving_mean_abs"] > 0.1, d


KERAS_NO_TRAINING = graph_script("keras_graph_mode_without_training", '''
    results = {}
    for variant in ("no_training_updates_attached", "no_training_learning_phase_fed_1"):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 4])
            bn = tf.keras.layers.BatchNormalization(name="bn")
            head = tf.keras.layers.Dense(1)
            loss = tf.reduce_mean(tf.square(head(bn(x))))                     # no `training`
            with tf.control_dependencies(bn.updates):
                train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
            extra = {}
            if variant.endswith("fed_1"):
                extra = {tf.keras.backend.learning_phase(): 1}
            results[variant] = {"n_updates": len(bn.updates), **train(train_op, x, extra_feed=extra)}
    report(**results)
''')


def test_keras_layer_without_training_in_graph_mode_does_not_update_even_with_updates_attached(facts):
    d = data(facts, KERAS_NO_TRAINING)
    assert d["no_training_updates_attached"]["n_updates"] > 0, d
    assert d["no_training_updates_attached"]["moving_mean_abs"] == 0.0, d
    # the same graph with the learning phase fed 1 does update: the learning phase is the cause
    assert d["no_training_learning_phase_fed_1"]["moving_mean_abs"] > 0.1, d


KERAS3_GRAPH = """
import json

import keras
import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
rng = np.random.RandomState(0)
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
bn = keras.layers.BatchNormalization()
loss = tf.reduce_mean(tf.square(keras.layers.Dense(1)(bn(x, training=True))))
update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
with tf.compat.v1.control_dependencies(update_ops):
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    for _ in range(10):
        sess.run(train_op, {x: rng.normal(3.0, 1.0, size=(32, 4)).astype(np.float32)})
    moving_mean = sess.run(bn.moving_mean.value)
print(json.dumps({"keras": keras.__version__, "has_updates": hasattr(bn, "updates"),
                  "n_update_ops": len(update_ops), "moving_mean_abs": float(np.abs(moving_mean).mean())}))
"""


def test_keras3_batch_norm_in_graph_mode_has_no_updates_and_stays_frozen():
    """RULES.md: Keras 3 has no ``.updates`` in graph mode (so BNU006's fix is only for tf.keras/tf_keras)."""
    result = run_tf_scripts({"keras3_graph_mode": KERAS3_GRAPH}, keras3=True)["keras3_graph_mode"]
    record(f"\n[tf fact] keras3_graph_mode: {json.dumps(result.data)}")
    assert result.ok, result.describe()
    d = result.data
    assert d["has_updates"] is False, d
    assert d["n_update_ops"] == 0, d
    assert d["moving_mean_abs"] == 0.0, d


# --- BNU008: collections and checkpoints ------------------------------------------------------------

COLLECTIONS = graph_script("tf_layers_variable_collections", '''
    x = tf.placeholder(tf.float32, [None, 4])
    bn_net(x, tf.placeholder(tf.bool, []))

    def moving(vs):
        return sorted(v.op.name for v in vs if "moving_" in v.op.name)

    report(global_variables=moving(tf.global_variables()),
           trainable_variables=moving(tf.trainable_variables()),
           moving_average_variables=moving(tf.get_collection(tf.GraphKeys.MOVING_AVERAGE_VARIABLES)),
           model_variables=moving(tf.model_variables()))
''')


def test_tf_layers_moving_statistics_are_only_in_global_variables(facts):
    d = data(facts, COLLECTIONS)
    assert d["global_variables"] == ["bn/moving_mean", "bn/moving_variance"], d
    assert d["trainable_variables"] == [], d
    assert d["moving_average_variables"] == [], d
    assert d["model_variables"] == [], d


CHECKPOINT = graph_script("checkpoint_trainable_only", '''
    import os
    import shutil
    import tempfile

    def build():
        x = tf.placeholder(tf.float32, [None, 4])
        is_training = tf.placeholder_with_default(False, [])
        h = tf.layers.batch_normalization(x, training=is_training, name="bn")
        pred = tf.layers.dense(h, 1, kernel_initializer=tf.ones_initializer())
        loss = tf.reduce_mean(tf.square(pred - 1.0))
        with tf.control_dependencies(tf.get_collection(UPDATE_OPS)):
            train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        return x, is_training, pred, train_op

    folder = tempfile.mkdtemp()
    eval_x = batch(64)
    results = {}
    try:
        for var_list in ("trainable_variables", "global_variables"):
            path = os.path.join(folder, var_list)
            with tf.Graph().as_default():
                tf.set_random_seed(0)
                x, is_training, pred, train_op = build()
                saver = tf.train.Saver(getattr(tf, var_list)())
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    for _ in range(40):
                        sess.run(train_op, {x: batch(), is_training: True})
                    trained = stats(sess)
                    trained_eval = float(sess.run(pred, {x: eval_x}).mean())
                    saver.save(sess, path)
            with tf.Graph().as_default():
                x, is_training, pred, train_op = build()
                saver = tf.train.Saver(getattr(tf, var_list)())
                with tf.Session() as sess:
                    sess.run(tf.global_variables_initializer())
                    saver.restore(sess, path)
                    restored = stats(sess)
                    restored_eval = float(sess.run(pred, {x: eval_x}).mean())
                with tf.Session() as sess:            # restore without running any initializer
                    saver.restore(sess, path)
                    try:
                        stats(sess)
                        uninitialized = "no error"
                    except tf.errors.FailedPreconditionError as exc:
                        uninitialized = type(exc).__name__
            results[var_list] = {"trained": trained, "restored": restored, "trained_eval_mean": trained_eval,
                                 "restored_eval_mean": restored_eval, "restore_without_init": uninitialized}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(**results)
''')


def test_saver_over_trainable_variables_restores_moving_mean_0(facts):
    d = data(facts, CHECKPOINT)
    only_trainable, everything = d["trainable_variables"], d["global_variables"]
    assert only_trainable["trained"]["moving_mean_abs"] > 0.5, d
    assert only_trainable["restored"] == {"moving_mean_abs": 0.0, "moving_variance": 1.0}, d
    assert only_trainable["restore_without_init"] == "FailedPreconditionError", d
    assert abs(only_trainable["restored_eval_mean"] - only_trainable["trained_eval_mean"]) > 0.1, d
    # the control: saving every variable restores exactly what was trained
    assert everything["restored"] == everything["trained"], d
    assert everything["restored_eval_mean"] == pytest.approx(everything["trained_eval_mean"], abs=1e-5), d
    assert everything["restore_without_init"] == "no error", d


# --- BNU007: TF2 eager custom training loop ---------------------------------------------------------

TAPE = eager_script("gradient_tape_training_argument", '''
    results = {}
    for training in (None, True, False):
        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.Input(shape=(4,)),
                                     tf.keras.layers.BatchNormalization(name="bn"),
                                     tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.SGD(0.1)
        for _ in range(10):
            xb = rng.normal(3.0, 1.0, size=(32, 4)).astype(np.float32)
            with tf.GradientTape() as tape:
                pred = model(xb) if training is None else model(xb, training=training)
                loss = tf.reduce_mean(tf.square(pred))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
        results[f"training={training}"] = float(np.abs(model.get_layer("bn").moving_mean.numpy()).mean())
    report(executing_eagerly=tf.executing_eagerly(), **results)
''')


def test_eager_model_called_in_gradient_tape_without_training_true_never_updates(facts):
    d = data(facts, TAPE)
    assert d["executing_eagerly"] is True, d
    assert d["training=None"] == 0.0, d
    assert d["training=False"] == 0.0, d
    assert d["training=True"] > 0.1, d
