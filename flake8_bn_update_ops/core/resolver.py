"""The one value resolver: what does this expression hold?

Every rule asks this object; no rule or helper follows names by itself. It answers through the
project (imports, namespace packages, other modules' functions and classes), flow-sensitively
(a use reads the binding that reaches it), with one depth bound, one bound on nested call
frames, and memoisation of every answer for the lifetime of the object (one check of one
file: the project model decides that lifetime).

The cases of RULES.md's "Values, not spellings" are each one branch here: assignments and
tuple unpacking, returns (tuples too), module constants, dict literals, subscripts and
``**`` spreads, ``functools.partial`` chains, lambdas, ``**kwargs`` pass-through, classes and
instances (``self.x`` set in any method or base class, in any module), ``__call__``,
registries (``MODELS[name]`` over a dict of known values), factories, and imports of every
spelling. A function called with known arguments is evaluated in a frame that binds its
parameters to them, so a flag passed through two wrappers is still the caller's literal.
"""
from __future__ import annotations

import ast
import bisect
import builtins
import os
from types import MappingProxyType
from typing import Dict, List, Mapping as Mapping_, Optional, Tuple

from .. import tf_api, torch_api
from .index import IF, LOOP, MATCH, ModuleIndex, Scope, Statement
from .kinds import ADDING_MANY, ADDING_ONE, BindingKind, MutationKind, ParamKind, ScopeKind, SequenceKind
from .values import (NO_ARGS, UNKNOWN, Api, ApiCall, Arg, Args, ArgScopeStack, Class, CollectionRead, Const,
                     Function, Instance, InstanceCall, KerasUpdates, Mapping, Method, Module, ParamValue,
                     Partial, Sequence, Spread, Super, TrainOp, Value, options, union)

MAX_DEPTH = 48          # nested evaluations of one question
MAX_FRAMES = 5          # nested calls evaluated with their arguments bound
MAX_OPTIONS = 12        # alternatives kept for one name
_END = 1 << 60          # "after every statement": how importers see a module's names

_BUILTINS = frozenset(dir(builtins))
# The vocabularies as module names: ``binding_value`` and the parameter binding compare them on
# every answer, where a global is cheaper than an Enum attribute.
_IMPORT, _DEF, _CLASS, _PARAM = BindingKind.IMPORT, BindingKind.DEF, BindingKind.CLASS, BindingKind.PARAM
_ASSIGN, _WITH, _FOR, _AUGASSIGN = BindingKind.ASSIGN, BindingKind.WITH, BindingKind.FOR, BindingKind.AUGASSIGN
_FUNCTION, _CLASS_SCOPE, _LAMBDA = ScopeKind.FUNCTION, ScopeKind.CLASS, ScopeKind.LAMBDA
_POSITIONAL, _KEYWORD = ParamKind.POSITIONAL, ParamKind.KEYWORD
_NAMED = frozenset({_POSITIONAL, _KEYWORD})        # parameters an argument can name
_LIST, _TUPLE = SequenceKind.LIST, SequenceKind.TUPLE
_SEQUENCE_OF_DISPLAY = MappingProxyType({ast.List: SequenceKind.LIST, ast.Tuple: SequenceKind.TUPLE,
                                         ast.Set: SequenceKind.SET})
_SEQUENCE_OF_BUILTIN = MappingProxyType({f"builtins.{kind.value}": kind
                                         for kind in (SequenceKind.LIST, SequenceKind.TUPLE, SequenceKind.SET)})
_ADDING = ADDING_ONE | ADDING_MANY
_SYS_PATH_METHODS = frozenset(name.rsplit(".", 1)[-1] for name in tf_api.SYS_PATH_ADDERS)
_NO_DEFAULTS: Mapping_[int, Mapping_[str, object]] = MappingProxyType({})


class At:
    """Where an expression is evaluated: its scope and statement (for flow sensitivity)."""

    __slots__ = ("scope", "statement")

    def __init__(self, scope: Scope, statement: Optional[Statement]):
        self.scope = scope
        self.statement = statement

    @property
    def seq(self) -> int:
        return self.statement.seq if self.statement is not None else _END

    @property
    def path(self) -> tuple:
        return self.statement.path if self.statement is not None else ()


class Frame:
    """A call being evaluated: the function's scope with its parameters bound to ``args``."""

    __slots__ = ("scope", "node", "args", "bound", "depth", "memo", "parent", "caller")

    def __init__(self, scope: Scope, node, args: Args, bound: Optional[Value], depth: int, parent, caller):
        self.scope = scope
        self.node = node            # the call (None: a method read without a known call)
        self.args = args
        self.bound = bound          # ``self`` of a method
        self.depth = depth
        self.memo: Dict[int, Value] = {}
        self.parent = parent        # the frame the function was defined in (closures)
        self.caller = caller        # the frame the call was made from

    def __repr__(self):
        return f"<Frame {self.scope.name} depth {self.depth}>"


