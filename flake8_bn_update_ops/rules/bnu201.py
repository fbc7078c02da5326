"""BNU201: a Keras base model with batch norm is frozen, called without ``training=False``,
then unfrozen and trained: the Keras transfer-learning guide's pitfall (keras#9214).

Measured (Keras 3): while ``base.trainable = False`` its batch norm runs in inference mode;
once unfrozen, a call without ``training=False`` runs it in training mode under ``fit``, so the
pretrained moving statistics are overwritten by those of the new data's batches.
"""
from __future__ import annotations

import ast
from typing import Iterable, Iterator, Optional, Set

from .. import keras_flax_api, tf_api
from ..core.facts.module import ModuleFacts
from ..core.index import IF, AttributeStore, within_function
from ..core.resolver import At
from ..core.values import ApiCall, InstanceCall, options
from ..fixes.plans import UNSAFE, InsertKeyword
from .base import Report, Rule
from .keras_calls import display_name, inside_gradient_tape, keras_model_calls
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    index = facts.index
    stores = index.attribute_stores.get(keras_flax_api.FREEZE_ATTRIBUTE)
    if not stores or not (facts.trains or facts.source.mentions(keras_flax_api.KERAS_FIT_METHODS)):
        return
    frozen: Set[int] = set()
    unfrozen: Set[int] = set()
    for store in stores:
        setting = _literal(facts, store)
        if setting is None:
            continue
        guard = _batch_norm_guard(facts, store)
        if setting is False and guard is _ONLY_BATCH_NORM:
            return      # the batch-norm layers are kept frozen on their own: they never train
        if setting is True and guard is _ALL_BUT_BATCH_NORM:
            continue    # unfreezes every layer except batch norm, which stays frozen
        for identity in _models_set(facts, store):
            (unfrozen if setting else frozen).add(identity)
    candidates = frozen & unfrozen
    if not candidates:
        return
    for call, value in keras_model_calls(facts):
        node = call.node
        if any(keyword.arg in (keras_flax_api.TRAINING_KEYWORD, None) for keyword in node.keywords) or \
                len(node.args) >= 2:
            continue
        if not any(_identity(option) in candidates for option in options(value)) or inside_gradient_tape(facts, call):
            continue    # in a GradientTape block BNU007 asks for training=True: the author trains it there
        if not node.args or not _from_keras_input(facts, facts.resolver.value(node.args[0], facts.at(call))):
            continue    # an eager call on a real batch (a shape check) is not the model that trains
        message = (f"BNU201 {display_name(facts, call)} contains BatchNormalization, is frozen and later unfrozen "
                   "(`trainable`), and is called without `training=False`: once unfrozen, its batch norm runs in "
                   "training mode and overwrites the pretrained moving statistics")
        # Keras 2 (tf_keras, or tf.keras up to TensorFlow 2.15) honours `training=False`; Keras 3
        # (keras, and tf.keras from 2.16) lets fit override it (measured both): the fix is offered
        # for the tf.keras spelling only, and every message names the remedy that holds in both.
        remedy = (" (in Keras 3, tf.keras from TensorFlow 2.16 included, `fit` overrides `training=False` too: "
                  "keep the BatchNormalization layers' `trainable = False` when unfreezing)")
        fix = None
        if facts.evaluator.keras_bn(value):
            fix = InsertKeyword(facts.source.span(node), keras_flax_api.TRAINING_KEYWORD, "False", UNSAFE,
                                call.statement.node.lineno)
        yield Report(node, "BNU201", message + remedy, fix)
    yield from _graph_reuses(facts, candidates)
    yield from _sequential_wirings(facts, candidates)


