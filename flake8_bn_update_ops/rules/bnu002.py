"""BNU002: the batch-norm training flag is hard-coded.

``True``: inference normalizes with batch statistics. ``False``: no update ops are created
and the layer never learns its statistics (measured). Silent inside a branch chosen by a
training flag (``tf.cond(is_training, lambda: bn(x, is_training=True), ...)``).
"""
from __future__ import annotations

import ast
import os
from typing import Iterable, Optional

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.kinds import BindingKind, FlagState, ScopeKind, Via
from ..core.values import UNKNOWN, Api, Class, Const, Function, ParamValue, options
from ..fixes.planning import flag_expression
from ..fixes.flag_threading import constant_to_placeholder, thread_flag
from ..fixes.plans import UNSAFE, InsertKeyword, ReplaceExpression
from .base import Report, Rule
from .keras_calls import evaluation_tapes, keras_model_calls
from ..findings import FixSafety


# Where a literal flag can come from that the fix knows how to edit (a keyword or position of a
# call, a partial, an arg_scope or an instance call); a normalizer_params dict it does not.
_EDITABLE_ORIGINS = frozenset({Via.CALL, Via.PARTIAL, Via.ARG_SCOPE, Via.INSTANCE})
# Bindings that define a name rather than hold a value (a flag of that name is not at hand).
_DEFINITIONS = frozenset({BindingKind.DEF, BindingKind.CLASS, BindingKind.IMPORT})


def _effect(literal: bool) -> str:
    return ("inference normalizes with batch statistics" if literal else
            "no update ops are created and the layer never learns its moving statistics")


def check(facts: ModuleFacts) -> Iterable[Report]:
    seen = set()
    sites = list(facts.sites) + [site for site in facts.keras_sites if not facts.in_eager_function(site.call)]
    for site in sites:
        flag = site.flag
        if flag.state != FlagState.GIVEN or flag.literal is None or flag.node is None or id(flag.node) in seen:
            continue
        if flag.index is not facts.index:
            continue    # written in another module: reported there, or as a wrapper default below
        seen.add(id(flag.node))
        if facts.chosen_by_training_flag(site.call.context) or _exempt_false(facts, site, flag.literal):
            continue
        if flag.literal is False and _false_branch_of_a_flag_cond(facts, site):
            continue
        fix, no_fix = None, f"the literal is given through {flag.origin}, which the fix does not edit"
        if flag.origin in _EDITABLE_ORIGINS and flag.scope is not None:
            replacement = flag_expression(facts, flag.scope)
            span = facts.source.span(flag.node)
            if replacement is not None:
                fix = ReplaceExpression(span, replacement[0], UNSAFE)
            elif flag.scope.function().kind == ScopeKind.MODULE:
                fix, no_fix = constant_to_placeholder(facts, flag.node)
            else:
                # The literal may be written before the site's statement (``flag = True``): no
                # flag is created at the site for it.
                fix, no_fix = thread_flag(facts, flag.scope, lambda name: ReplaceExpression(span, name, UNSAFE),
                                          str(flag.literal), site=site.call if _inside(flag.node, site.call.node)
                                          else None)
        yield Report(flag.node, "BNU002",
                     f"BNU002 {site.api.display} `{site.api.flag}` is hard-coded to {flag.literal}: "
                     f"{_effect(flag.literal)}", fix, no_fix)
    yield from _wrapper_defaults(facts)
    yield from _false_in_a_module_that_trains_nothing(facts)
    yield from _literals_through_thin_wrappers(facts, seen)
    yield from _true_given_to_inference_towers(facts, seen)
    yield from _training_in_an_evaluation_tape(facts, seen)


def _inside(node, call) -> bool:
    """``node`` is written within ``call`` (a literal among its arguments)."""
    return (call.lineno, call.col_offset) <= (node.lineno, node.col_offset) and \
        (node.end_lineno, node.end_col_offset) <= (call.end_lineno, call.end_col_offset)


def _literal_fix(facts: ModuleFacts, call, literal, value: bool):
    """(plan, why none) for a literal written at a call of a wrapper: the flag in reach
    replaces it, or one threaded to the call's function (default: the literal, so the other
    callers keep their mode)."""
    span = facts.source.span(literal)
    replacement = flag_expression(facts, call.scope)
    if replacement is not None:
        return ReplaceExpression(span, replacement[0], UNSAFE), None
    return thread_flag(facts, call.scope, lambda name: ReplaceExpression(span, name, UNSAFE), str(value), site=call)


