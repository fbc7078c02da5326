"""The evaluator: every "what does this value hold / where does it flow" question the facts and
the rules ask, over the one resolver.

The resolver answers "what does this expression hold"; the questions here follow those answers
further (the collections an op carries through ``control_dependencies`` and
``add_to_collection``, the train ops a fetch holds, whether a Keras model contains batch norm,
what the callers pass for a parameter, which calls a loss is computed through, whether a
variable list holds trainable variables only). They share the resolver's one depth bound: each
nested question counts against ``resolver.MAX_DEPTH`` through ``Resolver.descend``, as every
nested expression does, so a question asked deep inside another gets what is left of the bound,
never a private limit of its own. Cycles (a collection fed from itself, a parameter passed to
its own function) are cut by an active set, as the resolver cuts its own.

One object per check, beside the resolver, with the same lifetime: its memo tables are the
resolver's answers followed one step further, freed with them by ``close``. It is a separate
object rather than more methods on ``Resolver`` because it needs the checked module (the calls
that fill a collection, the callers of a function) where the resolver answers for any module.
"""
from __future__ import annotations

import ast
import functools
from types import MappingProxyType
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .. import keras_flax_api, tf_api
from .index import CLASS, DEF, IF, WITH, CallSite, ModuleIndex, Scope, contexts, within_function
from .kinds import BindingKind, FlagState, Question, ScopeKind, SequenceKind, VariablesShape
from .resolver import At, Resolver
from .values import (UNKNOWN, Api, ApiCall, Class, CollectionRead, Const, Function, Instance, InstanceCall,
                     KerasUpdates, Mapping, ParamValue, Sequence, Spread, TrainOp, Value, options, union)

UPDATE_OPS = tf_api.UPDATE_OPS
KERAS_UPDATES = tf_api.KERAS_UPDATES
ANY_UPDATES = tf_api.ANY_UPDATES

# Values visited when following a functional model's tensors back to their layers, and when
# following the train ops' losses back to the calls they are computed through: work budgets of
# breadth-first walks with a seen set (not depth bounds: these walks do not nest).
_TENSOR_PROVENANCE_BUDGET = 400
_LOSS_PROVENANCE_BUDGET = 4000
# Expressions whose value is computed from their parts as written (the resolver does not model
# arithmetic): a loss's provenance walk goes on into the parts.
_WRITTEN_ARITHMETIC = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Tuple,
                       ast.List)
# The handling key prefix of one batch-norm layer object's ``.updates``.
LAYER_UPDATES = "layer-updates:"
# Bindings whose value the bound name holds, or holds a part of (a ``for`` target one element
# of its iterable, a ``with`` target what its context expression gives, ``x += y`` its old value too).
_FLOWING_BINDINGS = (BindingKind.ASSIGN, BindingKind.FOR, BindingKind.WITH, BindingKind.AUGASSIGN)
# What a comprehension over trainable variables is, as a Saver's variable list (BNU008's fix extends
# a list only: ``{...} + [...]`` raises TypeError).
_SEQUENCE_SHAPES = MappingProxyType({ast.ListComp: VariablesShape.LIST, ast.SetComp: VariablesShape.SET,
                                     ast.GeneratorExp: VariablesShape.GENERATOR})


def _nested(empty):
    """A question that may ask itself again: one level of the resolver's one depth bound. Past
    the bound it answers ``empty()`` (unknown, never a finding), as the resolver does."""
    def wrap(method):
        @functools.wraps(method)
        def bounded(self, *args, **kwargs):
            resolver = self.resolver
            if not resolver.descend():
                return empty()
            try:
                return method(self, *args, **kwargs)
            finally:
                resolver.ascend()
        return bounded
    return wrap


def _none():
    return None


