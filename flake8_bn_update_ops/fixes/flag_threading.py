"""Thread a training flag to a batch-norm site whose function has none (issue 25, item 2).

When no flag reaches the site's function (``planning.flag_expression`` finds nothing there),
the flag may still exist further up: a caller that has a flag parameter, a ``self`` flag, a
flag placeholder or the Estimator mode. The fix then adds a flag parameter to each function on
the path from the site up to that caller, passes it at each call on the path, and passes the
caller's own flag at the top. The new parameter's default is what the site does today, so every
call that the fix does not touch (an evaluation tower, another module, a callback) keeps its
behaviour. Unsafe: it changes signatures.
"""
from __future__ import annotations

import ast
from collections import Counter
from typing import Callable, List, Optional, Tuple

from .. import tf_api
from ..core.index import Scope, argument_node
from .planning import flag_expression, tf_spelling
from .plans import UNSAFE, AddDictEntry, AddParameter, Combined, InsertBefore, InsertKeyword, ReplaceExpression

# How many functions a flag is threaded through (the site's function included): builders two
# and three calls deep are the real-code shapes (issue 25).
MAX_THREAD_DEPTH = 3
DEFAULT_FLAG_NAME = "training"


def thread_flag(model, scope: Scope, site_edit: Callable[[str], object],
                default: str) -> Tuple[Optional[Combined], str]:
    """A combined plan (the site's edit, given the flag's name, plus the threading), or None
    and the one-line reason there is none."""
    function = scope.function()
    if function is None or function.kind != "function":
        return None, "the site is not inside a function a flag could be passed to"
    name = project_flag_name(model)
    edits: List[object] = [site_edit(name)]
    reason = _thread(model, function, name, default, edits, depth=1, done={})
    if reason:
        return None, reason
    return Combined(tuple(edits), UNSAFE), ""


def _thread(model, function: Scope, name: str, default: str, edits: list, depth: int, done: dict) -> str:
    """Add ``name=default`` to ``function`` and pass a flag at its callers; '' on success.
    ``done``: the functions this plan threads already (their result), so a function called
    twice on the path gets one parameter and both calls pass it."""
    if id(function) in done:
        return done[id(function)]
    done[id(function)] = "the call path is recursive"
    reason = _thread_into(model, function, name, default, edits, depth, done)
    done[id(function)] = reason
    return reason


def _thread_into(model, function: Scope, name: str, default: str, edits: list, depth: int, done: dict) -> str:
    if function.param(name) is not None:
        return f"a function on the path already has a parameter `{name}` that is not a training flag"
    callers = model.callers(function)
    if not callers:
        return "the site's function is called only from other modules (or not at all): the flag is not " \
            "threaded across modules"
    edits.append(AddParameter(model.source.span(function.node), name, default, UNSAFE))
    reached = False
    for call in sorted(callers, key=lambda site: (site.node.lineno, site.node.col_offset)):
        flag = flag_expression(model, call.scope)
        if flag is not None:
            edits.append(_pass(model, call, name, flag[0]))
            reached = True
            continue
        caller = call.scope.function()
        if _create_where_it_runs(model, caller, call, name, edits, done):
            edits.append(_pass(model, call, name, name))
            reached = True
            continue
        if depth >= MAX_THREAD_DEPTH or caller is None or caller.kind != "function":
            continue                # this call keeps the default: its behaviour is unchanged
        further: list = []
        if not _thread(model, caller, name, default, further, depth + 1, done):
            edits.extend(further)
            edits.append(_pass(model, call, name, name))
            reached = True
    if not reached:
        del edits[-1]               # no parameter either: nothing on this path has a flag
        return (f"no caller within {MAX_THREAD_DEPTH} calls has a training flag (a parameter, a self attribute, "
                "a placeholder or the Estimator mode) or runs the train op")
    return ""


def _create_where_it_runs(model, top: Scope, call, name: str, edits: list, done: dict) -> bool:
    """Where no flag exists at all but ``top`` (a function or the module) both builds this
    path and runs the train op: create the flag there once, as a placeholder that defaults to
    False (every run that does not feed it evaluates with the moving statistics), just before
    the first call on the path, and feed it True in each of ``top``'s runs of the train op."""
    key = ("created", id(top))
    if key in done:
        return done[key]
    done[key] = False
    runs = [run for run in top.calls if _runs_a_train_op(model, run)]
    spelling = tf_spelling(model)
    if not runs or spelling.add_import is not None or \
            any(run.node.lineno <= call.statement.node.lineno for run in runs) or name in top.bindings:
        return False
    edits.append(InsertBefore(
        model.source.span(call.statement.node)[:2],
        f'{name} = {spelling.prefix}.placeholder_with_default(False, shape=(), name="{name}")', UNSAFE))
    edits.extend(_feed_true(model, run, name) for run in runs)
    done[key] = True
    return True


def _runs_a_train_op(model, call) -> bool:
    func = call.node.func
    if type(func) is not ast.Attribute or func.attr not in tf_api.RUN_METHODS:
        return False
    fetch = argument_node(call.node, tf_api.FETCH_KEYWORD, 0)
    return fetch is not None and bool(model.evaluator.train_ops_in(model.resolver.value(fetch, model.at(call))))


def _feed_true(model, run, name: str):
    """``training: True`` in a run's feed: into its dict literal, around any other feed value,
    or as a new ``feed_dict``."""
    feed = argument_node(run.node, tf_api.FEED_KEYWORD, 1)
    if feed is None:
        return InsertKeyword(model.source.span(run.node), tf_api.FEED_KEYWORD, f"{{{name}: True}}", UNSAFE,
                             run.statement.node.lineno)
    if type(feed) is ast.Dict:
        return AddDictEntry(model.source.span(feed), name, "True", UNSAFE)
    return ReplaceExpression(model.source.span(feed), f"{{**{model.source.segment(feed)}, {name}: True}}", UNSAFE)


def _pass(model, call, name: str, value: str) -> InsertKeyword:
    return InsertKeyword(model.source.span(call.node), name, value, UNSAFE, call.statement.node.lineno)


def project_flag_name(model) -> str:
    """The flag name this module's own functions use most (``is_training``, ``phase_train``...),
    else ``training``."""
    names = model.flag_names()
    used = Counter(param.name for scope in model.index.scopes if scope.kind == "function"
                   for param in scope.params if param.name in names)
    return used.most_common(1)[0][0] if used else DEFAULT_FLAG_NAME
