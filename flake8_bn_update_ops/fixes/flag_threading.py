"""Thread a training flag to a batch-norm site whose function has none (issue 25, item 2).

When no flag reaches the site's function (``planning.flag_expression`` finds nothing there),
the flag may still exist further up: a caller that has a flag parameter, a ``self`` flag, a
flag placeholder or the Estimator mode. The fix then adds a flag parameter to each function on
the path from the site up to that caller, passes it at each call on the path, and passes the
caller's own flag at the top. The new parameter's default is what the site does today, so every
call that the fix does not touch (an evaluation tower, another module, a callback) keeps its
behaviour. When no path reaches a flag, the site's own function creates one if it also runs the
train op; else each function at the top of a path that nothing in the project calls (an exported
builder) takes the flag as such a parameter, and a ``Note`` asks its callers to pass it, unless it
already has a parameter that reads as a flag (never a second flag). Unsafe: it changes signatures.

Before those, two program shapes give a flag where no function on the path has one or runs the
train op: a class-shaped graph (a class builds the graph in methods and runs the train op in
another: the flag is created on ``self``) and an Estimator's model function without ``mode`` (the
Estimator passes it once the function names it).
"""
from __future__ import annotations

import ast
import dataclasses
import os
from collections import Counter
from typing import Callable, List, Optional, Tuple

from .. import tf_api
from ..core.index import Scope, argument_node
from ..core.kinds import BindingKind, ScopeKind
from ..core.values import Function, options
from .planning import flag_expression, tf_spelling
from .plans import (UNSAFE, AddDictEntry, AddParameter, Combined, InModule, InsertBefore, InsertKeyword, Note,
                    ReplaceExpression)

# How many functions a flag is threaded through (the site's function included): builders two
# and three calls deep are the real-code shapes (issue 25). Measured at 6 instead, the fix
# offered for every BNU002/BNU003 of the real and wild trees and our snapshots is the same: the
# refusals left are a train op run through another module or a dynamic call, not depth; and each
# level adds a signature a reader must check, so the bound stays at 3.
MAX_THREAD_DEPTH = 3
DEFAULT_FLAG_NAME = "training"


def thread_flag(facts, scope: Scope, site_edit: Callable[[str], object],
                default: str, site=None) -> Tuple[Optional[Combined], str]:
    """A combined plan (the site's edit, given the flag's name, plus the threading), or None
    and the one-line reason there is none. ``site``: the call the edit is at (where a flag
    created in the site's own function must exist by)."""
    function = scope.function()
    if function is None or function.kind != ScopeKind.FUNCTION:
        return None, "the site is not inside a function a flag could be passed to"
    name = project_flag_name(facts)
    edits: List[object] = [site_edit(name)]
    reason = _thread(facts, function, name, default, edits, depth=1, done={})
    if reason:
        on_self = _thread_on_self(facts, function, name, site_edit, default)
        if on_self is not None:
            return on_self, ""
        # No path reaches a flag of the program. The site's own function may build and run the
        # training graph (a script's train()): the flag is created there. Else the functions at
        # the tops of the paths that nothing calls take it as a parameter (only when no flag is
        # reached: where one is, the other callers keep the default rather than grow a parameter).
        edits, refused = [site_edit(name)], []
        if site is not None and site.scope.function() is function and \
                _create_where_it_runs(facts, function, site, name, edits, {}):
            return Combined(tuple(edits), UNSAFE), ""
        if _thread(facts, function, name, default, edits, depth=1, done={_ENTRY_POINTS: refused}):
            return None, refused[0] if refused else reason
    return Combined(tuple(edits), UNSAFE), ""


# ``done``'s key that lets a plan create the flag on ``self`` (a class-shaped graph).
_ON_SELF = "on self"