class Evaluator:
    def __init__(self, resolver: Resolver, index: ModuleIndex, source):
        self.resolver = resolver
        self.index = index          # the checked module: its collections, its callers
        self.source = source        # core.source.SourceText of the checked text
        self.project = resolver.project
        self._callee: Dict[tuple, Value] = {}
        self._callers_table: Optional[Dict[int, List[CallSite]]] = None
        self._graphs: Dict[int, Set[str]] = {}
        self._subclasses_by_module: Dict[int, Set[int]] = {}
        self._keras: Dict[int, Optional[bool]] = {}
        self._keras_scopes: Dict[int, bool] = {}
        self._add_calls_cache: Dict[int, List[CallSite]] = {}
        self._active: Set[tuple] = set()      # questions being answered (cycles answer empty)
        # carried_value's answers, by value: a graph of ops shares its inputs (``x = op(x, y)``
        # many times over), and walking it as a tree is exponential. value -> (keys, reads seen).
        self._carried: Dict[tuple, Tuple[Value, Set[str], list]] = {}
        # The facts of the modules that import this one, built on demand by a fix that threads
        # a flag across modules (``fixes.flag_threading``): id(index) -> (facts, digest) or None.
        self.importer_facts: Dict[int, object] = {}
        self._decided: Dict[tuple, Optional[Set[int]]] = {}
        self._resets: Optional[List[int]] = None
        self._names_read: Optional[Set[str]] = None

    def close(self) -> None:
        for table in (self._callee, self._graphs, self._subclasses_by_module, self._keras, self._keras_scopes,
                      self._add_calls_cache, self._active, self._carried, self.importer_facts, self._decided):
            table.clear()
        self._callers_table = self._resets = self._names_read = None

    def at(self, call: CallSite) -> At:
        return At(call.scope, call.statement)

    def callee(self, call: CallSite, frame=None) -> Value:
        if frame is not None and self._frame_free(call, frame):
            frame = None    # the same value in every frame: computed once
        key = (id(call.node), id(frame))
        found = self._callee.get(key)
        if found is None:
            found = self._callee[key] = self.resolver.value(call.node.func, self.at(call), frame)
        return found

    def callers(self, scope: Scope) -> List[CallSite]:
        """The calls of this module whose callee is the function ``scope`` (frameless)."""
        table = self._callers_table
        if table is None:
            table = self._callers_table = {}
            for call in self.index.calls:
                for option in options(self.callee(call)):
                    if type(option) is Function and option.scope is not None:
                        table.setdefault(id(option.scope), []).append(call)
        return table.get(id(scope), [])

    @_nested(set)
    def graphs_of(self, call: CallSite) -> Set[str]:
        """The graphs (``with G.as_default():``, by G's spelling) a call is built in: lexically,
        or because every call of its function runs inside one (the default graph is dynamic).
        Empty: the default graph."""
        lexical = graph_blocks(call.context)
        if lexical:
            return lexical
        function = call.scope.function()
        key = (Question.GRAPHS, id(function))
        if function.kind != ScopeKind.FUNCTION or key in self._active:
            return set()
        callers = self.callers(function)
        if not callers:
            return set()
        found: Set[str] = set()
        self._active.add(key)
        try:
            for caller in callers:
                graphs = self.graphs_of(caller)
                if not graphs:
                    return set()
                found |= graphs
        finally:
            self._active.discard(key)
        return found

    def read_in_other_graph(self, op, read) -> bool:
        """The update-ops read is made in the default graph while the train op is built inside
        ``with G.as_default():``: the read never holds that graph's update ops (measured)."""
        site = read.at.scope.index.call_site(read.node) if read.at is not None else None
        if site is None or site.scope.index is not self.index:
            return False
        return bool(self.graphs_of(op.call)) and not self.graphs_of(site)

    def _frame_free(self, call: CallSite, frame) -> bool:
        """A callee whose root name is bound outside every function of the frame chain (an
        import, a module function, ``tf.layers.conv2d``) reads the same in any frame."""
        root = call.node.func
        while type(root) is ast.Attribute:
            root = root.value
        if type(root) is not ast.Name:
            return False
        scopes = set()
        current = frame
        while current is not None:
            scopes.add(id(current.scope))
            current = current.caller
        scope = call.scope
        while scope is not None:
            if id(scope) in scopes or scope.kind in (ScopeKind.LAMBDA, ScopeKind.COMPREHENSION):
                if root.id in scope.bindings:
                    return False
            scope = scope.parent
        return True

    def api_name(self, call: CallSite, frame=None) -> Optional[str]:
        value = self.callee(call, frame)
        return value.name if type(value) is Api else None

    def update_ops_subclasses_in(self, index: ModuleIndex) -> Set[int]:
        """id(class node) of every Keras batch-norm subclass that a module defines and that adds
        its updates to UPDATE_OPS (seen in real projects): it builds UPDATE_OPS sites."""
        cached = self._subclasses_by_module.get(id(index))
        if cached is not None:
            return cached
        found: Set[int] = set()
        self._subclasses_by_module[id(index)] = found
        resolver = self.resolver
        for call in self.update_ops_additions(index):
            cls = call.scope.enclosing_class()
            if cls is None:
                continue
            statement = index.statement_of_node.get(id(cls.node))
            for base in cls.node.bases:
                base_name = resolver.api_name(base, At(cls.parent, statement))
                api = tf_api.BATCH_NORM_APIS.get(base_name or "")
                if api is not None and api.family == tf_api.Family.KERAS:
                    found.add(id(cls.node))
        return found

    def update_ops_additions(self, index: ModuleIndex) -> List[CallSite]:
        """The ``add_to_collection(UPDATE_OPS, ...)`` calls of a module."""
        resolver = self.resolver
        found = []
        for call in index.calls:
            func = call.node.func
            name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
            if name not in tf_api.COLLECTION_ADDERS or not call.node.args:
                continue
            if resolver.collection_key(resolver.value(call.node.args[0], self.at(call))) == UPDATE_OPS:
                found.append(call)
        return found

    def adds_keras_updates(self, call: CallSite) -> bool:
        """An ``add_to_collection(UPDATE_OPS, ...)`` call that adds Keras ``.updates`` (itself
        or in the ``for`` loop it sits in)."""
        resolver = self.resolver
        values = [resolver.value(arg, self.at(call)) for arg in call.node.args[1:]]
        for entry in contexts(call.context):
            if type(entry.node) is ast.For:
                values.append(resolver.value(entry.node.iter, self.at(call)))
        return any(KERAS_UPDATES in self.carried_value(value) for value in values)

    def is_update_ops_subclass(self, cls: Class) -> bool:
        """The class, or a base in any module of the project, adds its updates to UPDATE_OPS."""
        return any(type(entry) is Class and id(entry.scope.node) in self.update_ops_subclasses_in(entry.scope.index)
                   for entry in self.resolver.mro(cls))

    def keras_bn_subclass(self, cls: Class) -> bool:
        """A plain subclass of Keras ``BatchNormalization`` (a Keras site)."""
        if self.is_update_ops_subclass(cls):
            return False
        for entry in self.resolver.mro(cls):
            if type(entry) is Api:
                api = tf_api.BATCH_NORM_APIS.get(entry.name)
                if api is not None and api.family == tf_api.Family.KERAS:
                    return True
        return False

    def method(self, cls: Class, name: str) -> Optional[Scope]:
        for entry in self.resolver.mro(cls):
            if type(entry) is not Class:
                continue
            for binding in reversed(entry.scope.bindings.get(name, ())):
                if binding.kind == BindingKind.DEF:
                    return entry.scope.index.scope_of(binding.value)
        return None

    def carried_value(self, value: Value, through_dependencies: bool = True, reads: Optional[list] = None) -> Set[str]:
        """The collections whose ops running ``value`` runs (RULES: "Carries update ops"). Each
        value is answered once (with the ``UPDATE_OPS`` reads met on the way); a value asked
        again while it is being answered (a cycle) carries nothing."""
        key = (id(value), through_dependencies)
        known = self._carried.get(key)
        if known is None:
            if key in self._active:
                return set()
            self._active.add(key)
            try:
                found: list = []
                known = (value, self._carried_value(value, through_dependencies, found), found)
            finally:
                self._active.discard(key)
            self._carried[key] = known
        if reads is not None:
            reads.extend(known[2])
        return set(known[1])

    @_nested(set)
    def _carried_value(self, value: Value, through_dependencies: bool, reads: list) -> Set[str]:
        keys: Set[str] = set()
        for option in options(value):
            kind = type(option)
            if kind is CollectionRead:
                if option.key is None:
                    continue
                keys.add(option.key)
                if reads is not None and option.key == UPDATE_OPS:
                    reads.append(option)
                if option.key != UPDATE_OPS and through_dependencies:
                    keys |= self._collection_members(option.key, reads)
            elif kind is KerasUpdates:
                keys.add(KERAS_UPDATES)
                for layer in options(option.model):
                    # ``bn.updates`` of a ``tf.layers.BatchNormalization`` object: that layer's own
                    # update ops, whatever collection they also went to.
                    if type(layer) is ApiCall and layer.name in tf_api.BATCH_NORM_APIS:
                        keys.add(layer_updates_key(layer.node))
            elif kind is Sequence:
                # A filtered selection (``[op for op in update_ops if op not in before]``) runs the
                # ops its author picked: it carries them, but it is no read that layers built
                # later were meant to join (BNU004).
                item_reads = None if option.kind == SequenceKind.SELECTION else reads
                for item in option.items:
                    keys |= self._carried_item(item, through_dependencies, item_reads)
            elif kind is ApiCall:
                if option.name in tf_api.SUMMARY_MERGE_ALL_SET and through_dependencies:
                    keys |= self._summaries_carry(reads)
                    continue
                for item in option.args.positional:
                    if item is not None:
                        keys |= self._carried_item(item, through_dependencies, reads)
                for _, item in option.args.keywords:
                    keys |= self._carried_item(item, through_dependencies, reads)
                for item in option.args.spreads + option.args.starred:
                    keys |= self._carried_item(item, through_dependencies, reads)
                if through_dependencies and option.at is not None:
                    keys |= self.dependency_keys(option.node, option.at, option.frame, reads)
            elif kind is InstanceCall and through_dependencies and option.at is not None:
                keys |= self.dependency_keys(option.node, option.at, option.frame, reads)
        return keys

    def _carried_item(self, item, through_dependencies, reads) -> Set[str]:
        if type(item) is Spread:
            item = item.arg
        if isinstance(item, Value):
            return self.carried_value(item, through_dependencies, reads)
        value = self.resolver.arg_value(item)
        keys = self.carried_value(value, through_dependencies, reads)
        if not keys and _unknown(value) and _update_named(item.node):
            keys.add(ANY_UPDATES)
        return keys

    def carried_expression(self, node, at: At, frame=None, through_dependencies=True, reads=None) -> Set[str]:
        value = self.resolver.value(node, at, frame)
        keys = self.carried_value(value, through_dependencies, reads)
        if not keys and _unknown(value) and _update_named(node):
            keys.add(ANY_UPDATES)
        return keys

    def _collection_members(self, key: str, reads) -> Set[str]:
        """``tf.add_to_collection("loss", loss)`` then ``tf.get_collection("loss")``."""
        keys: Set[str] = set()
        active = (Question.COLLECTION, key)
        if active in self._active:
            return keys     # a collection fed from itself: its members are being read
        self._active.add(active)
        try:
            keys = self._collection_members_once(key, reads)
        finally:
            self._active.discard(active)
        return keys

    def _collection_members_once(self, key: str, reads) -> Set[str]:
        keys: Set[str] = set()
        for call in self.index.calls:
            func = call.node.func
            if getattr(func, "attr", getattr(func, "id", None)) != tf_api.COLLECTION_ADDER or len(call.node.args) < 2:
                continue
            if self.resolver.collection_key(self.resolver.value(call.node.args[0], self.at(call))) == key:
                keys |= self.carried_value(self.resolver.value(call.node.args[1], self.at(call)), True, reads)
        return keys

    def _summaries_carry(self, reads) -> Set[str]:
        keys: Set[str] = set()
        for call in self.index.calls:
            if self.api_name(call) in tf_api.SUMMARY_CALLS and self.api_name(call) not in tf_api.SUMMARY_MERGE_ALL_SET:
                for arg in call.node.args[1:]:
                    keys |= self.carried_value(self.resolver.value(arg, self.at(call)), True, reads)
        return keys

    def dependency_keys(self, node, at: At, frame, reads=None,
                        consumers: Optional[list] = None) -> Set[str]:
        """What the ``control_dependencies(D)`` blocks around a node (same function) carry."""
        site = at.scope.index.call_site(node) if type(node) is ast.Call else None
        context = site.context if site is not None else (
            at.statement.context if at.statement is not None else None)
        keys: Set[str] = set()
        for entry in within_function(context):
            if entry.kind != WITH:
                continue
            items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
            statement = at.scope.index.statement_of_node.get(id(entry.node))
            for item in items:
                expr = item.context_expr
                if not is_control_dependencies(expr) or not expr.args:
                    continue
                found: list = []
                keys |= self.carried_expression(expr.args[0], At(at.scope, statement), frame, True, found)
                if reads is not None:
                    reads.extend(found)
                if consumers is not None:
                    consumers.extend((read, at.scope.index.call_site(expr)) for read in found)
        return keys

    @_nested(set)
    def train_ops_in(self, value: Value) -> Set[int]:
        """The train-op calls (ids of their nodes) a value is or contains."""
        found: Set[int] = set()
        for option in options(value):
            kind = type(option)
            if kind is TrainOp:
                found.add(id(option.site.node))
            elif kind is Sequence:
                for item in option.items:
                    if type(item) is Spread:
                        item = item.arg
                    found |= self.train_ops_in(item if isinstance(item, Value) else self.resolver.arg_value(item))
            elif kind is ApiCall and option.name in tf_api.GROUPING_CALLS | tf_api.PASS_THROUGH_CALLS:
                for item in option.args.positional + option.args.starred:
                    if item is not None:
                        found |= self.train_ops_in(self.resolver.arg_value(item))
        return found

    @_nested(_none)
    def keras_bn(self, value: Value) -> Optional[bool]:
        """None unless ``value`` is a Keras model or layer containing batch norm; then whether
        it is Keras 2 (``tf.keras``/``tf_keras``, which has ``.updates``)."""
        for option in options(value):
            key = (Question.KERAS_MODEL, id(option))
            if key in self._active:
                continue    # a parameter its own function passes on: being answered
            self._active.add(key)
            try:
                found = self._keras_bn_one(option)
            finally:
                self._active.discard(key)
            if found is not None:
                return found
        return None

    def _keras_bn_one(self, value: Value) -> Optional[bool]:
        kind = type(value)
        resolver = self.resolver
        if kind is ApiCall:
            name = value.name
            keras2 = name.startswith(tf_api.KERAS2_ROOTS)
            api = tf_api.BATCH_NORM_APIS.get(name)
            if api is not None and api.family == tf_api.Family.KERAS:
                return keras2
            if name.startswith(tf_api.KERAS_APPLICATION_PREFIXES) and \
                    name.rsplit(".", 1)[-1] in tf_api.KERAS_APPLICATIONS_WITH_BATCH_NORM:
                return keras2
            if name in tf_api.KERAS_MODEL_CLASSES:
                if name.endswith(tf_api.KERAS_SEQUENTIAL_SUFFIX):
                    for element in self.sequential_layers(value) or ():
                        if self.keras_bn(element) is not None:
                            return keras2
                    return None
                # A functional model: its outputs come out of a batch-norm layer, or the function
                # that builds it applies one.
                outputs = value.args.keyword(tf_api.KERAS_MODEL_OUTPUTS_KEYWORD) or (value.args.positional[1] if len(
                    value.args.positional) > 1 else None)
                if outputs is not None and self._tensor_through_keras_bn(resolver.arg_value(outputs)):
                    return keras2
                if value.at is not None and self._scope_applies_keras_bn(value.at.scope.function()):
                    return keras2
            return None
        if kind is Instance:
            if self.keras_bn_subclass(value.cls):
                bases = [entry for entry in self.resolver.mro(value.cls) if type(entry) is Api]
                return all(base.name.startswith(tf_api.KERAS2_ROOTS) for base in bases)
            return self._class_keras_bn(value.cls)
        if kind is ParamValue:
            # A function parameter holds a model when a call of that function passes one.
            for argument in self.arguments_passed(value.param):
                found = self.keras_bn(argument)
                if found is not None:
                    return found
        return None

    def arguments_passed(self, param) -> List[Value]:
        """What the calls of the parameter's function in this module pass for it."""
        scope = param.scope
        if scope.kind != ScopeKind.FUNCTION or scope.index is not self.index:
            return []
        found = []
        shift = 1 if scope.parent is not None and scope.parent.kind == ScopeKind.CLASS else 0
        for call in self.callers(scope):
            at = self.at(call)
            for keyword in call.node.keywords:
                if keyword.arg == param.name:
                    found.append(self.resolver.value(keyword.value, at))
            position = (param.position - shift) if param.position is not None else None
            if position is not None and 0 <= position < len(call.node.args) and \
                    not any(type(arg) is ast.Starred for arg in call.node.args[:position + 1]):
                found.append(self.resolver.value(call.node.args[position], at))
        return found

    def sequential_layers(self, sequential: ApiCall) -> Optional[List[Value]]:
        """The layers of a ``Sequential``: its list argument, and what ``.add(...)`` adds to it
        anywhere in this module. None when some layer cannot be seen."""
        resolver = self.resolver
        layers: List[Value] = []
        first = sequential.args.positional[0] if sequential.args.positional else \
            sequential.args.keyword(tf_api.KERAS_SEQUENTIAL_LAYERS_KEYWORD)
        if first is not None:
            layers.extend(self.sequence_values(resolver.arg_value(first)))
        index = sequential.at.scope.index if sequential.at is not None else self.index
        for call in self._add_calls(index):
            receiver = resolver.value(call.node.func.value, self.at(call))
            # The same construction, whichever frame built it (a ``make_model()`` helper).
            if any(type(option) is ApiCall and option.node is sequential.node for option in options(receiver)) \
                    and call.node.args:
                layers.append(resolver.value(call.node.args[0], self.at(call)))
        if any(option is UNKNOWN for layer in layers for option in options(layer)):
            return None
        return layers

    def _add_calls(self, index: ModuleIndex) -> List[CallSite]:
        found = self._add_calls_cache.get(id(index))
        if found is None:
            found = self._add_calls_cache[id(index)] = [
                call for call in index.calls
                if type(call.node.func) is ast.Attribute and call.node.func.attr == tf_api.KERAS_SEQUENTIAL_ADD_METHOD]
        return found

    def _written_provenance(self, expr, at: At) -> Set[int]:
        """The calls an expression is written in terms of, through the names of its function
        that reach it: where the resolver cannot see a value (a helper it cannot import,
        ``ctc_loss(train_logits, ...)``), the loss still comes from the arguments it is given."""
        found: Set[int] = set()
        pending = [(expr, at)]
        visited: Set[int] = set()
        budget = _LOSS_PROVENANCE_BUDGET
        while pending and budget > 0:
            node, where = pending.pop()
            budget -= 1
            if id(node) in visited:
                continue
            visited.add(id(node))
            kind = type(node)
            if kind is ast.Name:
                for binding in self.resolver.reaching(node.id, where):
                    if binding.kind in _FLOWING_BINDINGS and binding.value is not None:
                        pending.append((binding.value, At(binding.scope, binding.statement)))
                for mutation in where.scope.index.mutations.get(node.id, ()):
                    # ``tower_losses.append(loss)``: what the list was given.
                    if mutation.value is not None and mutation.statement.scope is where.scope:
                        pending.append((mutation.value, At(mutation.statement.scope, mutation.statement)))
                continue
            if kind is ast.Call:
                found.add(id(node))
                if type(node.func) is ast.Attribute:
                    pending.append((node.func.value, where))
                pending.extend((arg, where) for arg in node.args)
                pending.extend((keyword.value, where) for keyword in node.keywords)
                continue
            if kind is ast.Lambda:
                continue
            if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
                pending.extend((generator.iter, where) for generator in node.generators)
            pending.extend((child, where) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
        return found

    def _tensor_through_keras_bn(self, value: Value) -> bool:
        """Whether a tensor of a functional model comes out of a Keras batch-norm layer: followed
        back through layer calls and TensorFlow ops, along every input, lists included
        (``Add()([x, y])``, ``Concatenate()([...])``, ``tf.concat([...])``, ``outputs=[...]``)."""
        resolver = self.resolver
        pending = [value]
        for option in _walk_back(pending, _TENSOR_PROVENANCE_BUDGET):
            kind = type(option)
            if kind is InstanceCall:
                if self.keras_bn(option.receiver) is not None:
                    return True
                inputs = list(option.args.positional) + [item for _, item in option.args.keywords]
            elif kind is ApiCall:
                inputs = list(option.args.positional) + list(option.args.starred)
            elif kind is Sequence:
                inputs = [item.arg if type(item) is Spread else item for item in option.items]
            else:
                continue
            pending.extend(resolver.arg_value(item) for item in inputs if item is not None)
        return False

    def _scope_applies_keras_bn(self, scope: Scope) -> bool:
        key = id(scope)
        if key not in self._keras_scopes:
            self._keras_scopes[key] = False
            self._keras_scopes[key] = any(
                self.keras_bn(self.resolver.value(call.node.func, At(call.scope, call.statement))) is not None
                for call in calls_run_in(scope))
        return self._keras_scopes[key]

    def _class_keras_bn(self, cls: Class) -> Optional[bool]:
        key = id(cls.scope)
        if key in self._keras:
            return self._keras[key]
        self._keras[key] = None
        bases = [entry for entry in self.resolver.mro(cls) if type(entry) is Api]
        # A plain Python class counts when its ``__call__`` takes ``training`` defaulting to None
        # and forwards it: called without it, the Keras layers inside read the learning phase.
        plain = not any(base.name.startswith(tf_api.KERAS_PREFIXES) for base in bases)
        if plain and not self._call_defaults_training_to_none(cls):
            return None
        keras2 = all(base.name.startswith(tf_api.KERAS2_ROOTS) for base in bases)
        found = None
        for entry in self.resolver.mro(cls):
            if type(entry) is not Class:
                continue
            for method in entry.scope.children:
                if method.kind != ScopeKind.FUNCTION:
                    continue
                for call in calls_run_in(method):
                    callee = self.resolver.value(call.node.func, At(call.scope, call.statement))
                    keras_apis = [option for option in options(callee) if type(option) is Api
                                  and tf_api.BATCH_NORM_APIS.get(option.name) is not None
                                  and tf_api.BATCH_NORM_APIS[option.name].family == tf_api.Family.KERAS]
                    if keras_apis:
                        found = keras_apis[0].name.startswith(tf_api.KERAS2_ROOTS) if plain else keras2
                        break
                    value = self.resolver.value(call.node, At(call.scope, call.statement))
                    inner = self.keras_bn(value)
                    if inner is not None:
                        found = inner if plain else keras2
                        break
                if found is not None:
                    break
            if found is not None:
                break
        self._keras[key] = found
        return found

    def _call_defaults_training_to_none(self, cls: Class) -> bool:
        for entry in self.resolver.mro(cls):
            if type(entry) is not Class:
                continue
            for method in entry.scope.children:
                if method.kind == ScopeKind.FUNCTION and method.name == "__call__":
                    param = method.param(tf_api.KERAS_TRAINING_ARGUMENT)
                    return param is not None and type(param.default) is ast.Constant and param.default.value is None
        return False

    # -- arguments and sequences ----------------------------------------------------------------

    def argument(self, args, keyword: str, position: Optional[int]):
        """(state, Arg): the argument bound to a parameter; state given, missing or unknown."""
        arg = args.keyword(keyword)
        if arg is not None:
            return FlagState.GIVEN, arg
        if position is not None:
            positional = args.positional
            if len(positional) > position and all(item is not None for item in positional[:position + 1]):
                return FlagState.GIVEN, positional[position]
            if args.star:
                return FlagState.UNKNOWN, None
        for spread in args.spreads:
            mapping = self.resolver.arg_value(spread)
            if type(mapping) is not Mapping:
                return FlagState.UNKNOWN, None
            item = mapping.get(keyword)
            if item is not None:
                return FlagState.GIVEN, item
            if not mapping.complete:
                return FlagState.UNKNOWN, None
        return FlagState.MISSING, None

    @_nested(list)
    def sequence_values(self, value: Value) -> List[Value]:
        """The items of a sequence value (spreads followed), or the value's options."""
        resolver = self.resolver
        found: List[Value] = []
        for option in options(value):
            if type(option) is Sequence:
                for item in option.items:
                    if type(item) is Spread:
                        found.extend(self.sequence_values(resolver.arg_value(item.arg)))
                    else:
                        found.append(resolver.arg_value(item))
            else:
                found.append(option)
        return found

    # -- branches -------------------------------------------------------------------------------

    def guards(self, context, frame) -> List[Tuple[str, int]]:
        """(test text, branch) of every ``if`` around a point; ``if not C`` counts as C's else; a
        parameter given by the frame's call reads as the argument it was given."""
        guards = []
        for entry in contexts(context):
            if entry.kind in (DEF, CLASS):
                break
            if entry.kind == IF and type(entry.node) is ast.If and entry.part >= 0:
                tests = [entry.node.test]
                if entry.part == 0 and type(entry.node.test) is ast.BoolOp and type(entry.node.test.op) is ast.And:
                    tests.extend(entry.node.test.values)     # ``C and D`` holds: so does each of them
                for test in tests:
                    branch = entry.part
                    if type(test) is ast.UnaryOp and type(test.op) is ast.Not:
                        test = test.operand
                        branch = 1 - branch
                    guards.append((self._guard_text(test, frame), branch))
        return guards

    @_nested(_none)
    def _given_for(self, test, frame):
        """The argument a frame's call gives the parameter ``test`` names, or None."""
        param = frame.scope.param(test.id)
        if param is None:
            return None
        given = frame.args.keyword(param.name)
        if given is None and param.position is not None:
            shift = 1 if frame.bound is not None and frame.scope.parent is not None and \
                frame.scope.parent.kind == ScopeKind.CLASS else 0
            position = param.position - shift
            if 0 <= position < len(frame.args.positional):
                given = frame.args.positional[position]
        if given is not None and getattr(given, "node", None) is not None:
            return self._guard_text(given.node, given.frame)
        return None

    def _guard_text(self, test, frame) -> str:
        if type(test) is ast.Name and frame is not None:
            text = self._given_for(test, frame)
            if text is not None:
                return text
        return ast.dump(test)

    # -- losses ---------------------------------------------------------------------------------

    def loss_provenance(self, losses: Iterable[Tuple[ast.AST, At]]) -> Set[int]:
        """id() of every call node the loss expressions are computed through, as far as the
        resolver follows them (calls made inside project functions count as the call that ran
        the function), and of every call they are written in terms of."""
        found: Set[int] = set()
        resolver = self.resolver
        pending = []
        for expr, at in losses:
            pending.append(resolver.value(expr, at))
            found |= self._written_provenance(expr, at)
        for option in _walk_back(pending, _LOSS_PROVENANCE_BUDGET):
            kind = type(option)
            if kind in (ApiCall, InstanceCall):
                found.add(id(option.node))
                frame = option.frame
                while frame is not None:
                    if frame.node is not None:
                        found.add(id(frame.node))
                    frame = frame.caller
                inputs = list(option.args.positional) + [item for _, item in option.args.keywords] + \
                    list(option.args.starred)
                if kind is InstanceCall:
                    pending.append(option.receiver)
            elif kind is Sequence:
                inputs = [item.arg if type(item) is Spread else item for item in option.items]
            else:
                continue
            pending.extend(resolver.arg_value(item) for item in inputs if item is not None)
        return found

    # -- what never meets a train op (RULES.md "Reach", "Execution order") ---------------------

    def never_meet(self, chain: Tuple[CallSite, ...], op) -> bool:
        """A batch-norm site reached through ``chain`` (from one of the module's roots) and the
        train op ``op`` are never in one graph that trains: the site is built before a
        ``reset_default_graph()`` that runs before the op (or after one that runs after it), or
        it is built only by a builder that is never called while the op's loss provably comes
        from other calls."""
        if not chain:
            return False
        site_epoch, op_epoch = self.graph_epoch(chain[0]), self.graph_epoch(op.call)
        if site_epoch is not None and op_epoch is not None and site_epoch != op_epoch:
            return True
        root = chain[0].scope.function()
        if not self.never_called(root):
            return False
        provenance = self.decided_loss_provenance([op])
        return provenance is not None and not any(id(link.node) in provenance for link in chain)

    def decided_loss_provenance(self, ops, open_parameters: bool = False) -> Optional[Set[int]]:
        """``decided_provenance`` of the train ops' losses together (through ``compute_gradients``
        for ``apply_gradients``), or None when any of them is not decided."""
        found: Set[int] = set()
        for op in ops:
            loss, at = op.loss, self.at(op.call)
            if op.method == tf_api.APPLY_GRADIENTS_METHOD:
                loss, at = self.loss_behind_gradients(loss, at)
            provenance = self.decided_provenance(loss, at, open_parameters) if loss is not None else None
            if provenance is None:
                return None
            found |= provenance
        return found

    def graph_epoch(self, call: CallSite) -> Optional[int]:
        """How many of the module's top-level ``reset_default_graph()`` calls run before the
        call (a notebook's cells: each reset starts a new graph), or None when that is not one
        number: a call in a function is in its callers' graph when they all agree."""
        resets = self._graph_resets()
        if not resets or call.scope.index is not self.index:
            return None
        return self._epoch_of(call)

    @_nested(_none)
    def _epoch_of(self, call: CallSite) -> Optional[int]:
        function = call.scope.function()
        if function.kind == ScopeKind.MODULE:
            line = call.statement.node.lineno
            return sum(1 for reset in self._graph_resets() if reset < line)
        key = (Question.GRAPH_EPOCH, id(function))
        if function.kind != ScopeKind.FUNCTION or key in self._active:
            return None
        found: Set[Optional[int]] = set()
        self._active.add(key)
        try:
            for caller in self.callers(function):
                found.add(self._epoch_of(caller))
                if len(found) > 1:
                    return None
        finally:
            self._active.discard(key)
        return found.pop() if found else None

    def _graph_resets(self) -> List[int]:
        """The lines of the module's top-level ``reset_default_graph()`` statements."""
        found = self._resets
        if found is None:
            found = self._resets = sorted(
                call.statement.node.lineno for call in calls_run_in(self.index.module_scope)
                if self.api_name(call) in tf_api.GRAPH_RESETS)
        return found

    def never_called(self, scope: Scope) -> bool:
        """A function of the checked module that nothing in it calls, names or decorates: it runs
        only if another module calls it (RULES.md "Reach": a builder that is never called)."""
        if scope.kind != ScopeKind.FUNCTION or scope.index is not self.index or self.callers(scope):
            return False
        if getattr(scope.node, "decorator_list", None):
            return False
        names = self._names_read
        if names is None:
            names = self._names_read = set()
            for node in ast.walk(self.index.tree):
                kind = type(node)
                if kind is ast.Name and type(node.ctx) is ast.Load:
                    names.add(node.id)
                elif kind is ast.Attribute:
                    names.add(node.attr)
                elif kind is ast.Constant and type(node.value) is str:
                    names.add(node.value)       # ``getattr(self, "build")``, ``__all__``
        return scope.name not in names

    def kept_inside(self, function: Scope, allowed: Set[int] = frozenset()) -> bool:
        """What ``function`` builds provably never leaves it, and it builds no train op: it
        returns nothing or only what Keras's training and evaluation methods return (numbers, a
        history), stores no attribute, global or outer container, defines no closure, and calls
        no project code other than the calls in ``allowed`` (ids of call nodes: the builder that
        made a site). A Keras baseline fitted in its own function beside TF1 code: its batch norm
        reaches no train op of the module (RULES.md "Reach")."""
        if function.kind != ScopeKind.FUNCTION or function.yields or function.globals or function.nonlocals:
            return False
        if any(child.kind in (ScopeKind.FUNCTION, ScopeKind.CLASS) for child in function.children):
            return False
        for node, _ in function.returns:
            if node is None or type(node) is ast.Constant:
                continue
            func = node.func if type(node) is ast.Call else None
            if type(func) is not ast.Attribute or func.attr not in tf_api.KERAS_RESULT_METHODS:
                return False
        index = function.index
        if any(store.statement.scope is function for stores in index.attribute_stores.values() for store in stores):
            return False
        for name, mutations in index.mutations.items():
            if name not in function.bindings and any(item.statement.scope is function for item in mutations):
                return False
        for call in calls_run_in(function):
            func = call.node.func
            if type(func) is ast.Attribute and func.attr in tf_api.TRAIN_OP_METHODS:
                return False
            if id(call.node) in allowed:
                continue
            if any(type(option) in (Function, Class, Instance, ParamValue) or option is UNKNOWN
                   for option in options(self.callee(call))) and not self._keras_method_call(call):
                return False
        return True

    def _keras_method_call(self, call: CallSite) -> bool:
        """``model.fit(...)`` and the like on a model the function holds (the resolver may not
        know the method's value)."""
        func = call.node.func
        return type(func) is ast.Attribute and func.attr in tf_api.KERAS_MODEL_METHODS

    def decided_provenance(self, expr, at: At, open_parameters: bool = False) -> Optional[Set[int]]:
        """id() of every call node a loss is computed through (as ``loss_provenance``), when the
        walk back meets only values it follows to their end: constants, API calls and their
        inputs, calls on what API calls return, written arithmetic, names bound by plain
        assignments. None when anything else feeds it (a parameter, an attribute, a collection
        other code fills, a callback, a value the resolver cannot see): the loss may then come
        from anywhere, and every site counts. ``open_parameters``: a parameter of a function that
        nothing in the module calls is an input from another module, which holds none of this
        module's calls (for "which of this module's calls is the loss computed through")."""
        key = (id(expr), id(at.statement), open_parameters)
        if key in self._decided:
            return self._decided[key]
        self._decided[key] = None
        found: Set[int] = set()
        resolver = self.resolver
        pending: list = [(expr, at, None)]
        seen: Set[tuple] = set()
        budget = _LOSS_PROVENANCE_BUDGET
        while pending:
            budget -= 1
            if budget <= 0:
                return None
            item = pending.pop()
            if isinstance(item, Value):
                node, where, frame, value = None, None, None, item
            elif type(item) is tuple:
                node, where, frame = item
                value = None
            else:       # an Arg
                node, where, frame, value = item.node, item.at, item.frame, None
            if node is not None:
                marker = (id(node), id(frame))
                if marker in seen:
                    continue
                seen.add(marker)
                kind = type(node)
                if kind is ast.Constant:
                    continue
                if kind in _WRITTEN_ARITHMETIC:
                    pending.extend((child, where, frame) for child in ast.iter_child_nodes(node)
                                   if isinstance(child, ast.expr))
                    continue
                value = resolver.value(node, where, frame)
            for option in options(value):
                kind = type(option)
                if kind in (Const, Api):
                    continue    # a library name (``tf.float32``, ``activation=tf.nn.relu``) runs no project code
                if kind in (ApiCall, InstanceCall):
                    if kind is ApiCall and option.name.rsplit(".", 1)[-1] in tf_api.LOSS_COLLECTION_READERS:
                        return None
                    found.add(id(option.node))
                    link = option.frame
                    while link is not None:
                        if link.node is not None:
                            found.add(id(link.node))
                        link = link.caller
                    pending.extend(arg for arg in option.args.positional + option.args.starred if arg is not None)
                    pending.extend(arg for _, arg in option.args.keywords)
                    if option.args.spreads:
                        return None
                    if kind is InstanceCall:
                        pending.append(option.receiver)
                elif kind is Sequence and option.complete:
                    pending.extend(entry.arg if type(entry) is Spread else entry for entry in option.items)
                elif kind is Mapping and option.complete:
                    pending.extend(entry for _, entry in option.entries)
                elif kind is ParamValue and open_parameters and option.param.scope.index is self.index and \
                        not self.callers(option.param.scope):
                    continue
                elif option is UNKNOWN and type(node) is ast.Name and frame is None:
                    bindings = resolver.reaching(node.id, where)
                    if not bindings or any(binding.kind != BindingKind.ASSIGN or binding.unpack or binding.value is None
                                           for binding in bindings):
                        return None
                    pending.extend((binding.value, At(binding.scope, binding.statement), None)
                                   for binding in bindings)
                else:
                    return None
        self._decided[key] = found
        return found

    def loss_behind_gradients(self, expr, at: At):
        """(loss expression, where to read it) behind a gradients expression (the ``loss`` of the
        ``compute_gradients``/``tf.gradients`` call its names lead to); (None, at) if none."""
        found = self._loss_behind_gradients(expr, at)
        return found if found is not None else (None, at)

    @_nested(_none)
    def _loss_behind_gradients(self, expr, at: At):
        """(loss expression, where to read it) behind a gradients expression (the ``loss`` of the
        ``compute_gradients``/``tf.gradients`` call its names lead to); (None, at) if none."""
        if expr is None:
            return None, at
        kind = type(expr)
        if kind is ast.Call:
            func = expr.func
            name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
            if name in tf_api.GRADIENT_CALLS and expr.args:
                return expr.args[0], at
            for arg in list(expr.args) + [keyword.value for keyword in expr.keywords]:
                found, found_at = self.loss_behind_gradients(arg, at)
                if found is not None:
                    return found, found_at
            return None, at
        if kind is ast.Name:
            for binding in self.resolver.reaching(expr.id, at)[:1]:
                if binding.kind in (BindingKind.ASSIGN, BindingKind.FOR) and binding.value is not None:
                    return self.loss_behind_gradients(binding.value, At(binding.scope, binding.statement))
            return None, at
        if kind in (ast.ListComp, ast.GeneratorExp):
            return self.loss_behind_gradients(expr.generators[0].iter, at)
        if kind in (ast.List, ast.Tuple, ast.Starred):
            for element in (expr.elts if kind is not ast.Starred else [expr.value]):
                found, found_at = self.loss_behind_gradients(element, at)
                if found is not None:
                    return found, found_at
        return None, at

    @_nested(_none)
    def is_scalar(self, expr, at: At) -> Optional[bool]:
        """True for reduce_*/losses.*/add_n results through names; False for another TF op;
        None when the module does not show it."""
        if expr is None:
            return None
        kind = type(expr)
        if kind is ast.Name:
            bindings = self.resolver.reaching(expr.id, at)
            if bindings and bindings[0].kind == BindingKind.ASSIGN and not bindings[0].unpack:
                binding = bindings[0]
                return self.is_scalar(binding.value, At(binding.scope, binding.statement))
            return None
        if kind is ast.Attribute:
            value = self.resolver.value(expr, at)
            for option in options(value):
                if type(option) is ApiCall and option.at is not None:
                    return self.is_scalar(option.node, option.at)
            return None
        if kind is ast.BinOp:
            sides = [self.is_scalar(expr.left, at), self.is_scalar(expr.right, at)]
            if False in sides:
                return False
            return True if True in sides else None
        if kind is ast.Call:
            name = self.resolver.api_name(expr.func, at)
            if name is None:
                return None
            if name in tf_api.PASS_THROUGH_CALLS and expr.args:
                return self.is_scalar(expr.args[0], at)
            if name.startswith(tf_api.SCALAR_LOSS_PREFIXES):
                return True
            if name.startswith(tf_api.CANONICAL_ROOT):
                return False
        return None

    # -- checkpoints ----------------------------------------------------------------------------

    @_nested(_none)
    def trainable_only(self, expr, at: At) -> Optional[str]:
        """The ``VariablesShape`` of ``expr`` when it holds trainable variables only; None otherwise."""
        kind = type(expr)
        if kind is ast.Call:
            value = self.resolver.value(expr, at)
            if all(type(option) is CollectionRead and option.key == tf_api.TRAINABLE_COLLECTION
                   for option in options(value)):
                return VariablesShape.LIST
            if all(type(option) is ApiCall and option.name in tf_api.TRAINABLE_ONLY_CALLS for option in options(value)):
                return VariablesShape.LIST
            func = expr.func
            if type(func) is ast.Name and func.id in ("list", "tuple") and len(expr.args) == 1:
                inner = self.trainable_only(expr.args[0], at)
                if not inner or inner == VariablesShape.DICT:
                    return inner
                return VariablesShape.TUPLE if func.id == "tuple" else VariablesShape.LIST
            return None
        if kind is ast.Name:
            bindings = self.resolver.reaching(expr.id, at)
            if len(bindings) == 1 and bindings[0].kind == BindingKind.ASSIGN and not bindings[0].unpack and \
                    expr.id not in self.index.mutations:
                binding = bindings[0]
                return self.trainable_only(binding.value, At(binding.scope, binding.statement))
            return None
        if kind in _SEQUENCE_SHAPES:
            return _SEQUENCE_SHAPES[kind] if self.trainable_only(expr.generators[0].iter, at) else None
        if kind is ast.DictComp:
            return VariablesShape.DICT if self.trainable_only(expr.generators[0].iter, at) else None
        return None

    def store_bases(self, base, at: At) -> Iterable[Tuple[ast.AST, At]]:
        """What an attribute store's base stands for: itself, and for a loop variable over
        ``model.layers`` (``for layer in base.layers: layer.trainable = True``), the model."""
        yield base, at
        if type(base) is not ast.Name:
            return
        for binding in self.resolver.reaching(base.id, at):
            if binding.kind != BindingKind.FOR or binding.unpack:
                continue
            iterable = binding.value
            while type(iterable) is ast.Subscript:
                iterable = iterable.value
            if type(iterable) is ast.Attribute and iterable.attr == keras_flax_api.LAYERS_ATTRIBUTE:
                yield iterable.value, At(binding.statement.scope, binding.statement)

    # -- Keras models by name -------------------------------------------------------------------

    def keras_models_in_scope(self, call: CallSite):
        """Names (and ``self.x`` attributes) bound before ``call``, in its scope chain, to a
        Keras model or layer containing batch norm: {text: (keras2, value)}."""
        resolver = self.resolver
        found = {}
        scope = call.scope
        chain = []
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        at = At(call.scope, call.statement)
        for scope in chain:
            for name in scope.bindings:
                if name in found or name == "*":
                    continue
                reaching = resolver.reaching(name, at)
                if not reaching or reaching[0].scope is not scope:
                    continue
                value = union(resolver.binding_value(binding) for binding in reaching[:4])
                keras2 = self.keras_bn(value)
                if keras2 is not None:
                    found[name] = (keras2, value)
        cls = call.scope.enclosing_class()
        if cls is not None:
            for store_list in self.index.attribute_stores.values():
                for store in store_list:
                    if type(store.base) is not ast.Name or store.base.id != "self" or store.value is None:
                        continue
                    if store.statement.scope.enclosing_class() is not cls:
                        continue
                    text = f"self.{store.attr}"
                    if text in found:
                        continue
                    value = resolver.value(store.value, At(store.statement.scope, store.statement))
                    keras2 = self.keras_bn(value)
                    if keras2 is not None:
                        found[text] = (keras2, value)
        return found

    def same_binding(self, name: str, here: CallSite, there: CallSite) -> bool:
        """``name`` reads the same binding at both calls."""
        return self.resolver.reaching(name, At(here.scope, here.statement))[:1] == \
            self.resolver.reaching(name, At(there.scope, there.statement))[:1]

    @_nested(_none)
    def portable(self, node, call: CallSite, target: CallSite) -> Optional[str]:
        """``node`` (an argument of ``call``) as text that means the same at ``target``: a
        parameter followed to what every caller passes; None when it cannot be written there."""
        at_call = At(call.scope, call.statement)
        at_target = At(target.scope, target.statement)
        kind = type(node)
        if kind is ast.Name:
            here = self.resolver.reaching(node.id, at_call)
            if not here:
                return None
            if here[0].kind == BindingKind.PARAM and here[0].scope is not target.scope.function():
                param = here[0].value
                texts = set()
                for other in self.callers(param.scope):
                    argument = argument_for(other.node, param)
                    if argument is None:
                        return None
                    texts.add(self.portable(argument, other, target))
                return texts.pop() if len(texts) == 1 else None
            there = self.resolver.reaching(node.id, at_target)
            return node.id if there and there[0] is here[0] else None
        if kind is ast.Attribute and type(node.value) is ast.Name and node.value.id == "self":
            same_class = call.scope.enclosing_class() is not None and \
                call.scope.enclosing_class() is target.scope.enclosing_class()
            return self.source.segment(node) if same_class else None
        return None


# ----------------------------------------------------------------------------------------------
# Helpers


def _walk_back(pending: list, budget: int):
    """Each option of the values in ``pending`` once, the newest value first, until ``budget``
    options were met: a bounded walk back through a graph of values, whose caller pushes the
    inputs of each option it is given onto ``pending`` before asking for the next."""
    seen: Set[int] = set()
    while pending and budget > 0:
        for option in options(pending.pop()):
            budget -= 1
            if id(option) in seen:
                continue
            seen.add(id(option))
            yield option


def calls_run_in(scope: Scope) -> Iterable[CallSite]:
    """The calls a scope's body makes when it runs: its own, and those of the lambdas and
    comprehensions inside it (not nested functions or classes: they run when called)."""
    yield from scope.calls
    for child in scope.children:
        if child.kind in (ScopeKind.LAMBDA, ScopeKind.COMPREHENSION):
            yield from calls_run_in(child)


def is_control_dependencies(node) -> bool:
    if type(node) is not ast.Call:
        return False
    func = node.func
    name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
    return name == tf_api.CONTROL_DEPENDENCIES


def _unknown(value: Value) -> bool:
    return all(type(option) in (type(UNKNOWN), ParamValue) for option in options(value))


def _update_named(node) -> bool:
    if type(node) is ast.Name:
        return bool(tf_api.UPDATE_NAME_HEURISTIC.search(node.id))
    if type(node) is ast.Attribute:
        return bool(tf_api.UPDATE_NAME_HEURISTIC.search(node.attr))
    return False


def layer_updates_key(node) -> str:
    """The handling key of one batch-norm layer object's ``.updates`` (its construction call)."""
    return f"{LAYER_UPDATES}{id(node)}"


def graph_blocks(context) -> Set[str]:
    """The ``with G.as_default():`` blocks around a point (G by its spelling)."""
    found: Set[str] = set()
    for entry in contexts(context):
        if entry.kind != WITH:
            continue
        items = entry.node.items if entry.part == -1 else entry.node.items[:entry.part]
        for item in items:
            expr = item.context_expr
            if type(expr) is ast.Call and type(expr.func) is ast.Attribute and \
                    expr.func.attr == tf_api.GRAPH_SCOPE_METHOD:
                found.add(ast.dump(expr.func.value))
    return found


def argument_for(call_node: ast.Call, param):
    """The argument expression a call writes for a parameter (keyword or plain position), or None."""
    for keyword in call_node.keywords:
        if keyword.arg == param.name:
            return keyword.value
    scope = param.scope
    shift = 1 if scope.parent is not None and scope.parent.kind == ScopeKind.CLASS else 0
    if param.position is None:
        return None
    position = param.position - shift
    args = call_node.args
    if 0 <= position < len(args) and not any(type(arg) is ast.Starred for arg in args[:position + 1]):
        return args[position]
    return None
