"""Functions and classes of the module that build batch norm, and the wrappers among them
whose parameter becomes the training flag (what project-aware analysis exports)."""
from __future__ import annotations

from typing import Dict, List, Optional, Set

import libcst as cst

from . import tf_api
from .facts import CallFact, Scope
from .resolve import argument, has_star_args, has_star_kwargs, is_literal_bool


class BuildersMixin:
    def _scan_builders(self):
        """Functions and classes of this module whose bodies build UPDATE_OPS batch norm, and
        the calls of them (transitively: a function calling a builder is one too)."""
        builder_defs: Set[int] = set()
        for site in self.result.sites:
            if site.writes_update_ops:
                builder_defs.update(self._defining_nodes(site.call.scope))
        changed = True
        calls: Dict[int, CallFact] = {}
        while changed:
            changed = False
            for fact in self.facts.calls:
                target = self._local_target(fact)
                if target is not None and id(target) in builder_defs and id(fact.node) not in calls:
                    calls[id(fact.node)] = fact
                    for node_id in self._defining_nodes(fact.scope):
                        if node_id not in builder_defs:
                            builder_defs.add(node_id)
                            changed = True
        if self.external is not None:
            for fact in self.facts.calls:
                value = self.callee(fact)
                if value is not None and value.kind in ("external_builder",) and id(fact.node) not in calls:
                    calls[id(fact.node)] = fact
        self.result.builder_scopes = builder_defs
        self.result.builder_calls = sorted(calls.values(), key=lambda fact: fact.seq)

    def _defining_nodes(self, scope: Scope) -> List[int]:
        """The def and class nodes whose bodies contain ``scope``."""
        nodes = []
        while scope is not None and scope.kind != "module":
            if scope.kind in ("function", "class"):
                nodes.append(id(scope.node))
            scope = scope.parent
        return nodes

    def _local_target(self, fact: CallFact) -> Optional[cst.CSTNode]:
        """The local def/class a call runs: ``build(x)``, ``Net()``, ``net(x)``, ``self.block(x)``."""
        value = self.callee(fact)
        if value is not None and value.kind == "local" and value.binding is not None:
            return value.binding.value
        if value is not None and value.kind == "local_result" and value.binding is not None:
            return value.binding.value  # calling an instance runs its class's methods
        func = fact.node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            scope = fact.scope
            while scope is not None and scope.kind != "class":
                scope = scope.parent
            if scope is not None:
                bindings = scope.bindings.get(func.attr.value)
                if bindings and bindings[-1].kind == "def":
                    return bindings[-1].value
        return None

    def builder_info(self) -> Dict[int, dict]:
        """For each def/class of this module that builds batch norm: what a caller in another
        module needs to know (the fields of ``project.Export``)."""
        result = self.result
        info: Dict[int, dict] = {}
        defs = [scope.node for scope in self.facts.scopes.values() if scope.kind in ("function", "class")]
        builder_calls = list(result.builder_calls)
        for node in defs:
            inside = [site for site in result.sites if node in site.call.parents]
            keras_inside = [site for site in result.keras_sites if node in site.call.parents]
            exports = [self.callee(fact).export for fact in builder_calls
                       if node in fact.parents and self.callee(fact) is not None
                       and getattr(self.callee(fact), "export", None) is not None]
            local_calls = [fact for fact in builder_calls if node in fact.parents]
            if not (inside or keras_inside or exports or local_calls):
                continue
            collections = {site.collection for site in inside if site.writes_update_ops}
            builds = bool(collections) or id(node) in result.builder_scopes
            for export in exports:
                collections |= set(export.collections)
                builds = builds or export.builds_update_ops
            keras = bool(keras_inside) or any(export.keras for export in exports)
            entry = dict(collections=frozenset(collections or ({tf_api.UPDATE_OPS} if builds else set())),
                         builds_update_ops=builds, keras=keras,
                         keras2=all(site.qualname.startswith(tf_api.KERAS2_ROOTS) for site in keras_inside),
                         display=(inside[0].api.display if inside else keras_inside[0].api.display
                                  if keras_inside else "batch-norm builder"))
            entry.update(self._wrapper_flag(node, inside))
            info[id(node)] = entry
        return info

    def _wrapper_flag(self, node, sites) -> dict:
        """A function whose batch-norm flag is one of its parameters: that parameter's name,
        position and literal default (real projects hid ``is_training=True`` there)."""
        if not isinstance(node, cst.FunctionDef):
            return {}
        positional = list(node.params.posonly_params) + list(node.params.params)
        every = positional + list(node.params.kwonly_params)
        for site in sites:
            flag = site.flag
            if flag.state == "given" and isinstance(flag.node, cst.Name):
                for param in every:
                    if param.name.value == flag.node.value:
                        position = positional.index(param) if param in positional else None
                        default = is_literal_bool(param.default) if param.default is not None else None
                        return dict(flag_param=param.name.value, flag_position=position, flag_default=default)
        return {}

    def wrapper_flag_at_call(self, fact: CallFact, flag_param, flag_position, flag_default):
        """(given?, literal) for a call of a wrapper: whether the call passes the flag, and the
        literal it ends up with (None when not a literal)."""
        arg = argument(fact.node.args, flag_param, flag_position)
        if arg is not None:
            return True, self.flag_from_node(arg.value, fact, "call").literal
        if has_star_kwargs(fact.node.args) or (flag_position is not None and has_star_args(fact.node.args)):
            return True, None
        return False, flag_default

    def external_flag_effective(self, fact: CallFact, export) -> Optional[bool]:
        if export.flag_param is None:
            return None
        return self.wrapper_flag_at_call(fact, export.flag_param, export.flag_position, export.flag_default)[1]

    def wrapper_calls(self):
        """Calls of wrappers (local or imported) that do not pass the flag, so the wrapper's
        literal default decides it: (call, display, parameter, literal default)."""
        local = {}
        for key, entry in self.builder_info().items():
            if entry.get("flag_param"):
                local[key] = entry
        for fact in self.facts.calls:
            value = self.callee(fact)
            if value is None:
                continue
            entry = None
            if value.kind == "local" and value.binding is not None:
                entry = local.get(id(value.binding.value))
            elif value.kind == "external_builder" and value.export is not None and value.export.flag_param:
                export = value.export
                entry = dict(flag_param=export.flag_param, flag_position=export.flag_position,
                             flag_default=export.flag_default, display=export.display)
            if entry is None:
                continue
            given, literal = self.wrapper_flag_at_call(fact, entry["flag_param"], entry["flag_position"],
                                                       entry["flag_default"])
            if not given and literal is not None:
                yield fact, entry["display"], entry["flag_param"], literal
