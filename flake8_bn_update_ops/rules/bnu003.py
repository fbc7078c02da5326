"""BNU003: the batch-norm training flag is missing.

``tf.layers`` defaults ``training`` to False (measured: no update ops at all, and the output is
just ``x/sqrt(1+eps)``); contrib/slim default ``is_training`` to True (inference then
normalizes with batch statistics). A Keras layer (or a model containing one) called without
``training`` in graph mode reads the learning phase, which defaults to 0: it never updates.
"""
from __future__ import annotations

import ast
from types import MappingProxyType
from typing import Iterable, Optional, Tuple

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.kinds import FlagState, ScopeKind, Via
from ..fixes.planning import flag_expression
from ..fixes.flag_threading import thread_flag
from ..fixes.plans import UNSAFE, AddDictEntry, InsertKeyword, ReplaceExpression
from .base import Report, Rule
from .keras_calls import keras_calls_without_training
from ..findings import FixSafety
from ..tf_api import Family


_EFFECT = MappingProxyType({
    Family.LAYERS: "`training` defaults to False: the layer never updates or uses batch statistics",
    Family.CONTRIB: "`is_training` defaults to True: inference normalizes with batch statistics",
    Family.WRAPPER: "the training mode is left to the wrapper's default",
    Family.KERAS: "in graph mode the Keras learning phase defaults to 0: the layer runs in inference mode "
                  "and its moving statistics never update",
})


def check(facts: ModuleFacts) -> Iterable[Report]:
    towers = None
    for site in facts.sites:
        if site.flag.state != FlagState.MISSING:
            continue
        if site.api.family == Family.LAYERS:
            if towers is None:
                towers = _tower_calls(facts)
            if _on_an_inference_tower(facts, site, towers):
                continue    # ``training`` defaults to False, which is right off the loss path
        fix, no_fix = _fix(facts, site.call, site.api.flag, _DEFAULT_KEPT.get(site.api.family)) \
            if site.via != Via.NORMALIZER_FN else _normalizer_fix(facts, site)
        yield Report(site.call.node, "BNU003", f"BNU003 {site.api.display} without `{site.api.flag}`: "
                     f"{_EFFECT[site.api.family]}", fix, no_fix)
    if facts.learning_phase_set:
        return
    calls = list(keras_calls_without_training(facts, in_tape=False))
    if not calls or not (facts.graph_mode or (not facts.trains and facts.called_from_graph_mode())):
        return
    for call, display in calls:
        yield Report(call.node, "BNU003", f"BNU003 {display} called without `training` in graph mode: "
                     f"{_EFFECT[Family.KERAS]}",
                     *_fix(facts, call, tf_api.KERAS_TRAINING_ARGUMENT, "None", force_unsafe=True))


def _tower_calls(facts: ModuleFacts) -> list:
    """Calls of this module that build batch norm (a site, or a call reaching one): towers."""
    found = [site.call for site in facts.sites if site.call.scope.index is facts.index]
    found += [call for call in facts.index.calls if facts.calls_reaching.get(id(call.node))]
    return found


def _on_an_inference_tower(facts: ModuleFacts, site, towers) -> bool:
    """Every call that builds this site stays off the train ops' losses while another tower is
    on them (RULES.md "Towers and modes": a sampler or evaluation tower reusing the layers)."""
    builders = [call for call in towers if call is site.call or
                any(reached.site.call is site.call for reached in facts.calls_reaching.get(id(call.node), ()))]
    if site.call.scope.function().kind == ScopeKind.FUNCTION and all(call is site.call for call in builders):
        return False    # a builder nobody calls here is no tower: judged as written
    return bool(builders) and all(facts.separate_tower(call, towers) for call in builders)


# What a missing flag does today, by API family: the default of a parameter threaded to the site,
# so that every call the fix does not touch keeps its behaviour (Keras: None reads the learning phase).
_DEFAULT_KEPT = MappingProxyType({Family.LAYERS: "False", Family.CONTRIB: "True"})


def _fix(facts: ModuleFacts, call, keyword: str, default: Optional[str],
         force_unsafe: bool = False) -> Tuple[Optional[object], Optional[str]]:
    """The plan, or None and why there is none."""
    flag = flag_expression(facts, call.scope)
    if flag is None:
        if default is None:
            return None, "the wrapper's own default decides the mode, and no flag is in reach"
        span, line = facts.source.span(call.node), call.statement.node.lineno
        return thread_flag(facts, call.scope, lambda name: InsertKeyword(span, keyword, name, UNSAFE, line),
                           default, site=call)
    value, safety = flag
    return InsertKeyword(facts.source.span(call.node), keyword, value, UNSAFE if force_unsafe else safety,
                         call.statement.node.lineno), None


def _normalizer_fix(facts: ModuleFacts, site) -> Tuple[Optional[object], Optional[str]]:
    """A ``normalizer_fn=`` batch norm takes its flag through ``normalizer_params``: the flag is
    added to the dict literal given there, merged into any other value given there
    (``{**params, "is_training": flag}``), or given as a new ``normalizer_params`` dict."""
    call, key = site.call, f'"{site.api.flag}"'
    span, line = facts.source.span(call.node), call.statement.node.lineno
    params = site.options

    def edit(flag: str, safety: FixSafety = UNSAFE):
        if params is None:
            return InsertKeyword(span, tf_api.NORMALIZER_PARAMS_KEYWORD, f"{{{key}: {flag}}}", safety, line)
        if type(params) is ast.Dict:
            return AddDictEntry(facts.source.span(params), key, flag, safety)
        return ReplaceExpression(facts.source.span(params),
                                 f"{{**{facts.source.segment(params)}, {key}: {flag}}}", safety)

    if params is not None and type(params) is ast.Dict and any(item is None for item in params.keys):
        return None, "the normalizer_params dict unpacks another (`**`): the flag may come from it"
    flag = flag_expression(facts, call.scope)
    if flag is None:
        default = _DEFAULT_KEPT.get(site.api.family)
        if default is None:
            return None, "the wrapper's own default decides the mode, and no flag is in reach"
        return thread_flag(facts, call.scope, edit, default, site=call)
    return edit(*flag), None


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
    fix_safety=FixSafety.SAFE_OR_UNSAFE,
    fix_title="pass `{keyword}={value}`",
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
    fixed=(
        (
            """\
import tensorflow as tf


def block(x, is_training):
    return tf.layers.batch_normalization(x)
""",
            """\
import tensorflow as tf


def block(x, is_training):
    return tf.layers.batch_normalization(x, training=is_training)
""",
        ),
        (
            """\
import tensorflow as tf


def block(x, phase_train):
    return tf.layers.batch_normalization(x)
""",
            """\
import tensorflow as tf


def block(x, phase_train):
    return tf.layers.batch_normalization(x, training=phase_train)
""",
        ),
    ),
)
