"""One pass over Python's ``ast`` that records what the resolver and the rules need.

flake8 hands every plugin the ``ast`` it already parsed, so detection never parses twice. The
walk is iterative (an explicit stack): deeply nested real code must not depend on the
interpreter's recursion limit, and the limit is process-wide state that a plugin must not
touch. It records, in source order:

- scopes (module, class, function, lambda, comprehension) and every binding of every name,
  each tied to the ``Statement`` that makes it (its sequence number and its branch path, so
  that a use sees the binding that reaches it: flow sensitivity);
- every call, with the chain of enclosing constructs (``with`` blocks, ``if`` branches,
  lambdas, call arguments, loops) as an immutable linked list shared between calls;
- attribute stores (``self.x = ...``), container mutations (``ops.append(x)``,
  ``params["k"] = v``), returns, and the ``with`` items.

Nothing here interprets a value: that is the resolver's one job.
"""
from __future__ import annotations

import ast
from types import MappingProxyType
from typing import Dict, Iterator, List, Optional, Tuple

from .kinds import MUTATING_METHODS, BindingKind, ContextKind, MutationKind, ParamKind, ScopeKind

# Context entry kinds (the first element of each ``Context.entry``), as module names: the walk and
# its readers compare them in their innermost loops, where a global is cheaper than an Enum
# attribute (measured 0.02 against 0.2 microseconds on Python 3.11).
WITH, IF, IFEXP, LOOP, TRY = ContextKind.WITH, ContextKind.IF, ContextKind.IFEXP, ContextKind.LOOP, ContextKind.TRY
LAMBDA, COMP, BOOLOP, ARG = ContextKind.LAMBDA, ContextKind.COMP, ContextKind.BOOLOP, ContextKind.ARG
DEF, CLASS, MATCH = ContextKind.DEF, ContextKind.CLASS, ContextKind.MATCH

_MODULE, _FUNCTION, _LAMBDA_SCOPE = ScopeKind.MODULE, ScopeKind.FUNCTION, ScopeKind.LAMBDA
_CLASS_SCOPE, _COMPREHENSION = ScopeKind.CLASS, ScopeKind.COMPREHENSION
# Scopes whose statements run in order (a use sees the binding that reaches it).
_FLOW_SCOPES = frozenset({_MODULE, _FUNCTION, _CLASS_SCOPE})
_ASSIGN, _FOR = BindingKind.ASSIGN, BindingKind.FOR

_BRANCHING = (IF, TRY, LOOP, MATCH)


class Context:
    """An immutable linked list of enclosing constructs, innermost first."""

    __slots__ = ("kind", "node", "part", "parent")

    def __init__(self, kind: str, node: ast.AST, part: int, parent: Optional["Context"]):
        self.kind = kind
        self.node = node
        self.part = part
        self.parent = parent

    def chain(self) -> Iterator["Context"]:
        context: Optional[Context] = self
        while context is not None:
            yield context
            context = context.parent


def contexts(context: Optional[Context]) -> Iterator[Context]:
    return context.chain() if context is not None else iter(())


def branch_test(entry: Context) -> Optional[ast.expr]:
    """The test that picks an IF/IFEXP entry's branch; None for a ``for ... else:``, whose
    ``else`` runs when the loop ends without ``break``, which no expression states."""
    return getattr(entry.node, "test", None)


def within_function(context: Optional[Context]) -> Iterator[Context]:
    """The enclosing constructs up to the nearest function, lambda or class boundary (a
    ``with`` around a ``def`` does not apply to the ops the function builds later)."""
    for entry in contexts(context):
        if entry.kind in (DEF, LAMBDA, CLASS):
            return
        yield entry


