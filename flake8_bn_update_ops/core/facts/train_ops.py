"""Train ops: the ``minimize``/``apply_gradients`` calls the module makes (those the resolver
confirms build a train op), and the helpers that build one and run update ops of their own
(``create_train_op``), kept as train ops only when told to run none."""
from __future__ import annotations

import ast
from typing import List, Tuple

from ... import tf_api
from ..evaluate import Evaluator
from ..index import ModuleIndex, argument_node
from ..values import Sequence, Value, options
from .records import TrainOpInfo


def scan_train_ops(evaluator: Evaluator, index: ModuleIndex) -> Tuple[List[TrainOpInfo], bool]:
    """(the train ops, whether the module trains through any of these calls)."""
    resolver = evaluator.resolver
    train_ops: List[TrainOpInfo] = []
    trains = False
    for call in index.calls:
        node = call.node
        func = node.func
        if type(func) is ast.Attribute and func.attr in tf_api.TRAIN_OP_METHODS:
            if resolver.is_train_op_call(call):
                train_ops.append(TrainOpInfo(call, func.attr, argument_node(node, tf_api.MINIMIZE_LOSS_KEYWORD,
                                                                            tf_api.LOSS_POSITION)))
            continue
        name = evaluator.api_name(call)
        if name in tf_api.UPDATE_RUNNING_HELPERS:
            trains = True
            position = tf_api.UPDATE_RUNNING_HELPER_POSITION.get(name)
            arg = argument_node(node, tf_api.UPDATE_RUNNING_HELPERS[name], position)
            if arg is not None and _is_empty_collection(resolver.value(arg, evaluator.at(call))):
                loss = argument_node(node, tf_api.HELPER_LOSS_KEYWORD, tf_api.LOSS_POSITION) or \
                    argument_node(node, tf_api.MINIMIZE_LOSS_KEYWORD, tf_api.LOSS_POSITION)
                train_ops.append(TrainOpInfo(call, name.rsplit(".", 1)[-1], loss))
    return train_ops, trains or bool(train_ops)


def _is_empty_collection(value: Value) -> bool:
    return all(type(option) is Sequence and option.complete and not option.items for option in options(value))
