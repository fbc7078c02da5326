"""BNU004: the update-ops list is read before the batch-norm layers exist.

``get_collection`` returns a copy (measured: read early, the list is empty and nothing
updates). ``get_collection_ref`` is live, but ``control_dependencies(L)`` and ``tf.group(*L)``
read ``L`` when they run, so layers built after that consuming call are missed even with
``_ref`` (measured: moving_mean stays 0.0; read early and consumed after the layers, 0.30).
"""
from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Tuple

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.index import ARG
from ..core.kinds import ScopeKind
from ..fixes.plans import SAFE, MoveStatement, RenameAttribute
from .base import Report, Rule
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    if facts.all_literal_true():
        return
    builds = _builds(facts)
    if not builds:
        return
    # A read outside the train op's ``as_default()`` block is reported as that form (its fix
    # moves the read; ``get_collection_ref`` there would still read the default graph).
    outside = list(_outside_graph(facts, builds))
    outside_reads = {id(report.node) for report in outside}
    # Every (train op, consuming call) that relies on a read, with the layers built too late
    # for it: one finding per read, and a fix only if it cures every one of them.
    late_by_read: Dict[int, Tuple[object, List[tuple]]] = {}
    for op in facts.train_ops:
        function = op.call.scope.function()
        for read, consumer in facts.handling(op).reads:
            if read.at is None or read.at.scope.function() is not function or id(read.node) in outside_reads:
                continue
            read_seq = read.at.seq
            consumer_seq = consumer.statement.seq if consumer is not None else None
            frozen_at = consumer_seq if read.live and consumer_seq is not None else read_seq
            late = [seq for call_function, seq in builds if call_function is function
                    and frozen_at < seq < op.call.statement.seq]
            entry = late_by_read.setdefault(id(read.node), (read, []))
            if late:
                entry[1].append((consumer_seq, late))
    for read, problems in late_by_read.values():
        if not problems:
            continue
        yield Report(read.node, "BNU004",
                     f"BNU004 `{_reader(read)}(UPDATE_OPS)` is read before the batch-norm layers exist: "
                     "the list misses their update ops, so the moving statistics never update",
                     _fix(facts, read, problems))
    yield from outside


def _builds(facts: ModuleFacts) -> List[tuple]:
    """(function scope, statement seq) of every place in this module that builds batch norm
    whose updates go to a collection: sites, and calls that reach such sites."""
    builds = []
    for site in facts.sites:
        if site.writes_update_ops:
            builds.append((site.call.scope.function(), site.call.statement.seq))
    for call in facts.index.calls:
        reached = facts.calls_reaching.get(id(call.node), ())
        if any(item.site.writes_update_ops for item in reached):
            builds.append((call.scope.function(), call.statement.seq))
    return builds


def _reader(read) -> str:
    return tf_api.LIVE_COLLECTION_READER if read.live else tf_api.COLLECTION_READER


def _fix(facts: ModuleFacts, read, problems):
    """``get_collection`` -> ``get_collection_ref`` only when, for every consumer, the late
    layers come before that consuming call, and the list is never mutated (mutating a _ref
    list writes into the graph's own collection)."""
    if read.live:
        return None
    for consumer_seq, late in problems:
        if consumer_seq is None or any(seq > consumer_seq for seq in late):
            return None
    func = read.node.func
    if type(func) is not ast.Attribute:
        return None
    site = facts.index.call_site(read.node)
    if site is None:
        return None
    statement = site.statement.node
    if type(statement) is ast.Assign and statement.value is read.node:
        names = [target.id for target in statement.targets if type(target) is ast.Name]
        if any(name in facts.index.mutations for name in names):
            return None
    elif not _is_direct_argument(site, read.node):
        return None
    return RenameAttribute(facts.source.span(func), tf_api.LIVE_COLLECTION_READER, SAFE)


def _is_direct_argument(site, node) -> bool:
    """The read is itself an argument of a call (``control_dependencies(get_collection(...))``)."""
    context = site.context
    return context is not None and context.kind == ARG and any(arg is node for arg in context.node.args)