class Scope:
    """A module, class, function, lambda or comprehension body."""

    __slots__ = ("kind", "node", "parent", "name", "bindings", "params", "returns", "calls",
                 "globals", "nonlocals", "index", "flow", "children", "yields")

    def __init__(self, kind: str, node, parent: Optional["Scope"], name: str, index: "ModuleIndex"):
        self.kind = kind
        self.node = node
        self.parent = parent
        self.name = name
        self.index = index
        self.bindings: Dict[str, List["Binding"]] = {}
        self.params: List["Param"] = []
        self.returns: List[Tuple[ast.AST, "Statement"]] = []
        self.calls: List["CallSite"] = []        # calls lexically in this scope (not nested scopes)
        self.globals: set = set()
        self.nonlocals: set = set()
        self.children: List["Scope"] = []
        self.yields = False
        # Lambdas and comprehensions run later or all at once: a use there sees any binding.
        self.flow = kind in _FLOW_SCOPES

    def function(self) -> "Scope":
        """The nearest enclosing module, function or lambda (class bodies do not count)."""
        scope = self
        while scope.kind in (_CLASS_SCOPE, _COMPREHENSION) and scope.parent is not None:
            scope = scope.parent
        return scope

    def enclosing_class(self) -> Optional["Scope"]:
        """For a method's scope: its class's scope."""
        scope = self
        while scope is not None and scope.kind in (_FUNCTION, _LAMBDA_SCOPE, _COMPREHENSION):
            if scope.parent is not None and scope.parent.kind == _CLASS_SCOPE and scope.kind == _FUNCTION:
                return scope.parent
            scope = scope.parent
        return None

    def param(self, name: str) -> Optional["Param"]:
        for param in self.params:
            if param.name == name:
                return param
        return None

    def __repr__(self):
        return f"<Scope {self.kind} {self.name}>"


class Statement:
    """One statement: where bindings are made and uses happen, for flow sensitivity."""

    __slots__ = ("node", "seq", "scope", "context", "_path")

    def __init__(self, node: ast.AST, seq: int, scope: Scope, context: Optional[Context]):
        self.node = node
        self.seq = seq
        self.scope = scope
        self.context = context
        self._path = None

    @property
    def path(self) -> tuple:
        """The branches (``if``/``try``/loop/``match`` parts) the statement sits in, outermost
        first, within its function: what decides whether a binding reaches a use."""
        if self._path is None:
            path = []
            for entry in contexts(self.context):
                if entry.kind in (DEF, LAMBDA, CLASS):
                    break
                if entry.kind in _BRANCHING:
                    path.append((id(entry.node), entry.part, entry.kind))
            self._path = tuple(reversed(path))
        return self._path


class Binding:
    """``name`` bound by ``statement``: its kind and what to evaluate for its value.

    kind: assign (``value`` is the expression, ``unpack`` the index path into it), param,
    import, def, class, for (``value`` is the iterable: the name holds one of its elements),
    with (``value`` is the context expression), except, augassign, other.
    """

    __slots__ = ("name", "kind", "value", "unpack", "statement", "scope", "imported", "level",
                 "from_import", "node", "starred")

    def __init__(self, name, kind, statement, scope, value=None, unpack=(), imported=None, level=0,
                 from_import=False, node=None, starred=False):
        self.name = name
        self.kind = kind
        self.value = value
        self.unpack = unpack
        self.statement = statement
        self.scope = scope
        self.imported = imported
        self.level = level
        self.from_import = from_import
        self.node = node
        self.starred = starred

    @property
    def seq(self) -> int:
        return self.statement.seq

    def __repr__(self):
        return f"<Binding {self.name} {self.kind} @{self.seq}>"


class Param:
    __slots__ = ("name", "kind", "position", "default", "node", "scope")

    def __init__(self, name, kind, position, default, node, scope):
        self.name = name
        self.kind = kind            # positional, keyword (kw-only), varargs, kwargs
        self.position = position    # index among positional parameters, else None
        self.default = default      # the default expression, or None
        self.node = node
        self.scope = scope


class CallSite:
    __slots__ = ("node", "statement", "context", "scope")

    def __init__(self, node: ast.Call, statement: Statement, context: Optional[Context], scope: Scope):
        self.node = node
        self.statement = statement
        self.context = context
        self.scope = scope

    def __repr__(self):
        return f"<Call line {self.node.lineno}>"


class AttributeStore:
    """``<base>.<attr> = value`` (``base`` an expression, usually ``self``)."""

    __slots__ = ("base", "attr", "value", "unpack", "statement", "node")

    def __init__(self, base, attr, value, unpack, statement, node):
        self.base = base
        self.attr = attr
        self.value = value
        self.unpack = unpack
        self.statement = statement
        self.node = node