def _keyword_fix(facts: ModuleFacts, call, keyword: str, default: bool):
    """(plan, why none) for a call that leaves a wrapper's flag parameter at its default: the
    flag in reach passed as that keyword (``_passed_elsewhere`` reports only where one is)."""
    span, line = facts.source.span(call.node), call.statement.node.lineno
    flag = flag_expression(facts, call.scope)
    if flag is not None:
        return InsertKeyword(span, keyword, flag[0], UNSAFE, line), None
    return thread_flag(facts, call.scope, lambda name: InsertKeyword(span, keyword, name, UNSAFE, line), str(default),
                       site=call)


def _training_in_an_evaluation_tape(facts: ModuleFacts, seen: set) -> Iterable[Report]:
    """``model(x, training=True)`` inside a GradientTape on which no gradient is taken: a test
    step copied from the train step updates the moving statistics with evaluation data."""
    for call, _ in keras_model_calls(facts):
        literal = next((keyword.value for keyword in call.node.keywords
                        if keyword.arg == tf_api.KERAS_TRAINING_ARGUMENT), None)
        if type(literal) is not ast.Constant or literal.value is not True or id(literal) in seen:
            continue
        if not evaluation_tapes(facts, call):
            continue
        seen.add(id(literal))
        yield Report(literal, "BNU002",
                     "BNU002 `training` is hard-coded to True in a GradientTape block that takes no gradient: "
                     "this evaluation step updates the moving statistics with evaluation data",
                     ReplaceExpression(facts.source.span(literal), "False", UNSAFE))


def _false_branch_of_a_flag_cond(facts: ModuleFacts, site) -> bool:
    """``e = bn(x, False, reuse=True)`` whose name is read only by the false branch of a
    ``tf.cond(flag, ...)`` (``lambda: e``): the inference twin, silent like the inline form."""
    statement = site.call.statement.node
    if type(statement) is not ast.Assign or len(statement.targets) != 1 or type(statement.targets[0]) is not ast.Name:
        return False
    name = statement.targets[0].id
    function = site.call.scope.function().node
    uses = [node for node in ast.walk(function)
            if type(node) is ast.Name and node.id == name and type(node.ctx) is ast.Load]
    if not uses:
        return False
    in_false_branch = set()
    for node in ast.walk(function):
        if type(node) is not ast.Call:
            continue
        func = node.func
        callee = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if callee not in tf_api.FLAG_CONDITIONALS or not node.args or not facts.is_flag_expression(node.args[0]):
            continue
        position = tf_api.FLAG_CONDITIONAL_FALSE_POSITION
        branch = node.args[position] if len(node.args) > position else next(
            (keyword.value for keyword in node.keywords if keyword.arg == tf_api.FLAG_CONDITIONAL_FALSE_BRANCH), None)
        if branch is not None:
            in_false_branch |= {id(item) for item in ast.walk(branch)}
    return all(id(use) in in_false_branch for use in uses)


def _exempt_false(facts: ModuleFacts, site, literal: bool) -> bool:
    """A literal False is right for a deliberately frozen layer and in a module that trains
    nothing (an export, freeze or inference script)."""
    return literal is False and (site.frozen or not facts.trains)


def _wrapper_defaults(facts: ModuleFacts) -> Iterable[Report]:
    """A call of this module that leaves a wrapper's flag parameter at its literal default,
    which becomes the batch-norm flag (``CNN(x)`` where ``def CNN(x, is_training=True)``)."""
    reported = set()
    candidates = []
    for reached in facts.reached:
        site = reached.site
        # Keras passes ``training`` to a layer's or model's ``call`` itself (from the learning
        # phase, or the tape's caller): the parameter's default is not what the layer gets.
        if site.keras:
            continue
        if site.flag.state == FlagState.GIVEN and site.flag.literal is not None:
            candidates.append((site.flag.value, site.frame, site.api, site.frozen))
    for entry in facts.arg_scopes:
        for name in entry.functions:
            api = facts.known_api(name)
            if api is None or api.flag not in entry.keywords:
                continue
            item = entry.keywords[api.flag]
            value = facts.resolver.arg_value(item)
            candidates.append((value, getattr(item, "frame", None), api, False))
    for value, frame, api, frozen in candidates:
        for option in options(value):
            if type(option) is not Const or type(option.value) is not bool:
                continue
            param = facts.resolver.default_of(option.node)
            if param is None:
                continue
            call = _call_leaving_default(facts, frame, param)
            if call is None or id(call.node) in reported:
                continue
            if option.value is False and (frozen or not facts.trains):
                continue
            if facts.chosen_by_training_flag(call.context) or _passed_elsewhere(facts, call, param):
                continue
            reported.add(id(call.node))
            yield Report(call.node, "BNU002",
                         f"BNU002 this call leaves `{param.name}` at the wrapper's default {option.value}, which "
                         f"becomes the {api.display} training flag: {_effect(option.value)}",
                         *_keyword_fix(facts, call, param.name, option.value))