class Resolver:
    def __init__(self, project, settings):
        self.project = project
        self.settings = settings
        self.forced_api = frozenset(tf_api.canonical(name) for name in settings.wrappers)
        self._memo: Dict[int, Value] = {}
        self._active: set = set()
        self._depth = 0
        self._canonical: Dict[str, str] = {}
        self._frames: Dict[tuple, Frame] = {}
        self._args_memo: Dict[tuple, Args] = {}
        self._module_members: Dict[tuple, Value] = {}
        self._mro: Dict[int, tuple] = {}
        self._defaults: Dict[int, object] = {}     # id(default expression) -> its Param
        self._apis: Dict[str, Api] = {}
        self._params: Dict[int, ParamValue] = {}
        self._imports: Dict[int, Value] = {}
        self._path_adds: Dict[int, list] = {}      # id(index) -> what its sys.path calls add
        # Keywords that slim's arg_scope gives the project's own functions: id(function scope) ->
        # {keyword: Arg}; "*" when the scope may give more. Installed once, before the analysis
        # proper (``install_scoped_defaults``), never written after.
        self.scoped_defaults: Mapping_[int, Mapping_[str, object]] = _NO_DEFAULTS
        self._defaults_installed: Dict[int, dict] = {}    # id(module index) -> the defaults it installed

    def close(self) -> None:
        """Let every answer go (they form reference cycles with their frames): what a check
        learned dies with the check, freed at once."""
        for frame in self._frames.values():
            frame.memo.clear()
        for cache in (self._memo, self._frames, self._args_memo, self._module_members, self._mro,
                      self._defaults, self._active, self._apis, self._params, self._imports,
                      self._path_adds):
            cache.clear()
        self.scoped_defaults = _NO_DEFAULTS

    # ------------------------------------------------------------------------------------------
    # Entry points

    def value(self, node, at: At, frame: Optional[Frame] = None) -> Value:
        if node is None:
            return UNKNOWN
        memo = frame.memo if frame is not None else self._memo
        key = id(node)
        found = memo.get(key)
        if found is not None:
            return found
        if key in self._active or self._depth >= MAX_DEPTH:
            return UNKNOWN      # a cycle, or too deep: unknown, never a finding
        self._active.add(key)
        self._depth += 1
        try:
            result = self._evaluate(node, at, frame)
        except RecursionError:
            result = UNKNOWN
        finally:
            self._depth -= 1
            self._active.discard(key)
        memo[key] = result
        return result

    def install_scoped_defaults(self, module, defaults: Dict[int, Dict[str, object]]) -> None:
        """The keywords ``module``'s arg_scopes give the project's own decorated functions,
        known before any answer about the module is used: every answer given so far (the
        arg_scope calls were read to find them) is let go when there are any, so none was
        computed without them. Once per module: a cross-module fix builds the importers' facts
        on this resolver too (their calls must resolve to this module's very scopes), each
        installing its own (again for each site the fix plans: the same defaults change nothing);
        other defaults for a module already installed are refused, since they would arrive
        after its answers were memoised and leave those answers stale."""
        written = {scope_id: {keyword: getattr(item, "node", item) for keyword, item in entries.items()}
                   for scope_id, entries in defaults.items()}     # the same expressions, read again
        seen = self._defaults_installed.get(id(module))
        if seen is not None:
            if seen == written:
                return
            raise RuntimeError("the arg_scope defaults are installed once, before the analysis")
        self._defaults_installed[id(module)] = written
        if not defaults:
            return
        merged = {scope_id: dict(entries) for scope_id, entries in self.scoped_defaults.items()}
        for scope_id, entries in defaults.items():
            merged.setdefault(scope_id, {}).update(entries)
        installed = self._defaults_installed
        self.close()
        self._defaults_installed = installed
        self.scoped_defaults = MappingProxyType(
            {scope_id: MappingProxyType(entries) for scope_id, entries in merged.items()})

    def descend(self) -> bool:
        """One more level of a nested question (``core.evaluate``): False when the one depth
        bound is reached, and the question answers unknown. Pair with ``ascend``."""
        if self._depth >= MAX_DEPTH:
            return False
        self._depth += 1
        return True

    def ascend(self) -> None:
        self._depth -= 1

    def arg_value(self, arg) -> Value:
        if isinstance(arg, Value):
            return arg
        if arg is None:
            return UNKNOWN
        return self.value(arg.node, arg.at, arg.frame)

    def api(self, dotted: str) -> Api:
        """The one ``Api`` value of a name (shared: a file of 60,000 calls of one API holds one)."""
        found = self._apis.get(dotted)
        if found is None:
            name = self.canonical(dotted)
            found = self._apis.get(name)
            if found is None:
                found = self._apis[name] = Api(name)
            self._apis[dotted] = found
        return found

    def canonical(self, dotted: str) -> str:
        found = self._canonical.get(dotted)
        if found is None:
            found = self._canonical[dotted] = tf_api.canonical(dotted)
        return found

    def api_name(self, node, at: At, frame=None) -> Optional[str]:
        """The canonical API name an expression resolves to, if it resolves to exactly one."""
        value = self.value(node, at, frame)
        return value.name if type(value) is Api else None

    def truth(self, test, at: At, frame=None) -> Optional[bool]:
        """Whether a condition is certainly true or false where it is evaluated (a wrapper's
        ``if norm == "batch":`` in a frame whose ``norm`` is the literal ``"instance"``)."""
        kind = type(test)
        if kind is ast.UnaryOp and type(test.op) is ast.Not:
            inner = self.truth(test.operand, at, frame)
            return None if inner is None else not inner
        if kind is ast.BoolOp:
            values = [self.truth(value, at, frame) for value in test.values]
            if type(test.op) is ast.And:
                return False if False in values else (True if all(v is True for v in values) else None)
            return True if True in values else (False if all(v is False for v in values) else None)
        if kind is ast.Compare and len(test.ops) == 1:
            left = self.value(test.left, at, frame)
            right = self.value(test.comparators[0], at, frame)
            if type(left) is not Const or type(right) is not Const:
                return None
            op = type(test.ops[0])
            try:
                if op is ast.Eq:
                    return left.value == right.value
                if op is ast.NotEq:
                    return left.value != right.value
                if op is ast.Is:
                    return left.value is right.value
                if op is ast.IsNot:
                    return left.value is not right.value
            except Exception:  # noqa: BLE001 - odd constants: not decided
                return None
            return None
        if kind in (ast.Name, ast.Attribute, ast.Constant):
            value = self.value(test, at, frame)
            if type(value) is Const and type(value.value) in (bool, type(None), int, str):
                return bool(value.value)
        return None

    def definite_bool(self, value: Value) -> Optional[bool]:
        """True/False when every alternative is that literal; None otherwise."""
        found = None
        for option in options(value):
            if type(option) is not Const or type(option.value) is not bool:
                return None
            if found is None:
                found = option.value
            elif found != option.value:
                return None
        return found

    # ------------------------------------------------------------------------------------------
    # Expressions

    def _evaluate(self, node, at: At, frame) -> Value:
        kind = type(node)
        if kind is ast.Name:
            return self._name(node.id, at, frame)
        if kind is ast.Attribute:
            return self._attribute_expression(node, at, frame)
        if kind is ast.Call:
            return self._call_expression(node, at, frame)
        if kind is ast.Constant:
            return Const(node.value, node)
        if kind in (ast.List, ast.Tuple, ast.Set):
            items = []
            for element in node.elts:
                if type(element) is ast.Starred:
                    items.append(Spread(Arg(element.value, at, frame)))
                else:
                    items.append(Arg(element, at, frame))
            return Sequence(_SEQUENCE_OF_DISPLAY[kind], tuple(items))
        if kind is ast.Dict:
            return self._dict_literal(node, at, frame)
        if kind is ast.JoinedStr:
            return self._formatted_string(node, at, frame)
        if kind is ast.BinOp:
            if type(node.op) is ast.Add:
                left, right = self.value(node.left, at, frame), self.value(node.right, at, frame)
                joined = _joined_strings((left, right))
                if joined is not None:
                    return joined
                if type(left) in _LISTS or type(right) in _LISTS:
                    # ``a.updates + b.updates``, ``[train_op] + update_ops``: a list of both.
                    return Sequence(_LIST, (Spread(left), Spread(right)),
                                    complete=type(left) is Sequence and type(right) is Sequence)
            if type(node.op) is ast.BitOr:
                left, right = self.value(node.left, at, frame), self.value(node.right, at, frame)
                if type(left) is Mapping and type(right) is Mapping:
                    return Mapping(left.entries + right.entries, left.complete and right.complete, node)
            return UNKNOWN
        if kind is ast.Lambda:
            scope = at.scope.index.scope_of(node)
            return Function(scope, None, frame) if scope is not None else UNKNOWN
        if kind is ast.IfExp:
            return union((self.value(node.body, at, frame), self.value(node.orelse, at, frame)))
        if kind is ast.BoolOp:
            return union(self.value(value, at, frame) for value in node.values)
        if kind is ast.Subscript:
            return self._subscript(node, at, frame)
        if kind is ast.NamedExpr:
            return self.value(node.value, at, frame)
        if kind is ast.Starred or kind is ast.Await:
            return self.value(node.value, at, frame)
        if kind is ast.DictComp:
            return self._dict_comprehension(node, at, frame)
        if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp):
            return self._filtering_comprehension(node, at, frame)
        return UNKNOWN

    def _dict_literal(self, node: ast.Dict, at: At, frame) -> Value:
        entries: List[Tuple[str, object]] = []
        complete = True
        for key, item in zip(node.keys, node.values):
            if key is None:   # ``**spread``
                spread = self.value(item, at, frame)
                if type(spread) is Mapping:
                    entries.extend(spread.entries)
                    complete = complete and spread.complete
                else:
                    complete = False
                continue
            key_value = self.value(key, at, frame)
            if type(key_value) is Const and isinstance(key_value.value, str):
                entries.append((key_value.value, Arg(item, at, frame)))
            else:
                complete = False
        return Mapping(tuple(entries), complete, node)

    def _formatted_string(self, node: ast.JoinedStr, at: At, frame) -> Value:
        """An f-string whose every part the code shows (``f"models.{name}"``, ``name`` a constant)."""
        parts = []
        for part in node.values:
            if type(part) is ast.FormattedValue:
                if part.conversion != -1 or part.format_spec is not None:
                    return UNKNOWN
                parts.append(self.value(part.value, at, frame))
            else:
                parts.append(self.value(part, at, frame))
        joined = _joined_strings(parts)
        return joined if joined is not None else UNKNOWN

    def _filtering_comprehension(self, node, at: At, frame) -> Value:
        """``[v for v in S if ...]``: some of the elements of ``S`` (a filter may drop some), so the
        list runs what ``S``'s elements run (``[op for op in get_collection(UPDATE_OPS) if ...]``).
        With a filter it is a "selection": the author picked which of them to run."""
        if len(node.generators) != 1:
            return UNKNOWN
        generator = node.generators[0]
        if type(node.elt) is not ast.Name or type(generator.target) is not ast.Name \
                or node.elt.id != generator.target.id or generator.is_async:
            return UNKNOWN
        kind = SequenceKind.SELECTION if generator.ifs else SequenceKind.SET if type(node) is ast.SetComp else _LIST
        return Sequence(kind, (Spread(Arg(generator.iter, at, frame)),), complete=False)

    def _dict_comprehension(self, node: ast.DictComp, at: At, frame) -> Value:
        """``{k: v for k, v in d.items() if ...}``: the entries of ``d`` (a filter may drop some)."""
        if len(node.generators) != 1:
            return UNKNOWN
        generator = node.generators[0]
        target, source = generator.target, generator.iter
        if (type(target) is ast.Tuple and len(target.elts) == 2 and type(source) is ast.Call
                and type(source.func) is ast.Attribute and source.func.attr == "items" and not source.args
                and type(node.key) is ast.Name and type(node.value) is ast.Name
                and [getattr(e, "id", None) for e in target.elts] == [node.key.id, node.value.id]):
            mapping = self.value(source.func.value, at, frame)
            if type(mapping) is Mapping:
                return mapping
        return UNKNOWN

    def _subscript(self, node: ast.Subscript, at: At, frame) -> Value:
        base = self.value(node.value, at, frame)
        index = self.value(node.slice, at, frame)
        results = []
        for option in options(base):
            kind = type(option)
            if kind is Sequence:
                if type(index) is Const and type(index.value) is int:
                    item = self.sequence_item(option, index.value)
                    results.append(self.arg_value(item) if item is not None else UNKNOWN)
                else:
                    results.append(UNKNOWN)
            elif kind is Mapping:
                if type(index) is Const and isinstance(index.value, str):
                    item = option.get(index.value)
                    results.append(self.arg_value(item) if item is not None else UNKNOWN)
                elif option.complete and option.entries:
                    # A registry: ``MODELS[name]`` holds one of the dict's values.
                    results.append(union(self.arg_value(item) for _, item in option.entries))
                else:
                    results.append(UNKNOWN)
            elif kind is CollectionRead:
                results.append(option)     # an element of the collection: still its ops
            else:
                results.append(UNKNOWN)
        return union(results)

    def sequence_item(self, sequence: Sequence, position: int):
        """The item at ``position`` of a sequence whose items are all plain (no spreads)."""
        items = sequence.items
        if any(type(item) is Spread for item in items):
            return None
        if -len(items) <= position < len(items):
            return items[position]
        return None

    # ------------------------------------------------------------------------------------------
    # Names

    def _name(self, name: str, at: At, frame) -> Value:
        bindings = self.reaching(name, at)
        if not bindings:
            return self._unbound(name, at)
        values = []
        for binding in bindings[:MAX_OPTIONS]:
            values.append(self.binding_value(binding, self._frame_for(binding, at, frame)))
        return union(values)

    def _frame_for(self, binding, at: At, frame):
        """The frame a binding is read in: the current one if it belongs to that frame's scope
        (or a scope nested in it), else the frame chain's matching ancestor, else none."""
        current = frame
        while current is not None:
            scope = binding.scope
            while scope is not None:
                if scope is current.scope:
                    return current
                scope = scope.parent
            current = current.parent
        return None

    def _unbound(self, name: str, at: At) -> Value:
        index = at.scope.index
        for star in index.module_scope.bindings.get("*", ()):
            module = self._import_module(star.imported or "", star.level, index, star.statement.seq)
            if type(module) is Module:
                found = self.module_member(module.index, name)
                if found is not UNKNOWN:
                    return found
            elif type(module) is Api:
                return self.api(f"{module.name}.{name}")
        if name in _BUILTINS:
            return self.api(f"builtins.{name}")
        return UNKNOWN

    def owner(self, name: str, scope: Scope) -> Optional[Scope]:
        """The scope whose binding of ``name`` a use in ``scope`` reads (Python's rules)."""
        current = scope
        first = True
        while current is not None:
            if name in current.globals:
                return current.index.module_scope
            if current.kind == _CLASS_SCOPE and not first:
                current = current.parent
                continue
            if name in current.bindings:
                return current
            first = False
            current = current.parent
        return None

    def reaching(self, name: str, at: At) -> list:
        """The bindings of ``name`` that may reach a use at ``at``, nearest first."""
        owner = self.owner(name, at.scope)
        if owner is None:
            return []
        bindings = owner.bindings[name]
        if owner is not at.scope or not owner.flow:
            # Read from a nested scope (which runs later) or a lambda/comprehension: any binding.
            return list(reversed(bindings))
        seq, path = at.seq, at.path
        found = []
        # Bindings are in source order: start at the last one before the use.
        end = bisect.bisect_left(bindings, seq, key=_binding_seq) if len(bindings) > 8 else len(bindings)
        dominated_at = None
        for position in range(end - 1, -1, -1):
            binding = bindings[position]
            if binding.seq >= seq:
                continue
            bound_path = binding.statement.path
            if _exclusive(bound_path, path):
                continue
            found.append(binding)
            if bound_path == path[:len(bound_path)] and binding.kind != _AUGASSIGN:
                dominated_at = len(bound_path)
                break           # it always runs before the use: nothing earlier reaches
        # Loop back-edges (RULES.md "Execution order"): a binding later in the body of a loop
        # around the use reaches it in the next iteration, unless one in that same body always
        # runs before the use in every iteration.
        loops = [depth for depth, (_, _, kind) in enumerate(path) if kind == LOOP]
        if loops:
            innermost_open = [depth for depth in loops if dominated_at is None or dominated_at <= depth]
            if innermost_open:
                outer = innermost_open[0]
                prefix = path[:outer + 1]
                for position in range(len(bindings) - 1, -1, -1):
                    binding = bindings[position]
                    if binding.seq <= seq:
                        break
                    bound_path = binding.statement.path
                    if bound_path[:outer + 1] == prefix and not _exclusive(bound_path, path) \
                            and len(found) < MAX_OPTIONS:
                        found.append(binding)
        return found

    def binding_value(self, binding, frame=None) -> Value:
        kind = binding.kind
        if kind == _IMPORT:
            # The same for every use: one answer per import statement's name.
            found = self._imports.get(id(binding))
            if found is None:
                found = self._imports[id(binding)] = self._import_binding(binding)
            return found
        if kind == _DEF:
            scope = binding.scope.index.scope_of(binding.value)
            return Function(scope, None, frame) if scope is not None else UNKNOWN
        if kind == _CLASS:
            scope = binding.scope.index.scope_of(binding.value)
            return Class(scope) if scope is not None else UNKNOWN
        at = At(binding.scope, binding.statement)
        if kind == _PARAM:
            param = binding.value
            if frame is not None and frame.scope is binding.scope:
                return self._param_value(frame, param)
            return self._unbound_param(param)
        if kind == _ASSIGN:
            value = self.value(binding.value, at, frame)
            if binding.unpack:
                value = self._unpack(value, binding.unpack, binding.starred)
            return self._with_mutations(binding, value, frame)
        if kind == _WITH:
            return self._with_target(binding, at, frame)
        if kind == _FOR:
            iterable = self.value(binding.value, at, frame)
            if type(iterable) is CollectionRead:
                return iterable
            # ``for layer in [Conv2d(8), Conv2d(16)]`` (or a list built by appends): the loop
            # variable holds each element in turn.
            item = self._element(iterable)
            if binding.unpack:
                item = self._unpack(item, binding.unpack, binding.starred)
            return item
        return UNKNOWN

    def _element(self, iterable: Value) -> Value:
        """Any element of a sequence the code shows (spreads followed within the one depth bound)."""
        if self._depth >= MAX_DEPTH:
            return UNKNOWN
        self._depth += 1
        try:
            results = []
            for option in options(iterable):
                if type(option) is not Sequence:
                    results.append(UNKNOWN)
                    continue
                for item in option.items:
                    if type(item) is Spread:
                        results.append(self._element(self.arg_value(item.arg)))
                    else:
                        results.append(self.arg_value(item))
                if not option.complete:
                    results.append(UNKNOWN)
            return union(results) if results else UNKNOWN
        finally:
            self._depth -= 1

    def _unpack(self, value: Value, path: tuple, starred: bool) -> Value:
        for position in path:
            results = []
            for option in options(value):
                if type(option) is Sequence and not starred:
                    item = self.sequence_item(option, position)
                    results.append(self.arg_value(item) if item is not None else UNKNOWN)
                else:
                    results.append(UNKNOWN)
            value = union(results)
        return value

    def _with_mutations(self, binding, value: Value, frame) -> Value:
        """A dict or list the code shows, plus what the same scope adds to it later
        (``params["is_training"] = t``, ``ops.append(op)``)."""
        mutations = binding.scope.index.mutations.get(binding.name)
        if not mutations:
            return value
        later = [m for m in mutations if m.statement.scope is binding.scope and m.statement.seq > binding.seq]
        if not later:
            return value
        kind = type(value)
        if kind is not Mapping and kind is not Sequence:
            if kind is CollectionRead and any(m.kind in _ADDING for m in later):
                # ``ops = get_collection(...)`` then ``ops.append(train_op)``: the list now holds both.
                value = Sequence(_LIST, (Spread(value),), False)
                kind = Sequence
            else:
                return value
        if kind is Mapping:
            entries = list(value.entries)
            complete = value.complete
            for mutation in later:
                at = At(mutation.statement.scope, mutation.statement)
                if mutation.kind == MutationKind.SETITEM:
                    key = self.value(mutation.key, at, frame)
                    if type(key) is Const and isinstance(key.value, str):
                        entries.append((key.value, Arg(mutation.value, at, frame)))
                    else:
                        complete = False
                elif mutation.kind == MutationKind.UPDATE:
                    node = mutation.node
                    if node.args:
                        update = self.value(node.args[0], at, frame)
                        if type(update) is Mapping:
                            entries.extend(update.entries)
                            complete = complete and update.complete
                        else:
                            complete = False
                    for keyword in node.keywords:
                        if keyword.arg is None:
                            complete = False
                        else:
                            entries.append((keyword.arg, Arg(keyword.value, at, frame)))
            return Mapping(tuple(entries), complete, value.node)
        items = list(value.items)
        for mutation in later:
            at = At(mutation.statement.scope, mutation.statement)
            if mutation.kind in ADDING_ONE:
                items.append(Arg(mutation.value, at, frame))
            elif mutation.kind in ADDING_MANY:
                items.append(Spread(Arg(mutation.value, at, frame)))
        return Sequence(value.kind, tuple(items), False)

    def _with_target(self, binding, at: At, frame) -> Value:
        """``with X as name``: what the context manager gives. An arg_scope gives the stack of
        every arg_scope open there (slim's ``arg_scope`` yields the whole current scope)."""
        value = self.value(binding.value, at, frame)
        if any(type(option) is ApiCall and option.name in tf_api.ARG_SCOPES for option in options(value)):
            statement = binding.statement
            stack = self.open_arg_scopes(statement.context, at, frame, statement.node)
            return ArgScopeStack(tuple(stack))
        if type(value) is ApiCall and value.name == tf_api.GRADIENT_TAPE:
            return value
        return UNKNOWN

    def open_arg_scopes(self, context, at: At, frame, with_node=None) -> list:
        """The arg_scope calls open around a point of a function (outermost first), including
        every item of ``with_node`` itself."""
        from .index import WITH, within_function

        stack = []
        entries = []
        if with_node is not None:
            entries.append((with_node, -1))
        for entry in within_function(context):
            if entry.kind == WITH:
                entries.append((entry.node, entry.part))
        for with_node_, part in reversed(entries):
            items = with_node_.items if part == -1 else with_node_.items[:part]
            item_at = At(at.scope, at.scope.index.statement_of_node.get(id(with_node_), at.statement))
            for item in items:
                for option in options(self.value(item.context_expr, item_at, frame)):
                    if type(option) is ApiCall and option.name in tf_api.ARG_SCOPES:
                        stack.extend(self.arg_scope_calls(option))
        return stack

    def arg_scope_calls(self, call: ApiCall) -> list:
        """An ``arg_scope(...)`` call, with a scope object given as its first argument
        (``arg_scope(training_scope())``) expanded into the calls that made it."""
        first = call.args.positional[0] if call.args.positional else None
        if first is not None:
            # A scope chosen among several (``ARG_SCOPES[name](...)``): the entries of each.
            entries = [entry for option in options(self.arg_value(first)) if type(option) is ArgScopeStack
                       for entry in option.entries]
            if entries:
                return entries
        return [call]

    # ------------------------------------------------------------------------------------------
    # Parameters

    def _param_value(self, frame: Frame, param) -> Value:
        args = frame.args
        scope = frame.scope
        if frame.bound is not None and param.position == 0 and scope.parent is not None \
                and scope.parent.kind == _CLASS_SCOPE and not _is_static(scope):
            return frame.bound
        shift = 1 if (frame.bound is not None and scope.parent is not None and scope.parent.kind == _CLASS_SCOPE
                      and not _is_static(scope)) else 0
        if param.kind == ParamKind.KWARGS:
            named = {p.name for p in scope.params if p.kind in _NAMED}
            entries = tuple((name, arg) for name, arg in args.keywords if name not in named)
            complete = True
            for spread in args.spreads:
                spread_value = self.arg_value(spread)
                if type(spread_value) is Mapping:
                    entries += tuple((k, v) for k, v in spread_value.entries if k not in named)
                    complete = complete and spread_value.complete
                else:
                    complete = False
            return Mapping(entries, complete)
        if param.kind == ParamKind.VARARGS:
            count = sum(1 for p in scope.params if p.kind == _POSITIONAL) - shift
            rest = args.positional[max(count, 0):]
            if args.star or any(item is None for item in rest):
                return Sequence(_TUPLE, tuple(item for item in rest if item is not None), False)
            return Sequence(_TUPLE, tuple(rest))
        if param.kind in _NAMED:
            given = args.keyword(param.name)
            if given is not None:
                return self.arg_value(given)
            if param.kind == _POSITIONAL:
                position = param.position - shift
                positional = args.positional
                if 0 <= position < len(positional):
                    item = positional[position]
                    if item is None or any(p is None for p in positional[:position]):
                        return UNKNOWN
                    return self.arg_value(item)
                if args.star:
                    return UNKNOWN
            for spread in args.spreads:
                spread_value = self.arg_value(spread)
                if type(spread_value) is not Mapping:
                    return UNKNOWN
                item = spread_value.get(param.name)
                if item is not None:
                    return self.arg_value(item)
                if not spread_value.complete:
                    return UNKNOWN
        scoped = self.scoped_defaults.get(id(scope))
        if scoped is not None:
            if param.name in scoped:
                return self.arg_value(scoped[param.name])
            if "*" in scoped:
                return UNKNOWN
        return self._default(param)

    def _unbound_param(self, param) -> Value:
        """A parameter with no known call: ``self`` of a method is an instance of its class."""
        scope = param.scope
        if param.position == 0 and scope.kind == _FUNCTION and scope.parent is not None \
                and scope.parent.kind == _CLASS_SCOPE and not _is_static(scope):
            return Instance(Class(scope.parent), None, NO_ARGS, None, None)
        found = self._params.get(id(param))
        if found is None:
            found = self._params[id(param)] = ParamValue(param)
        return found

    def default_of(self, node):
        """The parameter whose default a literal is (a wrapper's default, for BNU002)."""
        return self._defaults.get(id(node)) if node is not None else None

    def _default(self, param) -> Value:
        if param.default is None:
            return UNKNOWN
        self._defaults[id(param.default)] = param
        scope = param.scope
        definition = scope.index.statement_of_node.get(id(scope.node))
        parent = scope.parent if scope.parent is not None else scope
        return self.value(param.default, At(parent, definition), None)

    # ------------------------------------------------------------------------------------------
    # Attributes

    def _attribute_expression(self, node: ast.Attribute, at: At, frame) -> Value:
        local = self._attribute_stored_before(node, at, frame)
        if local is not None:
            return local
        base = self.value(node.value, at, frame)
        result = self.attribute(base, node.attr, at)
        if result is UNKNOWN and type(node.value) is ast.Name:
            # ``model.loss = ...`` on a plain name of this module: read those stores.
            stores = [store for store in at.scope.index.attribute_stores.get(node.attr, ())
                      if type(store.base) is ast.Name and store.base.id == node.value.id
                      and store.value is not None]
            if stores:
                result = union(self._store_value(store, None) for store in stores[-MAX_OPTIONS:])
        return result

    def _attribute_stored_before(self, node: ast.Attribute, at: At, frame) -> Optional[Value]:
        """``self.loss`` read in the function that stored it earlier: the store that reaches the
        read (flow-sensitive, as for names: a summary of ``self.loss`` taken before
        ``self.loss = tf.identity(self.loss)`` reads the earlier value)."""
        if type(node.value) is not ast.Name or at.statement is None:
            return None
        function = at.scope.function()
        same = [store for store in at.scope.index.attribute_stores.get(node.attr, ())
                if store.value is not None and type(store.base) is ast.Name and store.base.id == node.value.id
                and store.statement.scope.function() is function]
        if not same:
            return None
        stores = [store for store in same if store.statement.seq < at.seq]
        if not stores:
            # Stored in this function only after the read: what reaches it was stored elsewhere.
            others = [store for store in at.scope.index.attribute_stores.get(node.attr, ())
                      if store.value is not None and store not in same and type(store.base) is ast.Name
                      and store.base.id == node.value.id]
            if not others:
                return UNKNOWN
            return union(self._store_value(store, None) for store in others[-MAX_OPTIONS:])
        path = at.path
        found = []
        for store in reversed(stores):
            bound_path = store.statement.path
            if _exclusive(bound_path, path):
                continue
            found.append(store)
            if bound_path == path[:len(bound_path)]:
                break
        if not found:
            return None
        return union(self._store_value(store, frame if frame is not None and frame.scope is function else None)
                     for store in found[:MAX_OPTIONS])

    def attribute(self, base: Value, attr: str, at: Optional[At] = None) -> Value:
        results = []
        for option in options(base):
            kind = type(option)
            if kind is Api:
                results.append(self.api(f"{option.name}.{attr}"))
            elif kind is Module:
                results.append(self.module_member(option.index, attr))
            elif kind is _PackageDir:
                results.append(self._package_member(option, attr))
            elif kind is Instance or kind is Class:
                results.append(self._instance_attribute(option, attr))
            elif kind is Super:
                results.append(self._super_attribute(option, attr))
            elif attr in tf_api.KERAS_UPDATE_ATTRIBUTES and kind in (ApiCall, InstanceCall):
                results.append(KerasUpdates(option))
            elif kind in (ApiCall, Mapping, Sequence, InstanceCall, CollectionRead, Method):
                results.append(Method(option, attr))
            else:
                results.append(UNKNOWN)
        return union(results)

    def mro(self, cls: Class) -> tuple:
        """The class and its bases, project classes and API classes (``Api``), in order."""
        key = id(cls.scope)
        found = self._mro.get(key)
        if found is not None:
            return found
        self._mro[key] = (cls,)     # cycle guard
        order = [cls]
        node = cls.scope.node
        statement = cls.scope.index.statement_of_node.get(id(node))
        at = At(cls.scope.parent, statement)
        for base in node.bases:
            for option in options(self.value(base, at, None)):
                if type(option) is Class:
                    for entry in self.mro(option):
                        if all(entry is not seen and not _same_class(entry, seen) for seen in order):
                            order.append(entry)
                elif type(option) is Api:
                    order.append(option)
        result = tuple(order)
        self._mro[key] = result
        return result

    def _instance_attribute(self, instance, attr: str) -> Value:
        cls = instance if type(instance) is Class else instance.cls
        results = []
        for entry in self.mro(cls):
            if type(entry) is Api:
                if attr in tf_api.KERAS_UPDATE_ATTRIBUTES and entry.name.startswith(tf_api.KERAS_PREFIXES):
                    return KerasUpdates(instance)
                continue
            scope = entry.scope
            for binding in reversed(scope.bindings.get(attr, ())):
                if binding.kind == _DEF:
                    function_scope = scope.index.scope_of(binding.value)
                    bound = instance if type(instance) is Instance else None
                    return Function(function_scope, bound) if function_scope is not None else UNKNOWN
                results.append(self.binding_value(binding, None))
                break
            for store in scope.index.attribute_stores.get(attr, ()):
                method = store.statement.scope.function()
                if method.kind != _FUNCTION or method.parent is not scope or not method.params:
                    continue
                if type(store.base) is not ast.Name or store.base.id != method.params[0].name:
                    continue
                if store.value is None:
                    continue
                results.append(self._store_value(store, self._method_frame(method, instance)))
                if len(results) >= MAX_OPTIONS:
                    break
            if results:
                break
        return union(results)

    def _super_attribute(self, proxy: "Super", attr: str) -> Value:
        instance = proxy.instance
        order = self.mro(instance.cls) if type(instance) is Instance else self.mro(proxy.cls)
        after = False
        for entry in order:
            if type(entry) is Class and entry.scope is proxy.cls.scope:
                after = True
                continue
            if not after or type(entry) is not Class:
                continue
            for binding in reversed(entry.scope.bindings.get(attr, ())):
                if binding.kind == _DEF:
                    function_scope = entry.scope.index.scope_of(binding.value)
                    bound = instance if type(instance) is Instance else None
                    return Function(function_scope, bound) if function_scope is not None else UNKNOWN
        return UNKNOWN

    def _method_frame(self, method: Scope, instance) -> Optional[Frame]:
        """The frame ``self.x = ...`` in ``method`` is read in: ``__init__`` with the
        construction's arguments when the instance's construction is known."""
        if type(instance) is not Instance or instance.node is None:
            return None     # an instance made where we cannot see: its arguments are unknown
        if method.name == "__init__":
            return self.frame(method, instance.node, instance.args, instance, None, instance.frame)
        return self.frame(method, None, NO_ARGS, instance, None, instance.frame)

    def _store_value(self, store, frame) -> Value:
        at = At(store.statement.scope, store.statement)
        value = self.value(store.value, at, frame)
        if store.unpack:
            value = self._unpack(value, store.unpack, False)
        return value

    # ------------------------------------------------------------------------------------------
    # Calls

    def call_args(self, node: ast.Call, at: At, frame) -> Args:
        key = (id(node), id(frame))
        found = self._args_memo.get(key)
        if found is not None:
            return found
        positional = []
        starred = []
        star = False
        for arg in node.args:
            if type(arg) is ast.Starred:
                star = True
                positional.append(None)
                starred.append(Arg(arg.value, at, frame))
            else:
                positional.append(Arg(arg, at, frame))
        keywords = []
        spreads = []
        for keyword in node.keywords:
            if keyword.arg is None:
                spreads.append(Arg(keyword.value, at, frame))
            else:
                keywords.append((keyword.arg, Arg(keyword.value, at, frame)))
        args = Args(tuple(positional), tuple(keywords), tuple(spreads), star, tuple(starred))
        self._args_memo[key] = args
        return args

    def _call_expression(self, node: ast.Call, at: At, frame) -> Value:
        func = node.func
        if type(func) is ast.Attribute:
            special = self._special_method_call(node, func, at, frame)
            if special is not None:
                return special
        callee = self.value(func, at, frame)
        return self.call(callee, node, self.call_args(node, at, frame), at, frame)

    def _special_method_call(self, node, func: ast.Attribute, at: At, frame) -> Optional[Value]:
        """Calls whose meaning is their method name, whatever the receiver: train ops,
        collection reads, Keras updates."""
        attr = func.attr
        if attr in tf_api.TRAIN_OP_METHODS:
            site = at.scope.index.call_site(node)
            if site is not None and self.is_train_op_call(site):
                return TrainOp(site)
            return None
        if attr in tf_api.COLLECTION_READERS and node.args:
            receiver = self.value(func.value, at, frame)
            if type(receiver) is Api and receiver.name.split(".", 1)[0] not in tf_api.TRAIN_OP_ROOTS:
                return None
            key = self.collection_key(self.value(node.args[0], at, frame))
            return CollectionRead(key, attr == tf_api.LIVE_COLLECTION_READER, node, at)
        if attr in tf_api.KERAS_UPDATE_METHODS:
            return KerasUpdates(self.value(func.value, at, frame))
        if attr in torch_api.SELF_RETURNING_METHODS:
            return self._torch_module_itself(self.value(func.value, at, frame), attr)
        return None

    def _torch_module_itself(self, receiver: Value, attr: str) -> Optional[Value]:
        """``Net().to(device)``, ``model.cuda()``, ``model.eval()``: a PyTorch module's
        ``to``/``cuda``/``train``/``eval``... return the module itself (a project class that
        defines its own method of that name is evaluated as usual)."""
        found = options(receiver)
        for option in found:
            kind = type(option)
            if kind is Instance:
                if not any(type(entry) is Api and entry.name.startswith(torch_api.MODULE_ROOTS)
                           for entry in self.mro(option.cls)):
                    return None
                if self._instance_attribute(option, attr) is not UNKNOWN:
                    return None
            elif kind is not ApiCall or not option.name.startswith(torch_api.MODULE_ROOTS):
                return None
        return receiver if found and receiver is not UNKNOWN else None

    def collection_key(self, value: Value) -> Optional[str]:
        keys = set()
        for option in options(value):
            if type(option) is Const and isinstance(option.value, str):
                keys.add(option.value)
            elif type(option) is Api and option.name in tf_api.GRAPH_KEYS:
                keys.add(tf_api.GRAPH_KEYS[option.name])
            else:
                return None
        return keys.pop() if len(keys) == 1 else None

    def is_train_op_call(self, site) -> bool:
        """``X.minimize(...)``/``X.apply_gradients(...)`` unless ``X`` is a non-TensorFlow
        import (``scipy.optimize.minimize``), or a configured helper builds it."""
        func = site.node.func
        if type(func) is not ast.Attribute or func.attr not in tf_api.TRAIN_OP_METHODS:
            return False
        receiver = self.value(func.value, At(site.scope, site.statement), None)
        for option in options(receiver):
            if type(option) is Api and option.name.split(".", 1)[0] not in tf_api.TRAIN_OP_ROOTS \
                    and not option.name.startswith("builtins."):
                return False
            if type(option) is Module:
                return False
        helpers = {helper.rsplit(".", 1)[-1] for helper in self.settings.train_op_helpers}
        scope = site.scope
        while scope is not None:
            if scope.kind == _FUNCTION and scope.name in helpers:
                return False
            scope = scope.parent
        return True

    def call(self, callee: Value, node, args: Args, at: At, frame) -> Value:
        results = []
        for option in options(callee)[:MAX_OPTIONS]:
            results.append(self._call_one(option, node, args, at, frame))
        return union(results)

    def _call_one(self, callee: Value, node, args: Args, at: At, frame) -> Value:
        kind = type(callee)
        if kind is Api:
            name = callee.name
            if name in tf_api.PARTIALS:
                if not args.positional or args.positional[0] is None:
                    return UNKNOWN
                target = self.arg_value(args.positional[0])
                rest = Args(args.positional[1:], args.keywords, args.spreads, args.star, args.starred)
                if type(target) is Partial:
                    return Partial(target.target, target.args.then(rest), node)
                return Partial(target, rest, node)
            if name in tf_api.DYNAMIC_IMPORTS:
                found = self._dynamic_import(name, args, at, frame)
                if found is not None:
                    return found
            if name == tf_api.ATTRIBUTE_BY_NAME and len(args.positional) >= 2 and None not in args.positional[:2]:
                attr = self.arg_value(args.positional[1])
                if type(attr) is Const and isinstance(attr.value, str):
                    return self.attribute(self.arg_value(args.positional[0]), attr.value, at)
            if name in ("builtins.dict",):
                return self._dict_call(args)
            if name == "builtins.super":
                return self._super(args, at, frame)
            if name in _SEQUENCE_OF_BUILTIN:
                if len(args.positional) == 1 and args.positional[0] is not None:
                    return Sequence(_SEQUENCE_OF_BUILTIN[name], (Spread(args.positional[0]),), False)
                if not args.positional:
                    return Sequence(_SEQUENCE_OF_BUILTIN[name], ())
                return UNKNOWN
            return ApiCall(name, node, args, at, frame)
        if kind is Partial:
            merged = callee.args.then(args)
            target = callee.target
            if type(target) is Api:
                return ApiCall(target.name, node, merged, at, frame)
            return self.call(target, node, merged, at, frame)
        if kind is Function:
            return self.returns(callee, node, args, frame)
        if kind is Class:
            return Instance(callee, node, args, at, frame)
        if kind is Instance:
            for method_name in tf_api.INSTANCE_CALL_METHODS:
                method = self._instance_attribute(callee, method_name)
                if type(method) is Function:
                    return self.returns(method, node, args, frame)
            return UNKNOWN
        if kind is Method:
            return self._method_call(callee, node, args, at, frame)
        if kind in (ApiCall, InstanceCall):
            return InstanceCall(callee, node, args, at, frame)
        return UNKNOWN

    def _super(self, args: Args, at: At, frame) -> Value:
        """``super()``/``super(C, self)`` inside a method: the class it is written in and the
        instance (the method's ``self``, as the frame binds it)."""
        method = at.scope.function()
        cls_scope = method.enclosing_class() if method.kind == _FUNCTION else None
        if cls_scope is None or not method.params:
            return UNKNOWN
        instance = self._name(method.params[0].name, At(method, None), frame)
        return Super(Class(cls_scope), instance)

    def _dict_call(self, args: Args) -> Value:
        entries = []
        complete = not args.star
        for item in args.positional:
            value = self.arg_value(item) if item is not None else UNKNOWN
            if type(value) is Mapping:
                entries.extend(value.entries)
                complete = complete and value.complete
            else:
                complete = False
        for spread in args.spreads:
            value = self.arg_value(spread)
            if type(value) is Mapping:
                entries.extend(value.entries)
                complete = complete and value.complete
            else:
                complete = False
        entries.extend(args.keywords)
        return Mapping(tuple(entries), complete)

    def _method_call(self, method: Method, node, args: Args, at: At, frame) -> Value:
        receiver, name = method.receiver, method.name
        if type(receiver) is Mapping:
            if name == "copy":
                return receiver
            if name == "get" and args.positional and args.positional[0] is not None:
                key = self.arg_value(args.positional[0])
                if type(key) is Const and isinstance(key.value, str):
                    item = receiver.get(key.value)
                    if item is not None:
                        return self.arg_value(item)
                elif receiver.complete and receiver.entries:
                    return union(self.arg_value(item) for _, item in receiver.entries)
            return UNKNOWN
        if type(receiver) is Sequence and name == "copy":
            return receiver
        return ApiCall(f"<method>.{name}", node, args, at, frame) if type(receiver) in (ApiCall, InstanceCall) \
            else UNKNOWN

    def frame(self, scope: Scope, node, args: Args, bound, parent, caller=None) -> Optional[Frame]:
        """The frame of a call of ``scope`` (``parent``: the frame the function was defined in,
        for closures; ``caller``: the frame the call is made from, for the depth bound)."""
        depth = max(caller.depth if caller is not None else 0, parent.depth if parent is not None else 0) + 1
        if depth > MAX_FRAMES:
            return None
        key = (id(scope), id(node), id(args), id(bound), id(parent), id(caller))
        found = self._frames.get(key)
        if found is None:
            found = self._frames[key] = Frame(scope, node, args, bound, depth, parent, caller)
        return found

    def returns(self, function: Function, node, args: Args, frame) -> Value:
        """What calling ``function`` returns, its parameters bound to ``args``."""
        scope = function.scope
        if scope is None:
            return UNKNOWN
        callee_frame = self.frame(scope, node, args, function.bound, function.frame, frame)
        if callee_frame is None:
            return UNKNOWN
        if scope.kind == _LAMBDA:
            at = At(scope, scope.index.statement_of_node.get(id(scope.node)))
            body_statement = self._lambda_statement(scope)
            return self.value(scope.node.body, At(scope, body_statement) if body_statement else at, callee_frame)
        if scope.yields:
            return UNKNOWN
        values = []
        for value_node, statement in scope.returns[:MAX_OPTIONS]:
            values.append(self.value(value_node, At(scope, statement), callee_frame))
        return union(values)

    def _lambda_statement(self, scope: Scope) -> Optional[Statement]:
        # A lambda's body is evaluated with the statement that wrote it (flow inside a lambda
        # scope is not tracked: it runs later).
        for site in scope.calls:
            return site.statement
        return None

    # ------------------------------------------------------------------------------------------
    # Dynamic imports (RULES.md "Dynamic imports and import paths")

    def _dynamic_import(self, name: str, args: Args, at: At, frame) -> Optional[Value]:
        """``importlib.import_module(S)`` / ``__import__(S)``: the project modules ``S`` can name,
        or None (the call stays an opaque API call) when the code does not show them."""
        if not args.positional or args.positional[0] is None:
            return None
        index = at.scope.index
        named, prefixes = self._import_names(args.positional[0], index)
        leaf = tf_api.DYNAMIC_IMPORTS[name] or (len(args.positional) > 3 and args.positional[3] is not None) \
            or args.keyword("fromlist") is not None
        results = []
        added = self.added_import_roots(index, at.seq)
        for dotted in named[:MAX_OPTIONS]:
            if not self.project.is_project_name(dotted, index, added):
                continue
            target = dotted if leaf else dotted.split(".", 1)[0]
            results.append(self._import_module(target, 0, index, at.seq))
        for prefix in prefixes:
            # ``import_module("pkg.models." + name)`` with ``name`` unknown: any module of the package.
            for found in self.project.modules_under(prefix, index, added)[:MAX_OPTIONS]:
                results.append(self._module_value(found))
        found = union(results)
        return found if found is not UNKNOWN else None

    def _import_names(self, arg: Arg, index: ModuleIndex) -> Tuple[List[str], List[str]]:
        """(dotted names the argument can hold, package prefixes when only a literal prefix shows)."""
        value = self.arg_value(arg)
        named = [option.value for option in options(value) if type(option) is Const and isinstance(option.value, str)]
        if named and all(type(option) is Const for option in options(value)):
            return named, []
        node = arg.node
        if type(node) is ast.Attribute:
            defaults = self._command_line_candidates(node.attr, index)
            if defaults:
                return defaults, []
        prefix = _literal_prefix(node, arg.at, self)
        if prefix and prefix.endswith(".") and len(prefix) > 1:
            return named, [prefix[:-1]]
        return named, []

    def _command_line_candidates(self, option: str, index: ModuleIndex) -> List[str]:
        """The default and choices of a command-line option defined in the module
        (``parser.add_argument("--model_def", default="models.v1")``, ``flags.DEFINE_string``)."""
        found: List[str] = []
        for call in index.calls:
            func = call.node.func
            method = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
            default_keyword = tf_api.COMMAND_LINE_OPTIONS.get(method)
            if default_keyword is None or not call.node.args:
                continue
            first = call.node.args[0]
            names = {keyword.value.value for keyword in call.node.keywords
                     if keyword.arg == tf_api.COMMAND_LINE_DEST_KEYWORD and type(keyword.value) is ast.Constant}
            if type(first) is ast.Constant and isinstance(first.value, str):
                names.add(first.value.lstrip("-").replace("-", "_"))
            if option not in names:
                continue
            at = At(call.scope, call.statement)
            wanted = [keyword.value for keyword in call.node.keywords
                      if keyword.arg == default_keyword or keyword.arg in tf_api.COMMAND_LINE_CHOICES_KEYWORDS]
            if method not in tf_api.COMMAND_LINE_NAMES_ONLY and len(call.node.args) > 1:
                wanted.append(call.node.args[1])
            for expr in wanted:
                value = self.value(expr, at, None)
                for item in options(value):
                    if type(item) is Sequence:
                        item = self._element(item)
                    for leaf in options(item):
                        if type(leaf) is Const and isinstance(leaf.value, str) and leaf.value not in found:
                            found.append(leaf.value)
        return found

    # ------------------------------------------------------------------------------------------
    # Imports and modules

    def _import_binding(self, binding) -> Value:
        index = binding.scope.index
        imported = binding.imported or ""
        if imported in self.forced_api or self.canonical(imported) in self.forced_api:
            return self.api(imported)
        seq = binding.statement.seq
        if binding.from_import:
            module_name, _, member = imported.rpartition(".")
            if binding.level or self.project.is_project_name(module_name or member, index,
                                                             self._added_for(module_name or member, index, seq)):
                module = self._import_module(module_name, binding.level, index, seq)
                if type(module) is Module:
                    found = self.module_member(module.index, member)
                    if found is not UNKNOWN:
                        return found
                    sub = self.project.submodule(module.index, member)
                    return self._module_value(sub) if sub is not None else UNKNOWN
                if type(module) is _PackageDir:
                    return self._package_member(module, member)
                if module is None or module is UNKNOWN:
                    return UNKNOWN
            return self.api(imported)
        return self._import_module(imported, 0, index, seq)

    def _import_module(self, dotted: str, level: int, index: ModuleIndex, seq: int) -> Value:
        """The module an import at statement ``seq`` of ``index`` names."""
        added = self._added_for(dotted, index, seq) if level == 0 else None
        if level == 0 and not self.project.is_project_name(dotted, index, added):
            return self.api(dotted) if dotted else UNKNOWN
        found = self.project.find_module(dotted, level, index, added)
        return self._module_value(found) if found is not None else UNKNOWN

    def added_import_roots(self, index: ModuleIndex, seq: int) -> Optional[Tuple[tuple, tuple]]:
        """(folders before the usual import roots, folders after them) that the module's
        ``sys.path.insert``/``append`` calls made before statement ``seq`` add (RULES.md "Dynamic
        imports and import paths"); None when it adds none."""
        adds = self._path_adds.get(id(index))
        if adds is None:
            self._path_adds[id(index)] = []     # a cycle (an import read while finding them) sees none
            adds = self._path_adds[id(index)] = self._sys_path_adds(index)
        if not adds:
            return None
        before = tuple(folder for added_at, folder, first in adds if added_at < seq and first)
        after = tuple(folder for added_at, folder, first in adds if added_at < seq and not first)
        return (before[::-1], after) if before or after else None   # the last insert is searched first

    def _added_for(self, dotted: str, index: ModuleIndex, seq: int):
        # ``sys`` and ``os`` themselves (read to find the additions) are never looked up in them.
        return None if self.project.is_external(dotted) else self.added_import_roots(index, seq)

    def _sys_path_adds(self, index: ModuleIndex) -> List[Tuple[int, str, bool]]:
        """(statement seq, folder, goes first) for each folder the module adds to ``sys.path``."""
        found = []
        if not index.path or index.path.startswith("<"):
            return found
        for call in index.calls:
            func = call.node.func
            if type(func) is not ast.Attribute or func.attr not in _SYS_PATH_METHODS:
                continue    # the cheap test first: every call of the module passes here
            at = At(call.scope, call.statement)
            adder = tf_api.SYS_PATH_ADDERS.get(self.api_name(func, at) or "")
            if adder is None:
                continue
            position, first = adder
            if len(call.node.args) <= position:
                continue
            for folder in self._path_texts(call.node.args[position], at, index, 0):
                folder = os.path.normpath(os.path.join(os.path.dirname(index.path), folder))
                found.append((call.statement.seq, folder, first))
        return found

    def _path_texts(self, node, at: At, index: ModuleIndex, depth: int) -> List[str]:
        """The paths an import-path expression can name: literals, ``__file__``, and the path
        functions of ``tf_api`` over them (relative paths stay relative: the caller anchors them)."""
        if depth > 8:
            return []
        if type(node) is ast.Name and node.id == tf_api.MODULE_FILE_NAME and \
                tf_api.MODULE_FILE_NAME not in index.module_scope.bindings:
            return [index.path]
        value = self.value(node, at)
        texts = []
        for option in options(value)[:MAX_OPTIONS]:
            kind = type(option)
            if kind is Const and isinstance(option.value, str):
                texts.append(option.value)
            elif kind is ApiCall and option.frame is None and option.args.positional and \
                    all(arg is not None for arg in option.args.positional):
                parts = [self._path_texts(arg.node, arg.at, index, depth + 1) for arg in option.args.positional]
                if not all(parts):
                    continue
                if option.name == tf_api.PATH_JOIN:
                    joined = [""]
                    for part in parts:
                        joined = [os.path.join(head, piece) for head in joined for piece in part][:MAX_OPTIONS]
                    texts += joined
                elif option.name == tf_api.PATH_PARENT and len(parts) == 1:
                    texts += [os.path.dirname(text) for text in parts[0]]
                elif option.name in tf_api.PATH_SAME_FOLDER and len(parts) == 1:
                    texts += parts[0]
        return texts

    def _module_value(self, found) -> Value:
        if isinstance(found, ModuleIndex):
            return Module(found)
        return _PackageDir(found)

    def _package_member(self, package: "_PackageDir", name: str) -> Value:
        found = self.project.find_in_folder(package.folder, name)
        return self._module_value(found) if found is not None else UNKNOWN

    def module_member(self, index: ModuleIndex, name: str) -> Value:
        """A module's name as its importers see it (after the whole module ran)."""
        key = (id(index), name)
        found = self._module_members.get(key)
        if found is not None:
            return found
        self._module_members[key] = UNKNOWN    # import cycles resolve to unknown
        scope = index.module_scope
        if name in scope.bindings:
            at = At(scope, None)
            result = union(self.binding_value(binding) for binding in self.reaching(name, at)[:MAX_OPTIONS])
        else:
            result = self._unbound(name, At(scope, None))
            if result is UNKNOWN or (type(result) is Api and result.name.startswith("builtins.")):
                sub = self.project.submodule(index, name)
                result = self._module_value(sub) if sub is not None else UNKNOWN
        self._module_members[key] = result
        return result


