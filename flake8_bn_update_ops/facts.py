"""One pass over the libcst tree that records what the rules need, and nothing else.

libcst's metadata providers (scopes, qualified names, parents, positions) were measured at
2-5x flake8's whole run each, so this walker keeps its own light bookkeeping instead: the
chain of parent nodes at every call and binding (from which scopes, ``with`` blocks and branch
guards are read), the bindings of every scope in source order, and every call. Positions are
computed later, only for the nodes that become findings (see ``positions.py``).
"""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Tuple

import libcst as cst

# Fields that hold only whitespace, punctuation or names that are not loads: never walked.
_SKIPPED_FIELDS = frozenset({
    "whitespace_before", "whitespace_after", "whitespace_after_func", "whitespace_before_args",
    "whitespace_after_arg", "whitespace_after_star", "whitespace_after_param", "whitespace_before_colon",
    "whitespace_after_colon", "whitespace_after_def", "whitespace_after_name", "whitespace_before_params",
    "whitespace_before_indicator", "whitespace_after_indicator", "whitespace_before_walrus",
    "whitespace_after_walrus", "whitespace_after_import", "whitespace_after_from",
    "whitespace_before_import", "whitespace_after_as", "whitespace_before_as", "whitespace_after_class",
    "whitespace_after_lambda", "whitespace_after_await", "whitespace_after_if", "whitespace_after_in",
    "whitespace_before_in", "whitespace_after_for", "whitespace_before_for", "whitespace_after_with",
    "whitespace_after_assert", "whitespace_after_return", "whitespace_after_del", "whitespace_after_raise",
    "whitespace_after_global", "whitespace_after_nonlocal", "whitespace_before_from",
    "whitespace_before_test", "whitespace_before_value", "whitespace_before_else",
    "whitespace_after_else", "whitespace_after_yield", "whitespace_after_case", "whitespace_after_match",
    "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace", "comma", "semicolon", "colon", "dot",
    "equal", "star", "leading_lines", "lines_after_decorators", "header", "footer", "newline",
    "trailing_whitespace", "operator", "asynchronous", "lines_after_header", "whitespace",
    "default_indent", "default_newline", "encoding", "has_trailing_newline", "indent",
    "prefix", "value_kind", "first_line", "star_tok",
})
# Per node type, fields that are names or targets handled by a handler instead of being walked.
_HANDLED_FIELDS: Dict[type, frozenset] = {
    cst.Attribute: frozenset({"attr"}),
    cst.Arg: frozenset({"keyword"}),
    cst.FunctionDef: frozenset({"name", "params"}),
    cst.ClassDef: frozenset({"name"}),
    cst.Import: frozenset({"names"}),
    cst.ImportFrom: frozenset({"names", "module", "relative"}),
    cst.Lambda: frozenset({"params"}),
    cst.AsName: frozenset({"name"}),
    cst.Global: frozenset({"names"}),
    cst.Nonlocal: frozenset({"names"}),
}
_LEAF_TYPES = frozenset({cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Comment,
                         cst.SimpleWhitespace, cst.Newline, cst.EmptyLine, cst.Pass, cst.Ellipsis})
_NODE_TYPE_CACHE: Dict[type, bool] = {}


def _is_node_type(node_type: type) -> bool:
    known = _NODE_TYPE_CACHE.get(node_type)
    if known is None:
        known = _NODE_TYPE_CACHE[node_type] = issubclass(node_type, cst.CSTNode)
    return known


_field_cache: Dict[type, Tuple[str, ...]] = {}


def _walked_fields(node_type: type) -> Tuple[str, ...]:
    fields = _field_cache.get(node_type)
    if fields is None:
        handled = _HANDLED_FIELDS.get(node_type, frozenset())
        fields = tuple(field.name for field in dataclasses.fields(node_type)
                       if field.name not in _SKIPPED_FIELDS and field.name not in handled)
        _field_cache[node_type] = fields
    return fields


class Scope:
    """A module, function, lambda or class body, with its bindings in source order."""

    __slots__ = ("kind", "node", "parent", "name", "bindings", "params", "parameter_nodes")

    def __init__(self, kind: str, node: Optional[cst.CSTNode], parent: Optional["Scope"], name: str = ""):
        self.kind = kind
        self.node = node
        self.parent = parent
        self.name = name
        self.bindings: Dict[str, List["Binding"]] = {}
        self.params: List[str] = []
        self.parameter_nodes: Dict[str, cst.Param] = {}

    def function(self) -> "Scope":
        """The nearest enclosing function or module scope (classes do not count)."""
        scope = self
        while scope.kind == "class":
            scope = scope.parent
        return scope

    def __repr__(self):
        return f"<Scope {self.kind} {self.name}>"


