"""BNU302: a Flax ``apply`` whose literal mode argument is the wrong one for its step: a training
step (or a ``mutable=["batch_stats"]`` call) in inference mode, or an evaluation step in
training mode.

Measured (Flax linen): with ``use_running_average=True`` batch norm neither uses nor updates the
batch statistics, even when ``batch_stats`` is mutable; with ``False`` an evaluation normalizes
each batch by its own statistics.
"""
from __future__ import annotations

import ast
from typing import Iterable, Optional, Tuple

from .. import keras_flax_api
from ..core.facts.jax_steps import keyword_node, mutates_batch_stats
from ..core.facts.module import ModuleFacts
from .base import Report, Rule
from .steps import evaluation_function, inside
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    if keras_flax_api.BATCH_STATS_COLLECTION not in facts.source.text:   # only Flax code names it
        return
    for call in facts.index.calls:
        func = call.node.func
        last = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if last not in keras_flax_api.FLAX_APPLY_METHODS:
            continue
        mode = _literal_mode(call.node)
        if mode is None:
            continue
        keyword, node, training = mode
        written = f"`{keyword}={node.value}`"
        mutable = keyword_node(call.node, keras_flax_api.MUTABLE_KEYWORD)
        if not training and mutable is not None and mutates_batch_stats(facts.evaluator, call, mutable):
            yield Report(node, "BNU302",
                         f"BNU302 {written} runs batch norm in inference mode, so the mutable `batch_stats` this "
                         "`apply` returns are the old ones: the running averages never update")
        elif not training and inside(call.scope, facts.differentiated_scopes):
            yield Report(node, "BNU302",
                         f"BNU302 {written} in a differentiated training step runs batch norm in inference mode: "
                         "it trains through the initial running averages and never updates them")
        elif training and evaluation_function(call.scope):
            yield Report(node, "BNU302",
                         f"BNU302 {written} in an evaluation function runs batch norm in training mode: each "
                         "batch is normalized by its own statistics instead of the running averages")


def _literal_mode(call: ast.Call) -> Optional[Tuple[str, ast.Constant, bool]]:
    """(keyword, its literal, whether it means training) for a hard-coded mode argument."""
    for keyword in call.keywords:
        means_training = keras_flax_api.FLAX_MODE_KEYWORDS.get(keyword.arg)
        value = keyword.value
        if means_training is not None and type(value) is ast.Constant and type(value.value) is bool:
            return keyword.arg, value, value.value is means_training
    return None


RULE = Rule(
    code="BNU302",
    title="Flax `apply` with a hard-coded mode that contradicts its step",
    effect=(
        "A literal `train=`/`training=`/`is_training=`/`use_running_average=` passed to `apply` decides batch "
        "norm's mode. Fires when the literal says inference (`train=False`, `use_running_average=True`) while the "
        "same call makes `batch_stats` mutable, or while the call sits in a function handed to "
        "`jax.grad`/`jax.value_and_grad` (a training step): batch norm then neither uses nor updates the batch "
        "statistics (measured), so the running averages stay at their initial values. Fires too when the literal "
        "says training in an evaluation function (its name holds `eval`, `test`, `val`, `predict`, `infer`): each "
        "evaluation batch is normalized by its own statistics; a pytest test (`test_...`) is not an evaluation "
        "function. Silent for mode values that are not literals "
        "(`train=train`), for modules that never name `batch_stats`, and for a training-mode `apply` outside an "
        "evaluation function (a statistics re-estimation pass). "
        "Off by default (enable with `--select BNU` or `extend-select = BNU302`). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): no BUG row of its form, charged with none of 22"
        " correct Flax look-alikes; its 4 findings in house_prices_mlp's pytest tests were false and are gone "
        "(a `test_*` function is not an evaluation step). Under the bar (precision >= 90% and recall >= 80%): "
        "no caught row yet."),
    fix="None: whether the step or the literal is wrong is the author's call.",
    fix_safety=FixSafety.NONE,
    flagged=(
        """\
import jax


def train_step(state, x, y):
    def loss_fn(params):
        out, updates = state.apply_fn({"params": params, "batch_stats": state.batch_stats}, x,
                                      train=False, mutable=["batch_stats"])  # expect: BNU302:45
        return ((out - y) ** 2).mean(), updates

    (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    return state.apply_gradients(grads=grads, batch_stats=updates["batch_stats"])


def eval_step(state, x):
    return state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, x,
                          use_running_average=False, mutable=["batch_stats"])[0]  # expect: BNU302:47
""",
    ),
    silent=(
        """\
import jax


def train_step(state, x, y):
    def loss_fn(params):
        out, updates = state.apply_fn({"params": params, "batch_stats": state.batch_stats}, x,
                                      train=True, mutable=["batch_stats"])
        return ((out - y) ** 2).mean(), updates

    (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    return state.apply_gradients(grads=grads, batch_stats=updates["batch_stats"])


def eval_step(state, x):
    return state.apply_fn({"params": state.params, "batch_stats": state.batch_stats}, x, train=False)
""",
        """\
def test_running_averages_move_in_training_mode(model, variables, x):
    _, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
    assert updates["batch_stats"] != variables["batch_stats"]
""",
    ),
    check=check,
)