def _outside_graph(facts: ModuleFacts, builds: List[tuple]) -> Iterable[Report]:
    """A read outside the ``with G.as_default():`` block that builds the train op (lexically, or
    through every call of the function that builds it) reads the default graph's collection,
    which never holds the layers' update ops (measured)."""
    uses: Dict[int, List[tuple]] = {}      # id(read node) -> (train op, consuming call) of every use
    for op in facts.train_ops:
        for read, consumer in facts.handling(op).reads:
            uses.setdefault(id(read.node), []).append((op, consumer))
    reported = set()
    for op in facts.train_ops:
        if not facts.required_collections(op):
            continue
        for read, _ in facts.handling(op).reads:
            if id(read.node) in reported or not facts.evaluator.read_in_other_graph(op, read):
                continue
            reported.add(id(read.node))
            # The train ops the move concerns: those built in the other graph, and any built in
            # the read's own function (a run call that fetches the list makes every train op the
            # module builds count on it; those elsewhere are no reason to keep it where it is).
            concerned = [(other, consumer) for other, consumer in uses[id(read.node)]
                         if other.call.scope.function() is read.at.scope.function()
                         or facts.evaluator.read_in_other_graph(other, read)]
            plan, reason = _move_into_graph(facts, read, concerned, builds)
            yield Report(read.node, "BNU004",
                         f"BNU004 `{_reader(read)}(UPDATE_OPS)` is read outside the `with <graph>.as_default():` "
                         "block that builds the batch-norm layers: it reads the default graph's collection, "
                         "which never holds their update ops", plan, reason)


def _move_into_graph(facts: ModuleFacts, read, uses: List[tuple], builds: List[tuple]):
    """(MoveStatement, None) that moves ``name = get_collection(UPDATE_OPS)`` into the train op's
    ``with G.as_default():`` block, just before the first statement that uses the name; or
    (None, why not). Only where the move changes nothing but the graph read: the name is bound
    there alone and every use of it comes after the new place, inside the block and in this
    scope (none in a nested function); the read's own names mean the same there; no loop
    is entered on the way; and every batch-norm layer the train ops need is built before
    the list is frozen at its new place."""
    site = facts.index.call_site(read.node)
    statement = site.statement.node if site is not None else None
    if type(statement) is not ast.Assign or statement.value is not read.node or len(statement.targets) != 1 \
            or type(statement.targets[0]) is not ast.Name:
        return None, "the read is not a statement of its own (`update_ops = get_collection(...)`) to move"
    name = statement.targets[0].id
    scope = site.scope
    if scope.kind not in (ScopeKind.FUNCTION, ScopeKind.MODULE) or len(scope.bindings.get(name, ())) != 1:
        return None, f"`{name}` is bound more than once"
    tree = _statement_tree(scope.node)
    siblings, index, _ = tree[id(statement)]
    if any(other is not statement and other.end_lineno >= statement.lineno and other.lineno <= statement.end_lineno
           for other in siblings[max(index - 1, 0):index + 2]):
        return None, "the read shares its line with another statement"
    graphs = None       # the graphs (by spelling) every train op that uses the read is built in
    for op, _ in uses:
        found = facts.evaluator.graphs_of(op.call)
        graphs = found if graphs is None else graphs & found
    if not graphs:
        return None, "the train ops that use the list are not all built in one graph"
    loads, nested = _loads(scope.node, name)
    if nested:
        return None, f"`{name}` is used in a nested function, which may run before the block"
    if not loads:
        return None, f"`{name}` is never used"
    if min((node.lineno, node.col_offset) for node in loads) > (statement.end_lineno, statement.end_col_offset):
        # The textbook form: the graph is built in a ``with`` block above and the list read
        # after it, to be fetched later: the read moves to the end of that block.
        block = _graph_block_before(facts, tree, statement, uses, graphs)
        if block is not None:
            last = block.body[-1]
            return MoveStatement(facts.source.span(statement),
                                 (last.lineno, facts.source.column(last.lineno, last.col_offset)), True, SAFE), None
    target = _first_block_statement(tree, loads)
    if target is None:
        return None, f"`{name}` is also used after the `with <graph>.as_default():` block or in another branch"
    if _graph_of(target) in graphs:
        return None, f"`{name}` is also used after the `with <graph>.as_default():` block"
    graph_block, between = _graph_block_around(tree, target, graphs)
    if graph_block is None:
        return None, f"the first use of `{name}` is not inside a `with <graph>.as_default():` block"
    if between:
        return None, (f"the first use of `{name}` is inside a {between} in the block: moved there, the read "
                      "would run on every pass")
    if statement.lineno > graph_block.lineno:
        return None, "the read comes after the `with <graph>.as_default():` block"
    target_record = facts.index.statement_of_node.get(id(target)) or next(
        (call.statement for call in scope.calls if call.statement.node is target), None)
    if target_record is None:
        return None, f"the statement that first uses `{name}` builds nothing the analysis placed"
    for op, consumer in uses:
        op_statement = op.call.statement
        if op.call.scope is not scope or not graph_block.lineno < op_statement.node.lineno <= graph_block.end_lineno:
            return None, "a train op that uses the list is built outside the `with <graph>.as_default():` block"
        for node in ast.walk(read.node):
            if type(node) is ast.Name and not facts.evaluator.same_binding(node.id, site, op.call):
                return None, f"`{node.id}` in the read is bound again before the train op"
        frozen_at = consumer.statement.seq if read.live and consumer is not None else target_record.seq
        function = op.call.scope.function()
        if any(build_function is function and frozen_at <= seq < op_statement.seq for build_function, seq in builds):
            return None, "batch-norm layers are built after the first use of the list, too late for it"
    to = (target.lineno, facts.source.column(target.lineno, target.col_offset))
    return MoveStatement(facts.source.span(statement), to, False, SAFE), None