@dataclasses.dataclass(eq=False)
class Binding:
    name: str
    kind: str                      # import, assign, param, def, class, target, global
    value: Optional[cst.CSTNode]   # assigned expression; the def/class node
    qualified: Optional[str]       # for imports: the dotted name it binds
    scope: Scope
    seq: int
    parents: Tuple[cst.CSTNode, ...]
    relative_level: int = 0        # for ``from . import x``
    from_import: bool = False      # ``from m import x`` (x may be a module attribute)


@dataclasses.dataclass(eq=False)
class CallFact:
    node: cst.Call
    scope: Scope
    seq: int
    parents: Tuple[cst.CSTNode, ...]


@dataclasses.dataclass(eq=False)
class Mutation:
    """``name.append(x)``, ``name.extend(x)`` or ``name += x``: adds ``value`` to a list."""
    name: str
    value: cst.CSTNode
    scope: Scope
    seq: int
    node: cst.CSTNode


class ModuleFacts:
    def __init__(self, module: cst.Module):
        self.module = module
        self.module_scope = Scope("module", module, None, "<module>")
        self.scopes: Dict[int, Scope] = {id(module): self.module_scope}
        self.calls: List[CallFact] = []
        self.mutations: List[Mutation] = []
        self.name_loads: Dict[str, List[Tuple[int, Scope]]] = {}
        self.attribute_assignments: Dict[str, List[Binding]] = {}   # "self.x" -> bindings
        self.functions: Dict[int, Scope] = {}


def collect(module: cst.Module) -> ModuleFacts:
    collector = _Collector(module)
    collector.run()
    return collector.facts


class _Collector:
    def __init__(self, module: cst.Module):
        self.facts = ModuleFacts(module)
        self.parents: List[cst.CSTNode] = []
        self.scope = self.facts.module_scope
        self.seq = 0

    def run(self):
        self._walk(self.facts.module)

    # -- the walk ----------------------------------------------------------------------------

    def _walk(self, node: cst.CSTNode) -> None:
        self.seq += 1
        node_type = type(node)
        handler = _HANDLERS.get(node_type)
        if handler is not None and handler(self, node) is False:
            return
        if node_type in _LEAF_TYPES:
            return
        parents = self.parents
        parents.append(node)
        self._walk_fields(node, _walked_fields(node_type))
        parents.pop()

    def _walk_fields(self, node: cst.CSTNode, fields: Tuple[str, ...]) -> None:
        # isinstance() against libcst's abstract node classes goes through ABC machinery
        # (measured as a fifth of the walk): test concrete types through a cache instead.
        walk = self._walk
        for name in fields:
            child = getattr(node, name)
            child_type = type(child)
            if child_type is tuple or child_type is list:
                for item in child:
                    if _is_node_type(type(item)):
                        walk(item)
            elif _is_node_type(child_type):
                walk(child)

    def _walk_in_scope(self, node: cst.CSTNode, scope: Scope, fields: Tuple[str, ...]) -> None:
        outer = self.scope
        self.scope = scope
        self.parents.append(node)
        self._walk_fields(node, fields)
        self.parents.pop()
        self.scope = outer

    # -- bindings -----------------------------------------------------------------------------

    def bind(self, name: str, kind: str, value=None, qualified=None, scope=None, level=0,
             from_import=False) -> Binding:
        scope = scope or self.scope
        binding = Binding(name, kind, value, qualified, scope, self.seq, tuple(self.parents), level, from_import)
        scope.bindings.setdefault(name, []).append(binding)
        return binding

    def bind_target(self, target: cst.CSTNode, value: Optional[cst.CSTNode]) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, "assign" if value is not None else "target", value)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            key = f"{target.value.value}.{target.attr.value}"
            binding = Binding(key, "assign" if value is not None else "target", value, None,
                              self.scope, self.seq, tuple(self.parents))
            self.facts.attribute_assignments.setdefault(key, []).append(binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = None
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements):
                values = [element.value for element in value.elements]
            for index, element in enumerate(target.elements):
                self.bind_target(element.value, values[index] if values else None)
        elif isinstance(target, cst.StarredElement):
            self.bind_target(target.value, None)

    def bind_parameters(self, params: cst.Parameters, scope: Scope) -> None:
        every = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                every.append(star)
        for param in every:
            name = param.name.value
            scope.params.append(name)
            scope.parameter_nodes[name] = param
            binding = Binding(name, "param", param.default, None, scope, self.seq, tuple(self.parents))
            scope.bindings.setdefault(name, []).append(binding)
            if param.default is not None:
                self._walk(param.default)


def _on_import(self: _Collector, node: cst.Import):
    for alias in node.names:
        dotted = _dotted(alias.name)
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            self.bind(alias.asname.name.value, "import", qualified=dotted)
        else:
            root = dotted.split(".", 1)[0]
            self.bind(root, "import", qualified=root)
    return False


