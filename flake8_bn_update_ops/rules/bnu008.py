"""BNU008: the checkpoint leaves out the batch-norm moving statistics.

Moving mean and variance are not trainable, so a Saver over trainable variables only never
saves them (measured, TF 2.21: trained moving_mean 1.18 restores as 0.0). ``tf.layers``
registers them only in GLOBAL_VARIABLES (measured: not in MOVING_AVERAGE_VARIABLES nor
model_variables()).
"""
from __future__ import annotations

import ast
from typing import Iterable, Optional, Tuple

from .. import tf_api
from ..core.facts.module import ModuleFacts
from ..core.index import argument_node
from ..core.kinds import VariablesShape
from ..core.resolver import At
from ..core.values import UNKNOWN, Api, InstanceCall, Method, ParamValue, options
from ..fixes.planning import tf_spelling
from ..fixes.plans import UNSAFE, ExtendVariables
from .base import Report, Rule
from .keras_calls import keras_model_calls
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    savers = [call for call in facts.index.calls if facts.api_name(call) in tf_api.SAVERS]
    if not savers:
        return
    if not _builds_batch_norm(facts):
        return
    # Silent only when every network it reaches keeps its statistics among the trainables (the
    # candidates of a dynamic import must all agree for a silence).
    if facts.reached and all(reached.site.keeps_moving_in_trainable for reached in facts.reached):
        return
    for call in savers:
        var_list = argument_node(call.node, tf_api.SAVER_VARIABLES_KEYWORD, tf_api.SAVER_VARIABLES_POSITION)
        if var_list is None:
            continue
        shape = facts.evaluator.trainable_only(var_list, At(call.scope, call.statement))
        if shape is None:
            continue
        plan, reason = _fix(facts, var_list, shape, At(call.scope, call.statement))
        yield Report(var_list, "BNU008",
                     "BNU008 Saver is given only trainable variables: the batch-norm moving mean and "
                     "variance are not trainable, so they are never saved and a restored model "
                     "normalizes with 0 and 1", plan, reason)


def _builds_batch_norm(facts: ModuleFacts) -> bool:
    """Batch norm of any API that this module builds (itself or through the project), or a
    network out of sight that is given a training flag (RULES.md: judged as if it built it)."""
    if facts.reached or facts.sites or facts.keras_sites or any(True for _ in keras_model_calls(facts)):
        return True
    names = facts.flag_names()
    for call in facts.index.calls:
        for keyword in call.node.keywords:
            # The moving statistics exist in either mode (RULES.md, "Checkpoints out of sight"; an
            # export script passes a literal False). In a module that trains, a literal False
            # marks a frozen, pretrained network (a perceptual-loss feature extractor) whose
            # statistics come from its own checkpoint: it does not make the Saver suspect.
            if keyword.arg not in names:
                continue
            if facts.trains and facts.resolver.definite_bool(
                    facts.resolver.value(keyword.value, facts.at(call))) is False:
                continue
            if all(_out_of_sight(option) for option in options(facts.callee(call))):
                return True
    return False


def _out_of_sight(callee) -> bool:
    """A network the checker cannot see into: unknown, a parameter, a method of something it
    cannot read (``importlib.import_module(name).inference``), or a library outside TensorFlow."""
    kind = type(callee)
    if callee is UNKNOWN or kind in (ParamValue, Method, InstanceCall):
        return True
    return kind is Api and callee.name.split(".", 1)[0] not in tf_api.TRAIN_OP_ROOTS and \
        not callee.name.startswith("builtins.")


_MOVING = ('[v for v in {tf}.global_variables() if "moving_mean" in v.name or "moving_variance" in v.name]')
_MOVING_DICT = ('{{v.op.name: v for v in {tf}.global_variables() if "moving_mean" in v.name '
                'or "moving_variance" in v.name}}')


