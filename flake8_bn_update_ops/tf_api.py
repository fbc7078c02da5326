"""What we know about the TensorFlow API, as data.

A new API is a new row here, not a new ``if`` in a rule. Names are canonical dotted paths:
``canonical()`` folds the many spellings of one API (``tensorflow.compat.v1.X``,
``tf_keras.X``, contrib's ``python.layers`` paths) onto one key before any table is consulted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import FrozenSet, Mapping, Optional, Tuple

from .core.kinds import Vocabulary

# Longest prefix first. ``tensorflow.compat.v1.X`` and ``tensorflow.X`` are the same API for
# matching (RULES: "tensorflow.compat.v1.X and tensorflow.X are the same API").
_PREFIX_ALIASES: Tuple[Tuple[str, str], ...] = tuple(sorted((
    ("tensorflow.compat.v1.", "tensorflow."),
    ("tensorflow._api.v2.compat.v1.", "tensorflow."),
    ("tensorflow.compat.v2.", "tensorflow."),
    ("tensorflow.python.framework.ops.", "tensorflow."),
    ("tensorflow.python.keras.", "tensorflow.keras."),
    ("tensorflow.python.layers.normalization.", "tensorflow.layers."),
    ("tensorflow.python.training.saver.", "tensorflow.train."),
    ("tensorflow.contrib.layers.python.layers.layers.", "tensorflow.contrib.layers."),
    ("tensorflow.contrib.layers.python.layers.", "tensorflow.contrib.layers."),
    ("tensorflow.contrib.slim.python.slim.learning.", "tensorflow.contrib.slim.learning."),
    ("tensorflow.contrib.slim.layers.", "tensorflow.contrib.layers."),
    ("tensorflow.contrib.framework.python.ops.arg_scope.", "tensorflow.contrib.framework."),
    ("tensorflow.contrib.framework.python.ops.", "tensorflow.contrib.framework."),
    ("tensorflow.contrib.slim.arg_scope", "tensorflow.contrib.framework.arg_scope"),
    ("tf_slim.layers.layers.", "tf_slim."),
    ("tf_slim.layers.", "tf_slim."),
    ("tf_slim.ops.arg_scope.", "tf_slim."),
    ("tf_slim.training.training.", "tf_slim.training."),
    ("tf_keras.src.", "tensorflow.keras."),
    ("tf_keras.", "tensorflow.keras."),
    ("tensorflow.keras.layers.normalization.batch_normalization.", "tensorflow.keras.layers."),
    ("tensorflow.keras.layers.normalization.", "tensorflow.keras.layers."),
    ("keras.src.layers.normalization.batch_normalization.", "keras.layers."),
    ("keras.layers.normalization.", "keras.layers."),
    ("tensorflow.keras.models.", "tensorflow.keras."),
    ("keras.models.", "keras."),
), key=lambda pair: -len(pair[0])))


# How messages write a canonical TensorFlow name: with the conventional alias (``tf.keras...``).
CANONICAL_ROOT, DISPLAY_ROOT = "tensorflow.", "tf."


def display_name(dotted: str) -> str:
    return dotted.replace(CANONICAL_ROOT, DISPLAY_ROOT, 1)


def canonical(dotted: str) -> str:
    """Fold an API spelling onto its canonical key (idempotent). The resolver memoises it."""
    for _ in range(3):  # prefixes can chain: compat.v1 then contrib paths
        for prefix, replacement in _PREFIX_ALIASES:
            if dotted.startswith(prefix):
                dotted = replacement + dotted[len(prefix):]
                break
            if dotted + "." == prefix:
                dotted = replacement.rstrip(".")
                break
        else:
            return dotted
    return dotted


# How a fix writes TensorFlow (RULES, BNU001's fix): through the module's alias of the TF1 API
# if it has one, else its ``tensorflow`` alias plus ``.compat.v1`` when it already reaches TF1
# APIs that way, else a new import (under the first of the aliases that is free).
TF_MODULE = "tensorflow"
TF1_PATH = "compat.v1"                          # from the tensorflow module to the TF1 API
TF1_MODULE = f"{TF_MODULE}.{TF1_PATH}"
IMPORT_ALIASES: Tuple[str, ...] = ("tf", "tf1")

# ----------------------------------------------------------------------------------------------
# Batch-norm sites


class Family(Vocabulary):
    """Batch-norm APIs that share a flag's meaning and default: what a missing flag does."""

    LAYERS = "layers"       # tf.layers: ``training`` defaults to False
    CONTRIB = "contrib"     # contrib and slim: ``is_training`` defaults to True
    KERAS = "keras"         # Keras: the learning phase decides
    WRAPPER = "wrapper"     # a project function named by ``--bn-wrappers``: its own default


