"""What a fix needs to know about the module, read from the ``ast`` model: its TensorFlow
spelling, the training-flag parameter in scope, and where a train-op statement can be wrapped."""
from __future__ import annotations

import ast
import weakref
from typing import Optional, Set, Tuple

from .. import tf_api
from ..core.index import BOOLOP, COMP, IFEXP, LAMBDA, CallSite, Scope, contexts
from ..core.kinds import BindingKind, ScopeKind
from ..core.values import CollectionRead, options
from .plans import SAFE, UNSAFE, WrapStatement

_WRAPPABLE = (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)
_NO_HOIST_THROUGH = (LAMBDA, COMP, IFEXP, BOOLOP)


class TfSpelling:
    __slots__ = ("prefix", "add_import")

    def __init__(self, prefix: str, add_import: Optional[Tuple[str, str]]):
        self.prefix = prefix                # "tf", "tf.compat.v1", "tf1", "v1"...
        self.add_import = add_import        # ("tensorflow.compat.v1", "tf") when none is bound


_SPELLINGS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def tf_spelling(facts) -> TfSpelling:
    """The module's spelling, worked out once per module's facts (every fixable finding asks,
    and the answer reads every call of the module)."""
    spelling = _SPELLINGS.get(facts)
    if spelling is None:
        spelling = _SPELLINGS[facts] = _tf_spelling(facts)
    return spelling


def _tf_spelling(facts) -> TfSpelling:
    """RULES (BNU001 fix): the ``tensorflow.compat.v1`` alias if bound; else the ``tensorflow``
    alias, with ``.compat.v1`` when the module reaches TF1 APIs through it; else add an import.
    Matching folds the two APIs together; writing does not (TF2 has no ``tf.get_collection``)."""
    scope = facts.index.module_scope
    compat_alias = tensorflow_alias = None
    mentions_compat = False
    for name, bindings in scope.bindings.items():
        for binding in bindings:
            if binding.kind != BindingKind.IMPORT or binding.level:
                continue
            imported = binding.imported or ""
            if tf_api.TF1_PATH in imported:
                mentions_compat = True
            if imported == tf_api.TF1_MODULE and compat_alias is None:
                compat_alias = name
            elif imported == tf_api.TF_MODULE and not binding.from_import and tensorflow_alias is None:
                tensorflow_alias = name
    if compat_alias is None and tensorflow_alias is not None:
        compat_alias = _assigned_compat_alias(facts, tensorflow_alias)
    if compat_alias is not None:
        return TfSpelling(compat_alias, None)
    if tensorflow_alias is not None:
        through_compat = f"{tensorflow_alias}.{tf_api.TF1_PATH}"
        if any(_dotted(call.node.func).startswith(through_compat + ".") for call in facts.index.calls):
            return TfSpelling(through_compat, None)
        return TfSpelling(tensorflow_alias, None)
    first, other = tf_api.IMPORT_ALIASES
    alias = first if not _bound_anywhere(facts, first) else other
    module = tf_api.TF1_MODULE if mentions_compat else tf_api.TF_MODULE
    return TfSpelling(alias, (module, alias))


def _assigned_compat_alias(facts, tensorflow_alias: str) -> Optional[str]:
    """``v1 = tf.compat.v1`` at module level (canonical names fold compat.v1 away, so read the
    spelling itself)."""
    for name, bindings in facts.index.module_scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == BindingKind.ASSIGN and not bindings[0].unpack and \
                _dotted(bindings[0].value) == f"{tensorflow_alias}.{tf_api.TF1_PATH}":
            return name
    return None


def _bound_anywhere(facts, name: str) -> bool:
    return any(name in scope.bindings for scope in facts.index.scopes)


def _dotted(node) -> str:
    if type(node) is ast.Name:
        return node.id
    if type(node) is ast.Attribute:
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def flag_parameter(facts, scope: Scope) -> Optional[Tuple[str, str]]:
    """The enclosing function's single training-flag parameter and the fix's safety."""
    function = scope.function()
    names = facts.flag_names()
    while function is not None and function.kind == ScopeKind.LAMBDA and not _flag_params(function, names):
        function = function.parent.function() if function.parent is not None else None
    if function is None or function.kind != ScopeKind.FUNCTION:
        return None
    found = _flag_params(function, names)
    if len(found) != 1:
        return None
    name = found[0]
    return name, SAFE if name in tf_api.SAFE_FLAG_NAMES else UNSAFE


def _flag_params(function: Scope, names) -> list:
    return [param.name for param in function.params if param.name in names]


def flag_expression(facts, scope: Scope) -> Optional[Tuple[str, str]]:
    """The training flag the program already has in ``scope``, and the fix's safety (issue 25):
    the enclosing function's flag parameter (RULES.md's BNU003 fix); else a ``self`` attribute
    that the method's class stores under a flag name (``self.is_training = is_training``); else
    one flag placeholder bound in an enclosing scope or the module (``is_training =
    tf.placeholder(tf.bool)``); else the Estimator mode of an enclosing ``model_fn``. Only a
    parameter named ``training``/``is_training`` is safe: the others are the program's flag by
    name or by the way it is built, which a reader should check."""
    parameter = flag_parameter(facts, scope)
    if parameter is not None:
        return parameter
    names = facts.flag_names()
    attribute = _flag_attribute(facts, scope, names)
    if attribute is not None:
        return f"self.{attribute}", UNSAFE
    placeholder = _flag_placeholder(facts, scope, names)
    if placeholder is not None:
        return placeholder, UNSAFE
    if mode_parameter(scope):
        spelling = tf_spelling(facts)
        if spelling.add_import is None:
            return f"({tf_api.MODE_PARAMETER} == {spelling.prefix}.estimator.ModeKeys.TRAIN)", UNSAFE
    return None


