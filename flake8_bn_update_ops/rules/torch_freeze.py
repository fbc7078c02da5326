"""Freezing batch norm in PyTorch (BNU105, BNU106): where parameters are frozen by
``requires_grad`` and where batch-norm layers are put in evaluation mode to keep their running
statistics. The facts (containment, events, mode flow) are ``core.torch_flow``'s; every value
question goes to the resolver."""
from __future__ import annotations

import ast
import re
from typing import Iterator, List, Optional, Set, Tuple

from .. import torch_api
from ..core.index import DEF, IF, LAMBDA, CLASS, LOOP, Scope, contexts
from ..core.kinds import EventKind, ParamKind, ScopeKind
from ..core.resolver import At
from ..core.torch_flow import EVAL, TorchFlow
from ..core.values import Api, ApiCall, Class, Const, Function, Instance, Sequence, Spread, options


class Freeze:
    """``key``'s parameters frozen at ``node`` (the statement or call a user reads as the
    freeze: a ``requires_grad`` assignment, a ``requires_grad_`` call, or the call of a helper
    of the project that freezes its argument)."""

    __slots__ = ("node", "key", "receiver", "at", "scope", "guarded")

    def __init__(self, node, key: str, receiver, at: At, scope: Scope, guarded: bool):
        self.node = node
        self.key = key
        self.receiver = receiver      # the expression of the frozen module
        self.at = at
        self.scope = scope            # the function the freeze runs in
        self.guarded = guarded        # under ``isinstance(m, nn.BatchNorm*)``: batch norm itself


def _not_true(node) -> bool:
    """``requires_grad = <value>`` freezes unless the value is ``True`` (a flag such as
    ``finetune`` that defaults to False freezes on the default path)."""
    return not (type(node) is ast.Constant and node.value is True)


def _enclosing_loops(context) -> Iterator[ast.For]:
    for entry in contexts(context):
        if entry.kind in (DEF, LAMBDA, CLASS):
            return
        if entry.kind == LOOP and type(entry.node) is ast.For:
            yield entry.node


def _parameter_loop_receiver(name: str, context):
    """The module whose parameters a loop variable walks: ``for p in X.parameters()`` or
    ``for n, p in X.named_parameters()``."""
    for loop in _enclosing_loops(context):
        target, source = loop.target, loop.iter
        if type(target) is ast.Tuple and len(target.elts) == 2:
            target = target.elts[1]
        if type(target) is not ast.Name or target.id != name:
            continue
        if type(source) is ast.Call and type(source.func) is ast.Attribute and \
                source.func.attr in torch_api.PARAMETER_METHODS:
            return source.func.value
        return None
    return None


def batch_norm_guard(flow: TorchFlow, context, scope: Scope, statement, name: Optional[str] = None) -> bool:
    """Whether the code sits in the body of a test that picks batch-norm layers:
    ``isinstance(m, nn.BatchNorm2d)`` (or a tuple of them) or a class-name test naming
    ``BatchNorm`` (``classname.find('BatchNorm') != -1``)."""
    for entry in contexts(context):
        if entry.kind in (DEF, LAMBDA, CLASS):
            return False
        if entry.kind != IF or entry.part != 0:
            continue
        test = entry.node.test
        for node in ast.walk(test):
            if type(node) is ast.Constant and type(node.value) is str and \
                    any(word in node.value for word in torch_api.BATCH_NORM_CLASS_NAME_WORDS):
                return True
            if type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "isinstance" and \
                    len(node.args) == 2 and (name is None or _names(node.args[0], name)):
                classes = node.args[1].elts if type(node.args[1]) is ast.Tuple else [node.args[1]]
                at = At(scope, statement)
                if any(type(option) is Api and option.name in torch_api.BATCH_NORM_CLASSES
                       for cls in classes for option in options(flow.resolver.value(cls, at))):
                    return True
    return False


def _names(node, name: str) -> bool:
    return type(node) is ast.Name and node.id == name


def _named_like_batch_norm(key: str) -> bool:
    return torch_api.BATCH_NORM_ATTRIBUTE.fullmatch(key.rsplit(".", 1)[-1].lower()) is not None


def receiver_key(flow: TorchFlow, node) -> Optional[str]:
    """``flow.key`` of a receiver, subscripts included (``model.layers[0]``, ``nets[i]``: a layer
    of a container, frozen or switched as often as a named one), each index as written, or
    ``[...]`` when long. ``canonical`` makes such keys comparable."""
    if type(node) is not ast.Subscript and flow.key(node) is not None:
        return flow.key(node)
    parts = []
    while type(node) in (ast.Attribute, ast.Subscript):
        if type(node) is ast.Attribute:
            parts.append("." + node.attr)
        else:
            text = ast.unparse(node.slice)
            parts.append(f"[{text}]" if len(text) <= 20 and "[" not in text else "[...]")
        node = node.value
    return node.id + "".join(reversed(parts)) if type(node) is ast.Name else None