@dataclass(frozen=True)
class BatchNormApi:
    display: str                    # how messages name it
    family: Family
    flag: str                       # the training-flag parameter
    flag_position: Optional[int]    # its positional index in the call that takes it
    flag_default: Optional[bool]    # None: decided by the Keras learning phase
    is_class: bool                  # the flag goes to the instance call, not the constructor
    collection_arg: Optional[str] = None
    collection_position: Optional[int] = None


_TF_LAYERS_FN = BatchNormApi("tf.layers.batch_normalization", Family.LAYERS, "training", 14, False, False)
_TF_LAYERS_CLASS = BatchNormApi("tf.layers.BatchNormalization", Family.LAYERS, "training", 1, False, True)
# contrib's signature: batch_norm(inputs, decay, center, scale, epsilon, activation_fn,
# param_initializers, param_regularizers, updates_collections, is_training, ...)
_CONTRIB = BatchNormApi("tf.contrib.layers.batch_norm", Family.CONTRIB, "is_training", 9, True, False,
                        "updates_collections", 8)
_SLIM = BatchNormApi("slim.batch_norm", Family.CONTRIB, "is_training", 9, True, False,
                     "updates_collections", 8)
_KERAS = BatchNormApi("tf.keras.layers.BatchNormalization", Family.KERAS, "training", 1, None, True)
_KERAS3 = BatchNormApi("keras.layers.BatchNormalization", Family.KERAS, "training", 1, None, True)
# The rows a project class stands for: a subclass of the tf.layers class, and a Keras layer or
# model the analysis sees into (its flag goes to its instance call, as Keras's own does).
TF_LAYERS_CLASS_API = _TF_LAYERS_CLASS
KERAS_LAYER_API = _KERAS

BATCH_NORM_APIS: Mapping[str, BatchNormApi] = MappingProxyType({
    "tensorflow.layers.batch_normalization": _TF_LAYERS_FN,
    "tensorflow.layers.BatchNormalization": _TF_LAYERS_CLASS,
    "tensorflow.contrib.layers.batch_norm": _CONTRIB,
    "tensorflow.contrib.slim.batch_norm": _SLIM,
    "tf_slim.batch_norm": _SLIM,
    "tensorflow.keras.layers.BatchNormalization": _KERAS,
    "tensorflow.keras.layers.experimental.SyncBatchNormalization": _KERAS,
    "keras.layers.BatchNormalization": _KERAS3,
})

# The keywords that carry a batch-norm training flag, in any API above.
BATCH_NORM_FLAG_KEYWORDS: FrozenSet[str] = frozenset(api.flag for api in BATCH_NORM_APIS.values())

# Keyword that routes a contrib/slim layer through a batch-norm function, and the dict of its options.
NORMALIZER_FN_KEYWORD = "normalizer_fn"
NORMALIZER_PARAMS_KEYWORD = "normalizer_params"
# contrib's other function-valued keyword: a batch norm passed there is an activation, not a site.
ACTIVATION_FN_KEYWORD = "activation_fn"
# The keyword that makes a layer's variables trainable (False: a deliberately frozen layer).
TRAINABLE_KEYWORD = "trainable"
# contrib's keyword that puts the moving statistics into other collections (BNU008's escape).
VARIABLES_COLLECTIONS_KEYWORD = "variables_collections"