class Mutation:
    """``name.append(x)``, ``.extend(x)``, ``.insert(i, x)``, ``+= x``, ``name[k] = x``,
    ``name.update(...)``: ``kind`` says which, ``value`` is what was added."""

    __slots__ = ("name", "kind", "value", "key", "statement", "node")

    def __init__(self, name, kind, value, key, statement, node):
        self.name = name
        self.kind = kind
        self.value = value
        self.key = key
        self.statement = statement
        self.node = node


class WithItem:
    __slots__ = ("node", "item", "index", "statement", "context")

    def __init__(self, node, item, index, statement, context):
        self.node = node            # the ast.With
        self.item = item            # the withitem
        self.index = index
        self.statement = statement
        self.context = context


class ModuleIndex:
    """Everything one walk learned about one module; read-only once built."""

    def __init__(self, tree: ast.Module, path: str = "<stdin>", module_name: str = ""):
        self.tree = tree
        self.path = path
        self.module_name = module_name
        self.module_scope = Scope(_MODULE, tree, None, "<module>", self)
        self.scopes: List[Scope] = [self.module_scope]
        self.scope_of_node: Dict[int, Scope] = {id(tree): self.module_scope}
        self.calls: List[CallSite] = []
        self.call_of_node: Dict[int, CallSite] = {}
        self.attribute_stores: Dict[str, List[AttributeStore]] = {}   # attr name -> stores
        self.mutations: Dict[str, List[Mutation]] = {}                # container name -> mutations
        self.with_items: List[WithItem] = []
        self.statement_of_node: Dict[int, Statement] = {}             # def/class/with/assign nodes

    def dispose(self) -> None:
        """Break the reference cycles between scopes, statements and calls, so that a module
        nobody uses any more is freed at once by reference counting instead of waiting for a
        full garbage collection (which then walks every dead tree: measured as most of the
        plugin's time on a large project)."""
        for scope in self.scopes:
            scope.bindings.clear()
            scope.children.clear()
            scope.calls.clear()
            scope.returns.clear()
            scope.params.clear()
            scope.parent = None
            scope.index = None
        self.scopes.clear()
        self.scope_of_node.clear()
        self.calls.clear()
        self.call_of_node.clear()
        self.attribute_stores.clear()
        self.mutations.clear()
        self.with_items.clear()
        self.statement_of_node.clear()
        self.module_scope = None

    def scope_of(self, node) -> Optional[Scope]:
        return self.scope_of_node.get(id(node))

    def call_site(self, node) -> Optional[CallSite]:
        return self.call_of_node.get(id(node))


def argument_node(call: ast.Call, keyword: str, position: Optional[int]):
    """The expression a call passes for a parameter: by keyword, else at ``position`` among the
    positional arguments before any ``*args``; None when it is not written."""
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is not None:
        for index, arg in enumerate(call.args):
            if type(arg) is ast.Starred:
                break
            if index == position:
                return arg
    return None


def build_index(tree: ast.Module, path: str = "<stdin>", module_name: str = "") -> ModuleIndex:
    index = ModuleIndex(tree, path, module_name)
    _Walker(index).run()
    return index


# ----------------------------------------------------------------------------------------------
# The walk

_VISIT, _SCOPE_EXIT, _BIND, _CONTEXT = 0, 1, 2, 3