def canonical(key: str) -> str:
    """A key with every index read as any index (``nets[0]`` and ``nets[i]`` may be one module):
    ``nets.[]``, so that the mode flow's prefix test relates it to ``nets``."""
    return re.sub(r"\.?\[[^\]]*\]", ".[]", key)     # idempotent: ``nets.[]`` stays


def key_root(key: str) -> str:
    return re.split(r"[.\[]", key, maxsplit=1)[0]


def freezes(flow: TorchFlow) -> Iterator[Freeze]:
    """Every requires_grad-only freeze of a module in this file, moved to the call sites of a
    helper that freezes its parameter (``_freeze_module(self.bn1)``)."""
    index = flow.evaluator.index
    raw: List[Tuple[object, object, object, Scope]] = []     # (report node, receiver, statement, scope)
    for store in index.attribute_stores.get(torch_api.REQUIRES_GRAD_ATTRIBUTE, ()):
        if not _not_true(store.value) or store.statement is None:
            continue
        statement = store.statement
        base = store.base
        receiver = None
        if type(base) is ast.Name:
            receiver = _parameter_loop_receiver(base.id, statement.context)
        elif type(base) is ast.Attribute and base.attr in torch_api.PARAMETER_ATTRIBUTES:
            receiver = base.value       # ``bn.weight.requires_grad = False``
        if receiver is not None:
            raw.append((statement.node, receiver, statement, statement.scope))
    for call in index.calls:
        func = call.node.func
        if type(func) is not ast.Attribute or func.attr != torch_api.REQUIRES_GRAD_METHOD:
            continue
        argument = call.node.args[0] if call.node.args else next(
            (keyword.value for keyword in call.node.keywords if keyword.arg == torch_api.REQUIRES_GRAD_ATTRIBUTE), None)
        if argument is None or not _not_true(argument):
            continue        # ``requires_grad_()`` turns gradients on
        receiver = func.value
        node = call.node
        scope = call.scope
        if scope.kind == ScopeKind.LAMBDA:
            # ``model.bn.apply(lambda m: m.requires_grad_(False))``: the module applied to.
            outer = _applied_to(flow, scope)
            if outer is None:
                continue
            receiver, node, call = outer.node.func.value, outer.node, outer
            scope = outer.scope
        raw.append((node, receiver, call.statement, scope))
    seen: Set[tuple] = set()
    for node, receiver, statement, scope in raw:
        key = receiver_key(flow, receiver)
        if key is None:
            continue
        function = scope.function()
        root = key_root(key)
        guarded = batch_norm_guard(flow, statement.context, scope, statement, root)
        param = function.param(root) if function.kind == ScopeKind.FUNCTION else None
        callers = flow.evaluator.callers(function) if param is not None and root not in ("self", "cls") else ()
        if callers and not guarded:
            # A helper's parameter: the freeze is wherever the helper is called, unless the helper
            # also puts its parameter in eval mode (lightly's ``freeze_eval_module``).
            if any(event.kind == EventKind.MODE and event.mode == EVAL and event.key.split(".", 1)[0] == root
                   for event in flow.events(function)):
                continue
            for caller in callers:
                argument = _argument_for(caller.node, function, root)
                caller_key = receiver_key(flow, argument) if argument is not None else None
                if caller_key is None:
                    continue
                marker = (caller.node.lineno, caller_key)
                if marker not in seen:
                    seen.add(marker)
                    yield Freeze(caller.node, caller_key + key[len(root):], argument,
                                 At(caller.scope, caller.statement), caller.scope.function(), False)
            continue
        marker = (node.lineno, key)
        if marker not in seen:
            seen.add(marker)
            yield Freeze(node, key, receiver, At(scope, statement), function, guarded)


def _applied_to(flow: TorchFlow, lambda_scope: Scope):
    """The ``X.apply(<this lambda>)`` call a lambda is passed to."""
    for call in flow.evaluator.index.calls:
        func = call.node.func
        if type(func) is ast.Attribute and func.attr == torch_api.APPLY_METHOD and call.node.args and \
                call.node.args[0] is lambda_scope.node:
            return call
    return None


