"""PyTorch facts for the BNU1xx rules: which modules contain batch norm, and the mode each one
is in where it runs (mode flow).

Built once per check with the module's facts (``ModuleFacts.torch``), from the evaluator and the
one resolver: a module that never touches PyTorch pays one look at its calls' callees, which the
reach walk has already resolved. Its answers are computed when a rule first asks.

Mode flow is followed per *receiver* (``model``, ``self.net``): the text of the expression a
mode switch or a forward call is made on, in one function. Across calls the receiver is
renamed through the callee's parameters (``validate(model)`` -> ``net`` in ``def validate(net)``);
a function's effect on a receiver is its *summary* (the last mode it leaves, the first of
``train()`` or a training step it reaches). Recursion is cut by a visited set, never by a
depth of its own; every value question goes to the resolver.
"""
from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .. import torch_api
from .evaluate import calls_run_in
from .index import DEF, LAMBDA, CLASS, LOOP, WITH, CallSite, Scope, contexts
from .kinds import BindingKind, EventKind, ParamKind, ScopeKind, TorchMode
from .resolver import At
from .values import (UNKNOWN, Api, ApiCall, Class, Const, Function, Instance, ParamValue, Sequence, Spread,
                     Value, options)

EVAL, TRAIN, UNSURE = TorchMode.EVAL, TorchMode.TRAIN, TorchMode.UNSURE      # UNSURE: a mode we cannot read


class Event:
    """One thing a function does that mode flow cares about, at ``pos`` (line, column)."""

    __slots__ = ("kind", "key", "mode", "call", "pos", "callees", "renames")

    def __init__(self, kind: str, call: CallSite, key: Optional[str] = None, mode: Optional[str] = None,
                 callees: Tuple[Scope, ...] = (), renames: Tuple[Tuple[str, str], ...] = ()):
        self.kind = kind            # an EventKind
        self.key = key              # the receiver of a mode switch
        self.mode = mode
        self.call = call
        self.pos = (call.node.lineno, call.node.col_offset)
        self.callees = callees      # for a call: the project functions it runs
        self.renames = renames      # for a call: (callee parameter, caller receiver text)

    def __repr__(self):
        return f"<{self.kind} {self.key} {self.mode} line {self.pos[0]}>"