# arg_scope(list_ops_or_scope, **kwargs): the functions it sets defaults for (or a saved scope).
ARG_SCOPE_FUNCTIONS_KEYWORD = "list_ops_or_scope"
# A function whose name holds this word returns a saved arg_scope (``resnet_arg_scope()``).
ARG_SCOPE_FUNCTION_WORD = "scope"
ARG_SCOPES: FrozenSet[str] = frozenset({
    "tensorflow.contrib.framework.arg_scope",
    "tf_slim.arg_scope",
})
PARTIALS: FrozenSet[str] = frozenset({"functools.partial"})

# Dynamic imports (RULES.md "Dynamic imports and import paths"): the call, and whether it returns
# the named module itself (``import_module``) or its top package (``__import__`` without fromlist).
DYNAMIC_IMPORTS: Mapping[str, bool] = MappingProxyType({
    "importlib.import_module": True,
    "builtins.__import__": False,
})
ATTRIBUTE_BY_NAME = "builtins.getattr"
# Calls that add a folder to the import path (same section of RULES.md): the call -> (position of
# the folder argument, whether the folder goes before the usual roots: ``insert`` usually puts
# it first, ``append`` last). The folder is a literal or built by the path functions below.
SYS_PATH_ADDERS: Mapping[str, Tuple[int, bool]] = MappingProxyType({
    "sys.path.insert": (1, True),
    "sys.path.append": (0, False),
})
PATH_JOIN = "os.path.join"
PATH_PARENT = "os.path.dirname"
# Path functions that leave the folder a path names as it is.
PATH_SAME_FOLDER: FrozenSet[str] = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath"})
MODULE_FILE_NAME = "__file__"
# Command-line options whose default (and choices) show the candidates of ``args.<name>`` /
# ``FLAGS.<name>``: the defining call's method name -> the keyword holding the default. The
# option's name is its first argument (``"--model_def"``, ``"model"``) or ``dest=``.
COMMAND_LINE_OPTIONS: Mapping[str, str] = MappingProxyType({
    "add_argument": "default",
    "DEFINE_string": "default",
    "DEFINE_enum": "default",
})
COMMAND_LINE_CHOICES_KEYWORDS: Tuple[str, ...] = ("choices", "enum_values")
COMMAND_LINE_DEST_KEYWORD = "dest"      # argparse's: the option's name when it is not the first argument
# Definers whose second positional argument is not the default (argparse's is another option
# string; absl's ``DEFINE_string(name, default, help)`` has the default there).
COMMAND_LINE_NAMES_ONLY: FrozenSet[str] = frozenset({"add_argument"})

# Training-flag parameter names. Passing the first group is a safe fix; the others are guesses.
SAFE_FLAG_NAMES: Tuple[str, ...] = ("training", "is_training")
UNSAFE_FLAG_NAMES: Tuple[str, ...] = ("is_train", "train", "phase_train", "train_phase",
                                      "training_phase")
MODE_PARAMETER = "mode"
# ``mode == tf.estimator.ModeKeys.TRAIN``: the estimator's training mode, by its attribute name;
# and the word that makes any name read as a training flag (``is_train``, ``self.training``).
ESTIMATOR_TRAIN_MODE = "TRAIN"
FLAG_NAME_WORD = "train"

# ----------------------------------------------------------------------------------------------
# Train ops and the helpers that already run the update ops

MINIMIZE_METHOD = "minimize"               # minimize(loss, ...): computes its own gradients
APPLY_GRADIENTS_METHOD = "apply_gradients"  # apply_gradients(grads_and_vars): gradients computed earlier
TRAIN_OP_METHODS: FrozenSet[str] = frozenset({MINIMIZE_METHOD, APPLY_GRADIENTS_METHOD})
# Where a train op's loss is passed: ``minimize(loss)``, the helpers' ``create_train_op(total_loss)``.
MINIMIZE_LOSS_KEYWORD = "loss"
HELPER_LOSS_KEYWORD = "total_loss"
LOSS_POSITION = 0
# Roots whose ``minimize`` is not a TensorFlow train op (``scipy.optimize.minimize``).
TRAIN_OP_ROOTS: FrozenSet[str] = frozenset({"tensorflow", "keras", "tf_keras", "tf_slim"})

