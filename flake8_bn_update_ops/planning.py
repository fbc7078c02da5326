"""What a fix needs to know about the module: its TensorFlow spelling, the training-flag
parameter in scope, and where a train-op statement can be wrapped."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Set, Tuple

import libcst as cst

from . import tf_api
from .analysis import Analyzer
from .facts import CallFact, Scope, _dotted
from .findings import SAFE, UNSAFE
from .fixes import WrapStatement
from .resolve import func_attr_name


@dataclass(frozen=True)
class TfSpelling:
    prefix: Optional[str]                     # "tf", "tf.compat.v1", "tf1"...
    add_import: Optional[Tuple[str, str]]     # ("tensorflow.compat.v1", "tf") when none is bound


def tf_spelling(analyzer: Analyzer) -> TfSpelling:
    """RULES (BNU001 fix): the ``tensorflow.compat.v1`` alias if bound; else the ``tensorflow``
    alias, with ``.compat.v1`` when the module reaches TF1 APIs through it; else add an import.
    Matching folds the two APIs together; writing does not (TF2 has no ``tf.get_collection``)."""
    scope = analyzer.facts.module_scope
    compat_alias = tensorflow_alias = None
    mentions_compat = False
    for name, bindings in scope.bindings.items():
        for binding in bindings:
            if binding.kind != "import" or binding.relative_level:
                continue
            qualified = binding.qualified or ""
            if "compat.v1" in qualified:
                mentions_compat = True
            if qualified == "tensorflow.compat.v1" and compat_alias is None:
                compat_alias = name
            elif qualified == "tensorflow" and tensorflow_alias is None:
                tensorflow_alias = name
    if compat_alias is None:
        compat_alias = _assigned_compat_alias(analyzer, tensorflow_alias)
    if compat_alias is not None:
        return TfSpelling(compat_alias, None)
    if tensorflow_alias is not None:
        through_compat = f"{tensorflow_alias}.compat.v1."
        if any(_dotted(fact.node.func).startswith(through_compat) for fact in analyzer.facts.calls):
            return TfSpelling(f"{tensorflow_alias}.compat.v1", None)
        return TfSpelling(tensorflow_alias, None)
    alias = "tf" if not _bound_anywhere(analyzer, "tf") else "tf1"
    module = "tensorflow.compat.v1" if mentions_compat else "tensorflow"
    return TfSpelling(alias, (module, alias))


def _assigned_compat_alias(analyzer: Analyzer, tensorflow_alias: Optional[str]) -> Optional[str]:
    """``v1 = tf.compat.v1`` at module level (canonical names fold compat.v1 away, so read the
    spelling itself)."""
    if tensorflow_alias is None:
        return None
    for name, bindings in analyzer.facts.module_scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "assign" and \
                _dotted(bindings[0].value) == f"{tensorflow_alias}.compat.v1":
            return name
    return None


def _bound_anywhere(analyzer: Analyzer, name: str) -> bool:
    return any(name in scope.bindings for scope in analyzer.facts.scopes.values())


def flag_parameter(analyzer: Analyzer, scope: Scope) -> Optional[Tuple[str, str]]:
    """The enclosing function's single training-flag parameter and the fix's safety."""
    function = scope.function()
    while function is not None and function.kind == "lambda" and not _flag_params(analyzer, function):
        function = function.parent.function() if function.parent is not None else None
    if function is None or function.kind != "function":
        return None
    names = _flag_params(analyzer, function)
    if len(names) != 1:
        return None
    name = names[0]
    return name, SAFE if name in tf_api.SAFE_FLAG_NAMES else UNSAFE


def _flag_params(analyzer: Analyzer, function: Scope) -> List[str]:
    flag_names = analyzer.flag_names()
    return [param for param in function.params if param in flag_names]


def mode_parameter(scope: Scope) -> bool:
    function = scope.function()
    return function.kind == "function" and tf_api.MODE_PARAMETER in function.params


_NO_HOIST_THROUGH = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.IfExp,
                     cst.BooleanOperation)
_STATEMENTS = (cst.Assign, cst.Return, cst.Expr, cst.AnnAssign)


def plan_wrap(analyzer: Analyzer, fact: CallFact, dependency: str, add_import) -> Optional[WrapStatement]:
    """A WrapStatement for the train-op call, or None where no fix is offered."""
    parents = fact.parents
    statement_index = None
    for index in range(len(parents) - 1, -1, -1):
        if isinstance(parents[index], cst.BaseSmallStatement):
            statement_index = index
            break
        if isinstance(parents[index], (cst.BaseCompoundStatement, cst.FunctionDef, cst.ClassDef)):
            return None  # the call sits in a with/if/for header, a decorator...
    if statement_index is None or statement_index == 0:
        return None
    statement = parents[statement_index]
    container = parents[statement_index - 1]
    if not isinstance(container, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return None
    if isinstance(statement, _STATEMENTS) and getattr(statement, "value", None) is fact.node:
        return WrapStatement(fact.node, statement, dependency, SAFE, None, add_import)
    between = parents[statement_index + 1:]
    if any(isinstance(node, _NO_HOIST_THROUGH) for node in between):
        return None  # hoisting would build the op on paths that never built it
    if not isinstance(statement, _STATEMENTS):
        return None
    return WrapStatement(fact.node, statement, dependency, UNSAFE, _fresh_name(fact.scope, "train_op"), add_import)


def _fresh_name(scope: Scope, base: str) -> str:
    taken: Set[str] = set()
    current = scope
    while current is not None:
        taken.update(current.bindings)
        current = current.parent
    if base not in taken:
        return base
    number = 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def update_ops_expression(analyzer: Analyzer, fact: CallFact, prefix: str, keys) -> str:
    """The list a BNU001 wrap depends on: an existing unscoped update-ops variable of the same
    scope, else a fresh ``get_collection`` per collection the module's sites write to."""
    keys = sorted(keys) if keys else [tf_api.UPDATE_OPS]
    if keys == [tf_api.UPDATE_OPS]:
        reused = _bound_update_ops_variable(analyzer, fact)
        if reused is not None:
            return reused
    parts = []
    for key in keys:
        if key == tf_api.UPDATE_OPS:
            parts.append(f"{prefix}.get_collection({prefix}.GraphKeys.UPDATE_OPS)")
        else:
            parts.append(f"{prefix}.get_collection({key!r})")
    return " + ".join(parts)


def _bound_update_ops_variable(analyzer: Analyzer, fact: CallFact) -> Optional[str]:
    scope = fact.scope.function()
    best = None
    for name, bindings in scope.bindings.items():
        for binding in bindings:
            if binding.kind != "assign" or binding.seq > fact.seq or not isinstance(binding.value, cst.Call):
                continue
            call = binding.value
            if func_attr_name(call) in tf_api.COLLECTION_READERS and len(call.args) == 1:
                call_fact = analyzer.fact_of(call)
                key = analyzer.collection_key(call.args[0].value, call_fact) if call_fact is not None else None
                if key == tf_api.UPDATE_OPS:
                    if len(bindings) == 1 and (best is None or binding.seq > best[0]):
                        best = (binding.seq, name)
    return best[1] if best else None
