"""Statistics dropped by copying or saving a module's parameters only (BNU107, BNU108).

``parameters()``/``named_parameters()`` hold the weights, not the buffers where batch norm keeps
its running mean and variance. Two forms leave them behind: a hand-written EMA or weight copy
that walks two modules' parameters side by side (the copy is then evaluated with the running
statistics it had when it was made), and a checkpoint of the parameters (the restored module
evaluates with fresh statistics, mean 0 and variance 1). The facts (containment, mode events,
renaming across calls) are ``core.torch_flow``'s; every value question goes to the resolver.
"""
from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Set, Tuple

from .. import torch_api
from ..core.index import CallSite, Scope
from ..core.kinds import BindingKind, EventKind, ScopeKind
from ..core.torch_flow import EVAL, TorchFlow
from ..core.values import Api, options


def _method_call(node, methods) -> bool:
    return type(node) is ast.Call and type(node.func) is ast.Attribute and node.func.attr in methods


def walks_buffers(flow: TorchFlow) -> bool:
    """The module reads some module's buffers or state dict: an EMA or copy written here is
    taken to carry the statistics (``named_buffers()`` beside ``named_parameters()``,
    ``state_dict()`` items)."""
    wanted = torch_api.BUFFER_METHODS | {torch_api.STATE_DICT_METHOD}
    return any(_method_call(call.node, wanted) for call in flow.index.calls)


class ParameterCopy:
    """``for target, source in zip(T.parameters(), S.parameters())`` whose body writes
    ``target`` in place (``mul_``/``add_``/``copy_``/``lerp_``, or ``.data = ...``)."""

    __slots__ = ("loop", "call", "target", "source", "key")

    def __init__(self, loop: ast.For, call: CallSite, target: ast.Call, source: ast.Call, key: str):
        self.loop = loop
        self.call = call            # the call site of ``T.parameters()``
        self.target = target        # ``T.parameters()``
        self.source = source        # ``S.parameters()``
        self.key = key              # ``T``'s receiver text


def _loop_variable(target, method: str) -> Optional[str]:
    """The name a loop target gives the parameter (``p``, or ``p`` of ``(name, p)``)."""
    if method == torch_api.NAMED_PARAMETERS_METHOD and type(target) is ast.Tuple and len(target.elts) == 2:
        target = target.elts[1]
    return target.id if type(target) is ast.Name else None


def _written(body: List[ast.stmt], name: str) -> bool:
    """Whether the loop body writes the parameter ``name`` in place."""
    def is_param(node) -> bool:
        if type(node) is ast.Attribute and node.attr == torch_api.TENSOR_DATA_ATTRIBUTE:
            node = node.value
        return type(node) is ast.Name and node.id == name

    for statement in body:
        for node in ast.walk(statement):
            if type(node) is ast.Call and type(node.func) is ast.Attribute and \
                    node.func.attr.endswith(torch_api.IN_PLACE_SUFFIX) and not node.func.attr.startswith("_") \
                    and node.func.attr not in torch_api.NON_WRITING_IN_PLACE:
                receiver = node.func.value
                while type(receiver) is ast.Call and type(receiver.func) is ast.Attribute:
                    receiver = receiver.func.value      # ``p.mul_(d).add_(...)``
                if is_param(receiver):
                    return True
            if type(node) in (ast.Assign, ast.AugAssign):
                targets = node.targets if type(node) is ast.Assign else [node.target]
                if any(type(target) is ast.Attribute and is_param(target) for target in targets):
                    return True
                if type(node) is ast.AugAssign and is_param(node.target):
                    return True
    return False