# Helpers that collect UPDATE_OPS themselves (measured for slim); the keyword that overrides it.
UPDATE_RUNNING_HELPERS: Mapping[str, str] = MappingProxyType({
    "tensorflow.contrib.training.create_train_op": "update_ops",
    "tensorflow.contrib.slim.learning.create_train_op": "update_ops",
    "tf_slim.learning.create_train_op": "update_ops",
    "tf_slim.training.create_train_op": "update_ops",
    "tensorflow.contrib.layers.optimize_loss": "update_ops",
})
# Their positional index of ``update_ops``: create_train_op(total_loss, optimizer, global_step, update_ops)
UPDATE_RUNNING_HELPER_POSITION: Mapping[str, int] = MappingProxyType({
    "tensorflow.contrib.training.create_train_op": 3,
    "tensorflow.contrib.slim.learning.create_train_op": 3,
    "tf_slim.learning.create_train_op": 3,
    "tf_slim.training.create_train_op": 3,
})

GRADIENT_CALLS: FrozenSet[str] = frozenset({"compute_gradients", "gradients", "gradient"})

# ----------------------------------------------------------------------------------------------
# Collections

COLLECTION_READER = "get_collection"            # returns a copy of the collection as it is now
LIVE_COLLECTION_READER = "get_collection_ref"   # returns the collection itself: it sees later additions
COLLECTION_READERS: FrozenSet[str] = frozenset({COLLECTION_READER, LIVE_COLLECTION_READER})
# Writers: ``add_to_collection(name, value)``, ``add_to_collections(names, value)``.
COLLECTION_ADDER = "add_to_collection"
COLLECTION_ADDERS: FrozenSet[str] = frozenset({COLLECTION_ADDER, "add_to_collections"})
UPDATE_OPS = "update_ops"             # the collection's string value, our key for it
KERAS_UPDATES = "<keras .updates>"    # the key Keras carriers add (never UPDATE_OPS)
ANY_UPDATES = "*"                     # a carrier we cannot see into (documented heuristic)
GRAPH_KEYS: Mapping[str, str] = MappingProxyType({
    "tensorflow.GraphKeys.UPDATE_OPS": UPDATE_OPS,
    "tensorflow.GraphKeys.TRAINABLE_VARIABLES": "trainable_variables",
    "tensorflow.GraphKeys.GLOBAL_VARIABLES": "variables",
    "tensorflow.GraphKeys.MODEL_VARIABLES": "model_variables",
    "tensorflow.GraphKeys.MOVING_AVERAGE_VARIABLES": "moving_average_variables",
})
KERAS_UPDATE_ATTRIBUTES: FrozenSet[str] = frozenset({"updates"})
KERAS_UPDATE_METHODS: FrozenSet[str] = frozenset({"get_updates_for"})
UPDATE_NAME_HEURISTIC = re.compile(r"update", re.IGNORECASE)

GROUPING_CALLS: FrozenSet[str] = frozenset({"tensorflow.group", "tensorflow.tuple"})
CONTROL_DEPENDENCIES = "control_dependencies"
RUN_METHODS: FrozenSet[str] = frozenset({"run"})
FEED_KEYWORD = "feed_dict"
FETCH_KEYWORD = "fetches"

# ----------------------------------------------------------------------------------------------
# Losses (BNU005 needs to know a scalar loss when it sees one)