def _flag_attribute(facts, scope: Scope, names) -> Optional[str]:
    """The one flag-named attribute a method's class stores on ``self`` (in this module)."""
    function = scope.function()
    if function is None or function.kind != ScopeKind.FUNCTION or not function.params or \
            function.params[0].name != "self":
        return None
    cls = function.enclosing_class()
    if cls is None:
        return None
    found = {name for name in names for store in facts.index.attribute_stores.get(name, ())
             if type(store.base) is ast.Name and store.base.id == "self"
             and store.statement.scope.enclosing_class() is cls}
    return found.pop() if len(found) == 1 else None


def _flag_placeholder(facts, scope: Scope, names) -> Optional[str]:
    """The one flag-named name, in an enclosing scope, whose only binding is a placeholder
    (``placeholder``/``placeholder_with_default``: a training run feeds it)."""
    found = []
    while scope is not None:
        if scope.kind != ScopeKind.CLASS:
            for name in names:
                bindings = scope.bindings.get(name, ())
                if bindings and name not in found and all(_is_placeholder(facts, binding) for binding in bindings):
                    found.append(name)
        scope = scope.parent
    return found[0] if len(found) == 1 else None


def _is_placeholder(facts, binding) -> bool:
    if binding.kind != BindingKind.ASSIGN or binding.unpack or type(binding.value) is not ast.Call:
        return False
    call = facts.index.call_site(binding.value)
    return call is not None and facts.api_name(call) in tf_api.FLAG_PLACEHOLDERS


def mode_parameter(scope: Scope) -> bool:
    """A ``mode`` parameter of the enclosing function or of a function it is nested in (a
    block defined inside ``model_fn``)."""
    function = scope.function()
    while function is not None and function.kind in (ScopeKind.FUNCTION, ScopeKind.LAMBDA):
        if function.kind == ScopeKind.FUNCTION and function.param(tf_api.MODE_PARAMETER) is not None:
            return True
        function = function.parent.function() if function.parent is not None else None
    return False


def plan_wrap(facts, call: CallSite, dependency: str, add_import, replace=None,
              replace_text=None) -> Optional[WrapStatement]:
    """A WrapStatement for the train-op call, or None where no fix is offered."""
    statement = call.statement.node if call.statement is not None else None
    if not isinstance(statement, _WRAPPABLE):
        return None     # the call sits in a with/if/for header, a decorator, an augmented assignment...
    source = facts.source
    if getattr(statement, "value", None) is call.node:
        return WrapStatement(source.span(call.node), source.span(statement), dependency, SAFE, None, add_import,
                             replace, replace_text)
    for entry in contexts(call.context):
        if entry is call.statement.context:
            break
        if entry.kind in _NO_HOIST_THROUGH:
            return None     # hoisting would build the op on paths that never built it
    return WrapStatement(source.span(call.node), source.span(statement), dependency, UNSAFE,
                         fresh_name(call.scope, "train_op"), add_import, replace, replace_text)


def fresh_name(scope: Scope, base: str) -> str:
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


def update_ops_expression(facts, call: CallSite, prefix: str, keys) -> str:
    """The list a BNU001 wrap depends on: an existing unscoped update-ops variable of the same
    scope, else a fresh ``get_collection`` per collection the module's sites write to."""
    keys = sorted(key for key in keys if key != tf_api.ANY_UPDATES) if keys else []
    keys = keys or [tf_api.UPDATE_OPS]
    if keys == [tf_api.UPDATE_OPS]:
        reused = _bound_update_ops_variable(facts, call)
        if reused is not None:
            return reused
    parts = []
    for key in keys:
        if key == tf_api.UPDATE_OPS:
            parts.append(f"{prefix}.get_collection({prefix}.GraphKeys.UPDATE_OPS)")
        else:
            parts.append(f"{prefix}.get_collection({key!r})")
    return " + ".join(parts)


def _bound_update_ops_variable(facts, call: CallSite) -> Optional[str]:
    from ..core.resolver import At

    scope = call.scope.function()
    best = None
    for name, bindings in scope.bindings.items():
        if len(bindings) != 1:
            continue
        binding = bindings[0]
        if binding.kind != BindingKind.ASSIGN or binding.unpack or binding.seq > call.statement.seq:
            continue
        value = binding.value
        if type(value) is not ast.Call or len(value.args) != 1 or value.keywords:
            continue
        found = facts.resolver.value(value, At(binding.scope, binding.statement))
        if all(type(option) is CollectionRead and option.key == tf_api.UPDATE_OPS for option in options(found)):
            if name in facts.index.mutations:
                continue
            if best is None or binding.seq > best[0]:
                best = (binding.seq, name)
    return best[1] if best else None