def parameter_copies(flow: TorchFlow) -> Iterator[ParameterCopy]:
    for call in flow.index.calls:
        loop = call.statement.node if call.statement is not None else None
        if type(loop) is not ast.For or call.node is not loop.iter:
            continue
        if not any(type(option) is Api and option.name in torch_api.PAIRING_FUNCTIONS
                   for option in options(flow.evaluator.callee(call))):
            continue
        pair = call.node.args
        if len(pair) != 2 or call.node.keywords or type(loop.target) is not ast.Tuple or len(loop.target.elts) != 2:
            continue
        if not all(_method_call(arg, torch_api.PARAMETER_METHODS) for arg in pair):
            continue
        names = [_loop_variable(target, arg.func.attr) for target, arg in zip(loop.target.elts, pair)]
        written = [name is not None and _written(loop.body, name) for name in names]
        if written.count(True) != 1:
            continue
        index = written.index(True)
        target, source = pair[index], pair[1 - index]
        key = flow.key(target.func.value)
        if key is None or key == flow.key(source.func.value):
            continue
        site = next((inner for inner in flow.index.calls if inner.node is target), None)
        if site is not None:
            yield ParameterCopy(loop, site, target, source, key)


def _class_methods(scope: Scope) -> List[Scope]:
    cls = scope.enclosing_class()
    return [child for child in cls.children if child.kind == ScopeKind.FUNCTION] if cls is not None else [scope]


def aliases(flow: TorchFlow, scope: Scope, key: str) -> Set[Tuple[int, str]]:
    """Every (function, receiver text) that names the module ``key`` names in ``scope``: the
    callers' arguments it was passed as, the callees' parameters it is passed to, the other
    methods of a class for ``self.x``, every function for a global."""
    scopes = [entry for entry in flow.index.scopes if entry.kind in (ScopeKind.MODULE, ScopeKind.FUNCTION)]
    found: Set[Tuple[int, str]] = set()
    work = [(scope, key)]
    while work:
        here, name = work.pop()
        if (id(here), name) in found:
            continue
        found.add((id(here), name))
        root = name.partition(".")[0]
        if root == "self":
            work.extend((method, name) for method in _class_methods(here))
        elif here.param(root) is None:
            work.extend((other, name) for other in scopes if other.param(root) is None)
        for other in scopes:
            for event in flow.events(other):
                if event.kind != EventKind.CALL:
                    continue
                if here in event.callees:
                    outer = flow.into_caller(name, event, here)
                    if outer is not None:
                        work.append((other, outer))
                if other is here:
                    for callee in event.callees:
                        inner = flow.into_callee(name, event, callee)
                        if inner is not None and callee.param(inner.partition(".")[0]) is not None:
                            work.append((callee, inner))
    return found


def modes_set(flow: TorchFlow, names: Set[Tuple[int, str]]) -> Set[str]:
    """The modes the module's code switches any of these receivers to."""
    modes = set()
    for scope in flow.index.scopes:
        for event in flow.events(scope):
            if event.kind == EventKind.MODE and (id(scope), event.key) in names:
                modes.add(event.mode)
    return modes


def evaluated_with_kept_statistics(flow: TorchFlow, scope: Scope, key: str) -> bool:
    """The module is put in eval mode somewhere and never back in training mode: its forwards
    read the running statistics and never re-estimate them (a mean teacher's EMA model, run in
    training mode every step, estimates its own)."""
    modes = modes_set(flow, aliases(flow, scope, key))
    return modes == {EVAL}


def saved_parameter_calls(flow: TorchFlow) -> Iterator[Tuple[CallSite, ast.Call, ast.AST]]:
    """(save call, ``X.parameters()``/``X.named_parameters()`` call, the expression the fix
    may replace or None) for each checkpoint whose saved object holds a module's parameters
    and none of its buffers or state dict."""
    for call in flow.index.calls:
        if not any(type(option) is Api and option.name in torch_api.SAVE_FUNCTIONS
                   for option in options(flow.evaluator.callee(call))):
            continue
        node = call.node
        saved = node.args[0] if node.args else next(
            (keyword.value for keyword in node.keywords if keyword.arg == torch_api.SAVED_OBJECT_KEYWORD), None)
        if saved is None:
            continue
        # The saved expression, and what its names were assigned (``{"weights": weights}``).
        parts = [saved] + [_bound_value(flow, call, name) for name in ast.walk(saved) if type(name) is ast.Name]
        inner = [sub for part in parts for sub in ast.walk(part) if type(sub) is ast.Call]
        if any(_method_call(sub, torch_api.BUFFER_METHODS | {torch_api.STATE_DICT_METHOD}) for sub in inner):
            continue
        for parameters, replaceable in _saved_parameters(flow, call, saved):
            yield call, parameters, replaceable


