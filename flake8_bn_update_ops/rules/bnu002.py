"""BNU002: the batch-norm training flag is hard-coded.

``True``: inference normalizes with batch statistics. ``False``: no update ops are created
and the layer never learns its statistics (measured). Silent inside a branch chosen by a
training flag (``tf.cond(is_training, lambda: bn(x, is_training=True), ...)``).
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from ..fixes import ReplaceNode
from ..planning import flag_parameter
from .base import Report, Rule


def check(context) -> Iterable[Report]:
    analyzer = context.analyzer
    seen = set()
    sites = list(context.analysis.sites) + [site for site in context.analysis.keras_sites
                                            if not analyzer.in_eager_function(site.call)]
    for site in sites:
        flag = site.flag
        if flag.state != "given" or flag.literal is None or id(flag.node) in seen:
            continue
        seen.add(id(flag.node))
        if _chosen_by_training_flag(analyzer, site.call.parents, flag.node):
            continue
        effect = ("inference normalizes with batch statistics" if flag.literal else
                  "no update ops are created and the layer never learns its moving statistics")
        fix = None
        parameter = flag_parameter(analyzer, analyzer.scope_of_argument(flag.node) or site.call.scope) \
            if flag.origin in ("call", "partial", "arg_scope") else None
        if parameter is not None:
            name, _ = parameter
            fix = ReplaceNode(flag.node, lambda _updated, name=name: cst.Name(name), "unsafe")
        yield Report(flag.node, "BNU002",
                     f"BNU002 {site.api.display} `{site.api.flag}` is hard-coded to {flag.literal}: {effect}",
                     fix)
    for fact, display, parameter, literal in analyzer.wrapper_calls():
        if _chosen_by_training_flag(analyzer, fact.parents, fact.node):
            continue
        effect = ("inference normalizes with batch statistics" if literal else
                  "no update ops are created and the layer never learns its moving statistics")
        yield Report(fact.node, "BNU002",
                     f"BNU002 this call leaves `{parameter}` at the wrapper's default {literal}, which becomes the "
                     f"{display} training flag: {effect}")


def _chosen_by_training_flag(analyzer, parents, node) -> bool:
    """The literal sits in a branch picked by a training flag: an ``if``/conditional
    expression on the flag, or a ``tf.cond(flag, ...)`` branch."""
    chain = list(parents)
    for index, parent in enumerate(chain):
        if isinstance(parent, (cst.If, cst.IfExp)) and analyzer.is_flag_expression(parent.test):
            child = chain[index + 1] if index + 1 < len(chain) else node
            if child is not parent.test:
                return True
        if isinstance(parent, cst.Call) and parent.args and getattr(parent.func, "attr", None) is not None \
                and parent.func.attr.value == "cond" and analyzer.is_flag_expression(parent.args[0].value):
            return True
        if isinstance(parent, cst.Call) and isinstance(parent.func, cst.Name) and parent.func.value == "cond" \
                and parent.args and analyzer.is_flag_expression(parent.args[0].value):
            return True
    return False


RULE = Rule(
    code="BNU002",
    title="batch-norm training flag hard-coded",
    effect=(
        "A literal `True` makes inference normalize with the statistics of the batch it is given (an evaluation "
        "or export script that builds batch norm with `True` is the classic form of this bug). A literal `False` "
        "creates no update ops (measured): the layer never learns its moving statistics. Reported wherever the "
        "literal reaches the flag: a keyword, a position, `normalizer_params`, `arg_scope`, `functools.partial`, "
        "a module constant, or a wrapper's literal default that a call leaves in place. Silent when the literal "
        "sits in a branch chosen by a training flag (`tf.cond(is_training, ...)`, `if is_training:`). A literal "
        "`False` is also silent where it is right: a deliberately frozen layer (`trainable=False` beside it) and a "
        "module that trains nothing (an export, freeze or inference script)."),
    fix=(
        "Replaces the literal with the enclosing function's single training-flag parameter (`training`, "
        "`is_training`, `is_train`, `phase_train`, ...). Unsafe: it guesses that this parameter is the flag you "
        "meant."),
    fix_safety="unsafe",
    flagged=(
        """\
import tensorflow as tf


def network(images, is_training):
    net = tf.layers.batch_normalization(images, training=True)  # expect: BNU002:58
    return net
""",
        """\
import tensorflow.contrib.slim as slim


def network(images, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=False):  # expect: BNU002:56
        return slim.batch_norm(images)


def train(loss, optimizer):
    return slim.learning.create_train_op(loss, optimizer)
""",
    ),
    silent=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)
""",
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.cond(is_training,
                   lambda: tf.layers.batch_normalization(images, training=True),
                   lambda: tf.layers.batch_normalization(images, training=False, reuse=True))
""",
    ),
    check=check,
)
