"""Graph mode or eager: what the module's own calls say (a ``Session``, an ``Estimator``, a
TF1 optimizer's ``minimize``; a ``GradientTape`` makes its function eager), whether it sets the
Keras learning phase, whether it trains (``fit``, a tape), and whether the modules importing it
run it in graph mode (RULES.md "Graph mode follows the call chain")."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import FrozenSet, List

from ... import tf_api
from ..evaluate import Evaluator
from ..index import ARG, CallSite, ModuleIndex, contexts
from ..values import ApiCall, options
from .records import TrainOpInfo


@dataclass(frozen=True)
class Modes:
    graph_mode: bool
    eager_scopes: FrozenSet[int]        # id() of each function that opens a GradientTape
    learning_phase_set: bool
    trains: bool                        # a tape or a Keras training method (train ops add theirs)


def scan_modes(evaluator: Evaluator, index: ModuleIndex, train_ops: List[TrainOpInfo]) -> Modes:
    resolver = evaluator.resolver
    graph_mode = learning_phase_set = trains = False
    eager_scopes = set()
    for call in index.calls:
        name = evaluator.api_name(call)
        if name == tf_api.GRADIENT_TAPE:
            eager_scopes.add(id(call.scope.function()))
            trains = True
        elif name in tf_api.GRAPH_MODE_CALLS:
            graph_mode = True
        elif name in tf_api.ESTIMATORS and call.node.args:
            graph_mode = True      # ``Estimator(model_fn)``: the model function, positionally
        elif name in tf_api.LEARNING_PHASE_SETTERS and call.node.args:
            if resolver.definite_bool(resolver.value(call.node.args[0], evaluator.at(call))) is not False and \
                    _const_value(call.node.args[0]) == 1:
                learning_phase_set = True
        elif name == tf_api.LEARNING_PHASE and _inside_feed(call):
            learning_phase_set = True
        func = call.node.func
        if type(func) is ast.Attribute and func.attr in tf_api.KERAS_TRAINING_METHODS:
            trains = True
        for keyword in call.node.keywords:
            if keyword.arg in tf_api.GRAPH_MODE_KEYWORDS:
                graph_mode = True
    for op in train_ops:
        if op.method != tf_api.MINIMIZE_METHOD or id(op.call.scope.function()) in eager_scopes:
            continue
        receiver = resolver.value(op.call.node.func.value, evaluator.at(op.call))
        if any(type(option) is ApiCall and option.name.startswith(tf_api.TF1_OPTIMIZER_PREFIX)
               for option in options(receiver)):
            graph_mode = True
    return Modes(graph_mode, frozenset(eager_scopes), learning_phase_set, trains)


def called_from_graph_mode(project, index: ModuleIndex) -> bool:
    """A module with no graph-mode marker of its own whose importers build graphs (a
    ``model_fn``, a ``Session`` script) and run no eager training: its functions run in
    graph mode through them (RULES.md "Graph mode follows the call chain"). Asked only by
    the rules that need it (it reads the importers)."""
    if project is None:
        return False
    for importer in project.importers_of(index, b"import"):
        names = set()
        for call in importer.calls:
            func = call.node.func
            names.add(func.attr if type(func) is ast.Attribute else getattr(func, "id", None))
            names.update(keyword.arg for keyword in call.node.keywords)
        if names & tf_api.GRAPH_MODE_MARKER_NAMES and not names & tf_api.EAGER_MARKER_NAMES:
            return True
    return False


def _const_value(node):
    return node.value if type(node) is ast.Constant else None


def _inside_feed(call: CallSite) -> bool:
    """The call is fed: inside a ``feed_dict=`` argument, or a key of a dict literal (a feed
    dict built before the ``run``)."""
    for entry in contexts(call.context):
        if entry.kind == ARG:
            for keyword in entry.node.keywords:
                if keyword.arg == tf_api.FEED_KEYWORD:
                    return True
    statement = call.statement.node if call.statement is not None else None
    if statement is not None:
        for node in ast.walk(statement):
            if type(node) is ast.Dict and any(key is call.node for key in node.keys):
                return True
    return False