SCALAR_LOSS_PREFIXES: Tuple[str, ...] = (
    "tensorflow.reduce_", "tensorflow.math.reduce_", "tensorflow.losses.", "tensorflow.nn.l2_loss",
    "tensorflow.add_n", "tensorflow.math.add_n", "tensorflow.keras.losses.",
)
PASS_THROUGH_CALLS: FrozenSet[str] = frozenset({"tensorflow.identity"})
SUMMARY_CALLS: FrozenSet[str] = frozenset({
    "tensorflow.summary.scalar", "tensorflow.summary.histogram", "tensorflow.summary.merge",
    "tensorflow.summary.merge_all",
})
SUMMARY_MERGE_ALL = "tensorflow.summary.merge_all"
SUMMARY_MERGE_ALL_SET: FrozenSet[str] = frozenset({SUMMARY_MERGE_ALL})
# Conditionals that pick a branch by a (training) flag: ``tf.cond(flag, true_fn, false_fn)``.
FLAG_CONDITIONALS: FrozenSet[str] = frozenset({"cond", "smart_cond"})
# Calls that choose between branches at run time (``tf.case`` too: a call under any of them is
# built in both modes, whatever its literal flag says).
BRANCH_CONDITIONALS: FrozenSet[str] = FLAG_CONDITIONALS | {"case"}
# The branch such a conditional runs when the flag is false: its keyword and position.
FLAG_CONDITIONAL_FALSE_BRANCH = "false_fn"
FLAG_CONDITIONAL_FALSE_POSITION = 2
# A GradientTape's methods that take a gradient: a tape with none of them is evaluation.
TAPE_GRADIENT_METHODS: FrozenSet[str] = frozenset({"gradient", "jacobian", "batch_jacobian"})
# ``with G.as_default():`` makes G the graph that ops (and collection reads) go to.
GRAPH_SCOPE_METHOD = "as_default"
# Start a new default graph: the ops built before the call and those built after it never meet
# (RULES.md "Execution order": a notebook's later cells).
GRAPH_RESETS: FrozenSet[str] = frozenset({"tensorflow.reset_default_graph"})
# Functions that read a loss from graph collections other code fills: a loss computed through
# one may come from anywhere in the graph (RULES.md "Reach" cannot be decided through them).
LOSS_COLLECTION_READERS: FrozenSet[str] = frozenset({
    "get_total_loss", "get_losses", "get_regularization_loss", "get_regularization_losses", "get_collection"})
# What calling an instance runs: Python's ``__call__``, and Keras's ``call`` (a Layer's
# ``__call__`` runs the subclass's ``call``).
INSTANCE_CALL_METHODS: Tuple[str, ...] = ("__call__", "call")
# What constructing a Keras layer runs before its first call (``build`` makes its sublayers).
KERAS_CONSTRUCTION_METHODS: Tuple[str, ...] = ("__init__", "build")
# ``Sequential(layers)`` and ``Model(inputs, outputs)``: the keywords (else positions 0 and 1).
KERAS_SEQUENTIAL_LAYERS_KEYWORD = "layers"
KERAS_MODEL_OUTPUTS_KEYWORD = "outputs"
# The argument a Keras layer or model call takes its mode from.
KERAS_TRAINING_ARGUMENT = _KERAS.flag
KERAS_TRAINING_METHODS: FrozenSet[str] = frozenset({"fit", "fit_generator", "train_on_batch"})
# What a Keras model's methods that train, evaluate or predict return: numbers, arrays, a History,
# never the model or a tensor of the graph.
KERAS_RESULT_METHODS: FrozenSet[str] = KERAS_TRAINING_METHODS | frozenset({
    "evaluate", "predict", "test_on_batch", "predict_on_batch", "evaluate_generator", "predict_generator"})
# A Keras model's own methods called on it in a builder's body (building, training, saving it).
KERAS_MODEL_METHODS: FrozenSet[str] = KERAS_RESULT_METHODS | frozenset({
    "compile", "summary", "save", "save_weights", "load_weights", "build"})

# ----------------------------------------------------------------------------------------------
# Graph mode (BNU003-Keras, BNU006), eager code (BNU007)

