"""Name resolution by meaning: imports, aliases, ``functools.partial`` and instances.

Works on the bindings ``facts.collect`` recorded, never re-walking the tree. A name is looked up
in its scope chain (class bodies are skipped from nested functions, as in Python); among a
scope's bindings the latest one before the use wins, else the last one (a function body may
use a module name bound below it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from . import tf_api
from .facts import Binding, CallFact, ModuleFacts, Scope

_MAX_DEPTH = 24


@dataclass(frozen=True)
class Value:
    """What an expression evaluates to, as far as the module shows.

    kind: ``api`` (an import-rooted dotted name, canonical), ``instance`` (the result of calling
    ``qualname``), ``local`` (a function or class defined in this module: ``binding``),
    ``local_result`` (the result of calling a local function or class).
    """

    kind: str
    qualname: str = ""
    partial_args: Tuple[cst.Arg, ...] = ()
    binding: Optional[Binding] = None
    construction: Optional[cst.Call] = None
    imported: bool = False          # rooted at an import (as opposed to a builtin/unknown root)
    export: Optional[object] = None  # project.Export for ``external_builder`` / ``external_result``


@dataclass
class Resolver:
    facts: ModuleFacts
    external: Optional[object] = None  # project-aware lookups (project.ProjectIndex), or None
    forced_api: frozenset = frozenset()  # dotted names configured as APIs (``bn-wrappers``)
    _call_facts: Dict[int, CallFact] = field(default_factory=dict)

    def __post_init__(self):
        self._call_facts = {id(fact.node): fact for fact in self.facts.calls}

    # -- lookup ---------------------------------------------------------------------------------

    def call_fact(self, node: cst.Call) -> Optional[CallFact]:
        return self._call_facts.get(id(node))

    def lookup(self, name: str, scope: Scope, seq: int) -> Optional[Binding]:
        bindings = self.all_bindings(name, scope)
        if not bindings:
            return None
        before = [binding for binding in bindings if binding.seq < seq]
        return before[-1] if before else bindings[-1]

    def all_bindings(self, name: str, scope: Scope) -> List[Binding]:
        """Every binding of ``name`` in the scope that owns it ("bound anywhere in a scope")."""
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.bindings:
                return current.bindings[name]
            first = False
            current = current.parent
        return []

    def attribute_bindings(self, node: cst.Attribute, scope: Optional[Scope] = None,
                           seq: int = 10 ** 9, owner: Optional["Value"] = None) -> List[Binding]:
        """Assignments to ``X.attr``: ``self.attr = ...`` in a class, read through ``self`` or
        through an instance of that class (``model = Model(); model.loss``)."""
        if not isinstance(node.value, cst.Name):
            return []
        key = f"{node.value.value}.{node.attr.value}"
        direct = self.facts.attribute_assignments.get(key, [])
        if direct or node.value.value in ("self", "cls") or scope is None:
            return direct
        if owner is None:
            owner = self.value_of(node.value, scope, seq)
        if owner is None or owner.kind != "local_result" or owner.binding is None:
            return []
        class_node = owner.binding.value
        return [binding for binding in self.facts.attribute_assignments.get(f"self.{node.attr.value}", [])
                if class_node in binding.parents]

    # -- values ---------------------------------------------------------------------------------

    def value_of(self, expr: cst.CSTNode, scope: Scope, seq: int, depth: int = 0) -> Optional[Value]:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            binding = self.lookup(expr.value, scope, seq)
            if binding is None:
                return self._star_value(expr.value)
            return self.value_of_binding(binding, depth + 1)
        if isinstance(expr, cst.Attribute):
            base = self.value_of(expr.value, scope, seq, depth + 1)
            if base is not None and base.kind == "api":
                return Value("api", tf_api.canonical(f"{base.qualname}.{expr.attr.value}"),
                             imported=base.imported)
            if base is not None and base.kind == "project_module" and self.external is not None:
                return self.external.module_attribute(base.qualname, expr.attr.value)
            if base is None and not isinstance(expr.value, cst.Name):
                return None
            bindings = self.attribute_bindings(expr, scope, seq, owner=base) if base is not None else \
                self.facts.attribute_assignments.get(f"{expr.value.value}.{expr.attr.value}", [])
            if bindings:
                return self.value_of_binding(bindings[-1], depth + 1)
            return None
        if isinstance(expr, cst.Call):
            callee = self.value_of(expr.func, scope, seq, depth + 1)
            if callee is None:
                return None
            if callee.kind == "api" and callee.qualname in tf_api.PARTIALS and expr.args:
                wrapped = self.value_of(expr.args[0].value, scope, seq, depth + 1)
                if wrapped is not None and wrapped.kind in ("api", "local"):
                    return Value(wrapped.kind, wrapped.qualname,
                                 wrapped.partial_args + tuple(expr.args[1:]), wrapped.binding,
                                 imported=wrapped.imported)
                return None
            if callee.kind == "api":
                return Value("instance", callee.qualname, callee.partial_args, construction=expr,
                             imported=callee.imported)
            if callee.kind == "local":
                return Value("local_result", callee.qualname, binding=callee.binding, construction=expr)
            if callee.kind == "external_builder":
                return Value("external_result", callee.qualname, construction=expr, export=callee.export)
            return None
        return None

    def value_of_binding(self, binding: Binding, depth: int = 0) -> Optional[Value]:
        if binding.kind == "import":
            qualified = binding.qualified or ""
            if qualified in self.forced_api:
                return Value("api", qualified, imported=True)
            if binding.relative_level or self._is_project_import(qualified) or qualified.endswith(".*"):
                if self.external is not None:
                    found = self.external.resolve_import(binding)
                    if found is not None:
                        return found
                return None
            return Value("api", tf_api.canonical(qualified), imported=True)
        if binding.kind in ("def", "class"):
            return Value("local", binding.name, binding=binding)
        if binding.kind == "assign" and binding.value is not None:
            return self.value_of(binding.value, binding.scope, binding.seq, depth + 1)
        return None

    def _star_value(self, name: str) -> Optional[Value]:
        if self.external is None:
            return None
        for binding in self.facts.module_scope.bindings.get("*", ()):
            found = self.external.resolve_star(binding, name)
            if found is not None:
                return found
        return None

    def _is_project_import(self, qualified: str) -> bool:
        return self.external is not None and self.external.is_project_module(qualified)

    def qualname(self, expr: cst.CSTNode, scope: Scope, seq: int) -> Optional[str]:
        value = self.value_of(expr, scope, seq)
        if value is not None and value.kind == "api":
            return value.qualname
        return None


def call_keyword(call: cst.Call, keyword: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return None


def positional_args(call_args) -> List[cst.Arg]:
    positional = []
    for arg in call_args:
        if arg.keyword is not None or arg.star:
            break
        positional.append(arg)
    return positional


def has_star_kwargs(call_args) -> bool:
    return any(arg.star == "**" for arg in call_args)


def has_star_args(call_args) -> bool:
    return any(arg.star == "*" for arg in call_args)


def argument(call_args, keyword: str, position: Optional[int]) -> Optional[cst.Arg]:
    """The argument bound to a parameter given by keyword or position (None if absent)."""
    for arg in call_args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    if position is not None:
        positional = positional_args(call_args)
        if len(positional) > position:
            return positional[position]
    return None


def is_literal_bool(expr: cst.CSTNode) -> Optional[bool]:
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return expr.value == "True"
    return None


def string_value(expr: cst.CSTNode) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        try:
            return expr.evaluated_value if isinstance(expr.evaluated_value, str) else None
        except Exception:  # noqa: BLE001 - odd prefixes: not a collection name we can read
            return None
    return None


def func_attr_name(call: cst.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None
