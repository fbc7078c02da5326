"""BNU007: a Keras model containing batch norm is called in a GradientTape block without
``training=True``.

Measured: called without it, the layers run in inference mode; their moving statistics never
update, and the model trains with them. An explicit ``training=False`` is a deliberate choice
(fine-tuning with frozen statistics) and is left alone.
"""
from __future__ import annotations

from typing import Iterable

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..fixes.plans import SAFE, InsertKeyword
from .base import Report, Rule
from .keras_calls import evaluation_tapes, keras_calls_without_training
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    for call, display in keras_calls_without_training(facts, in_tape=True):
        if evaluation_tapes(facts, call):
            # a tape on which no gradient is taken is evaluation (RULES.md "Evaluation in a tape"):
            # without `training` the model runs in inference mode there, which is right
            continue
        yield Report(call.node, "BNU007",
                     f"BNU007 {display} contains BatchNormalization and is called in a GradientTape block "
                     "without `training=True`: its moving statistics never update",
                     InsertKeyword(facts.source.span(call.node), tf_api.KERAS_TRAINING_ARGUMENT, "True", SAFE,
                                   call.statement.node.lineno))


RULE = Rule(
    code="BNU007",
    title="Keras model called without `training=True` in a custom training loop",
    effect=(
        "Inside `with tf.GradientTape() as tape:` a Keras model or layer that contains `BatchNormalization` "
        "(built in the module, or a `keras.applications` model) called without a `training` argument runs in "
        "inference mode (measured): its moving statistics never update, and it trains through them. An explicit "
        "`training=False` there is a deliberate choice (fine-tuning with frozen statistics) and is left alone."),
    fix="Adds `training=True` to the call (safe).",
    fix_safety=FixSafety.SAFE,
    fix_title="pass `{keyword}={value}`",
    flagged=(
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x))  # expect: BNU007:31
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
    ),
    silent=(
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x, training=False))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.Dense(1)])


def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x))
    return tape.gradient(loss, model.trainable_variables)
""",
        """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])


def test_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    return loss
""",
    ),
    check=check,
    fixed=(
        (
            """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
            """\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
""",
        ),
    ),
)