def _thread_on_self(facts, function: Scope, name: str, site_edit, default: str) -> Optional[Combined]:
    """A class-shaped graph (issue 25): the graph is built by methods, its placeholders are
    ``self`` attributes (or locals of the building method), and another method of the class runs
    the train op (``sess.run(self.train_op, feed_dict=...)``). No function on the path has a flag
    and none runs the train op, so the flag is created on ``self``, where the class creates its
    other placeholders (else in the method on the path, just before its call down the path), and
    fed True in each of the class's runs of the train op. Tried only where threading without it
    found nothing, so every plan that threads today stays as it is."""
    done: dict = {_ON_SELF: True}
    edits: List[object] = []
    if _create_on_self(facts, function, None, name, edits, done):
        return Combined((site_edit(f"self.{name}"), *edits), UNSAFE)
    edits = [site_edit(name)]
    if _thread(facts, function, name, default, edits, depth=1, done=done):
        return None
    return Combined(tuple(edits), UNSAFE)


# The key of ``done`` that lets functions nothing calls be the tops of the paths (its value: the
# reasons any of them was refused).
_ENTRY_POINTS = "entry points"


def _thread(facts, function: Scope, name: str, default: str, edits: list, depth: int, done: dict) -> str:
    """Add ``name=default`` to ``function`` and pass a flag at its callers; '' on success.
    ``done``: the functions this plan threads already (their result), so a function called
    twice on the path gets one parameter and both calls pass it."""
    if id(function) in done:
        return done[id(function)]
    done[id(function)] = "the call path is recursive"
    reason = _thread_into(facts, function, name, default, edits, depth, done)
    done[id(function)] = reason
    return reason


def _thread_into(facts, function: Scope, name: str, default: str, edits: list, depth: int, done: dict) -> str:
    if function.param(name) is not None:
        return f"a function on the path already has a parameter `{name}` that is not a training flag"
    callers = facts.callers(function)
    if not callers:
        return _thread_across(facts, function, name, default, edits, depth, done)
    edits.append(AddParameter(facts.source.span(function.node), name, default, UNSAFE))
    reached = _pass_at_calls(facts, callers, name, default, edits, depth, done)
    if not reached:
        del edits[-1]               # no parameter either: nothing on this path has a flag
        return _NO_FLAG_ABOVE
    return ""


_NO_FLAG_ABOVE = (f"no caller within {MAX_THREAD_DEPTH} calls has a training flag (a parameter, a self attribute, "
                  "a placeholder or the Estimator mode) or runs the train op")


def _pass_at_calls(facts, callers, name: str, default: str, edits: list, depth: int, done: dict,
                   across: bool = True) -> bool:
    """Pass a flag at each of ``callers`` (calls in ``model``'s module) that can get one: the
    flag the caller has, one created where the caller runs the train op, or one threaded
    further up. The other calls keep the default. Whether any call got one."""
    reached = False
    for call in sorted(callers, key=lambda site: (site.node.lineno, site.node.col_offset)):
        flag = flag_expression(facts, call.scope)
        if flag is not None:
            edits.append(_pass(facts, call, name, flag[0]))
            reached = True
            continue
        caller = call.scope.function()
        if _create_where_it_runs(facts, caller, call, name, edits, done):
            edits.append(_pass(facts, call, name, name))
            reached = True
            continue
        mode = _mode_from_the_estimator(facts, caller, edits, done)
        if mode is not None:
            edits.append(_pass(facts, call, name, mode))
            reached = True
            continue
        if done.get(_ON_SELF) and _create_on_self(facts, caller, call, name, edits, done):
            edits.append(_pass(facts, call, name, f"self.{name}"))
            reached = True
            continue
        if depth >= MAX_THREAD_DEPTH or caller is None or caller.kind != ScopeKind.FUNCTION:
            continue                # this call keeps the default: its behaviour is unchanged
        further: list = []
        if caller.param(name) is None and (across or facts.callers(caller)) and \
                not _thread(facts, caller, name, default, further, depth + 1, done):
            edits.extend(further)
            edits.append(_pass(facts, call, name, name))
            reached = True
    return reached