def _on_import_from(self: _Collector, node: cst.ImportFrom):
    module = _dotted(node.module) if node.module is not None else ""
    level = len(node.relative)
    if isinstance(node.names, cst.ImportStar):
        self.bind("*", "import", qualified=module + ".*", level=level, from_import=True)
        return False
    for alias in node.names:
        name = _dotted(alias.name)
        renamed = alias.asname is not None and isinstance(alias.asname.name, cst.Name)
        local = alias.asname.name.value if renamed else name
        qualified = f"{module}.{name}" if module else name
        self.bind(local, "import", qualified=qualified, level=level, from_import=True)
    return False


def _on_assign(self: _Collector, node: cst.Assign):
    self.parents.append(node)
    for target in node.targets:
        # Subscript/attribute targets still read names (``update_ops[0]``): walk them.
        if not isinstance(target.target, (cst.Name, cst.Tuple, cst.List)):
            self._walk(target.target)
    self._walk(node.value)
    self.parents.pop()
    # Bound after the value is walked: in ``loss = tf.identity(loss)`` the right side reads the
    # previous binding.
    self.seq += 1
    for target in node.targets:
        self.bind_target(target.target, node.value)
    return False


def _on_ann_assign(self: _Collector, node: cst.AnnAssign):
    if node.value is not None:
        self.parents.append(node)
        self._walk(node.value)
        self.parents.pop()
        self.seq += 1
        self.bind_target(node.target, node.value)
    return False


def _on_aug_assign(self: _Collector, node: cst.AugAssign):
    if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign):
        self.facts.mutations.append(Mutation(node.target.value, node.value, self.scope, self.seq, node))
    self.parents.append(node)
    self._walk(node.value)
    self.parents.pop()
    return False


def _on_function(self: _Collector, node: cst.FunctionDef):
    self.bind(node.name.value, "def", node)
    for decorator in node.decorators:
        self._walk(decorator)
    scope = Scope("function", node, self.scope, node.name.value)
    self.facts.scopes[id(node)] = scope
    self.facts.functions[id(node)] = scope
    self.parents.append(node)
    outer, self.scope = self.scope, scope
    self.bind_parameters(node.params, scope)
    self.scope = outer
    self.parents.pop()
    self._walk_in_scope(node, scope, ("body",))
    return False


def _on_lambda(self: _Collector, node: cst.Lambda):
    scope = Scope("lambda", node, self.scope, "<lambda>")
    self.facts.scopes[id(node)] = scope
    self.parents.append(node)
    self.bind_parameters(node.params, scope)
    self.parents.pop()
    self._walk_in_scope(node, scope, ("body",))
    return False


def _on_class(self: _Collector, node: cst.ClassDef):
    self.bind(node.name.value, "class", node)
    for decorator in node.decorators:
        self._walk(decorator)
    for base in node.bases:
        self._walk(base)
    for keyword in node.keywords:
        self._walk(keyword)
    scope = Scope("class", node, self.scope, node.name.value)
    self.facts.scopes[id(node)] = scope
    self._walk_in_scope(node, scope, ("body",))
    return False


def _on_call(self: _Collector, node: cst.Call):
    self.facts.calls.append(CallFact(node, self.scope, self.seq, tuple(self.parents)))
    func = node.func
    if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            and func.attr.value in ("append", "extend") and node.args):
        self.facts.mutations.append(Mutation(func.value.value, node.args[0].value, self.scope, self.seq, node))


def _on_name(self: _Collector, node: cst.Name):
    self.facts.name_loads.setdefault(node.value, []).append((self.seq, self.scope))
    return False


def _on_with_item(self: _Collector, node: cst.WithItem):
    if node.asname is not None:
        self.parents.append(node)
        self._walk(node.item)
        self.parents.pop()
        self.bind_target(node.asname.name, None)
        return False


def _on_for(self: _Collector, node: cst.For):
    self.bind_target(node.target, None)


def _on_comp_for(self: _Collector, node: cst.CompFor):
    self.bind_target(node.target, None)


def _on_global(self: _Collector, node):
    return False


_HANDLERS = {
    cst.Import: _on_import,
    cst.ImportFrom: _on_import_from,
    cst.Assign: _on_assign,
    cst.AnnAssign: _on_ann_assign,
    cst.AugAssign: _on_aug_assign,
    cst.FunctionDef: _on_function,
    cst.Lambda: _on_lambda,
    cst.ClassDef: _on_class,
    cst.Call: _on_call,
    cst.Name: _on_name,
    cst.WithItem: _on_with_item,
    cst.For: _on_for,
    cst.CompFor: _on_comp_for,
    cst.Global: _on_global,
    cst.Nonlocal: _on_global,
}


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
