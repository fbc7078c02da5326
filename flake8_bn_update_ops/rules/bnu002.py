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
from . import Report

CODES = ("BNU002",)


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