def _sequential_wirings(facts: ModuleFacts, candidates: Set[int]) -> Iterator[Report]:
    """``keras.Sequential([base, head...])`` or ``sequential.add(base)``: the frozen base is a layer of a
    Sequential, which calls it without any ``training`` argument, so once unfrozen it trains its batch norm."""
    for call in facts.index.calls:
        node = call.node
        if _is_sequential(facts.api_name(call)):
            layers = keyword_or_first(node, keras_flax_api.SEQUENTIAL_LAYERS_KEYWORD)
            elements = layers.elts if type(layers) in (ast.List, ast.Tuple) else ()
        elif type(node.func) is ast.Attribute and node.func.attr == keras_flax_api.SEQUENTIAL_ADD_METHOD \
                and len(node.args) == 1 and not node.keywords and _sequential_value(facts, node.func.value, call):
            elements = node.args
        else:
            continue
        for element in elements:
            base = facts.resolver.value(element, facts.at(call))
            if any(_identity(option) in candidates for option in options(base)):
                yield Report(element, "BNU201",
                             f"BNU201 `{facts.source.segment(element)}` contains BatchNormalization, is frozen and "
                             "later unfrozen (`trainable`), and is a layer of a `Sequential`, which calls it with no "
                             "`training` argument: once unfrozen its batch norm runs in training mode under `fit` "
                             "and overwrites the pretrained moving statistics (keep the BatchNormalization layers' "
                             "`trainable = False` when unfreezing, or call the base on a `keras.Input` with "
                             "`training=False` (Keras 2))")


def _is_sequential(name: Optional[str]) -> bool:
    return bool(name) and name.rsplit(".", 1)[-1] == tf_api.KERAS_SEQUENTIAL_SUFFIX


def _sequential_value(facts: ModuleFacts, receiver: ast.expr, call) -> bool:
    """Whether ``receiver`` (of a ``.add(...)``) holds a ``Sequential`` the module builds."""
    return any(type(option) is ApiCall and _is_sequential(option.name)
               for option in options(facts.resolver.value(receiver, facts.at(call))))


def _graph_reuses(facts: ModuleFacts, candidates: Set[int]) -> Iterator[Report]:
    """``keras.Model(inputs=base.input, outputs=head(base.output))``: the base's own graph is
    reused, never called, so no ``training=False`` can protect its batch norm once unfrozen."""
    for call in facts.index.calls:
        name = facts.api_name(call)
        if name not in tf_api.KERAS_MODEL_CLASSES or name.endswith(tf_api.KERAS_SEQUENTIAL_SUFFIX):
            continue
        inputs = keyword_or_first(call.node, keras_flax_api.MODEL_INPUTS_KEYWORD)
        if type(inputs) is not ast.Attribute or inputs.attr not in keras_flax_api.GRAPH_INPUT_ATTRIBUTES:
            continue
        base = facts.resolver.value(inputs.value, facts.at(call))
        if any(_identity(option) in candidates for option in options(base)):
            yield Report(inputs, "BNU201",
                         f"BNU201 the model is built on `{facts.source.segment(inputs)}`: the frozen base's own "
                         "graph, which contains BatchNormalization and is later unfrozen; once unfrozen its batch "
                         "norm runs in training mode under `fit` and overwrites the pretrained moving statistics "
                         "(call the base on a new `Input` with `training=False` (Keras 2), or keep the "
                         "BatchNormalization layers' `trainable = False`)")


def keyword_or_first(call: ast.Call, keyword: str):
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[0] if call.args and type(call.args[0]) is not ast.Starred else None


def _from_keras_input(facts: ModuleFacts, value) -> bool:
    """Whether a tensor is computed from a ``keras.Input`` (a symbolic graph that a model is
    built on), following each call's first argument back."""
    for _ in range(40):
        found = None
        for option in options(value):
            kind = type(option)
            if kind is ApiCall and option.name in tf_api.KERAS_INPUTS:
                return True
            if kind in (ApiCall, InstanceCall) and option.args.positional and option.args.positional[0] is not None:
                found = option.args.positional[0]
                break
        if found is None:
            return False
        value = facts.resolver.arg_value(found)
    return False


_ONLY_BATCH_NORM = "only batch norm"
_ALL_BUT_BATCH_NORM = "all but batch norm"


def _batch_norm_guard(facts: ModuleFacts, store: AttributeStore) -> Optional[str]:
    """Whether a ``layer.trainable = ...`` store sets batch-norm layers only (under ``if isinstance(layer,
    BatchNormalization)``) or every layer but them (under ``if not isinstance(...)``, or in its ``else``)."""
    for entry in within_function(store.statement.context):
        if entry.kind != IF:
            continue
        test, negated = entry.node.test, entry.part != 0
        if type(test) is ast.UnaryOp and type(test.op) is ast.Not:
            test, negated = test.operand, not negated
        if type(test) is ast.Call and len(test.args) == 2 and getattr(test.func, "id", None) == "isinstance":
            at = At(store.statement.scope, store.statement)
            for option in options(facts.resolver.value(test.args[1], at)):
                api = tf_api.BATCH_NORM_APIS.get(getattr(option, "name", None) or "")
                if api is not None and api.family == tf_api.Family.KERAS:
                    return _ALL_BUT_BATCH_NORM if negated else _ONLY_BATCH_NORM
    return None


