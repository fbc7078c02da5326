"""BNU006: Keras batch normalization trained by a graph-mode train op that ignores its updates.

Keras layers never put their updates into UPDATE_OPS (measured: the collection stays empty),
so the textbook ``control_dependencies(get_collection(UPDATE_OPS))`` does nothing for them;
only ``layer.updates`` / ``model.updates`` (Keras 2) run them.
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from .. import tf_api
from ..findings import UNSAFE
from ..planning import plan_wrap, tf_spelling
from ..resolve import call_keyword, is_literal_bool
from .base import Report, Rule


def check(context) -> Iterable[Report]:
    analyzer, analysis = context.analyzer, context.analysis
    if not analysis.graph_mode or not (analysis.keras_sites or analysis.keras_models or context.external_keras):
        return
    for op in analysis.train_ops:
        if analyzer.in_eager_function(op.call):
            continue
        keys = analyzer.handling(op).keys
        if tf_api.KERAS_UPDATES in keys or tf_api.ANY_UPDATES in keys:
            continue
        if analyzer.keras_updates_in_update_ops and tf_api.UPDATE_OPS in keys:
            continue  # the module itself adds the Keras updates to UPDATE_OPS
        yield Report(op.call.node, "BNU006",
                     f"BNU006 `{op.method}` trains Keras BatchNormalization in graph mode without its "
                     "`.updates`: Keras never adds them to UPDATE_OPS, so the moving statistics never update",
                     _fix(context, op))


def _fix(context, op):
    """Unsafe: depend on ``<model>.get_updates_for(<its training input>)``.

    RULES.md says ``<model>.updates``; TensorFlow 2.21 disagrees for a model already built on
    its own input (``input_shape=`` or a functional model on ``tf.keras.Input``): ``.updates``
    then also holds the updates of that build call, and running the train op demands a value
    for the build's placeholder (measured: InvalidArgumentError). ``get_updates_for(x)`` holds
    only the updates of the call on ``x`` and works for every model (measured: 0.284).
    """
    candidates = context.keras_models_in_scope(op.call)
    if len(candidates) != 1 or not candidates[0].keras2:
        return None
    model = candidates[0]
    training_input = _training_input(context, model, op)
    if training_input is not None:
        updates = f"{model.binding.name}.get_updates_for({training_input})"
    elif not _built_on_its_own_input(context, model):
        updates = f"{model.binding.name}.updates"   # called where we cannot see (a helper)
    else:
        return None
    spelling = tf_spelling(context.analyzer)
    wrap = plan_wrap(context.analyzer, op.call, f"{spelling.prefix}.control_dependencies({updates})",
                     spelling.add_import)
    if wrap is not None:
        wrap.safety = UNSAFE
    return wrap


def _training_input(context, model, op):
    """The input of the model's training call(s) before the train op: one simple name, or None."""
    inputs = set()
    module = context.analyzer.facts.module
    for fact, called in context.keras_model_calls():
        if called is not model or fact.seq > op.call.seq or not fact.node.args:
            continue
        training = call_keyword(fact.node, "training")
        if training is not None and is_literal_bool(training.value) is False:
            continue  # an evaluation call
        first = fact.node.args[0]
        if first.keyword is not None or first.star or not isinstance(first.value, (cst.Name, cst.Attribute)):
            return None
        inputs.add(module.code_for_node(first.value))
    return inputs.pop() if len(inputs) == 1 else None


_BUILT_ON_INPUT_WORDS = ("input_shape", "input_dim", "batch_input_shape", "Input(", "InputLayer")


def _built_on_its_own_input(context, model) -> bool:
    """A functional model, an application, or a Sequential given its input: Keras already
    called it on its own placeholder, whose updates ``.updates`` would also hold."""
    value = model.binding.value
    if not isinstance(value, cst.Call):
        return True
    name = context.analyzer.qualname(value.func, model.binding.scope, model.binding.seq) or ""
    if not name.endswith("Sequential"):
        return True
    text = context.analyzer.facts.module.code_for_node(value)
    return any(word in text for word in _BUILT_ON_INPUT_WORDS)


RULE = Rule(
    code="BNU006",
    title="Keras batch normalization in graph-mode training",
    effect=(
        "Keras `BatchNormalization` layers never add their update ops to `UPDATE_OPS` (measured: the collection "
        "stays empty), so in graph mode (`Session`, `placeholder`, `disable_eager_execution`, an Estimator "
        "`model_fn`, TF1 optimizers) the textbook `control_dependencies(get_collection(UPDATE_OPS))` does "
        "nothing for them: only `model.updates` / `model.get_updates_for(x)` (Keras 2) run them, and the moving "
        "statistics never update otherwise. A project that adds the Keras updates to `UPDATE_OPS` itself is "
        "silent."),
    fix=(
        "Makes the train op depend on the model's own updates: `with tf.control_dependencies("
        "model.get_updates_for(x)):`, where `x` is the input of the model's training call, or `model.updates` "
        "when the model is called where the checker cannot see. Where the train op already sits in an "
        "ineffective `UPDATE_OPS` block, that block's expression is replaced. Unsafe, and only for "
        "`tf.keras`/`tf_keras` with exactly one model or layer in scope (Keras 3 has no `.updates`). "
        "`get_updates_for(x)` rather than `.updates`: for a model built on its own input, `.updates` also holds "
        "the build call's updates and the train op then demands a value for that placeholder (measured on "
        "TensorFlow 2.21)."),
    fix_safety="unsafe",
    flagged=(
        """\
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(model(x, training=True))
train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU006:12
""",
    ),
    silent=(
        """\
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
x = tf.compat.v1.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(model(x, training=True))
with tf.control_dependencies(model.get_updates_for(x)):
    train_op = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    ),
    check=check,
)