class _PackageDir(Value):
    """A folder imported as a package: with an ``__init__.py`` it is a Module; without one
    (a namespace package, PEP 420) it is this."""

    __slots__ = ("folder",)

    def __init__(self, folder: str):
        self.folder = folder

    def __repr__(self):
        return f"PackageDir({self.folder})"


def _exclusive(bound_path: tuple, use_path: tuple) -> bool:
    """A binding in one branch of an ``if`` (or ``match`` case) never reaches a use in another."""
    for (bound_node, bound_part, kind), (use_node, use_part, _) in zip(bound_path, use_path):
        if bound_node != use_node:
            return False
        if bound_part != use_part:
            return kind in (IF, MATCH) and bound_part >= 0 and use_part >= 0
    return False


_LISTS = (Sequence, CollectionRead, KerasUpdates)
_MAX_STRINGS = 12


def _joined_strings(parts) -> Optional[Value]:
    """Every string the parts can join to, when each part is a known str (or number) constant."""
    joined = [""]
    for part in parts:
        pieces = []
        for option in options(part):
            if type(option) is not Const or not isinstance(option.value, (str, int)) or type(option.value) is bool:
                return None
            pieces.append(str(option.value))
        joined = [head + piece for head in joined for piece in pieces]
        if len(joined) > _MAX_STRINGS:
            return None
    return union(Const(text) for text in joined)


def _literal_prefix(node, at: At, resolver: "Resolver") -> Optional[str]:
    """The literal start of ``"pkg.models." + name`` or ``f"pkg.models.{name}"``."""
    kind = type(node)
    if kind is ast.BinOp and type(node.op) is ast.Add:
        left = resolver.value(node.left, at, None)
        if type(left) is Const and isinstance(left.value, str):
            return left.value
        return _literal_prefix(node.left, at, resolver)
    if kind is ast.JoinedStr and node.values and type(node.values[0]) is ast.Constant:
        return node.values[0].value
    return None


def _binding_seq(binding) -> int:
    return binding.statement.seq


def _is_static(scope: Scope) -> bool:
    for decorator in getattr(scope.node, "decorator_list", ()):
        if type(decorator) is ast.Name and decorator.id in ("staticmethod", "classmethod"):
            return True
    return False


def _same_class(a, b) -> bool:
    return type(a) is Class and type(b) is Class and a.scope is b.scope