class TorchFlow:
    def __init__(self, evaluator):
        self.evaluator = evaluator
        self.index = evaluator.index
        self.resolver = evaluator.resolver
        self.source = evaluator.source
        self._class_bn: Dict[int, bool] = {}
        self._events: Dict[int, List[Event]] = {}
        self._trains: Dict[int, bool] = {}
        self._last_modes: Dict[tuple, Optional[str]] = {}
        self.uses_torch = any(self._torch_callee(call) for call in self.index.calls)

    # ------------------------------------------------------------------------------------------
    # What a value is

    def _torch_callee(self, call: CallSite) -> bool:
        return any(type(option) is Api and option.name.startswith(torch_api.MODULE_ROOTS)
                   for option in options(self.evaluator.callee(call)))

    def value_at(self, node, call: CallSite) -> Value:
        return self.resolver.value(node, At(call.scope, call.statement))

    def contains_bn(self, value: Value, seen: Optional[Set[int]] = None) -> bool:
        """Whether an alternative of ``value`` is a PyTorch module that contains batch norm (a
        name bound to a built network on one branch and to ``torch.load(...)`` on another runs
        the network on the first)."""
        seen = seen if seen is not None else set()
        return any(self._one_contains_bn(option, seen) for option in options(value))

    def known_without_bn(self, value: Value) -> bool:
        """Every alternative is a module we can see into, and none contains batch norm."""
        return all(self._seen_into(option) for option in options(value)) and not self.contains_bn(value)

    def _seen_into(self, option: Value) -> bool:
        if type(option) is Instance:
            return True
        if type(option) is not ApiCall or not option.name.startswith(torch_api.MODULE_ROOTS):
            return False        # an import we cannot read (a module out of sight), or anything else
        if option.name in torch_api.WRAPPERS:
            first = option.args.positional[0] if option.args.positional else None
            return first is not None and all(self._seen_into(inner)
                                             for inner in options(self.resolver.arg_value(first)))
        return True

    def _one_contains_bn(self, value: Value, seen: Set[int]) -> bool:
        kind = type(value)
        if kind is ApiCall:
            name = value.name
            if name in torch_api.BATCH_NORM_CLASSES:
                return True
            if name.startswith(torch_api.TORCHVISION_MODEL_PREFIXES):
                return name.rsplit(".", 1)[-1] in torch_api.TORCHVISION_MODELS_WITH_BN
            if name in torch_api.TIMM_CREATE:
                first = value.args.positional[0] if value.args.positional else \
                    value.args.keyword(torch_api.TIMM_MODEL_NAME_KEYWORD)
                arch = self.resolver.arg_value(first) if first is not None else UNKNOWN
                return type(arch) is Const and type(arch.value) is str and \
                    arch.value.startswith(torch_api.TIMM_FAMILIES_WITH_BN)
            if name in torch_api.WRAPPERS or name in torch_api.MODULE_COPIES:
                first = value.args.positional[0] if value.args.positional else None
                return first is not None and self.contains_bn(self.resolver.arg_value(first), seen)
            if name in torch_api.CONTAINERS:
                for item in self._items(value):
                    if self.contains_bn(item, seen):
                        return True
            if name.rsplit(".", 1)[-1] in torch_api.SUBMODULE_METHODS and name.startswith("<method>.") \
                    and type(value.node) is ast.Call and type(value.node.func) is ast.Attribute \
                    and value.at is not None:
                # ``model.children()``: the submodules of ``model``.
                return self.contains_bn(self.resolver.value(value.node.func.value, value.at, value.frame), seen)
            return False
        if kind is Instance:
            return self._class_contains_bn(value.cls, seen)
        if kind is ParamValue:
            # A parameter holds what this module's calls of its function pass for it.
            marker = id(value.param)
            if marker in seen:
                return False
            seen.add(marker)
            passed = self.evaluator.arguments_passed(value.param)
            return any(self.contains_bn(argument, seen) for argument in passed)
        return False

    def _items(self, container: ApiCall) -> Iterable[Value]:
        for arg in container.args.positional + tuple(arg for arg in container.args.starred):
            if arg is None:
                continue
            node = arg.node
            if type(node) is ast.Subscript and type(node.slice) is ast.Slice:
                # ``Sequential(*list(model.children())[:-1])``: the network minus its head. The
                # slice is read as the whole list (a head is what such slices drop).
                yield from self._elements(self.resolver.value(node.value, arg.at, arg.frame), set())
                continue
            yield from self._elements(self.resolver.arg_value(arg), set())
        for _, arg in container.args.keywords:
            yield self.resolver.arg_value(arg)

    def _elements(self, value: Value, seen: Set[int]) -> Iterable[Value]:
        for option in options(value):
            if type(option) is Sequence:
                if id(option) in seen:
                    continue
                seen.add(id(option))
                for item in option.items:
                    inner = self.resolver.arg_value(item.arg if type(item) is Spread else item)
                    if type(item) is Spread:
                        yield from self._elements(inner, seen)
                    else:
                        yield inner
            else:
                yield option

    def _class_contains_bn(self, cls: Class, seen: Set[int]) -> bool:
        key = id(cls.scope)
        if key in self._class_bn:
            return self._class_bn[key]
        if key in seen:
            return False
        seen.add(key)
        mro = self.resolver.mro(cls)
        found = False
        for entry in mro:
            if type(entry) is Api:
                leaf = entry.name.rsplit(".", 1)[-1]
                if entry.name in torch_api.BATCH_NORM_CLASSES or (
                        entry.name.startswith(torch_api.TORCHVISION_MODEL_PREFIXES)
                        and leaf in torch_api.TORCHVISION_MODELS_WITH_BN):
                    found = True
                    break
        if not found and any(type(entry) is Api and entry.name.startswith(torch_api.MODULE_ROOTS)
                             for entry in mro):
            for entry in mro:
                if type(entry) is not Class or found:
                    continue
                for method in entry.scope.children:
                    if method.kind != ScopeKind.FUNCTION or found:
                        continue
                    for call in calls_run_in(method):
                        if self.contains_bn(self.value_at(call.node, call), seen):
                            found = True
                            break
        self._class_bn[key] = found
        return found

    def framework_managed(self, scope: Scope) -> bool:
        """A method of a Lightning module or a Hugging Face Trainer: the framework switches
        the mode around it."""
        cls_scope = scope.enclosing_class()
        if cls_scope is None:
            return False
        for entry in self.resolver.mro(Class(cls_scope)):
            if type(entry) is Api and (entry.name in torch_api.LIGHTNING_MODULES or entry.name in torch_api.HF_TRAINERS
                                       or entry.name.startswith(torch_api.LIGHTNING_ROOTS)):
                return True
        return False

    # ------------------------------------------------------------------------------------------
    # Events

    def key(self, node) -> Optional[str]:
        """The receiver text of ``model``, ``self.net``, ``a.b.c`` (names and attributes only)."""
        parts = []
        while type(node) is ast.Attribute:
            parts.append(node.attr)
            node = node.value
        if type(node) is not ast.Name:
            return None
        parts.append(node.id)
        return ".".join(reversed(parts))

    def events(self, scope: Scope) -> List[Event]:
        found = self._events.get(id(scope))
        if found is None:
            found = self._events[id(scope)] = self._scan(scope)
        return found

    def _scan(self, scope: Scope) -> List[Event]:
        found = []
        for call in sorted(calls_run_in(scope), key=lambda c: (c.node.lineno, c.node.col_offset)):
            node = call.node
            func = node.func
            if type(func) is ast.Attribute:
                attr = func.attr
                if attr == torch_api.EVAL_METHOD and not node.args and not node.keywords:
                    key = self.key(func.value)
                    if key is not None:
                        found.append(Event(EventKind.MODE, call, key, EVAL))
                        continue
                if attr == torch_api.TRAIN_METHOD and len(node.args) + len(node.keywords) <= 1:
                    key = self.key(func.value)
                    if key is not None:
                        found.append(Event(EventKind.MODE, call, key, self._train_argument(node)))
                        continue
                if attr == torch_api.BACKWARD_METHOD or (attr == torch_api.STEP_METHOD and self._optimizer(call)):
                    found.append(Event(EventKind.STEP, call))
                    continue
            callees = tuple(option.scope for option in options(self.evaluator.callee(call))
                            if type(option) is Function and option.scope is not None
                            and option.scope.kind == ScopeKind.FUNCTION)
            if callees:
                found.append(Event(EventKind.CALL, call, callees=callees, renames=self._renames(call, callees[0])))
        return found

    def _train_argument(self, node: ast.Call) -> str:
        argument = node.args[0] if node.args else (node.keywords[0].value if node.keywords else None)
        if argument is None:
            return TRAIN
        if type(argument) is ast.Constant and type(argument.value) is bool:
            return TRAIN if argument.value else EVAL
        return UNSURE

    def _optimizer(self, call: CallSite) -> bool:
        receiver = call.node.func.value
        for option in options(self.value_at(receiver, call)):
            if type(option) is ApiCall and option.name.startswith(torch_api.OPTIMIZER_PREFIX):
                return not option.name.startswith(torch_api.SCHEDULER_PREFIX)
            if type(option) is ApiCall and option.name.endswith(torch_api.GRAD_SCALER_SUFFIX):
                return True
        text = (self.key(receiver) or "").lower()
        return torch_api.OPTIMIZER_NAME_WORD in text and torch_api.SCHEDULER_NAME_WORD not in text

    def _renames(self, call: CallSite, callee: Scope) -> Tuple[Tuple[str, str], ...]:
        """(callee parameter, caller receiver text) for the receivers the call passes."""
        params = [param for param in callee.params if param.kind == ParamKind.POSITIONAL]
        method = callee.enclosing_class() is not None and params and params[0].name in ("self", "cls")
        renames = []
        if method:
            receiver = self.key(call.node.func.value) if type(call.node.func) is ast.Attribute else None
            if receiver is not None:
                renames.append((params[0].name, receiver))
            params = params[1:]
        for param, arg in zip(params, call.node.args):
            if type(arg) is ast.Starred:
                break
            text = self.key(arg)
            if text is not None:
                renames.append((param.name, text))
        for keyword in call.node.keywords:
            text = self.key(keyword.value) if keyword.arg is not None else None
            if text is not None:
                renames.append((keyword.arg, text))
        return tuple(renames)

    # ------------------------------------------------------------------------------------------
    # Renaming receivers across a call

    @staticmethod
    def into_callee(key: str, event: Event, callee: Scope) -> Optional[str]:
        """The caller's receiver ``key`` as the callee names it (None: the callee cannot see it)."""
        root, _, rest = key.partition(".")
        for param, text in event.renames:
            if text == key:
                return param
            if key.startswith(text + "."):
                return param + key[len(text):]
        if callee.param(root) is not None:
            return None     # shadowed by a parameter that receives something else
        if root == "self":
            return None
        return key          # a global

    @staticmethod
    def into_caller(key: str, event: Event, callee: Scope) -> Optional[str]:
        """The callee's receiver ``key`` as the caller names it."""
        root, dot, rest = key.partition(".")
        for param, text in event.renames:
            if param == root:
                return text + dot + rest
        if callee.param(root) is not None or root == "self":
            return None
        return key

    # ------------------------------------------------------------------------------------------
    # Summaries

    def last_mode(self, scope: Scope, key: str, before=None, seen=None) -> Optional[str]:
        """The mode the receiver is left in by the function's events before ``before``
        (all of them when None); None when nothing there switches it."""
        seen = set() if seen is None else seen
        marker = (id(scope), key, before)
        if marker in self._last_modes:
            return self._last_modes[marker]
        if marker in seen:
            return UNSURE       # a recursive call still being read
        seen.add(marker)
        result = None
        for event in reversed(self.events(scope)):
            if before is not None and event.pos >= before:
                continue
            result = self.event_mode(event, key, seen)
            if result is not None:
                break
        seen.discard(marker)
        self._last_modes[marker] = result
        return result

    def event_mode(self, event: Event, key: str, seen) -> Optional[str]:
        if event.kind == EventKind.MODE:
            return event.mode if event.key == key else None
        if event.kind == EventKind.CALL:
            modes = set()
            for callee in event.callees:
                inner = self.into_callee(key, event, callee)
                if inner is not None:
                    modes.add(self.last_mode(callee, inner, None, seen))
            modes.discard(None)
            if len(modes) == 1:
                return modes.pop()
            if modes:
                return UNSURE
        return None

    def first_effect(self, scope: Scope, key: str, after=None, seen=None) -> Optional[Tuple[str, Event]]:
        """The first of a ``train()`` of the receiver, a mode we cannot read, or a training
        step, that the function's events after ``after`` reach: (TRAIN | UNSURE | EventKind.STEP, event)."""
        seen = set() if seen is None else seen
        marker = (id(scope), key, after)
        if marker in seen:
            return None
        seen.add(marker)
        for event in self.events(scope):
            if after is not None and event.pos <= after:
                continue
            found = self.event_effect(event, key, seen)
            if found is not None:
                return found
        return None

    def event_effect(self, event: Event, key: str, seen) -> Optional[Tuple[str, Event]]:
        if event.kind == EventKind.STEP:
            return (EventKind.STEP, event)
        if event.kind == EventKind.MODE and event.key == key and event.mode in (TRAIN, UNSURE):
            return (event.mode, event)
        if event.kind == EventKind.CALL:
            for callee in event.callees:
                inner = self.into_callee(key, event, callee)
                found = self.first_effect(callee, inner if inner is not None else "\0", None, seen)
                if found is not None:
                    return (found[0], event if found[0] == EventKind.STEP else found[1])
        return None

    def built_mode(self, node: ast.Call, scope: Scope, statement) -> str:
        """The mode of the module a call returns: training mode for a construction, the mode a
        factory of the project leaves the module it returns in (``m.eval(); return m``)."""
        func = node.func
        if type(func) is ast.Attribute and func.attr in torch_api.SELF_RETURNING_METHODS:
            # ``models.resnet50().eval()``, ``Net().to(device)``: the last switch in the chain.
            if func.attr == torch_api.EVAL_METHOD and not node.args:
                return EVAL
            if func.attr == torch_api.TRAIN_METHOD:
                return self._train_argument(node)
            if type(func.value) is ast.Call:
                return self.built_mode(func.value, scope, statement)
            key = self.key(func.value)
            if key is None:
                return UNSURE
            # ``model = model.to(device)``: the mode the module had there.
            mode = self.last_mode(scope, key, before=(node.lineno, node.col_offset))
            if mode is not None:
                return mode
            earlier = [binding for binding in scope.bindings.get(key, ())
                       if statement is not None and binding.seq < statement.seq]
            # Every earlier binding a construction or a call whose module mode we can read
            # (``net = Net()``, then ``if gpus > 1: net = DataParallel(net)``): when they all
            # agree, whichever one reaches here gives that mode.
            if earlier and all(binding.kind == BindingKind.ASSIGN and type(binding.value) is ast.Call
                               for binding in earlier):
                modes = {self.built_mode(binding.value, scope, binding.statement) for binding in earlier}
                if len(modes) == 1:
                    return modes.pop()
            return UNSURE
        modes = set()
        for option in options(self.resolver.value(func, At(scope, statement))):
            if type(option) is not Function or option.scope is None:
                continue
            for returned, _ in option.scope.returns:
                key = self.key(returned)
                if key is None:
                    return UNSURE
                mode = self.last_mode(option.scope, key)
                modes.add(mode if mode is not None else TRAIN)
        if not modes:
            return TRAIN
        return modes.pop() if len(modes) == 1 else UNSURE

    def loads_weights(self, scope: Scope, key: str, before) -> bool:
        """``key.load_state_dict(...)`` in the function before ``before``."""
        for call in calls_run_in(scope):
            func = call.node.func
            if type(func) is ast.Attribute and func.attr in torch_api.LOAD_METHODS and self.key(func.value) == key \
                    and (call.node.lineno, call.node.col_offset) < before:
                return True
        return False

    def trains(self, scope: Scope, seen=None) -> bool:
        """Whether the function reaches a training step (itself or through its calls)."""
        if id(scope) in self._trains:
            return self._trains[id(scope)]
        seen = set() if seen is None else seen
        if id(scope) in seen:
            return False
        seen.add(id(scope))
        result = any(event.kind == EventKind.STEP
                     or (event.kind == EventKind.CALL and any(self.trains(callee, seen) for callee in event.callees))
                     for event in self.events(scope))
        self._trains[id(scope)] = result
        return result

    def step_within(self, scope: Scope, span) -> bool:
        """A training step (or a call that reaches one) positioned inside ``span``."""
        return any(span[0] <= event.pos <= span[1] and (
            event.kind == EventKind.STEP
            or (event.kind == EventKind.CALL and any(self.trains(callee) for callee in event.callees)))
            for event in self.events(scope))


def loops_of(call: CallSite) -> List[ast.AST]:
    """The loops around a call within its function, innermost first."""
    found = []
    for entry in contexts(call.context):
        if entry.kind in (DEF, LAMBDA, CLASS):
            break
        if entry.kind == LOOP:
            found.append(entry.node)
    return found


def withs_of(call: CallSite) -> List[ast.With]:
    found = []
    for entry in contexts(call.context):
        if entry.kind in (DEF, LAMBDA, CLASS):
            break
        if entry.kind == WITH and entry.part == -1:
            found.append(entry.node)
    return found


def span_of(node) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    return (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