def _thread_across(facts, function: Scope, name: str, default: str, edits: list, depth: int, done: dict) -> str:
    """The site's function is called only from other modules of the project (a builder in
    ``ops.py``, the graph in ``train.py``): thread the flag there, each importer's edits in one
    ``InModule`` part, so all the modules are written together or not at all. One hop: an
    importer's own functions are threaded within it, not into a third module."""
    reached = called = False
    parameter = AddParameter(facts.source.span(function.node), name, default, UNSAFE)
    for importer, digest in importer_facts(facts, function):
        callers = importer.callers(function)
        called = called or bool(callers)
        local: list = []
        if callers and _pass_at_calls(importer, callers, name, default, local, depth, done):
            # A further hop (the importer's builder called from a third module) is its own part;
            # what the fix asks of its reader belongs to the whole fix.
            edits.extend(part for part in local if type(part) is InModule)
            edits.extend(part if part.module else dataclasses.replace(part, module=_shown_path(importer.index.path))
                         for part in local if type(part) is Note)
            edits.append(InModule(importer.index.path, digest,
                                  tuple(part for part in local if type(part) not in (InModule, Note)), UNSAFE))
            reached = True
    if not called:
        if _ENTRY_POINTS not in done:
            return "the site's function is called nowhere in the project: there is no call to pass a flag at"
        refused = _entry_point(facts, function, name, default, edits)
        if refused:
            done[_ENTRY_POINTS].append(refused)
        return refused
    if not reached:
        return ("the site's function is called only from other modules, and none of them has a training flag "
                "or runs the train op to pass one from")
    edits.append(parameter)
    return ""


def _shown_path(path: str) -> str:
    """A module's path as the command shows paths: relative to the working folder."""
    try:
        return os.path.relpath(path)
    except ValueError:      # another drive
        return path


def _entry_point(facts, function: Scope, name: str, default: str, edits: list) -> str:
    """The top of the path is a function nothing in the project calls (a builder a library
    exports, one a notebook or a string-named dispatch calls): it gets the flag as a parameter
    whose default is what it does today, and a note asks its callers, outside the project's
    reach, to pass it. Refused, '' otherwise, when the function already has a parameter that
    reads as a flag (a second flag would ignore it) or sees a flag of the program that is no
    parameter (which flag it takes is its author's choice)."""
    shown = _qualified_name(function)
    seen = _flag_like_parameter(facts, function)
    if seen:
        return (f"the function `{shown}` at the top of the path is called nowhere in the project and has "
                f"`{seen}`, which reads as a training flag but is not one the fix knows (bn-training-names "
                "names it): no second flag is added")
    if _referenced(facts, function):
        return (f"the function `{shown}` at the top of the path is called nowhere in the project but is named "
                "without being called (a registry, a callback): whoever calls it may pass a flag the fix cannot "
                "see")
    seen = _flag_in_sight(facts, function)
    if seen:
        return (f"the function `{shown}` at the top of the path is called nowhere in the project and "
                f"sees `{seen}`, which is not a parameter or a fed placeholder: which flag it takes is its "
                "author's choice")
    edits.append(AddParameter(facts.source.span(function.node), name, default, UNSAFE))
    edits.append(Note(f"`{shown}` gets a parameter `{name}={default}` (what it does today) that nothing in "
                      f"the project passes: pass `{name}=True` where the training graph is built and "
                      f"`{name}=False` where it evaluates"))
    return ""


def _referenced(facts, function: Scope) -> bool:
    """The function is named, not called, in its module or a module that imports it
    (``NETWORKS = {"deep": zoo.build_deep}``, ``model_fn=build``): something calls it with
    arguments the analysis cannot see, such as a flag for a parameter named ``fit_mode``."""
    trees = [facts.index.tree]
    project = getattr(facts, "project", None)
    if project is not None:
        for index in project.importers_of(facts.index, function.name.encode()):
            trees.append(index.tree)
    return any(_names_without_calling(tree, function.name) for tree in trees)