def _argument_for(call: ast.Call, function: Scope, name: str):
    params = [param for param in function.params if param.kind == ParamKind.POSITIONAL]
    if function.enclosing_class() is not None and params and params[0].name in ("self", "cls"):
        params = params[1:]
    for param, argument in zip(params, call.args):
        if param.name == name:
            return None if type(argument) is ast.Starred else argument
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def frozen_contains_bn(flow: TorchFlow, freeze: Freeze) -> bool:
    if freeze.guarded or _named_like_batch_norm(freeze.key):
        return True
    if flow.contains_bn(flow.resolver.value(freeze.receiver, freeze.at)):
        return True
    return type(freeze.receiver) is ast.Subscript and _element_contains_bn(flow, freeze.receiver, freeze.at)


def _element_contains_bn(flow: TorchFlow, node: ast.Subscript, at: At) -> bool:
    """An element of a PyTorch container (``model[0]`` of an ``nn.Sequential``, ``nets[i]``)
    that holds batch norm, which the resolver does not index: the element at a literal
    position, or any element when the position is not a literal."""
    resolver = flow.resolver
    index = resolver.value(node.slice, at)
    position = index.value if type(index) is Const and type(index.value) is int else None
    for option in options(resolver.value(node.value, at)):
        if type(option) is ApiCall and option.name in torch_api.CONTAINERS:
            items = option.args.positional
            if None in items:
                items = ()      # a ``*spread``: positions unknown
        elif type(option) is Sequence and not any(type(item) is Spread for item in option.items):
            items = option.items
        else:
            continue
        if position is not None:
            items = items[position:position + 1] if -len(items) <= position < len(items) else ()
        if any(flow.contains_bn(resolver.arg_value(item)) for item in items):
            return True
    return False


def batch_norm_eval_freezes(flow: TorchFlow) -> Iterator[Tuple[object, Scope]]:
    """Each ``m.eval()`` (or ``m.train(False)``) of a layer picked as batch norm (an
    ``isinstance``/class-name test): (the call site, the function it is in)."""
    for scope in flow.evaluator.index.scopes:
        if scope.kind not in (ScopeKind.MODULE, ScopeKind.FUNCTION, ScopeKind.LAMBDA):
            continue
        for event in flow.events(scope):
            if event.kind != EventKind.MODE or event.mode != EVAL or event.call.scope.function() is not scope:
                continue
            call = event.call
            if batch_norm_guard(flow, call.context, call.scope, call.statement, event.key.split(".", 1)[0]):
                yield call, scope


def trains_anywhere(flow: TorchFlow) -> bool:
    """This module takes a training step somewhere, or hands a model to a trainer's ``fit``."""
    for scope in flow.evaluator.index.scopes:
        if scope.kind in (ScopeKind.MODULE, ScopeKind.FUNCTION) and \
                any(event.kind == EventKind.STEP for event in flow.events(scope)):
            return True
    return any(type(call.node.func) is ast.Attribute and call.node.func.attr in torch_api.TRAINER_FIT_METHODS
               for call in flow.evaluator.index.calls)


def tracking_switched(flow: TorchFlow) -> bool:
    """The module turns batch norm's statistics off by hand (``m.track_running_stats = False``,
    ``m.momentum = 0``): it manages the statistics itself."""
    stores = flow.evaluator.index.attribute_stores
    if stores.get(torch_api.TRACK_RUNNING_STATS_ATTRIBUTE):
        return True
    return any(type(store.value) is ast.Constant and store.value.value in (0, 0.0)
               for store in stores.get(torch_api.MOMENTUM_KEYWORD, ()))


def momentum_targets(flow: TorchFlow) -> Set[str]:
    """Modules whose parameters a loop walks in step with another's (``for q, k in
    zip(a.parameters(), b.parameters())``): a momentum (EMA) encoder or a target network,
    whose frozen, train-mode batch norm is the method's design (MoCo, BYOL)."""
    found: Set[str] = set()
    for scope in flow.evaluator.index.scopes:
        for node in ast.walk(scope.node) if scope.kind == ScopeKind.MODULE else ():
            if type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "zip":
                for argument in node.args:
                    if type(argument) is ast.Call and type(argument.func) is ast.Attribute and \
                            argument.func.attr in torch_api.PARAMETER_METHODS:
                        key = flow.key(argument.func.value)
                        if key is not None:
                            found.add(key)
    return found


def overrides_train(flow: TorchFlow, value) -> bool:
    """The module's class (or a base of the project) defines ``train``: an override that can
    re-freeze batch norm after every mode switch."""
    for option in options(value):
        if type(option) is not Instance:
            continue
        for entry in flow.resolver.mro(option.cls):
            if type(entry) is Class and any(child.kind == ScopeKind.FUNCTION and child.name == torch_api.TRAIN_METHOD
                                            for child in entry.scope.children):
                return True
    return False


def is_function(value) -> Optional[Scope]:
    for option in options(value):
        if type(option) is Function and option.scope is not None:
            return option.scope
    return None
