"""BNU003: the batch-norm training flag is missing.

``tf.layers`` defaults ``training`` to False (measured: no update ops at all, and the output is
just ``x/sqrt(1+eps)``); contrib/slim default ``is_training`` to True (inference then
normalizes with batch statistics). A Keras layer (or a model containing one) called without
``training`` in graph mode reads the learning phase, which defaults to 0: it never updates.
"""
from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from .. import tf_api
from ..findings import UNSAFE
from ..fixes import ReplaceNode, insert_keyword
from ..planning import flag_parameter, mode_parameter, tf_spelling
from ..resolve import call_keyword, has_star_kwargs
from .base import Report, Rule


_EFFECT = {
    "layers": "`training` defaults to False: the layer never updates or uses batch statistics",
    "contrib": "`is_training` defaults to True: inference normalizes with batch statistics",
    "wrapper": "the training mode is left to the wrapper's default",
    "keras": "in graph mode the Keras learning phase defaults to 0: the layer runs in inference mode "
             "and its moving statistics never update",
}


def check(context) -> Iterable[Report]:
    analysis = context.analysis
    for site in analysis.sites:
        if site.flag.state != "missing":
            continue
        fix = _fix(context, site.call, site.api.flag) if site.via != "normalizer_fn" else None
        yield Report(site.call.node, "BNU003", f"BNU003 {site.api.display} without `{site.api.flag}`: "
                     f"{_EFFECT[site.api.family]}", fix)
    if not analysis.graph_mode or analysis.learning_phase_set:
        return
    for fact, display in _keras_calls_without_training(context):
        fix = _fix(context, fact, "training", force_unsafe=True)
        yield Report(fact.node, "BNU003", f"BNU003 {display} called without `training` in graph mode: "
                     f"{_EFFECT['keras']}", fix)


def _keras_calls_without_training(context):
    analyzer, analysis = context.analyzer, context.analysis
    seen = set()
    functional = _functional_model_scopes(analyzer)
    for site in analysis.keras_sites:
        if id(site.call.scope.function()) in functional:
            continue  # building a functional model on keras.Input: the model's own call takes `training`
        if site.via == "instance" and site.flag.state == "missing" and not analyzer.in_eager_function(site.call):
            seen.add(id(site.call.node))
            yield site.call, site.api.display
    for fact, model in context.keras_model_calls():
        if id(fact.node) in seen or analyzer.in_eager_function(fact):
            continue
        if call_keyword(fact.node, "training") is None and not has_star_kwargs(fact.node.args) \
                and len(fact.node.args) < 2:
            yield fact, f"Keras model `{model.binding.name}` (contains BatchNormalization)"


def _functional_model_scopes(analyzer):
    return {id(fact.scope.function()) for fact in analyzer.facts.calls
            if analyzer.call_qualname(fact) in tf_api.KERAS_INPUTS}


def _fix(context, fact, keyword: str, force_unsafe: bool = False) -> Optional[ReplaceNode]:
    analyzer = context.analyzer
    parameter = flag_parameter(analyzer, fact.scope)
    if parameter is not None:
        name, safety = parameter
        value = cst.Name(name)
    elif mode_parameter(fact.scope):
        prefix = tf_spelling(analyzer).prefix
        if tf_spelling(analyzer).add_import is not None:
            return None
        value = cst.parse_expression(f"({tf_api.MODE_PARAMETER} == {prefix}.estimator.ModeKeys.TRAIN)")
        safety = UNSAFE
    else:
        return None
    return ReplaceNode(fact.node, lambda updated: insert_keyword(updated, keyword, value),
                       UNSAFE if force_unsafe else safety)


RULE = Rule(
    code="BNU003",
    title="batch-norm training flag missing",
    effect=(
        "`tf.layers` batch norm defaults `training` to `False` (measured: no update ops at all, and the output is "
        "just `x/sqrt(1+eps)`): the layer never updates or uses batch statistics. contrib/slim default "
        "`is_training` to `True`: inference normalizes with batch statistics. A Keras `BatchNormalization` layer, "
        "or a model containing one, called without `training` in graph mode reads the learning phase, which "
        "defaults to 0: it runs in inference mode and never updates (measured). Silent when an `arg_scope`, a "
        "`functools.partial`, a `normalizer_params` dict or `**kwargs` could supply the flag."),
    fix=(
        "Passes the enclosing function's training parameter: safe when the function has exactly one parameter "
        "named `training` or `is_training`; unsafe for other flag names (`is_train`, `phase_train`, ...), for "
        "`training=(mode == tf.estimator.ModeKeys.TRAIN)` in a function with a `mode` parameter, and for Keras "
        "calls in graph mode."),
    fix_safety="safe or unsafe",
    flagged=(
        """\
import tensorflow as tf


def block(x, is_training):
    return tf.layers.batch_normalization(x)  # expect: BNU003:12
""",
        """\
import tensorflow as tf
slim = tf.contrib.slim


def block(x, is_training):
    return slim.batch_norm(x, scale=True)  # expect: BNU003:12
""",
    ),
    silent=(
        """\
import tensorflow as tf


def block(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)
""",
        """\
import functools
import tensorflow as tf
slim = tf.contrib.slim


def block(x, is_training):
    bn = functools.partial(slim.batch_norm, is_training=is_training)
    return slim.conv2d(x, 32, 3, normalizer_fn=bn)
""",
        """\
import tensorflow as tf
slim = tf.contrib.slim


def block(x, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=is_training):
        return slim.batch_norm(x)
""",
    ),
    check=check,
)