def _literals_through_thin_wrappers(facts: ModuleFacts, seen: set) -> Iterable[Report]:
    """A literal ``True`` given to a thin wrapper of one batch-norm layer (a lambda alias, a
    ``conv_bn(x, **kwargs)`` pass-through) is the site's flag written at the call (RULES.md,
    "Values, not spellings"; "a literal True is always reported"). A ``False`` given to a
    wrapper, or any literal given to a network builder that makes several layers, is the
    caller's choice of mode: an inference tower that reuses the training tower's variables
    (``self.g_bn0(h, train=False)`` in a GAN's sampler, seen in real code) is right."""
    for call in facts.index.calls:
        reached = [item for item in facts.calls_reaching.get(id(call.node), ()) if item.chain[-1] is not call]
        # Thin: the wrapper's own body builds the one layer (not a network reaching it deeper).
        if not reached or len({id(item.site.call.node) for item in reached}) != 1 or \
                any(len(item.chain) < 2 or item.chain[-2] is not call for item in reached):
            continue
        inside = {id(node) for node in ast.walk(call.node)} - {id(call.node)}
        for item in reached:
            site, flag = item.site, item.site.flag
            if flag.literal is not True or site.keras and facts.in_eager_function(call):
                continue
            for option in options(flag.value):
                node = getattr(option, "node", None)
                if type(option) is not Const or node is None or id(node) not in inside or id(node) in seen:
                    continue
                seen.add(id(node))
                if facts.chosen_by_training_flag(call.context) or _exempt_false(facts, site, flag.literal):
                    continue
                if _flag_also_feeds_a_network(facts, call, node, site) or _tower_on_the_loss(facts, call) is True:
                    continue
                yield Report(node, "BNU002",
                             f"BNU002 {site.api.display} `{site.api.flag}` is hard-coded to {flag.literal} through "
                             f"this wrapper: {_effect(flag.literal)}", *_literal_fix(facts, call, node, flag.literal))


def _true_given_to_inference_towers(facts: ModuleFacts, seen: set) -> Iterable[Report]:
    """A literal ``True`` written at a call of a builder whose output stays off every train op's
    loss while another call of the same builder is on it: an evaluation tower or sampler that
    reuses the training tower's layers normalizes with the statistics of the batch it is given
    (RULES.md "Towers and modes" (a): reported at each inference tower it reaches, at the
    literal). The training tower's own ``True`` stays the author's choice of mode (b). Only
    where every train op's loss is decided (a parameter of a function nothing here calls is an
    input from elsewhere): a loss read from an attribute may come from the call that looks off
    it (a GAN's discriminator on real images, whose loss is ``self.d_loss``)."""
    for call in facts.index.calls:
        reached = [item for item in facts.calls_reaching.get(id(call.node), ()) if item.chain[-1] is not call]
        if not reached:
            continue
        inside = {id(node) for node in ast.walk(call.node)} - {id(call.node)}
        literals = {}
        for item in reached:
            site = item.site
            if site.flag.literal is not True or site.keras and facts.in_eager_function(call):
                continue
            for option in options(site.flag.value):
                node = getattr(option, "node", None)
                if type(option) is Const and node is not None and id(node) in inside and id(node) not in seen:
                    literals.setdefault(id(node), (node, site))
        if not literals or facts.chosen_by_training_flag(call.context) or _tower_on_the_loss(facts, call) is not False:
            continue
        for node, site in literals.values():
            seen.add(id(node))
            yield Report(node, "BNU002",
                         f"BNU002 {site.api.display} `{site.api.flag}` is hard-coded to True in this evaluation "
                         "tower, whose output no train op's loss reads: it normalizes with the statistics of the "
                         "batch it is given, not the moving ones", None,
                         "the fix does not choose the mode of an evaluation tower: pass False (or the training "
                         "flag) here")


def _tower_on_the_loss(facts: ModuleFacts, call) -> Optional[bool]:
    """For a call of a batch-norm builder that has other calls, every train op's loss decided:
    True for the training tower (on a loss, while another call stays off them), False for an
    inference tower (off them, while another call is on one), None when it is neither or
    cannot be told (RULES.md "Towers and modes")."""
    builder = _target_scope(facts, call)
    if builder is None:
        return None
    towers = [other for other in facts.callers(builder)
              if other is not call and facts.calls_reaching.get(id(other.node))]
    if not towers:
        return None
    provenance = facts.evaluator.decided_loss_provenance(facts.train_ops, open_parameters=True)
    if not provenance:
        return None
    if id(call.node) in provenance:
        return True if any(id(other.node) not in provenance for other in towers) else None
    return False if any(id(other.node) in provenance for other in towers) else None