def _names_without_calling(tree, name: str) -> bool:
    called = {id(node.func) for node in ast.walk(tree) if type(node) is ast.Call}
    return any(id(node) not in called and type(node.ctx) is ast.Load and
               ((type(node) is ast.Name and node.id == name) or (type(node) is ast.Attribute and node.attr == name))
               for node in ast.walk(tree) if type(node) in (ast.Name, ast.Attribute))


def _qualified_name(function: Scope) -> str:
    """``Class.method`` for a method, the function's name otherwise."""
    cls = function.enclosing_class()
    return f"{cls.name}.{function.name}" if cls is not None else function.name


def _flag_like_parameter(facts, function: Scope) -> str:
    """A parameter the checker would read as a training flag (``in_training_mode``, ``mode``)
    whose default, if any, could be a flag's (a bool or None, not ``train_steps=100``): '' if none."""
    for param in function.params:
        default = param.default
        if facts.is_flag_expression(ast.Name(id=param.name, ctx=ast.Load())) and \
                (default is None or (type(default) is ast.Constant and type(default.value) in (bool, type(None)))):
            return param.name
    return ""


# Bindings of a flag-named name that hold no flag: ``def train(...)``, ``import train``.
_NOT_A_FLAG = frozenset({BindingKind.DEF, BindingKind.CLASS, BindingKind.IMPORT})


def _flag_in_sight(facts, function: Scope) -> str:
    """A flag-named name the function reads from an enclosing scope without it being a
    parameter or a placeholder (a module constant ``is_training = True``, an enclosing
    function's name), or a flag-named attribute its class stores on ``self`` (two of them:
    ``flag_expression`` takes one alone): '' if none."""
    names = facts.flag_names()
    scope = function.parent
    while scope is not None:
        if scope.kind != ScopeKind.CLASS:
            for flag in names:
                if any(binding.kind not in _NOT_A_FLAG for binding in scope.bindings.get(flag, ())):
                    return flag
        scope = scope.parent
    cls = function.enclosing_class()
    if cls is not None:
        for flag in names:
            if any(type(store.base) is ast.Name and store.base.id == "self"
                   and store.statement.scope.enclosing_class() is cls
                   for store in facts.index.attribute_stores.get(flag, ())):
                return f"self.{flag}"
    return ""


def importer_facts(facts, function: Scope):
    """(facts, digest of its bytes) of each project module that imports the site's module and
    names ``function``: where its calls are. Their facts are built with the same resolver, so
    their calls resolve to the very scopes of this module."""
    project = getattr(facts, "project", None)
    if project is None or function.kind != ScopeKind.FUNCTION:
        return []
    from ..core.evaluate import Evaluator
    from ..core.facts.build import build_facts
    from ..core.facts.sites import SiteReader, wrapper_apis
    from ..core.source import SourceText
    from .other_modules import read_module_text

    # Each importer's facts are built once per check, not once per site the fix plans: a
    # builder module has many sites, and every finding's fix is planned while checking.
    built = facts.evaluator.importer_facts
    found = []
    # A module whose text imports no module of the project cannot call the function (its values
    # come from itself and from libraries): not even parsed (tf_keras's modules name its
    # optimizers through the library's own absolute imports).
    for index in project.importers_of(facts.index, function.name.encode(), wanted=project.text_may_import_project):
        if id(index) not in built:
            built[id(index)] = None
            read = read_module_text(index.path)
            if read is not None:
                text, digest = read
                try:
                    # Only an importer that calls the function can pass it a flag or judge its
                    # train op: asked of its calls (the arg_scopes installed first, as a build
                    # does) before its whole facts are built, which cost most of benchmark B's
                    # checks of tf_keras's optimizers, named by many modules that never call them.
                    source = SourceText(text)
                    probe = Evaluator(facts.resolver, index, source)
                    SiteReader(probe, wrapper_apis(facts.settings))
                    if probe.callers(function):
                        built[id(index)] = (build_facts(index, facts.resolver, facts.settings, source), digest)
                except RecursionError:
                    pass
        if built[id(index)] is not None:
            found.append(built[id(index)])
    return found