def _identity(value) -> Optional[int]:
    node = getattr(value, "node", None)
    return id(node) if node is not None else None


def _literal(facts: ModuleFacts, store: AttributeStore) -> Optional[bool]:
    if store.unpack or store.value is None:
        return None
    value = facts.resolver.value(store.value, At(store.statement.scope, store.statement))
    return facts.resolver.definite_bool(value)


def _models_set(facts: ModuleFacts, store: AttributeStore) -> Iterator[int]:
    """The Keras models with batch norm whose ``trainable`` the store sets: ``base.trainable``,
    or ``layer.trainable`` for each ``layer`` of ``base.layers`` (whole or sliced)."""
    at = At(store.statement.scope, store.statement)
    for expression, where in facts.evaluator.store_bases(store.base, at):
        value = facts.resolver.value(expression, where)
        if facts.evaluator.keras_bn(value) is None:
            continue
        for option in options(value):
            identity = _identity(option)
            if identity is not None:
                yield identity


RULE = Rule(
    code="BNU201",
    title="Keras base model frozen, called without `training=False`, then unfrozen and trained",
    effect=(
        "A Keras model that contains `BatchNormalization` (a `keras.applications` model, or one the project builds) "
        "is frozen (`base.trainable = False`), called without `training=False` (`x = base(inputs)`), and later "
        "unfrozen (`base.trainable = True`, or `layer.trainable = True` over `base.layers`) in a module that trains "
        "(`fit`, `train_on_batch`, a GradientTape). While frozen its batch norm runs in inference mode; once "
        "unfrozen, the same call runs it in training mode under `fit` (measured on Keras 3): the pretrained moving "
        "statistics are overwritten with those of the new data's batches and the fine-tuned model degrades, the "
        "pitfall the Keras transfer-learning guide warns about (keras#9214). The guide's `training=False` holds "
        "only in Keras 2 (`tf_keras`, the `tf.keras` of TensorFlow <= 2.15; measured): in Keras 3 (`keras`, and "
        "`tf.keras` from TensorFlow 2.16; measured on JAX and TensorFlow) `fit` overrides it (keras#20285), and "
        "only keeping the batch-norm layers' `trainable = False` protects them. Also flagged: a model built on the "
        "base's own graph (`keras.Model(inputs=base.input, outputs=head(base.output))`) and a base that is a layer "
        "of a `Sequential` (`Sequential([base, ...])`, `model.add(base)`), where no call can take "
        "`training=False`. Silent with any `training=` argument, for an eager call on a real batch (a shape check: "
        "only calls on a tensor computed from `keras.Input` build the trained model), when the base is never "
        "unfrozen (it stays in inference mode) or never frozen (end-to-end training), when the module keeps "
        "batch-norm layers frozen (`layer.trainable = False` under `isinstance(layer, BatchNormalization)`, or "
        "the unfreezing under `not isinstance(...)`), for "
        "models without batch norm (VGG), and for a call in a GradientTape block (BNU007's territory). Off by "
        "default (enable with `--select BNU` or `extend-select = BNU201`): no labelled real bug yet. torchwild: 0 "
        "bug rows, 4 correct look-alikes silent. 9 public fine-tuning scripts read by hand (found by "
        "`base_model.trainable = True`): 2 bugs (the base's graph reused), both caught; 5 correct, silent; 2 "
        "undecidable (base taken from `model.layers`), silent; the shape-check exemption was tuned on a third. "
        "Off by default (enable with `--select BNU` or `extend-select = BNU201`). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught 2 of the 3 BUG rows of its kind "
        "(tensorflow/docs' transfer-learning tutorial, aryxnsdfs' `Sequential` base), missed DKSwetha (base "
        "built by a function passed in), charged with none of 15 correct look-alikes; 2 findings outside the "
        "labels (undecided: tensorflow/docs' r1 tutorial, sspak9's unfreezing before any training). Under the "
        "bar (precision >= 90% and recall >= 80%): recall 67%."),
    fix=("For models spelled `tf.keras`/`tf_keras`, adds `training=False` to the call, the guide's remedy. Unsafe: "
         "it changes what fine-tuning computes, an author may want batch norm to adapt to the new data, and it "
         "only works where `tf.keras` is Keras 2 (TensorFlow <= 2.15 or `TF_USE_LEGACY_KERAS=1`). No fix for "
         "`keras` (Keras 3) models, where `fit` overrides `training=False`: the remedy there, keeping the "
         "batch-norm layers frozen, is a loop the author places."),
    fix_safety=FixSafety.UNSAFE,
    fix_title="pass `{keyword}={value}`",
    flagged=(
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
outputs = keras.layers.Dense(10)(base(inputs))  # expect: BNU201:34
model = keras.Model(inputs, outputs)
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)

base.trainable = True
model.compile(keras.optimizers.Adam(1e-5), "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)
""",
        """\
import tensorflow as tf

base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet")
for layer in base.layers:
    layer.trainable = False
inputs = tf.keras.Input((160, 160, 3))
x = base(inputs)  # expect: BNU201:5
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))
model.fit(train_ds)
for layer in base.layers[-30:]:
    layer.trainable = True