def _saved_parameters(flow: TorchFlow, call: CallSite, saved) -> List[Tuple[ast.Call, Optional[ast.Call]]]:
    """The ``X.parameters()`` calls whose items the saved object holds as they are: the object
    itself, a value of a dict or list literal, the argument of ``dict(...)``/``list(...)``, or
    the source of a comprehension whose element is the parameter (``p.detach().cpu()``; not
    ``p.grad`` or ``p.numel()``); a name of the saved expression stands for what it was
    assigned (one level: a syntax walk, not value following). Each with the ``dict(...)`` the
    fix may replace, or None."""
    found = {}
    work = [(saved, True)]
    while work:
        node, follow_names = work.pop()
        kind = type(node)
        if kind is ast.Name:
            bound = _bound_value(flow, call, node) if follow_names else node
            if bound is not node:
                work.append((bound, False))
        elif kind is ast.Dict:
            work.extend((value, follow_names) for value in node.values)
        elif kind in (ast.List, ast.Tuple, ast.Set):
            work.extend((element, follow_names) for element in node.elts)
        elif kind is ast.Call and _method_call(node, torch_api.PARAMETER_METHODS):
            found.setdefault(id(node), (node, None))
        elif kind is ast.Call and len(node.args) == 1 and not node.keywords:
            names = _builder_names(flow, call, node)
            if not names & (torch_api.MAPPING_BUILDERS | torch_api.SEQUENCE_BUILDERS):
                continue
            argument = node.args[0]
            if _method_call(argument, torch_api.PARAMETER_METHODS):
                replaceable = node if names & torch_api.MAPPING_BUILDERS and \
                    argument.func.attr == torch_api.NAMED_PARAMETERS_METHOD and not argument.args \
                    and not argument.keywords else None
                found.setdefault(id(argument), (argument, replaceable))
            else:
                work.append((argument, follow_names))
        elif kind in (ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.SetComp) and len(node.generators) == 1:
            source = node.generators[0].iter
            if not _method_call(source, torch_api.PARAMETER_METHODS):
                continue
            element = node.value if kind is ast.DictComp else node.elt
            name = _loop_variable(node.generators[0].target, source.func.attr)
            if name is not None and _is_value_of(element, name):
                found.setdefault(id(source), (source, None))
    return list(found.values())


def _builder_names(flow: TorchFlow, call: CallSite, node: ast.Call) -> Set[str]:
    """What ``node``'s callee is, as API names (``builtins.dict``)."""
    return {option.name for option in options(flow.resolver.value(node.func, flow.evaluator.at(call)))
            if type(option) is Api}


def _is_value_of(node, name: str) -> bool:
    """``p``, ``p.data``, ``p.detach().cpu()``: the parameter's values."""
    while True:
        if type(node) is ast.Call and type(node.func) is ast.Attribute and \
                node.func.attr in torch_api.TENSOR_VALUE_METHODS:
            node = node.func.value
        elif type(node) is ast.Attribute and node.attr == torch_api.TENSOR_DATA_ATTRIBUTE:
            node = node.value
        else:
            return type(node) is ast.Name and node.id == name


def _bound_value(flow: TorchFlow, call: CallSite, node):
    """``torch.save(weights, path)``: the expression ``weights`` was assigned, when one
    assignment in the same function before the save binds it."""
    if type(node) is not ast.Name:
        return node
    earlier = [binding for binding in call.scope.bindings.get(node.id, ())
               if binding.kind == BindingKind.ASSIGN and binding.statement is not None and call.statement is not None
               and binding.statement.seq < call.statement.seq]
    if len(earlier) == 1 and earlier[0].value is not None and not earlier[0].unpack:
        return earlier[0].value
    return node