# Fed by a run: a graph-mode marker, and (bound under a flag name) the flag the fixes pass.
FLAG_PLACEHOLDERS: FrozenSet[str] = frozenset({"tensorflow.placeholder", "tensorflow.placeholder_with_default"})
GRAPH_MODE_CALLS: FrozenSet[str] = frozenset({
    "tensorflow.Session", "tensorflow.InteractiveSession", "tensorflow.train.MonitoredTrainingSession",
    "tensorflow.disable_eager_execution", "tensorflow.disable_v2_behavior",
}) | FLAG_PLACEHOLDERS
GRAPH_MODE_KEYWORDS: FrozenSet[str] = frozenset({"model_fn"})
# Estimators take the model function as their first positional argument too: it runs in graph mode.
ESTIMATORS: FrozenSet[str] = frozenset({
    "tensorflow.estimator.Estimator", "tensorflow.estimator.tpu.TPUEstimator",
    "tensorflow.contrib.tpu.TPUEstimator", "tensorflow.compat.v1.estimator.tpu.TPUEstimator",
})
# Where the Estimator names its modes, for each Estimator that passes ``mode`` to a model function
# that names it (tf.estimator and contrib.learn read the function's parameters; contrib.learn's
# documented signatures include ``(features, targets, mode)``): a flag fix adds the parameter.
ESTIMATOR_MODE_KEYS: Mapping[str, str] = MappingProxyType({
    **{name: "estimator.ModeKeys" for name in ESTIMATORS},
    "tensorflow.contrib.learn.Estimator": "contrib.learn.ModeKeys",
})
# The same markers by their last name, read from another module's text without analysing it
# (RULES.md "Graph mode follows the call chain": a module that another, graph-mode module calls).
GRAPH_MODE_MARKER_NAMES: FrozenSet[str] = frozenset(
    {name.rsplit(".", 1)[-1] for name in GRAPH_MODE_CALLS | ESTIMATORS} | GRAPH_MODE_KEYWORDS)
EAGER_MARKER_NAMES: FrozenSet[str] = frozenset({"GradientTape", "fit", "train_on_batch", "fit_generator"})
TF1_OPTIMIZER_PREFIX = "tensorflow.train."
GRADIENT_TAPE = "tensorflow.GradientTape"
# Calls that train, by their last name: a module that makes none of these (no train op, Keras
# fit, training helper or tape) trains nothing (RULES.md's exemption for a literal False).
TRAINING_CALL_NAMES: FrozenSet[str] = frozenset(
    TRAIN_OP_METHODS | KERAS_TRAINING_METHODS | {name.rsplit(".", 1)[-1] for name in UPDATE_RUNNING_HELPERS}
    | {GRADIENT_TAPE.rsplit(".", 1)[-1]})
LEARNING_PHASE_SETTERS: FrozenSet[str] = frozenset({"tensorflow.keras.backend.set_learning_phase"})
LEARNING_PHASE = "tensorflow.keras.backend.learning_phase"

KERAS_MODEL_CLASSES: FrozenSet[str] = frozenset({
    "tensorflow.keras.Sequential", "tensorflow.keras.Model", "keras.Sequential", "keras.Model",
})
# A Sequential of any Keras (``tf.keras``, ``keras``, a project's re-export): matched by its last name.
KERAS_SEQUENTIAL_SUFFIX = "Sequential"
# ``model.add(layer)``: a Sequential built layer by layer.
KERAS_SEQUENTIAL_ADD_METHOD = "add"
# Layers that are a model's input, by last name, and the keywords that give a layer its input
# shape: a model that starts with either is built on its own input (its ``.updates`` hold them).
KERAS_INPUT_LAYER_SUFFIXES: Tuple[str, ...] = ("Input", "InputLayer")
KERAS_INPUT_SHAPE_KEYWORDS: Tuple[str, ...] = ("input_shape", "input_dim", "batch_input_shape")
KERAS_INPUTS: FrozenSet[str] = frozenset({"tensorflow.keras.Input", "tensorflow.keras.layers.Input",
                                          "keras.Input", "keras.layers.Input"})