class _Walker:
    def __init__(self, index: ModuleIndex):
        self.index = index
        self.seq = 0
        # Work items: (_VISIT, node, scope, context, statement) or (_BIND, callable, args).
        self.stack: list = []

    def run(self) -> None:
        index = self.index
        module_scope = index.module_scope
        self._statements(index.tree.body, module_scope, None)
        stack = self.stack
        handlers = _HANDLERS
        while stack:
            item = stack.pop()
            if item[0] == _BIND:
                item[1](*item[2])
                continue
            _, node, scope, context, statement = item
            kind = type(node)
            if kind is ast.Name:
                continue
            if kind is ast.Constant:
                continue
            handler = handlers.get(kind)
            if handler is not None:
                handler(self, node, scope, context, statement)
                continue
            self._children(node, scope, context, statement)

    # -- scheduling -----------------------------------------------------------------------------

    def _children(self, node, scope, context, statement) -> None:
        push = self.stack.append
        children = []
        for name in fields_of(type(node)):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        children.append(item)
            elif value is not None and isinstance(value, ast.AST):
                children.append(value)
        for child in reversed(children):
            push((_VISIT, child, scope, context, statement))

    def _visit(self, node, scope, context, statement) -> None:
        if node is not None:
            self.stack.append((_VISIT, node, scope, context, statement))

    def _visit_all(self, nodes, scope, context, statement) -> None:
        for node in reversed(nodes):
            if node is not None:
                self.stack.append((_VISIT, node, scope, context, statement))

    def _statements(self, body, scope, context) -> None:
        # Statements are pushed in reverse so they pop in source order; each gets its
        # sequence number when it is reached (nested blocks number after their header).
        for node in reversed(body):
            self.stack.append((_VISIT, node, scope, context, None))

    def new_statement(self, node, scope, context) -> Statement:
        self.seq += 1
        statement = Statement(node, self.seq, scope, context)
        return statement

    # -- bindings -------------------------------------------------------------------------------

    def bind(self, name: str, kind: str, statement: Statement, scope: Scope, **fields) -> Binding:
        owner = scope
        if name in scope.globals:
            owner = self.index.module_scope
        binding = Binding(name, kind, statement, owner, **fields)
        owner.bindings.setdefault(name, []).append(binding)
        return binding

    def bind_target(self, target, kind, value, statement, scope, unpack=(), starred=False) -> None:
        node_type = type(target)
        if node_type is ast.Name:
            self.bind(target.id, kind, statement, scope, value=value, unpack=unpack, node=target, starred=starred)
        elif node_type in (ast.Tuple, ast.List):
            for position, element in enumerate(target.elts):
                if type(element) is ast.Starred:
                    self.bind_target(element.value, kind, value, statement, scope, unpack + (position,), True)
                else:
                    self.bind_target(element, kind, value, statement, scope, unpack + (position,))
        elif node_type is ast.Attribute:
            store = AttributeStore(target.value, target.attr, value, unpack, statement, target)
            self.index.attribute_stores.setdefault(target.attr, []).append(store)
        elif node_type is ast.Subscript:
            base = target.value
            if type(base) is ast.Name and value is not None and not unpack:
                key = target.slice
                self.index.mutations.setdefault(base.id, []).append(
                    Mutation(base.id, MutationKind.SETITEM, value, key, statement, target))
        elif node_type is ast.Starred:
            self.bind_target(target.value, kind, value, statement, scope, unpack, True)

    def bind_parameters(self, args: ast.arguments, scope: Scope, statement: Statement) -> None:
        positional = list(args.posonlyargs) + list(args.args)
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for position, (arg, default) in enumerate(zip(positional, defaults)):
            self._param(arg, ParamKind.POSITIONAL, position, default, scope, statement)
        if args.vararg is not None:
            self._param(args.vararg, ParamKind.VARARGS, None, None, scope, statement)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            self._param(arg, ParamKind.KEYWORD, None, default, scope, statement)
        if args.kwarg is not None:
            self._param(args.kwarg, ParamKind.KWARGS, None, None, scope, statement)

    def _param(self, arg, kind, position, default, scope, statement) -> None:
        param = Param(arg.arg, kind, position, default, arg, scope)
        scope.params.append(param)
        scope.bindings.setdefault(arg.arg, []).append(
            Binding(arg.arg, BindingKind.PARAM, statement, scope, value=param, node=arg))

    def new_scope(self, kind, node, parent, name) -> Scope:
        scope = Scope(kind, node, parent, name, self.index)
        self.index.scopes.append(scope)
        self.index.scope_of_node[id(node)] = scope
        parent.children.append(scope)
        return scope


_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment"})