_BODIES = ("body", "orelse", "finalbody")
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _statement_tree(root) -> Dict[int, tuple]:
    """id(statement) -> (its statement list, its index there, the statement that holds the list)
    for every statement of the scope ``root`` (a function or the module), nested functions and
    classes excluded."""
    found: Dict[int, tuple] = {}
    pending = [(root.body, None)]
    while pending:
        body, parent = pending.pop()
        for index, statement in enumerate(body):
            found[id(statement)] = (body, index, parent)
            if isinstance(statement, _NESTED_SCOPES):
                continue
            for field in _BODIES:
                inner = getattr(statement, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    pending.append((inner, statement))
            for part in list(getattr(statement, "handlers", ()) or ()) + list(getattr(statement, "cases", ()) or ()):
                pending.append((part.body, statement))
    return found


def _loads(root, name: str) -> Tuple[List[ast.Name], bool]:
    """Every read of ``name`` in the scope ``root`` (its statements, not its own parameters'
    defaults or decorators), and whether one sits in a nested function, lambda or class."""
    loads: List[ast.Name] = []
    nested = False
    pending = [(statement, False) for statement in root.body]
    while pending:
        node, inside = pending.pop()
        if type(node) is ast.Name and node.id == name and type(node.ctx) is ast.Load:
            loads.append(node)
            nested = nested or inside
        for child in ast.iter_child_nodes(node):
            pending.append((child, inside or isinstance(node, _NESTED_SCOPES)))
    return loads, nested


def _first_block_statement(tree: Dict[int, tuple], loads: List[ast.Name]):
    """The statement before which the read goes: the one holding the first use, or the
    statement around it, out to the first whose statement list holds every use at or after it."""
    first = min(loads, key=lambda node: (node.lineno, node.col_offset))
    last_line = max(node.end_lineno for node in loads)
    holding = [statement for statement_id, (body, index, _) in tree.items()
               for statement in (body[index],)
               if statement.lineno <= first.lineno and (statement.end_lineno, statement.end_col_offset)
               >= (first.end_lineno, first.end_col_offset)]
    if not holding:
        return None
    statement = max(holding, key=lambda node: (node.lineno, node.col_offset, -node.end_lineno))
    while statement is not None:
        body, index, parent = tree[id(statement)]
        if body[-1].end_lineno >= last_line:
            return statement
        statement = parent
    return None


def _graph_block_before(facts: ModuleFacts, tree: Dict[int, tuple], statement, uses: List[tuple], graphs):
    """The ``with G.as_default():`` block before the read in its statement list, when it is the
    scope's only block for the train ops' graph G, every train op that uses the read is built
    inside it (lexically, or in a function called only from there), and nothing between the
    block and the read binds a name the read uses."""
    siblings, index, _ = tree[id(statement)]
    blocks = [body[position] for body, position, _ in tree.values() if _graph_of(body[position]) in graphs]
    if len(blocks) != 1 or not any(node is blocks[0] for node in siblings[:index]):
        return None
    block = blocks[0]
    scope = facts.index.call_site(statement.value).scope

    def inside(call) -> bool:
        return call.scope is scope and block.lineno < call.node.lineno <= block.end_lineno

    for op, _ in uses:
        if not inside(op.call):
            callers = facts.evaluator.callers(op.call.scope.function())
            if not callers or not all(inside(caller) for caller in callers):
                return None
    names = {node.id for node in ast.walk(statement.value) if type(node) is ast.Name}
    for between in siblings[siblings.index(block) + 1:index]:
        if any(type(node) is ast.Name and node.id in names and type(node.ctx) is not ast.Load
               for node in ast.walk(between)):
            return None
    return block


def _graph_of(statement) -> Optional[str]:
    """The spelling of G in ``with G.as_default():`` (as ``Evaluator.graphs_of`` names graphs);
    None for any other statement."""
    if type(statement) not in (ast.With, ast.AsyncWith):
        return None
    for item in statement.items:
        expr = item.context_expr
        if type(expr) is ast.Call and type(expr.func) is ast.Attribute and \
                expr.func.attr == tf_api.GRAPH_SCOPE_METHOD:
            return ast.dump(expr.func.value)
    return None


def _graph_block_around(tree: Dict[int, tuple], statement, graphs) -> Tuple[Optional[ast.stmt], str]:
    """The ``with G.as_default():`` statement around ``statement`` for one of ``graphs``, and
    which block is the first between them that is not a ``with``, ``if`` or ``try`` ("" when
    none is: a ``for`` or ``while`` would read the list again each time round)."""
    _, _, parent = tree[id(statement)]
    between = ""
    while parent is not None:
        if _graph_of(parent) in graphs:
            return parent, between
        if not between and type(parent) not in (ast.With, ast.AsyncWith, ast.If, ast.Try):
            between = f"`{type(parent).__name__.lower()}` block"
        parent = tree[id(parent)][2]
    return None, between


RULE = Rule(
    code="BNU004",
    title="update ops read before the batch-norm layers exist",
    effect=(
        "`get_collection` returns a copy of the collection at the call (measured): read before the layers are "
        "built, the list is empty and the dependency runs nothing. `get_collection_ref` is live, but "
        "`control_dependencies(L)` and `tf.group(*L)` read `L` when they run, so layers built after that consuming "
        "call (inside the `with` block itself, for one) are still missed. Also reported: a read outside the "
        "`with G.as_default():` block inside which the layers are built, which reads the default graph's "
        "collection (empty, measured)."),
    fix=(
        "`get_collection` becomes `get_collection_ref` at that call (safe), only when every late layer comes "
        "before the consuming call and the list is never mutated (`append`, `extend` or `+=` on a `_ref` list "
        "would write into the graph's own collection). A read outside `as_default()` (`update_ops = "
        "tf.get_collection(...)` on a line of its own) moves into the `with` block, just before the first "
        "statement that uses the name (safe; measured: moving_mean 0.0 before, trained after), only when the "
        "name is bound there alone, every use of it is inside the block after that point and in the same "
        "function, no loop lies between the block and that point, and every batch-norm layer the train op needs "
        "is built before it; a read after the block (every use after the read, the graph built inside the "
        "block, directly or by the calls made there) moves to the end of the block. The comment lines right "
        "above the read move with it. `get_collection_ref` would still read the default graph. Otherwise no fix "
        "is offered, and the finding says why."),
    fix_safety=FixSafety.SAFE,
    fix_title="read the update ops with `{attr}`",
    no_fix=(
        "a later consumer of the list or a mutation of it: `get_collection_ref` alone would not make it right"),
    flagged=(
        """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # expect: BNU004:18
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
    ),
    silent=(
        """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
    ),
    check=check,
    fixed=(
        (
            """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
            """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    update_ops = tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)
    net = tf.layers.batch_normalization(images, training=is_training)
    loss = loss_fn(net)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer(1e-3).minimize(loss)
""",
        ),
        (
            """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    graph = tf.Graph()
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with graph.as_default():
        net = tf.layers.batch_normalization(images, training=is_training)
        loss = loss_fn(net)
        with tf.control_dependencies(update_ops):
            train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return graph, train_op
""",
            """\
import tensorflow as tf


def train(images, loss_fn, is_training):
    graph = tf.Graph()
    with graph.as_default():
        net = tf.layers.batch_normalization(images, training=is_training)
        loss = loss_fn(net)
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return graph, train_op
""",
        ),
    ),
)
