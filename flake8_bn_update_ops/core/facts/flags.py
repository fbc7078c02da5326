"""Training flags by their name: which names a project uses for its flag (the tables' and
``--training-names``), which expressions test one (``mode == TRAIN``, ``not self.is_training``),
and which points sit in a branch a flag picks."""
from __future__ import annotations

import ast
from typing import Tuple

from ... import tf_api
from ..index import ARG, IF, IFEXP, branch_test, contexts


def flag_names(settings) -> Tuple[str, ...]:
    return tf_api.SAFE_FLAG_NAMES + tf_api.UNSAFE_FLAG_NAMES + tuple(settings.training_names)


def is_flag_expression(names: Tuple[str, ...], expr) -> bool:
    """A training-flag name, attribute, or a test built from one (``mode == TRAIN``)."""
    kind = type(expr)
    if kind is ast.Name:
        return expr.id in names or expr.id == tf_api.MODE_PARAMETER or tf_api.FLAG_NAME_WORD in expr.id.lower()
    if kind is ast.Attribute:
        return expr.attr in names or expr.attr == tf_api.ESTIMATOR_TRAIN_MODE or \
            tf_api.FLAG_NAME_WORD in expr.attr.lower() or is_flag_expression(names, expr.value)
    if kind is ast.UnaryOp:
        return is_flag_expression(names, expr.operand)
    if kind is ast.Compare:
        return is_flag_expression(names, expr.left) or \
            any(is_flag_expression(names, c) for c in expr.comparators)
    if kind is ast.BoolOp:
        return any(is_flag_expression(names, value) for value in expr.values)
    if kind is ast.Call:
        return is_flag_expression(names, expr.func) or any(is_flag_expression(names, a) for a in expr.args)
    return False


def chosen_by_training_flag(names: Tuple[str, ...], context) -> bool:
    """A point that sits in a branch picked by a training flag: an ``if``/conditional
    expression on the flag, or a ``tf.cond(flag, ...)`` branch."""
    for entry in contexts(context):
        if entry.kind in (IF, IFEXP) and entry.part >= 0 and branch_test(entry) is not None \
                and is_flag_expression(names, branch_test(entry)):
            return True
        if entry.kind == ARG:
            call = entry.node
            func = call.func
            name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
            if name in tf_api.BRANCH_CONDITIONALS and call.args and is_flag_expression(names, call.args[0]):
                return True
    return False