def _false_in_a_module_that_trains_nothing(facts: ModuleFacts) -> Iterable[Report]:
    """A literal False is silent in a module that trains nothing (it is right for an export
    script); when this module trains with a builder from such a module, the False is reported
    at this module's call of it (RULES.md, BNU002)."""
    if not facts.trains:
        return
    reported = set()
    for reached in facts.reached:
        site, flag = reached.site, reached.site.flag
        if site.call.scope.index is facts.index or flag.literal is not False or site.frozen:
            continue
        if flag.index is not site.call.scope.index or facts.resolver.default_of(flag.node) is not None:
            continue    # written here, or a wrapper's default: reported as such
        if _given_by_this_module(facts, reached, flag):
            continue    # the caller here chose the mode (``sampler(z, train=False)``)
        if _trains(site.call.scope.index):
            continue    # reported in that module itself
        call = next((link for link in reversed(reached.chain) if link.scope.index is facts.index), None)
        if call is None or id(call.node) in reported or facts.chosen_by_training_flag(call.context):
            continue
        if site.keras and facts.in_eager_function(call):
            continue
        reported.add(id(call.node))
        where = os.path.basename(site.call.scope.index.path)
        yield Report(call.node, "BNU002",
                     f"BNU002 this call builds {site.api.display} with `{site.api.flag}` hard-coded to False "
                     f"(in {where}, which trains nothing): {_effect(False)}")


def _given_by_this_module(facts: ModuleFacts, reached, flag) -> bool:
    """The literal was written in this module, in an argument of the calls that reached the site."""
    literals = {id(option.node) for option in options(flag.value) if type(option) is Const and option.node is not None}
    for call in reached.chain:
        if call.scope.index is facts.index and any(id(node) in literals for node in ast.walk(call.node)):
            return True
    return False


def _trains(index) -> bool:
    """Whether a module trains anything (read from its calls, without analysing it)."""
    for call in index.calls:
        func = call.node.func
        name = func.attr if type(func) is ast.Attribute else getattr(func, "id", None)
        if name in tf_api.TRAINING_CALL_NAMES:
            return True
    return False


def _flag_also_feeds_a_network(facts: ModuleFacts, call, literal, site) -> bool:
    """The wrapper also hands the flag parameter to a network it builds that the checker cannot
    see into, or to another project function (``resnet_v1_50(images, is_training=is_training)``
    beside one normalizer scope): it is a network builder, not a thin wrapper of one layer, and
    the literal is the caller's choice of mode for a whole tower."""
    wrapper = site.call.scope.function()
    if wrapper.kind != ScopeKind.FUNCTION:
        return False
    param = None
    for keyword in call.node.keywords:
        if keyword.value is literal:
            param = wrapper.param(keyword.arg)
    if param is None and literal in call.node.args:
        position = call.node.args.index(literal)
        shift = 1 if wrapper.parent is not None and wrapper.parent.kind == ScopeKind.CLASS else 0
        param = next((item for item in wrapper.params if item.position == position + shift), None)
    if param is None:
        return False
    for other in wrapper.calls:
        if other is site.call:
            continue
        passed = [arg for arg in other.node.args] + [keyword.value for keyword in other.node.keywords]
        if not any(type(arg) is ast.Name and arg.id == param.name for arg in passed):
            continue
        for option in options(facts.callee(other)):
            if type(option) is Function or option is UNKNOWN or type(option) is ParamValue or \
                    (type(option) is Api and option.name.split(".", 1)[0] not in tf_api.TRAIN_OP_ROOTS
                     and not option.name.startswith("builtins.")):
                return True
    return False


def _call_leaving_default(facts: ModuleFacts, frame, param):
    """The call of this module that left ``param`` at its default: the call of the function
    that owns it, or a call that reaches it through ``**kwargs`` pass-through
    (``training_scope(**kwargs)`` returning ``lib.training_scope(**kwargs)``)."""
    while frame is not None and frame.scope is not param.scope:
        frame = frame.caller
    while frame is not None:
        call = facts.index.call_site(frame.node) if frame.node is not None else None
        if call is not None:
            return call
        if frame.node is None or not any(keyword.arg is None for keyword in frame.node.keywords):
            return None     # the outer call could not have passed it
        frame = frame.caller
    return None