model.fit(train_ds)
""",
        """\
import tensorflow as tf

base = tf.keras.applications.EfficientNetB0(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
model = tf.keras.Sequential([
    base,  # expect: BNU201:5
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile("adam", "categorical_crossentropy")
model.fit(x_train, y_train, epochs=2)
for layer in base.layers[-20:]:
    layer.trainable = True
model.compile(tf.keras.optimizers.Adam(1e-5), "categorical_crossentropy")
model.fit(x_train, y_train, epochs=2)
""",
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
for layer in base.layers:
    layer.trainable = False
model = keras.Sequential()
model.add(base)  # expect: BNU201:11
model.add(keras.layers.Dense(10))
model.fit(train_ds, epochs=5)
base.trainable = True
model.fit(train_ds, epochs=5)
""",
    ),
    silent=(
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
for layer in base.layers:
    layer.trainable = False
model = keras.Sequential()
model.add(base)
model.add(keras.layers.Dense(10))
model.fit(train_ds, epochs=5)
for layer in base.layers[-30:]:
    if not isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = True
model.fit(train_ds, epochs=5)
""",
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
model = keras.Sequential([base, keras.layers.Dense(10)])
model.fit(train_ds, epochs=5)
""",
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
outputs = keras.layers.Dense(10)(base(inputs, training=False))
model = keras.Model(inputs, outputs)
model.fit(train_ds, epochs=5)

base.trainable = True
model.compile(keras.optimizers.Adam(1e-5), "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)
""",
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(10)(base(inputs)))
model.fit(train_ds, epochs=5)
base.trainable = True
for layer in base.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
model.compile(keras.optimizers.Adam(1e-5), "sparse_categorical_crossentropy")
model.fit(train_ds, epochs=5)
""",
        """\
import keras

base = keras.applications.VGG16(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(10)(base(inputs)))
model.fit(train_ds, epochs=5)
base.trainable = True
model.fit(train_ds, epochs=5)
""",
        """\
import keras

base = keras.applications.ResNet50(include_top=False, weights="imagenet", pooling="avg")
base.trainable = False
inputs = keras.Input((224, 224, 3))
model = keras.Model(inputs, keras.layers.Dense(10)(base(inputs)))
model.fit(train_ds, epochs=5)
""",
    ),
    check=check,
    fixed=(
        (
            """\
import tensorflow as tf

base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet")
for layer in base.layers:
    layer.trainable = False
inputs = tf.keras.Input((160, 160, 3))
x = base(inputs)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))
model.fit(train_ds)
for layer in base.layers[-30:]:
    layer.trainable = True
model.fit(train_ds)
""",
            """\
import tensorflow as tf

base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet")
for layer in base.layers:
    layer.trainable = False
inputs = tf.keras.Input((160, 160, 3))
x = base(inputs, training=False)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))
model.fit(train_ds)
for layer in base.layers[-30:]:
    layer.trainable = True
model.fit(train_ds)
""",
        ),
    ),
)