def _create_where_it_runs(facts, top: Scope, call, name: str, edits: list, done: dict) -> bool:
    """Where no flag exists at all but ``top`` (a function or the module) both builds this
    path and runs the train op: create the flag there once, as a placeholder that defaults to
    False (every run that does not feed it evaluates with the moving statistics), just before
    the first call on the path, and feed it True in each of ``top``'s runs of the train op."""
    key = ("created", id(top))
    if key in done:
        return done[key]
    done[key] = False
    runs = [run for run in top.calls if _runs_a_train_op(facts, run)]
    spelling = tf_spelling(facts)
    if not runs or spelling.add_import is not None or \
            any(run.node.lineno <= call.statement.node.lineno for run in runs) or name in top.bindings:
        return False
    edits.append(InsertBefore(
        facts.source.span(call.statement.node)[:2],
        f'{name} = {spelling.prefix}.placeholder_with_default(False, shape=(), name="{name}")', UNSAFE))
    edits.extend(_feed_true(facts, run, name) for run in runs)
    done[key] = True
    return True


def _mode_from_the_estimator(facts, function: Scope, edits: list, done: dict) -> Optional[str]:
    """``function`` is only an Estimator's model function, without a ``mode`` parameter (a
    contrib.learn ``model_fn(features, targets)``): the Estimator passes ``mode`` to a model
    function that names it, so the fix adds ``mode=None`` (None: a call the fix cannot see gets
    no training) and the flag is ``mode == <the Estimator's ModeKeys>.TRAIN``."""
    if function is None or function.kind != ScopeKind.FUNCTION or facts.callers(function):
        return None
    key = ("mode", id(function))
    if key in done:
        return done[key]
    done[key] = None
    spelling = tf_spelling(facts)
    keys = {_estimator_taking(facts, call, function) for call in facts.index.calls} - {None}
    if len(keys) != 1 or spelling.add_import is not None or tf_api.MODE_PARAMETER in function.bindings:
        return None
    edits.append(AddParameter(facts.source.span(function.node), tf_api.MODE_PARAMETER, "None", UNSAFE))
    done[key] = f"({tf_api.MODE_PARAMETER} == {spelling.prefix}.{keys.pop()}.{tf_api.ESTIMATOR_TRAIN_MODE})"
    return done[key]


def _estimator_taking(facts, call, function: Scope) -> Optional[str]:
    """Where the Estimator ``call`` names its modes, if it is given ``function`` as its model
    function (``model_fn=`` or first)."""
    keys = tf_api.ESTIMATOR_MODE_KEYS.get(facts.api_name(call) or "")
    given = argument_node(call.node, "model_fn", 0) if keys is not None else None
    if given is None:
        return None
    found = options(facts.resolver.value(given, facts.at(call)))
    return keys if any(type(option) is Function and option.scope is function for option in found) else None