def _field_table():
    """Node type -> the fields worth walking (no expression contexts, operators or comments),
    computed once for every ``ast`` node class."""
    table = {}
    pending = [ast.AST]
    while pending:
        node_type = pending.pop()
        pending.extend(node_type.__subclasses__())
        table[node_type] = tuple(name for name in getattr(node_type, "_fields", ()) if name not in _SKIPPED_FIELDS)
    return MappingProxyType(table)


_FIELDS = _field_table()


def fields_of(node_type) -> tuple:
    """The fields of an ``ast`` node class that can hold nodes, in walking order (the index's
    walk and the pre-check's word scan share this table)."""
    found = _FIELDS.get(node_type)
    if found is None:   # a node class made after import (none in the standard ast)
        found = tuple(name for name in node_type._fields if name not in _SKIPPED_FIELDS)
    return found


# ----------------------------------------------------------------------------------------------
# Handlers: (walker, node, scope, context, statement). ``statement`` is None for statements
# themselves (they make their own) and the enclosing statement for expressions.


def _statement_of(walker: _Walker, node, scope, context) -> Statement:
    statement = walker.new_statement(node, scope, context)
    walker.index.statement_of_node[id(node)] = statement
    return statement


def _on_function(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker.bind(node.name, BindingKind.DEF, statement, scope, value=node, node=node)
    function_scope = walker.new_scope(_FUNCTION, node, scope, node.name)
    inner = Context(DEF, node, 0, context)
    walker.bind_parameters(node.args, function_scope, statement)
    walker._statements(node.body, function_scope, inner)
    walker._visit_all(list(node.decorator_list) + list(node.args.defaults) +
                      [d for d in node.args.kw_defaults if d is not None] +
                      ([node.returns] if node.returns is not None else []), scope, context, statement)


def _on_class(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker.bind(node.name, BindingKind.CLASS, statement, scope, value=node, node=node)
    class_scope = walker.new_scope(_CLASS_SCOPE, node, scope, node.name)
    walker._statements(node.body, class_scope, Context(CLASS, node, 0, context))
    walker._visit_all(list(node.decorator_list) + list(node.bases) + [k.value for k in node.keywords],
                      scope, context, statement)


def _on_lambda(walker: _Walker, node, scope, context, statement):
    lambda_scope = walker.new_scope(_LAMBDA_SCOPE, node, scope, "<lambda>")
    walker.bind_parameters(node.args, lambda_scope, statement)
    walker._visit(node.body, lambda_scope, Context(LAMBDA, node, 0, context), statement)
    walker._visit_all(list(node.args.defaults) + [d for d in node.args.kw_defaults if d is not None],
                      scope, context, statement)


def _on_comprehension(walker: _Walker, node, scope, context, statement):
    comp_scope = walker.new_scope(_COMPREHENSION, node, scope, "<comprehension>")
    inner = Context(COMP, node, 0, context)
    generators = node.generators
    # The first iterable is evaluated in the enclosing scope; the rest inside.
    for generator in generators:
        walker.bind_target(generator.target, _FOR, generator.iter, statement, comp_scope)
    elements = [node.key, node.value] if type(node) is ast.DictComp else [node.elt]
    walker._visit_all(elements, comp_scope, inner, statement)
    for generator in reversed(generators):
        walker._visit_all(generator.ifs, comp_scope, inner, statement)
    for generator in reversed(generators[1:]):
        walker._visit(generator.iter, comp_scope, inner, statement)
    walker._visit(generators[0].iter, scope, context, statement)


def _on_assign(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    targets = node.targets if type(node) is ast.Assign else [node.target]
    value = node.value
    # Bound after the value is walked: in ``loss = tf.identity(loss)`` the right side reads the
    # previous binding (the statement's sequence number is what decides, see resolver).
    for target in targets:
        walker.bind_target(target, _ASSIGN, value, statement, scope)
    # Subscript and attribute targets still read names (``ops[0] = x``, ``self.a.b = x``).
    reads = [t.value for t in targets if type(t) in (ast.Attribute, ast.Subscript)]
    reads += [t.slice for t in targets if type(t) is ast.Subscript]
    walker._visit_all(([value] if value is not None else []) + reads, scope, context, statement)


def _on_aug_assign(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    target = node.target
    if type(target) is ast.Name:
        walker.index.mutations.setdefault(target.id, []).append(
            Mutation(target.id, MutationKind.IADD if type(node.op) is ast.Add else MutationKind.AUGASSIGN, node.value,
                     None, statement, node))
    elif type(target) is ast.Attribute:
        walker.index.attribute_stores.setdefault(target.attr, []).append(
            AttributeStore(target.value, target.attr, None, (), statement, node))
    walker._visit_all([node.value, target], scope, context, statement)


def _on_named_expr(walker: _Walker, node, scope, context, statement):
    owner = scope
    while owner.kind == _COMPREHENSION and owner.parent is not None:
        owner = owner.parent
    walker.bind_target(node.target, _ASSIGN, node.value, statement, owner)
    walker._visit(node.value, scope, context, statement)


def _on_for(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker.bind_target(node.target, _FOR, node.iter, statement, scope)
    loop = Context(LOOP, node, 0, context)
    walker._statements(node.orelse, scope, Context(IF, node, 1, context))
    walker._statements(node.body, scope, loop)
    walker._visit(node.iter, scope, context, statement)


def _on_while(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker._statements(node.orelse, scope, Context(IF, node, 1, context))
    walker._statements(node.body, scope, Context(LOOP, node, 0, context))
    walker._visit(node.test, scope, context, statement)


def _on_if(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker._statements(node.orelse, scope, Context(IF, node, 1, context))
    walker._statements(node.body, scope, Context(IF, node, 0, context))
    walker._visit(node.test, scope, Context(IF, node, -1, context), statement)


def _on_if_exp(walker: _Walker, node, scope, context, statement):
    walker._visit(node.orelse, scope, Context(IFEXP, node, 1, context), statement)
    walker._visit(node.body, scope, Context(IFEXP, node, 0, context), statement)
    walker._visit(node.test, scope, Context(IFEXP, node, -1, context), statement)


def _on_bool_op(walker: _Walker, node, scope, context, statement):
    inner = Context(BOOLOP, node, 0, context)
    walker._visit_all(node.values, scope, inner, statement)


def _on_with(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    body_context = Context(WITH, node, -1, context)
    walker._statements(node.body, scope, body_context)
    for position, item in enumerate(node.items):
        walker.index.with_items.append(WithItem(node, item, position, statement, context))
        if item.optional_vars is not None:
            walker.bind_target(item.optional_vars, BindingKind.WITH, item.context_expr, statement, scope)
    # An item sees the items before it as open (``with a(), b():``): give each its own context.
    for position in range(len(node.items) - 1, -1, -1):
        item_context = Context(WITH, node, position, context) if position else context
        walker._visit(node.items[position].context_expr, scope, item_context, statement)


def _on_try(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker._statements(node.finalbody, scope, context)
    walker._statements(node.orelse, scope, Context(TRY, node, 1, context))
    for position in range(len(node.handlers) - 1, -1, -1):
        handler = node.handlers[position]
        handler_context = Context(TRY, node, 2 + position, context)
        if handler.name:
            walker.bind(handler.name, BindingKind.EXCEPT, statement, scope, node=handler)
        walker._statements(handler.body, scope, handler_context)
        if handler.type is not None:
            walker._visit(handler.type, scope, context, statement)
    walker._statements(node.body, scope, Context(TRY, node, 0, context))


def _on_match(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    for position in range(len(node.cases) - 1, -1, -1):
        case = node.cases[position]
        case_context = Context(MATCH, node, position, context)
        walker._statements(case.body, scope, case_context)
        for capture in ast.walk(case.pattern):
            name = getattr(capture, "name", None) or getattr(capture, "rest", None)
            if isinstance(name, str):
                walker.bind(name, BindingKind.OTHER, statement, scope)
        if case.guard is not None:
            walker._visit(case.guard, scope, case_context, statement)
    walker._visit(node.subject, scope, context, statement)


def _on_import(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    for alias in node.names:
        if alias.asname:
            walker.bind(alias.asname, BindingKind.IMPORT, statement, scope, imported=alias.name, node=node)
        else:
            root = alias.name.split(".", 1)[0]
            walker.bind(root, BindingKind.IMPORT, statement, scope, imported=root, node=node)


def _on_import_from(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    module = node.module or ""
    for alias in node.names:
        if alias.name == "*":
            walker.bind("*", BindingKind.IMPORT, statement, scope, imported=module, level=node.level, from_import=True,
                        node=node)
            continue
        qualified = f"{module}.{alias.name}" if module else alias.name
        walker.bind(alias.asname or alias.name, BindingKind.IMPORT, statement, scope, imported=qualified,
                    level=node.level, from_import=True, node=node)


def _on_global(walker: _Walker, node, scope, context, statement):
    _statement_of(walker, node, scope, context)
    (scope.globals if type(node) is ast.Global else scope.nonlocals).update(node.names)


def _on_return(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    if node.value is not None:
        scope.returns.append((node.value, statement))
        walker._visit(node.value, scope, context, statement)


def _on_delete(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker._visit_all(node.targets, scope, context, statement)


def _on_simple_statement(walker: _Walker, node, scope, context, statement):
    statement = _statement_of(walker, node, scope, context)
    walker._children(node, scope, context, statement)


def _on_call(walker: _Walker, node, scope, context, statement):
    index = walker.index
    site = CallSite(node, statement, context, scope)
    index.calls.append(site)
    index.call_of_node[id(node)] = site
    scope.calls.append(site)
    func = node.func
    if type(func) is ast.Attribute:
        if type(func.value) is ast.Name and func.attr in MUTATING_METHODS:
            kind = MUTATING_METHODS[func.attr]
            if kind is MutationKind.INSERT:
                value = node.args[1] if len(node.args) > 1 else None
            else:
                value = node.args[0] if node.args else None
            if value is not None or (kind is MutationKind.UPDATE and node.keywords):
                index.mutations.setdefault(func.value.id, []).append(
                    Mutation(func.value.id, kind, value, None, statement, node))
    argument_context = Context(ARG, node, 0, context)
    values = list(node.args) + [keyword.value for keyword in node.keywords]
    walker._visit_all(values, scope, argument_context, statement)
    walker._visit(func, scope, context, statement)


def _on_yield(walker: _Walker, node, scope, context, statement):
    scope.function().yields = True
    walker._children(node, scope, context, statement)


def _handler_table():
    """Node type -> handler; read-only once built."""
    table = {
        ast.FunctionDef: _on_function,
        ast.AsyncFunctionDef: _on_function,
        ast.ClassDef: _on_class,
        ast.Lambda: _on_lambda,
        ast.ListComp: _on_comprehension,
        ast.SetComp: _on_comprehension,
        ast.GeneratorExp: _on_comprehension,
        ast.DictComp: _on_comprehension,
        ast.Assign: _on_assign,
        ast.AnnAssign: _on_assign,
        ast.AugAssign: _on_aug_assign,
        ast.NamedExpr: _on_named_expr,
        ast.For: _on_for,
        ast.AsyncFor: _on_for,
        ast.While: _on_while,
        ast.If: _on_if,
        ast.IfExp: _on_if_exp,
        ast.BoolOp: _on_bool_op,
        ast.With: _on_with,
        ast.AsyncWith: _on_with,
        ast.Try: _on_try,
        ast.Import: _on_import,
        ast.ImportFrom: _on_import_from,
        ast.Global: _on_global,
        ast.Nonlocal: _on_global,
        ast.Return: _on_return,
        ast.Delete: _on_delete,
        ast.Call: _on_call,
        ast.Yield: _on_yield,
        ast.YieldFrom: _on_yield,
    }
    for statement_type in (ast.Expr, ast.Assert, ast.Raise, ast.Pass, ast.Break, ast.Continue):
        table[statement_type] = _on_simple_statement
    if hasattr(ast, "TryStar"):
        table[ast.TryStar] = _on_try
    if hasattr(ast, "Match"):
        table[ast.Match] = _on_match
    if hasattr(ast, "TypeAlias"):
        table[ast.TypeAlias] = _on_simple_statement
    return MappingProxyType(table)


_HANDLERS = _handler_table()
