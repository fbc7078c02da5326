"""BNU202: a Keras 3 model with batch norm run by ``stateless_call`` in a differentiated
training step without ``training=True`` (keras-team/keras#20378).

Measured (Keras 3, JAX backend): without it the layers run in inference mode; the
non-trainable variables ``stateless_call`` returns are the ones it was given, so the moving
statistics never move however long the model trains.
"""
from __future__ import annotations

import ast
from typing import Iterable

from .. import keras_flax_api
from ..core.facts.module import ModuleFacts
from ..fixes.plans import SAFE, InsertKeyword
from .base import Report, Rule
from .steps import inside
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    if not facts.source.mentions((keras_flax_api.STATELESS_CALL,)):
        return
    differentiated = None
    for call in facts.index.calls:
        func = call.node.func
        if type(func) is not ast.Attribute or func.attr != keras_flax_api.STATELESS_CALL:
            continue
        # ``training=...`` in any form, or ``**kwargs`` that may carry it: the author chose.
        if any(keyword.arg in (keras_flax_api.TRAINING_KEYWORD, None) for keyword in call.node.keywords):
            continue
        if differentiated is None:
            differentiated = facts.differentiated_scopes
        if not inside(call.scope, differentiated):
            continue
        receiver = facts.resolver.value(func.value, facts.at(call))
        if facts.evaluator.keras_bn(receiver) is None:
            continue
        name = facts.source.segment(func.value)
        shown = f"`{name}`" if len(name) <= 40 else "this Keras model"
        yield Report(call.node, "BNU202",
                     f"BNU202 {shown} contains BatchNormalization and runs through `stateless_call` in a "
                     "differentiated training step without `training=True`: batch norm runs in inference mode and "
                     "the returned moving statistics never change",
                     InsertKeyword(facts.source.span(call.node), keras_flax_api.TRAINING_KEYWORD, "True", SAFE,
                                   call.statement.node.lineno))


RULE = Rule(
    code="BNU202",
    title="Keras 3 `stateless_call` without `training=True` in a training step",
    effect=(
        "In a function differentiated by `jax.grad`/`jax.value_and_grad` (or `torch.func.grad`), "
        "`model.stateless_call(trainable_variables, non_trainable_variables, x)` of a Keras model that contains "
        "`BatchNormalization` runs it in inference mode unless `training=True` is passed (measured on Keras 3, JAX "
        "backend): the non-trainable variables it returns are the moving statistics it was given, so they never "
        "update, and the model trains through stale statistics (keras-team/keras#20378). This is BNU007's pitfall "
        "for Keras 3 custom steps, on any backend. Silent with any `training=` argument (an explicit "
        "`training=False` is a choice), with `**kwargs`, outside a differentiated function (evaluation), and for a "
        "model whose batch norm it cannot see. "
        "Off by default (enable with `--select BNU` or `extend-select = BNU202`). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught neither of the 2 `stateless_call` BUG "
        "rows (keras-core's JAX distributed-training guide and demo, keras#20378) and was charged with none of "
        "23 correct custom-loop look-alikes. Under the bar (precision >= 90% and recall >= 80%): no caught row "
        "yet."),
    fix="Adds `training=True` to the call (safe: it is what a training step means, as BNU007's fix).",
    fix_safety=FixSafety.SAFE,
    fix_title="pass `{keyword}={value}`",
    flagged=(
        """\
import jax
import keras

model = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(1)])


def loss_fn(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(trainable, non_trainable, x)  # expect: BNU202:27
    return keras.ops.mean((pred - y) ** 2), non_trainable


grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
""",
    ),
    silent=(
        """\
import jax
import keras

model = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(1)])


def loss_fn(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
    return keras.ops.mean((pred - y) ** 2), non_trainable


grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
""",
        """\
import jax
import keras

model = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(1)])


@jax.jit
def predict(trainable, non_trainable, x):
    pred, _ = model.stateless_call(trainable, non_trainable, x)
    return pred
""",
    ),
    check=check,
    fixed=(
        (
            """\
import jax
import keras

model = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(1)])


def loss_fn(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(trainable, non_trainable, x)
    return keras.ops.mean((pred - y) ** 2), non_trainable


grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
""",
            """\
import jax
import keras

model = keras.Sequential([keras.layers.Dense(8), keras.layers.BatchNormalization(), keras.layers.Dense(1)])


def loss_fn(trainable, non_trainable, x, y):
    pred, non_trainable = model.stateless_call(trainable, non_trainable, x,
                                               training=True)
    return keras.ops.mean((pred - y) ** 2), non_trainable


grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
""",
        ),
    ),
)