def _fix(facts: ModuleFacts, node, shape: str, at: At) -> Tuple[Optional[ExtendVariables], Optional[str]]:
    """The plan, or None and why there is none. Unsafe: checkpoints written before the fix lack
    these variables. The statistics join the list at the Saver's own argument, not where a name
    is bound: that name may also be the optimizer's ``var_list``, which must not get them."""
    spelling = tf_spelling(facts)
    if spelling.add_import is not None:
        return None, "the module binds no TensorFlow alias to write `global_variables()` with"
    if shape == VariablesShape.TUPLE:
        # ``tuple(...) + [...]`` raises TypeError: extend the list inside the call instead; a
        # name bound to a tuple is left to its author.
        if type(node) is not ast.Call:
            return None, "a tuple bound to a name: `+ [...]` would raise TypeError where the Saver gets it"
        node = node.args[0]
        shape = facts.evaluator.trainable_only(node, at)
    if shape == VariablesShape.SET:
        return None, "a set of variables: `+ [...]` would raise TypeError"
    if shape == VariablesShape.GENERATOR:
        return None, "a generator of variables, which the Saver itself refuses (TypeError)"
    if shape not in (VariablesShape.LIST, VariablesShape.DICT):
        return None, "the variable list is built in a form the fix does not edit"
    template = _MOVING if shape == VariablesShape.LIST else _MOVING_DICT
    return ExtendVariables(facts.source.span(node), shape, template.format(tf=spelling.prefix), UNSAFE,
                           at.statement.node.lineno), None


RULE = Rule(
    code="BNU008",
    title="checkpoint leaves out the batch-norm moving statistics",
    effect=(
        "Moving mean and variance are not trainable variables, so a `tf.train.Saver` given only "
        "`tf.trainable_variables()` (or the `TRAINABLE_VARIABLES` collection, or a comprehension over them) never "
        "saves them (measured, TensorFlow 2.21: trained moving_mean 1.18 restores as 0.0; or "
        "`FailedPreconditionError` when nothing initializes them), and the restored model normalizes with 0 and "
        "1. Silent when the list also holds the moving statistics (`tf.global_variables()`, an added list of "
        "`moving_mean`/`moving_variance` variables; for contrib/slim also `tf.model_variables()`), or when the "
        "layers put their moving variables in the trainable collection (`variables_collections`)."),
    fix=(
        "Adds the moving statistics to the list: `+ [v for v in tf.global_variables() if \"moving_mean\" in "
        "v.name or \"moving_variance\" in v.name]`, or the dict form for a dict. Unsafe: checkpoints written "
        "before the fix lack these variables, so restoring an old checkpoint with the new Saver fails."),
    fix_safety=FixSafety.UNSAFE,
    fix_title="save the moving mean and variance too",
    no_fix=(
        "the variable list is built in a form the fix does not edit (a tuple bound to a name, a helper's "
        "result used elsewhere)"),
    flagged=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def make_saver():
    return tf.train.Saver(tf.trainable_variables())  # expect: BNU008:27
""",
    ),
    silent=(
        """\
import tensorflow as tf


def network(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


def make_saver():
    return tf.train.Saver(tf.global_variables())
""",
        """\
import tensorflow as tf


def network(images):
    return tf.layers.dense(images, 10)


def make_saver():
    return tf.train.Saver(tf.trainable_variables())
""",
    ),
    check=check,
    fixed=(
        (
            """\
import tensorflow as tf


def build(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


saver = tf.train.Saver(tf.trainable_variables())
""",
            """\
import tensorflow as tf


def build(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


saver = tf.train.Saver(tf.trainable_variables() + [
        v for v in tf.global_variables()
        if "moving_mean" in v.name or "moving_variance" in v.name])
""",
        ),
        (
            """\
import tensorflow as tf


def build(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


saver = tf.train.Saver({v.op.name: v for v in tf.trainable_variables()})
""",
            """\
import tensorflow as tf


def build(images, is_training):
    return tf.layers.batch_normalization(images, training=is_training)


saver = tf.train.Saver({**{v.op.name: v for v in tf.trainable_variables()}, **{
        v.op.name: v for v in tf.global_variables()
        if "moving_mean" in v.name or "moving_variance" in v.name}})
""",
        ),
    ),
)