KERAS_APPLICATION_PREFIXES: Tuple[str, ...] = ("tensorflow.keras.applications.", "keras.applications.")
# tf.keras.applications models that contain BatchNormalization (VGG has none).
KERAS_APPLICATIONS_WITH_BATCH_NORM: FrozenSet[str] = frozenset({
    "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2",
    "ResNetRS50", "ResNetRS101", "ResNetRS152", "ResNetRS200", "ResNetRS270", "ResNetRS350",
    "ResNetRS420", "InceptionV3", "InceptionResNetV2", "Xception", "MobileNet", "MobileNetV2",
    "MobileNetV3Small", "MobileNetV3Large", "DenseNet121", "DenseNet169", "DenseNet201",
    "NASNetMobile", "NASNetLarge", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2",
    "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
    "EfficientNetV2S", "EfficientNetV2M", "EfficientNetV2L", "RegNetX002", "RegNetY002",
})
# Keras 3 (``keras.``) has no ``.updates``: BNU006's fix is only written for these roots.
KERAS2_ROOTS: Tuple[str, ...] = ("tensorflow.keras.",)
KERAS_PREFIXES: Tuple[str, ...] = ("tensorflow.keras.", "keras.")

# ----------------------------------------------------------------------------------------------
# Checkpoints (BNU008)

SAVERS: FrozenSet[str] = frozenset({"tensorflow.train.Saver"})
SAVER_VARIABLES_KEYWORD = "var_list"        # Saver(var_list=None, ...): what it saves
SAVER_VARIABLES_POSITION = 0
TRAINABLE_ONLY_CALLS: FrozenSet[str] = frozenset({"tensorflow.trainable_variables"})
TRAINABLE_COLLECTION = "trainable_variables"

# ----------------------------------------------------------------------------------------------
# Text pre-check: a file that mentions none of these words cannot produce a finding.


def _trigger_words() -> FrozenSet[str]:
    words = set()
    for table in (BATCH_NORM_APIS, UPDATE_RUNNING_HELPERS):
        words.update(name.rsplit(".", 1)[-1] for name in table)
    words.update(TRAIN_OP_METHODS)
    words.update(name.rsplit(".", 1)[-1] for name in SAVERS)
    words.add(GRADIENT_TAPE.rsplit(".", 1)[-1])
    words.update(COLLECTION_READERS)
    words.update({"UPDATE_OPS", UPDATE_OPS, NORMALIZER_FN_KEYWORD})
    # A module that opens an arg_scope sets batch-norm flags for what it calls, though it may
    # name no layer itself (``arg_scope(mobilenet_v2.training_scope())``: BNU002 at that call).
    words.update(name.rsplit(".", 1)[-1] for name in ARG_SCOPES)
    return frozenset(words)


TRIGGER_WORDS: FrozenSet[str] = _trigger_words()

# A project module matters to the modules that import it only if it can build batch norm
# (or re-export something that does): a narrower test than TRIGGER_WORDS, which also holds
# words such as ``minimize`` that a module may use without building anything.
BUILDER_WORDS: FrozenSet[str] = frozenset(
    {name.rsplit(".", 1)[-1] for name in BATCH_NORM_APIS} | {NORMALIZER_FN_KEYWORD}
    | KERAS_APPLICATIONS_WITH_BATCH_NORM)

# Top-level packages that are never one of the project's own modules, whatever folders the
# project has (``core.project``): the training libraries, and the numeric and utility libraries
# a training module imports beside them.
NEVER_PROJECT_ROOTS: FrozenSet[str] = TRAIN_OP_ROOTS | frozenset(
    {"numpy", "scipy", "functools", "os", "sys", "math", "collections", "typing", "six", "absl"})
# Words that make an imported module worth reading (``core.project``), beside the trigger and
# builder words: slim's arg_scope, Keras, the collections' GraphKeys.
MODULE_RELEVANCE_WORDS: FrozenSet[str] = frozenset({"arg_scope", "keras", "GraphKeys"})