def _create_on_self(facts, method: Scope, call, name: str, edits: list, done: dict) -> bool:
    """``self.<name>``, a placeholder that defaults to False, for ``method`` of a class whose
    methods (or its related classes' in this module) run the train op: created once per plan
    just before the first ``self.<x> = tf.placeholder(...)`` of an ``__init__`` that every
    instance of ``method``'s class runs (the class's or a base's), else, when ``call`` is the
    call down the path and ``method`` is called at most once, just before ``call``; fed True in
    each of those runs. False where the class has no such run, already stores ``self.<name>``,
    or the flag could be created after the path is built."""
    cls = method.enclosing_class() if method is not None and method.kind == ScopeKind.FUNCTION else None
    if cls is None or cls is not method.parent or not method.params or method.params[0].name != "self":
        return False
    family = _class_family(facts, cls)
    key = ("on self", min(id(member) for member in family))
    if key in done:
        return done[key]
    done[key] = False
    runs = [run for run in facts.index.calls if _runs_a_train_op(facts, run) and _method_of(run.scope, family)]
    spelling = tf_spelling(facts)
    if not runs or spelling.add_import is not None or any(
            type(store.base) is ast.Name and store.base.id == "self" and _method_of(store.statement.scope, family)
            for store in facts.index.attribute_stores.get(name, ())):
        return False
    before = _beside_the_placeholders(facts, method, call, _ancestors(facts, cls))
    if before is None and call is not None and call.scope is method and len(facts.callers(method)) <= 1:
        before = call.statement.node
    if before is None:
        return False
    attribute = f"self.{name}"
    edits.append(InsertBefore(
        facts.source.span(before)[:2],
        f'{attribute} = {spelling.prefix}.placeholder_with_default(False, shape=(), name="{name}")', UNSAFE))
    edits.extend(_feed_true(facts, run, attribute) for run in runs)
    done[key] = True
    return True


def _beside_the_placeholders(facts, method: Scope, call, ancestors) -> Optional[ast.stmt]:
    """The first ``self.<x> = <placeholder>`` statement, outside any branch or loop, of the
    ``__init__`` of ``ancestors`` (the method's class first) nearest the class, unless the path
    may be built before it (the flag must exist then): ``method`` called there before it, or
    ``method`` that ``__init__`` itself with the site (``call`` None) or the call before it."""
    for cls in ancestors:
        init = next((scope for scope in cls.children if scope.kind == ScopeKind.FUNCTION and
                     scope.name == "__init__"), None)
        if init is None:
            continue
        stores = [store for stores in facts.index.attribute_stores.values() for store in stores
                  if store.statement.scope is init and type(store.base) is ast.Name and store.base.id == "self"
                  and not store.statement.path and _is_placeholder_call(facts, store.value)]
        if not stores:
            continue
        first = min((store.statement for store in stores), key=lambda statement: statement.seq)
        if init is method and (call is None or call.statement.seq <= first.seq):
            return None
        if any(caller.scope is init and caller.statement.seq <= first.seq for caller in facts.callers(method)):
            return None
        return first.node
    return None


def _is_placeholder_call(facts, node) -> bool:
    call = facts.index.call_site(node) if type(node) is ast.Call else None
    return call is not None and facts.api_name(call) in tf_api.FLAG_PLACEHOLDERS


def _class_family(facts, cls: Scope) -> List[Scope]:
    """``cls`` and the module's classes related to it by inheritance (bases named in the module)."""
    classes = [scope for scope in facts.index.scopes if scope.kind == ScopeKind.CLASS]
    family, frontier = [cls], [cls]
    while frontier:
        current = frontier.pop()
        for other in classes:
            if other not in family and (other in _bases(facts, current) or current in _bases(facts, other)):
                family.append(other)
                frontier.append(other)
    return family


def _ancestors(facts, cls: Scope) -> List[Scope]:
    """``cls`` and its bases defined in this module, nearest first."""
    found, frontier = [cls], [cls]
    while frontier:
        for base in _bases(facts, frontier.pop(0)):
            if base not in found:
                found.append(base)
                frontier.append(base)
    return found


def _bases(facts, cls: Scope) -> List[Scope]:
    module = facts.index.module_scope
    found = []
    for base in cls.node.bases:
        if type(base) is ast.Name:
            found.extend(scope for scope in module.children if scope.kind == ScopeKind.CLASS and
                         scope.name == base.id)
    return found