def _passed_elsewhere(facts: ModuleFacts, call, param) -> bool:
    """Report a wrapper's default only where the caller forgot a flag it has at hand: a
    parameter, a variable or a ``self`` attribute named like a training flag that the call
    does not pass. Without one (a GAN's discriminator, built only for training), or beside a
    call of the same wrapper that passes the literal opposite (the training tower next to its
    inference tower), the default is the author's choice."""
    return not _flag_at_hand(facts, call) or _opposite_tower(facts, call, param)


def _opposite_tower(facts: ModuleFacts, call, param) -> bool:
    target = _target_scope(facts, call)
    default = facts.resolver.definite_bool(facts.resolver.value(param.default, facts.at(call))) \
        if param.default is not None else None
    if target is None or default is None:
        return False
    for other in facts.callers(target):
        if other is call:
            continue
        for keyword in other.node.keywords:
            if keyword.arg == param.name and \
                    facts.resolver.definite_bool(facts.resolver.value(keyword.value, facts.at(other))) is (not default):
                return True
    return False


def _flag_at_hand(facts: ModuleFacts, call) -> bool:
    names = set(facts.flag_names())
    scope = call.scope
    while scope is not None:
        for name in names & set(scope.bindings):
            if any(binding.kind not in _DEFINITIONS for binding in scope.bindings[name]):
                return True
        scope = scope.parent
    cls = call.scope.enclosing_class()
    if cls is not None:
        for name in names:
            for store in facts.index.attribute_stores.get(name, ()):
                if type(store.base) is ast.Name and store.base.id == "self" and \
                        store.statement.scope.enclosing_class() is cls:
                    return True
        return _class_passes_a_flag_attribute(facts, cls)
    return False


def _class_passes_a_flag_attribute(facts: ModuleFacts, cls) -> bool:
    """The class, or a base class in any module, passes one of its own attributes as a
    batch-norm flag elsewhere (``arg_scope([slim.batch_norm], is_training=self.trainable)``
    in the base network): that attribute is the flag at hand, whatever its name."""
    for entry in facts.resolver.mro(Class(cls)):
        if type(entry) is not Class:
            continue
        for other in entry.scope.index.calls:
            if other.scope.enclosing_class() is not entry.scope:
                continue
            for keyword in other.node.keywords:
                value = keyword.value
                if keyword.arg in tf_api.BATCH_NORM_FLAG_KEYWORDS and type(value) is ast.Attribute and \
                        type(value.value) is ast.Name and value.value.id == "self":
                    return True
    return False


def _target_scope(facts: ModuleFacts, call):

    for option in options(facts.callee(call)):
        if type(option) is Function:
            return option.scope
    return None


RULE = Rule(
    code="BNU002",
    title="batch-norm training flag hard-coded",
    effect=(
        "A literal `True` makes inference normalize with the statistics of the batch it is given (an evaluation "
        "or export script that builds batch norm with `True` is the classic form of this bug). A literal `False` "
        "creates no update ops (measured): the layer never learns its moving statistics. Reported wherever the "
        "literal reaches the flag: a keyword, a position, `normalizer_params`, `arg_scope`, `functools.partial`, "
        "a module constant, or a wrapper's literal default that a call leaves in place. Silent when the literal "
        "sits in a branch chosen by a training flag (`tf.cond(is_training, ...)`, `if is_training:`). A literal "
        "`False` is also silent where it is right: a deliberately frozen layer (`trainable=False` beside it) and a "
        "module that trains nothing (an export, freeze or inference script)."),
    fix=(
        "Replaces the literal with the enclosing function's single training-flag parameter (`training`, "
        "`is_training`, `is_train`, `phase_train`, ...). Unsafe: it guesses that this parameter is the flag you "
        "meant."),
    fix_safety=FixSafety.UNSAFE,
    fix_title="pass `{text}` instead of `{target}`",
    flagged=(
        """\
import tensorflow as tf


def network(images, is_training):
    net = tf.layers.batch_normalization(images, training=True)  # expect: BNU002:58
    return net
""",
        """\
import tensorflow.contrib.slim as slim


def network(images, is_training):
    with slim.arg_scope([slim.batch_norm], is_training=False):  # expect: BNU002:56
        return slim.batch_norm(images)


def train(loss, optimizer):
    return slim.learning.create_train_op(loss, optimizer)
""",
    ),
    silent=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)
""",
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.cond(is_training,
                   lambda: tf.layers.batch_normalization(images, training=True),
                   lambda: tf.layers.batch_normalization(images, training=False, reuse=True))
""",
    ),
    check=check,
    fixed=(
        (
            """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=True)
""",
            """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)
""",
        ),
    ),
)