def _method_of(scope: Scope, family) -> bool:
    """Whether ``scope`` is (in) a method, with ``self`` first, of one of ``family``."""
    while scope is not None and scope.kind != ScopeKind.MODULE:
        if scope.kind == ScopeKind.FUNCTION and scope.parent is not None and scope.parent in family:
            return bool(scope.params) and scope.params[0].name == "self"
        scope = scope.parent
    return False


def _runs_a_train_op(facts, call) -> bool:
    func = call.node.func
    if type(func) is not ast.Attribute or func.attr not in tf_api.RUN_METHODS:
        return False
    fetch = argument_node(call.node, tf_api.FETCH_KEYWORD, 0)
    return fetch is not None and bool(facts.evaluator.train_ops_in(facts.resolver.value(fetch, facts.at(call))))


def _feed_true(facts, run, name: str):
    """``training: True`` in a run's feed: into its dict literal, around any other feed value,
    or as a new ``feed_dict``."""
    feed = argument_node(run.node, tf_api.FEED_KEYWORD, 1)
    if feed is None:
        return InsertKeyword(facts.source.span(run.node), tf_api.FEED_KEYWORD, f"{{{name}: True}}", UNSAFE,
                             run.statement.node.lineno)
    if type(feed) is ast.Dict:
        return AddDictEntry(facts.source.span(feed), name, "True", UNSAFE)
    return ReplaceExpression(facts.source.span(feed), f"{{**{facts.source.segment(feed)}, {name}: True}}", UNSAFE)


def _pass(facts, call, name: str, value: str) -> InsertKeyword:
    return InsertKeyword(facts.source.span(call.node), name, value, UNSAFE, call.statement.node.lineno)


def project_flag_name(facts) -> str:
    """The flag name this module's own functions use most (``is_training``, ``phase_train``...),
    else ``training``."""
    names = facts.flag_names()
    used = Counter(param.name for scope in facts.index.scopes if scope.kind == ScopeKind.FUNCTION
                   for param in scope.params if param.name in names)
    return used.most_common(1)[0][0] if used else DEFAULT_FLAG_NAME


def constant_to_placeholder(facts, name_node) -> Tuple[Optional[Combined], str]:
    """A flag read from a module-level constant (``training = True`` above the graph, in a
    script that builds and trains at the top): the constant becomes a placeholder that defaults
    to False (every run that does not feed it evaluates with the moving statistics) and each
    run of the train op feeds it True. None and why, when the name is not one such constant or
    no run of the train op can be fed."""
    if type(name_node) is not ast.Name:
        return None, "the site is not inside a function a flag could be passed to"
    name = name_node.id
    bindings = facts.index.module_scope.bindings.get(name, ())
    if len(bindings) != 1 or bindings[0].kind != BindingKind.ASSIGN or bindings[0].unpack or \
            type(bindings[0].value) is not ast.Constant or type(bindings[0].value.value) is not bool:
        return None, "the site is not inside a function a flag could be passed to"
    spelling = tf_spelling(facts)
    runs = [call for call in facts.index.calls if _runs_a_train_op(facts, call)]
    if spelling.add_import is not None or not runs:
        return None, f"the flag is the module constant `{name}`, and this module runs no train op to feed a " \
            "placeholder in"
    if any(_shadows(run.scope, name) for run in runs):
        return None, f"a run of the train op sees another `{name}` than the module constant"
    edits: List[object] = [ReplaceExpression(
        facts.source.span(bindings[0].value),
        f'{spelling.prefix}.placeholder_with_default(False, shape=(), name="{name}")', UNSAFE)]
    edits.extend(_feed_true(facts, run, name) for run in runs)
    return Combined(tuple(edits), UNSAFE), ""


def _shadows(scope: Scope, name: str) -> bool:
    while scope is not None and scope.kind != ScopeKind.MODULE:
        if name in scope.bindings and name not in scope.globals:
            return True
        scope = scope.parent
    return False
