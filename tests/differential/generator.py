"""Seeded generator of TF1-style graph-mode training programs (standard library only).

``generate(seed)`` returns a ``Program``: one or more source files of a small, complete training
script run through ``tf.compat.v1`` (TensorFlow 2.x with ``TF_USE_LEGACY_KERAS=1``), and ``meta``, the
axes it was drawn from.  Axes vary independently: the family (``tf.layers`` in one file, Keras in one
file, or a multi-file program whose model lives in a folder without ``__init__.py``), the form taken
from real code, import spelling, batch-norm API form, training flag, update-op handling (right and
wrong), train-op form, code layout (module, functions, class) and the author's style.  A program
trains 10-20 steps on synthetic data whose mean is far from 0 and does nothing special at the end:
the runner reads the moving means from the session it used.

The source never says what the expected answer is; ``meta`` does:

* ``expected`` is this module's reading of what TensorFlow does (``expected_verdict``): the
  differential test checks it against TensorFlow, so a wrong reading is found, not trusted;
* ``defects`` lists each cause that keeps a layer from training with the code RULES.md gives it and
  whether RULES.md defines a fix for it (``defects_for``, decided from RULES.md's words only, before
  any fixer runs; each decision quotes the sentence it rests on); ``fix_defined`` is their conjunction.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

FAMILIES = ("layers", "keras", "multi")
IMPORTS = ("tf_compat", "v1_as_tf", "tf_plus_tf1", "v1_assign", "from_layers")
BN_APIS = ("func", "func_alias", "func_imported", "partial", "class", "builder_fn", "builder_cls")
KERAS_KINDS = ("sequential", "functional", "subclassed", "layers")
KERAS_STORES = ("local", "self")
LEARNING_PHASES = ("none", "set", "fed")
FLAGS = ("placeholder", "pwd_false", "pwd_true", "true", "false", "missing", "const_true",
         "const_false", "mixed_false", "mixed_missing")
TENSOR_FLAGS = ("placeholder", "pwd_false", "pwd_true")
HANDLINGS = ("ctrl_deps", "ctrl_deps_inline", "group", "run_both", "run_separate", "ref_late",
             "ref_early", "in_function", "optimizer_only", "deps_trainable", "unused_list",
             "identity_loss", "early_read", "ref_in_block", "none", "keras_updates")
# Handled for UPDATE_OPS sites (RULES.md "Handled" 1-3, and a get_collection_ref read consumed
# after the layers).  For Keras sites only ``keras_updates`` is (RULES.md BNU006).
HANDLED = ("ctrl_deps", "ctrl_deps_inline", "group", "run_both", "run_separate", "ref_late",
           "ref_early", "in_function")
TRAIN_FORMS = ("minimize", "minimize_inline", "compute_apply", "minimize_nested", "minimize_cond")
STRUCTURES = ("module", "functions", "class")
# Forms seen in real code (issue 15) and the Keras model kinds (issue 16): one label per program.
LAYERS_FORMS = ("plain", "key_const", "key_var", "tuple_helper", "summary_first")
KERAS_FORMS = tuple("keras_" + kind for kind in KERAS_KINDS)
MULTI_FORMS = ("ns_package", "builder_subclass", "registry")
FORMS = LAYERS_FORMS + KERAS_FORMS + MULTI_FORMS
# Parameter names RULES.md lets a BNU002/BNU003 fix use (BNU003: "exactly one parameter named
# `training` or `is_training`" (safe), "the same for other flag names (`is_train`, `train`,
# `phase_train`, `train_phase`, `training_phase`, configurable)" (unsafe)), and some it does not know.
STANDARD_FLAG_PARAMS = ("training", "is_training", "is_train", "train", "phase_train", "train_phase",
                        "training_phase")
OTHER_FLAG_PARAMS = ("bn_mode", "use_batch_stats", "fit_mode")


@dataclass
class Program:
    """``files``: relative path -> source; ``main`` is the script to run (``python train.py``)."""

    files: Dict[str, str]
    meta: Dict[str, object] = field(default_factory=dict)
    main: str = "train.py"

    @property
    def source(self) -> str:
        return self.files[self.main]

    @property
    def multi_file(self) -> bool:
        return len(self.files) > 1


# --------------------------------------------------------------------------- RULES.md, read once

def flag_fix_defined(params: Optional[Sequence[str]]) -> bool:
    """Is there a BNU002/BNU003 fix for a flag in a function with these parameters (None: module level)?

    BNU002: "Fix (unsafe): replace the literal with the enclosing function's single training-flag
    parameter (see BNU003)."  BNU003: "Fix (safe): when the enclosing function has exactly one
    parameter named `training` or `is_training`, pass it.  Fix (unsafe): the same for other flag names
    (`is_train`, `train`, `phase_train`, `train_phase`, `training_phase`, configurable)".  BNU003's Keras
    form: "Fix (unsafe): pass the enclosing function's training parameter, as above."  Module level
    has no enclosing function, so no fix; a parameter RULES.md does not name is not a flag parameter.
    """
    if params is None:
        return False
    return sum(1 for name in params if name in STANDARD_FLAG_PARAMS) == 1


def train_op_fix_defined(position: str) -> bool:
    """Is there a BNU001 (or BNU005, "wrap the train op statement as in BNU001") fix for a train op here?

    BNU001: "Fix (safe): when the train op call is the whole value of an assignment, `return`, or
    expression statement, wrap that one statement" -> ``statement``.  "Fix (unsafe): when the call is
    nested deeper [...], hoist it [...]. Never hoist out of a `lambda`, a comprehension, a conditional
    expression or an `and`/`or` [...]: no fix there." -> ``nested`` yes; ``lambda``,
    ``comprehension``, ``conditional``, ``boolop`` no.
    """
    return position in ("statement", "nested")


def bnu004_fix_defined(read: str, sites_before_consumer: bool, mutated: bool) -> bool:
    """BNU004: "Fix (safe): `get_collection` -> `get_collection_ref` at that call, only when every such
    site comes before the consuming call and the name is never mutated [...]. Otherwise no fix is
    offered."  A read that is already ``get_collection_ref`` (``read == "ref"``) has nothing to replace.
    """
    return read == "copy" and sites_before_consumer and not mutated


def bnu006_fix_defined(keras_in_scope: int, keras2: bool) -> bool:
    """BNU006: "Fix (unsafe): wrap the train op in `control_dependencies(<model>.updates)` when exactly
    one Keras model or layer variable in scope can be named, and only for `tf.keras`/`tf_keras` (Keras 3
    has no `.updates`)."  ``keras_in_scope`` counts the variables visible where the train op is built
    (its function's locals and parameters, the module's globals, and ``self.<attr>`` in a method) that
    hold a Keras model or layer containing batch norm; a parameter counts when a call passes a model
    (RULES.md Vocabulary: "a function parameter holds a model when a call of that function in the
    module [...] passes one").  The programs build their ``Dense`` layers inline, so no other Keras
    layer variable is in sight.
    """
    return keras_in_scope == 1 and keras2


def _defect(code: str, where: str, fix: bool, why: str) -> dict:
    return {"code": code, "where": where, "fix": bool(fix), "why": why}


def _site_effective(kind: str, lphase: str, outer: Optional[bool]) -> bool:
    """Does a batch-norm layer run in training mode in the training ``run``?"""
    if kind in ("tensor", "true", "const_true"):
        return True                   # a tensor flag is fed True (or defaults to True) in training
    if kind in ("false", "const_false"):
        return False
    if kind == "missing":             # tf.layers: `training` defaults to False; Keras: learning phase
        return lphase in ("set", "fed")
    if kind == "inherit":             # a Keras layer inside a model call: the model call decides
        return bool(outer)
    raise ValueError(kind)


def _outer_effective(meta: dict) -> Optional[bool]:
    calls = meta.get("model_calls") or []
    if not calls:
        return None
    return _site_effective(calls[0]["kind"], meta.get("lphase", "none"), None)


def expected_verdict(meta: dict) -> str:
    """What TensorFlow should say: every layer's moving mean moves (trains), none does, or some do.

    A layer moves when it runs in training mode in the training ``run`` and its update ops run.
    Measured facts this rests on (RULES.md): `tf.layers` without `training` creates no update ops;
    Keras layers never add to UPDATE_OPS, only `.updates`/`get_updates_for` run them; in graph mode a
    Keras layer called without `training` reads the learning phase, which defaults to 0.
    """
    if not meta["keras"] and meta["lphase"] != "none":
        raise ValueError("learning phase is a Keras axis")
    outer = _outer_effective(meta)
    if meta["keras"]:
        active = [_site_effective(site["kind"], meta["lphase"], outer) for site in meta["sites"]]
    else:
        active = [site["kind"] in ("tensor", "true", "const_true") for site in meta["sites"]]
    moved = [a and meta["handled"] for a in active]
    return "trains" if all(moved) else "frozen" if not any(moved) else "partial"


def defects_for(meta: dict) -> List[dict]:
    """Each cause that keeps a layer from training, the code RULES.md gives it, and whether RULES.md
    defines a fix for it (see the ``*_fix_defined`` functions for the sentences)."""
    out: List[dict] = []
    sites = meta["sites"]
    # BNU002: "A literal `False` is also silent [...] in a module that trains nothing [...]. When such
    # a module's builder is called by a module that does train, the cross-module analysis reports the
    # hard-coded `False` at that call": in a multi-file program the sites live in a model module that
    # trains nothing, so the finding sits at the training module's call, where no literal is written
    # and the fix ("replace the literal") has nothing to replace.
    false_fixable = meta.get("family") != "multi"
    if not meta["keras"]:
        for i, site in enumerate(sites):
            if site["kind"] in ("false", "const_false"):
                # BNU002: "`False`: no update ops are created; the layer never learns its statistics."
                out.append(_defect("BNU002", f"site {i + 1}", false_fixable and flag_fix_defined(site["params"]),
                                   "BNU002 fix: the enclosing function's single training-flag parameter"))
            elif site["kind"] == "missing":
                # BNU003 (tf.layers): "`training` defaults to False".
                out.append(_defect("BNU003", f"site {i + 1}", flag_fix_defined(site["params"]),
                                   "BNU003 fix: exactly one parameter named training/is_training/..."))
        if not meta["handled"]:
            if sites and all(site["kind"] in ("true", "const_true") for site in sites):
                # Effective flag: "when every counting site's flag is the literal `True` [...]
                # BNU002 reports the literals, and BNU001/BNU004/BNU005 stay silent until its fix
                # replaces them": the update-op fix comes only after every literal is replaced.
                for i, site in enumerate(sites):
                    out.append(_defect("BNU002", f"site {i + 1}", flag_fix_defined(site["params"]),
                                       "every flag a literal True: BNU001 waits for BNU002's fix"))
            out.append(_update_ops_defect(meta))
        return out
    lphase = meta["lphase"]
    for i, site in enumerate(sites):
        if site["kind"] in ("false", "const_false"):
            # BNU002 concerns Keras sites: "calls of a Keras `BatchNormalization` layer".
            out.append(_defect("BNU002", f"site {i + 1}", false_fixable and flag_fix_defined(site["params"]),
                               "BNU002 fix: the enclosing function's single training-flag parameter"))
        elif site["kind"] == "missing" and lphase == "none":
            # BNU003, Keras in graph mode: "called without `training` [...] unless the module sets the
            # learning phase to 1 [...] or feeds `learning_phase()`".
            out.append(_defect("BNU003", f"site {i + 1}", flag_fix_defined(site["params"]),
                               "BNU003 Keras fix: pass the enclosing function's training parameter"))
    for call in meta.get("model_calls") or []:
        if call["kind"] == "missing" and lphase == "none":
            # BNU003: "a Keras `BatchNormalization` layer (or a model containing one) called without
            # `training` in a graph-mode module is also BNU003".
            out.append(_defect("BNU003", "model call", flag_fix_defined(call["params"]),
                               "BNU003 Keras fix: pass the enclosing function's training parameter"))
    if not meta["handled"]:
        out.append(_defect("BNU006", "train op", bnu006_fix_defined(meta["keras_in_scope"], meta["keras2"]),
                           "BNU006 fix: exactly one Keras model or layer variable in scope, Keras 2"))
    return out


def _update_ops_defect(meta: dict) -> dict:
    handling = meta["handling"]
    if handling == "ref_in_block":
        # The layers are built inside `with control_dependencies(get_collection_ref(...))`: the train
        # op is inside a block that carries update ops (Handled 1), and BNU004 says "sites built
        # after that consuming call (for example inside the `with` block itself) are missed even with
        # `_ref`"; its fix needs "every such site [to come] before the consuming call".
        return _defect("BNU004", "get_collection_ref", bnu004_fix_defined("ref", False, False),
                       "BNU004: sites after the consuming call, no fix")
    if handling == "early_read":
        # BNU004: the copy is read before the layers and consumed after them; never mutated.
        return _defect("BNU004", "get_collection", bnu004_fix_defined("copy", True, False),
                       "BNU004 fix: get_collection -> get_collection_ref")
    if handling == "identity_loss":
        # BNU005: "Fix (safe): wrap the train op statement as in BNU001".
        return _defect("BNU005", "train op", train_op_fix_defined(meta["train_position"]),
                       "BNU005 fix: wrap as BNU001 (statement or hoist)")
    return _defect("BNU001", "train op", train_op_fix_defined(meta["train_position"]),
                   "BNU001 fix: wrap the statement, or hoist unless lambda/comprehension/conditional/and-or")


def fix_defined(meta: dict) -> bool:
    return all(d["fix"] for d in defects_for(meta))


# --------------------------------------------------------------------------- style

class _Style:
    """One imaginary author: names, quotes, indentation, comments."""

    def __init__(self, rng: random.Random):
        pick = rng.choice
        self.q = pick(['"', "'"])
        self.unit = pick(["    ", "    ", "    ", "  "])
        self.blank = pick(["\n\n", "\n"])
        self.x = pick(["x", "inputs", "features", "x_ph", "input_x", "images", "X_in"])
        self.y = pick(["y", "labels", "targets", "y_ph", "y_true", "Y_in"])
        self.flag = pick(["is_training", "training", "train_flag", "is_train_ph", "phase", "bn_training",
                          "training_ph", "mode_ph"])
        self.loss = pick(["loss", "cost", "total_loss", "loss_op", "objective", "mse"])
        self.train_op = pick(["train_op", "train_step", "optimize", "opt_op", "step_op", "minimize_op"])
        self.raw_op = pick(["minimize_op", "grad_step", "apply_op", "base_train_op", "sgd_step"])
        if self.raw_op == self.train_op:
            self.raw_op = "raw_step"
        self.opt = pick(["opt", "optimizer", "optim", "solver", "trainer"])
        self.uops = pick(["update_ops", "extra_update_ops", "bn_updates", "upd_ops", "ops_to_update",
                          "batchnorm_updates", "moving_avg_ops", "deps"])
        self.sess = pick(["sess", "session", "s", "tf_sess"])
        self.step = pick(["step", "i", "it", "epoch", "n"])
        self.lr = pick(["LEARNING_RATE", "LR", "lr", "learning_rate", "base_lr"])
        self.steps = pick(["NUM_STEPS", "STEPS", "n_steps", "num_iters", "TRAIN_STEPS"])
        self.batch = pick(["BATCH_SIZE", "BATCH", "batch_size", "bs"])
        self.const_flag = pick(["TRAINING", "IS_TRAINING", "BN_TRAINING", "TRAIN_MODE", "USE_BN_STATS"])
        self.key_const = pick(["UPDATE_KEY", "UPDATE_OPS_KEY", "BN_COLLECTION", "UPDATES"])
        self.key_var = pick(["key", "collection", "coll_key", "update_key"])
        self.model = pick(["model", "net", "network", "classifier", "regressor"])
        self.comments = rng.random() < 0.6
        self.fstrings = rng.random() < 0.6

    def s(self, text: str) -> str:
        return f"{self.q}{text}{self.q}"

    def fmt(self, label: str, *exprs: str) -> str:
        if self.fstrings:
            inner = " ".join("{" + e + "}" for e in exprs)
            return f"print(f{self.q}{label} {inner}{self.q})"
        return "print(" + ", ".join([self.s(label)] + list(exprs)) + ")"


class _Code:
    """Lines at indentation levels; rendered with the author's indent unit."""

    def __init__(self):
        self.lines: List[tuple] = []
        self.level = 0

    def add(self, *texts: str) -> None:
        for text in texts:
            for part in text.split("\n"):
                self.lines.append((self.level, part))

    def blank(self) -> None:
        self.lines.append((0, ""))

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def extend(self, other: "_Code") -> None:
        for level, text in other.lines:
            self.lines.append((self.level + level, text))

    def render(self, unit: str) -> str:
        out = []
        for level, text in self.lines:
            out.append(unit * level + text if text else "")
        while out and not out[-1]:
            out.pop()
        return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- generator

class _Gen:
    def __init__(self, seed: int):
        self.seed = seed
        rng = self.rng = random.Random(seed)
        self.st = _Style(rng)
        self.handling = HANDLINGS[seed % len(HANDLINGS)]
        self.flag = FLAGS[(seed // len(HANDLINGS)) % len(FLAGS)]
        # ---- family: Keras handling needs a Keras model
        roll = rng.random()
        if self.handling == "keras_updates":
            self.family = "keras" if roll < 0.7 else "multi"
            self.keras = True
        else:
            self.family = "layers" if roll < 0.5 else "keras" if roll < 0.8 else "multi"
            self.keras = self.family == "keras" or (self.family == "multi" and rng.random() < 0.4)
        self.imports = rng.choice(IMPORTS)
        self.structure = rng.choice(STRUCTURES)
        self.train_form = rng.choice(TRAIN_FORMS[:3] * 4 + TRAIN_FORMS[3:])
        if self.keras and self.train_form in ("minimize_nested", "minimize_cond"):
            # BNU006's fix does not say how it wraps a nested call: keep Keras train ops whole statements.
            self.train_form = "minimize"
        if self.handling == "optimizer_only" and self.train_form == "minimize_inline":
            self.train_form = "minimize"
        self.optimizer = rng.choice(["GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer",
                                     "RMSPropOptimizer"])
        self.task = rng.choice(["regression", "classification"])
        self.n_bn = rng.choice([1, 2, 2, 3])
        if self.flag.startswith("mixed"):
            self.n_bn = max(2, self.n_bn)
        self.steps = rng.randint(10, 20)
        self.batch_size = rng.choice([16, 32, 32, 64])
        self.mu = rng.choice([1.5, 2.0, 3.0, 4.0, 5.0])
        self.key_style = rng.choice(["graphkeys", "graphkeys", "string", "imported"])
        self.getc_style = rng.choice(["module", "module", "module", "graph"])
        self.cd_style = rng.choice(["tf", "v1", "graph"])
        self.with_scope = rng.random() < 0.25
        self.summaries = rng.random() < 0.35
        self.fetch_loss = rng.random() < 0.6
        self.fetch_summary = self.summaries and rng.random() < 0.5
        self.evaluate = rng.random() < 0.6
        self.regularize = rng.random() < 0.2
        self.vector_loss = self.handling == "identity_loss" and not self.keras and rng.random() < 0.3
        self.session_form = rng.choice(["with", "with", "plain_close", "plain_open"])
        self.global_step = rng.random() < 0.3
        self.group_form = rng.choice(["star", "list", "append", "noop", "after"])
        self.keras_mod_style = rng.choice(["tf.keras", "tf_keras", "from_keras"])
        self.docstring_noise = rng.random() < 0.5
        self.partial_flag_in_partial = self.flag != "mixed_missing" and rng.random() < 0.5
        self.fetch_upd = False
        self.train_in_helper = (self.handling in ("ctrl_deps", "ctrl_deps_inline", "group", "none",
                                                  "optimizer_only", "deps_trainable", "unused_list")
                                and self.structure != "module" and rng.random() < 0.4)
        if self.handling == "in_function":
            self.train_in_helper = True
        # Does the function that holds the batch-norm sites take a training-flag parameter?
        self.param_present = self.flag in TENSOR_FLAGS or self.flag.startswith("mixed") or rng.random() < 0.6
        names = STANDARD_FLAG_PARAMS if rng.random() < 0.8 else OTHER_FLAG_PARAMS
        self.param = rng.choice(names)
        self.tensor_kind = self.flag if self.flag in TENSOR_FLAGS else rng.choice(["placeholder", "pwd_false"])
        self.api = "keras" if self.keras else rng.choice(BN_APIS)
        self.arch = "mlp" if self.keras else rng.choice(["mlp", "mlp", "conv"])
        self.lphase = "none"
        self.kkind = self.kstore = None
        self.built_on_input = False
        self._choose_form()
        if self.structure == "module":
            self.train_in_helper = False
        self._setup_names()

    # ------------------------------------------------------------------ forms

    def _choose_form(self) -> None:
        rng, h = self.rng, self.handling
        if self.family == "layers":
            choices = ["plain", "plain"]
            if h not in ("none", "deps_trainable", "keras_updates"):
                choices += ["key_const", "key_var"]
            if h in ("run_both", "run_separate", "group", "unused_list") and self.structure != "class":
                choices += ["tuple_helper"] * 3
            if h == "identity_loss":
                choices += ["summary_first"] * 4
            self.form = rng.choice(choices)
            if self.form == "tuple_helper":
                self.train_in_helper = False
            if self.form == "summary_first":
                self.summaries = self.fetch_summary = True
                self.vector_loss = False      # tf.summary.scalar needs a scalar
            if self.structure == "class" and self.handling in ("ref_early", "early_read", "ref_in_block"):
                self.structure = "functions"
            if self.handling == "in_function" and self.structure == "module":
                self.structure = "functions"
            return
        if self.family == "multi":
            self.form = rng.choice(MULTI_FORMS)
            self.structure = rng.choice(["module", "functions", "functions"])
            if self.handling == "in_function":
                self.structure = "functions"
            self.arch = "mlp"
            if not self.keras:
                self.api = rng.choice(["func", "func", "class", "partial"])
                if self.form == "registry":
                    self.api = "func" if self.api == "class" else self.api
                return
        # Keras (one file, or the model in another file)
        kinds = list(KERAS_KINDS)
        if self.family == "multi":
            kinds.remove("layers")
        if self.flag in ("false", "const_false", "mixed_false"):
            # A model called with `training=False` is a deliberate choice, not a site (RULES.md BNU002,
            # BNU007): hard-coded False goes on layer calls (bare layers, or inside a subclass's call).
            kinds = [k for k in kinds if k in ("layers", "subclassed")]
        elif self.flag == "mixed_missing":
            kinds = [k for k in kinds if k in ("layers", "subclassed")]
        # sequential and functional models only take the flag kinds a model call can have: weigh them up
        weights = {"sequential": 3, "functional": 3, "subclassed": 1, "layers": 1}
        self.kkind = rng.choice([k for k in kinds for _ in range(weights[k])])
        if self.family == "keras" and rng.random() < 0.15:
            self.structure = "class"      # a model built in a method and stored on self
        if self.family == "multi" and self.form == "builder_subclass":
            self.kkind = "subclassed"
        if self.handling == "in_function":
            self.structure = "functions"
        if self.family == "keras":
            self.form = "keras_" + self.kkind
            self.kstore = "self" if self.structure == "class" else "local"
        else:
            self.kstore = "local"
        self.lphase = rng.choice(LEARNING_PHASES)
        if self.flag == "missing" and rng.random() < 0.3:
            self.lphase = "none"
        self.built_on_input = self.kkind == "functional" or (self.kkind == "sequential" and rng.random() < 0.4)

    # ------------------------------------------------------------------ names

    def _setup_names(self) -> None:
        st = self.st
        imp = self.imports
        self.extra_imports: List[str] = []
        if imp == "tf_compat":
            self.import_lines = ["import tensorflow as tf"]
            self.V, self.T = "tf.compat.v1", "tf"
        elif imp == "v1_as_tf":
            self.import_lines = ["import tensorflow.compat.v1 as tf"]
            self.V, self.T = "tf", "tf"
        elif imp == "tf_plus_tf1":
            self.import_lines = ["import tensorflow as tf", "import tensorflow.compat.v1 as tf1"]
            self.V, self.T = "tf1", "tf"
        elif imp == "v1_assign":
            alias = self.rng.choice(["v1", "tfv1", "tf1", "compat"])
            self.import_lines = ["import tensorflow as tf"]
            self.extra_imports.append(f"{alias} = tf.compat.v1")
            self.V, self.T = alias, "tf"
        else:
            base = self.rng.choice(["import tensorflow as tf", "import tensorflow.compat.v1 as tf"])
            lname = self.rng.choice(["layers", "tfl"])
            line = "from tensorflow.compat.v1 import layers" + ("" if lname == "layers" else " as tfl")
            self.import_lines = [base, line]
            self.V = "tf.compat.v1" if base == "import tensorflow as tf" else "tf"
            self.T = "tf"
        self.L = f"{self.V}.layers"
        if imp == "from_layers":
            self.L = "layers" if "import layers\n" in (self.import_lines[1] + "\n") else "tfl"
        V = self.V
        if self.key_style == "graphkeys":
            self.KEY_VALUE = f"{V}.GraphKeys.UPDATE_OPS"
        elif self.key_style == "string":
            self.KEY_VALUE = st.s("update_ops")
        else:
            self.import_lines.append("from tensorflow.compat.v1 import GraphKeys")
            self.KEY_VALUE = "GraphKeys.UPDATE_OPS"
        self.KEY = self.KEY_VALUE
        if self.form == "key_const":
            self.KEY = st.key_const
        elif self.form == "key_var":
            self.KEY = st.key_var
        if self.getc_style == "graph":
            self.GETC = f"{V}.get_default_graph().get_collection"
            self.GETREF = f"{V}.get_default_graph().get_collection_ref"
        else:
            self.GETC = f"{V}.get_collection"
            self.GETREF = f"{V}.get_collection_ref"
        self.CD = {"tf": f"{self.T}.control_dependencies", "v1": f"{V}.control_dependencies",
                   "graph": f"{V}.get_default_graph().control_dependencies"}[self.cd_style]
        self.K = None
        if self.keras:
            if self.keras_mod_style == "tf.keras":
                self.K = "tf.keras"
                self.keras_import = None
            elif self.keras_mod_style == "tf_keras":
                self.K = "tf_keras"
                self.keras_import = "import tf_keras"
            else:
                self.K = "keras"
                self.keras_import = "from tensorflow import keras"
            if self.keras_import:
                self.import_lines.append(self.keras_import)

    def key_binding(self, code: _Code) -> None:
        """``key_var``: the collection key is a local variable bound just before it is read."""
        if self.form == "key_var":
            code.add(f"{self.st.key_var} = {self.KEY_VALUE}")

    # ------------------------------------------------------------------ flags

    def site_flags(self) -> List[str]:
        """Per batch-norm site: 'tensor', 'true', 'false', 'missing', 'const_true', 'const_false'."""
        f = self.flag
        base = {"placeholder": "tensor", "pwd_false": "tensor", "pwd_true": "tensor"}.get(f, f)
        if f == "mixed_false":
            return ["tensor"] + ["false"] * (self.n_bn - 1)
        if f == "mixed_missing":
            return ["tensor"] + ["missing"] * (self.n_bn - 1)
        return [base] * self.n_bn

    def flag_expr(self, kind: str, tensor_name: Optional[str]) -> Optional[str]:
        if kind == "tensor":
            return tensor_name
        if kind in ("true", "false"):
            return kind.capitalize()
        if kind.startswith("const"):
            return self.st.const_flag
        return None

    def add_site(self, kind: str, params: Optional[Sequence[str]]) -> None:
        """One batch-norm layer; ``params``: the parameters of the function that holds its flag
        (or lacks it), None at module level."""
        self.sites.append({"kind": kind, "params": list(params) if params is not None else None})

    @property
    def has_tensor(self) -> bool:
        return self.flag in TENSOR_FLAGS or self.flag.startswith("mixed") or self.param_present

    # ------------------------------------------------------------------ tf.layers pieces

    def bn_call(self, h: str, flag: Optional[str], idx: int, fn: str) -> str:
        """A tf.layers batch-norm call on ``h`` spelled by the chosen API form."""
        extra = self.rng.choice(["", "", "momentum=0.9", "momentum=0.99", "epsilon=1e-3",
                                 "center=True, scale=True", f"name={self.st.s('bn%d' % (idx + 1))}"])
        args = [h] + ([f"training={flag}"] if flag is not None else []) + ([extra] if extra else [])
        return f"{fn}({', '.join(args)})"

    def dense(self, h: str, units: int, act: bool = False) -> str:
        a = f", activation={self.T}.nn.relu" if act else ""
        return f"{self.L}.dense({h}, {units}{a})"

    def relu(self, h: str) -> str:
        return f"{self.T}.nn.relu({h})" if self.rng.random() < 0.7 else f"{self.T}.nn.elu({h})"

    def model_lines(self, code: _Code, x: str, flag_tensor: Optional[str], out: str,
                    params: Optional[Sequence[str]]) -> None:
        """Emit the network (tf.layers forms). ``params``: the enclosing function's parameters (None at
        module level); ``flag_tensor``: the expression a tensor flag is passed as."""
        rng = self.rng
        flags = self.site_flags()
        widths = [rng.choice([8, 16, 32]) for _ in range(self.n_bn)]
        n_out = self.n_out
        h = "net" if rng.random() < 0.5 else "h"
        if self.api in ("func_alias", "partial"):
            fn = "bn"
        elif self.api == "func_imported":
            fn = self.bn_import_name
        else:
            fn = f"{self.L}.batch_normalization"
        start = x
        if self.arch == "conv":
            code.add(f"{h} = {self.L}.conv2d({x}, {rng.choice([4, 8])}, 3, padding={self.st.s('same')})")
            start = h
        partial_flag_site = None
        if self.api == "partial" and self.partial_where == "local":
            pflag = self.flag_expr(flags[0], flag_tensor) if self.partial_flag_in_partial else None
            kw = f", training={pflag}" if pflag is not None else ""
            code.add(f"bn = functools.partial({self.L}.batch_normalization, momentum=0.9{kw})")
            partial_flag_site = params
        elif self.api == "partial" and self.partial_flag_in_partial:
            partial_flag_site = None      # the literal sits in the module-level partial
        if self.api == "class":
            for i in range(self.n_bn):
                code.add(f"bn_layer{i + 1} = {self.L}.BatchNormalization(momentum={rng.choice(['0.9', '0.99'])})")
        for i in range(self.n_bn):
            src = start if i == 0 else h
            pre = src if (self.arch == "conv" and i == 0) else None
            kind = flags[i]
            if self.api == "builder_fn" and not (i > 0 and self.flag.startswith("mixed")):
                arg = f", {flag_tensor}" if flag_tensor else ""
                code.add(f"{h} = {self.builder_name}({src}, {widths[i]}{arg})")
                continue
            if self.api == "builder_cls" and not (i > 0 and self.flag.startswith("mixed")):
                tensor = flag_tensor
                arg = f", {tensor}" if tensor else ""
                code.add(f"{h} = {self.builder_name}({widths[i]})({src}{arg})")
                continue
            flag = self.flag_expr(kind, flag_tensor)
            if pre is None:
                code.add(f"{h} = {self.dense(src, widths[i])}")
                src = h
            if self.api == "class":
                self.add_site(kind, params)
                code.add(f"{h} = bn_layer{i + 1}({src}" + (f", training={flag}" if flag else "") + ")")
            elif self.api == "partial" and self.partial_flag_in_partial and i == 0:
                self.add_site(kind, partial_flag_site)
                code.add(f"{h} = bn({src})")
            elif self.api == "partial" and self.partial_flag_in_partial:
                # a later call overrides the partial's keyword
                code.add(f"{h} = bn({src}" + (f", training={flag}" if flag else ", training=False") + ")")
                self.add_site(kind if flag else "false", params)
            else:
                self.add_site(kind, params)
                code.add(f"{h} = {self.bn_call(src, flag, i, fn)}")
            code.add(f"{h} = {self.relu(h)}")
        if self.arch == "conv":
            code.add(f"{h} = {self.L}.flatten({h})")
        code.add(f"{out} = {self.dense(h, n_out)}")

    def builder_defs(self, code: _Code) -> None:
        """Module-level batch-norm builder function or class (bn_api builder_fn / builder_cls)."""
        rng = self.rng
        flags = self.site_flags()
        kind = flags[0]
        param = self.param if self.param_present else None
        flag = self.flag_expr(kind, param)
        fargs = f", training={flag}" if flag else ""
        if self.api == "builder_fn":
            self.builder_name = rng.choice(["dense_bn", "dense_bn_relu", "fc_block", "linear_bn"])
            params = ["inputs", "units"] + ([param] if param else [])
            code.add(f"def {self.builder_name}({', '.join(params)}):")
            code.indent()
            if self.docstring_noise and rng.random() < 0.5:
                code.add('"""Dense -> batch norm -> ReLU."""')
            code.add(f"out = {self.L}.dense(inputs, units, use_bias=False)")
            code.add(f"out = {self.L}.batch_normalization(out{fargs})")
            code.add(f"return {self.T}.nn.relu(out)")
            code.dedent()
        else:
            self.builder_name = rng.choice(["DenseBlock", "FCBN", "LinearBN", "Block"])
            params = ["self", "inputs"] + ([param] if param else [])
            code.add(f"class {self.builder_name}(object):")
            code.indent()
            code.add("def __init__(self, units):")
            code.indent()
            code.add("self.units = units")
            code.dedent()
            code.blank()
            code.add(f"def __call__({', '.join(params)}):")
            code.indent()
            code.add(f"out = {self.L}.dense(inputs, self.units)")
            code.add(f"out = {self.L}.batch_normalization(out{fargs})")
            code.add(f"return {self.T}.nn.relu(out)")
            code.dedent()
            code.dedent()
        n_builder_sites = 1 if self.flag.startswith("mixed") else self.n_bn
        for _ in range(n_builder_sites):
            self.add_site(kind, params)
        code.add(self.st.blank[:-1])

    @property
    def n_out(self) -> int:
        return 3 if self.task == "classification" else 1

    # ------------------------------------------------------------------ Keras pieces

    def keras_layer_stack(self) -> List[str]:
        """Dense/BatchNormalization/activation layers of a Sequential or functional model."""
        rng, K = self.rng, self.K
        layers = []
        for i in range(self.n_bn):
            width = rng.choice([8, 16, 32])
            given_input = i == 0 and self.kkind == "sequential" and self.built_on_input
            shape = f", input_shape=({self.n_features},)" if given_input else ""
            layers.append(f"{K}.layers.Dense({width}{shape})")
            layers.append(f"{K}.layers.BatchNormalization(momentum={rng.choice(['0.9', '0.99'])})"
                          if rng.random() < 0.4 else f"{K}.layers.BatchNormalization()")
            layers.append(f"{K}.layers.ReLU()" if rng.random() < 0.5 else
                          f"{K}.layers.Activation({self.st.s('relu')})")
        layers.append(f"{K}.layers.Dense({self.n_out})")
        return layers

    def keras_model_value(self, code: _Code, target: str) -> None:
        """Build a Sequential, functional or subclassed model into ``target`` (sites recorded as
        inheriting the model call's flag, or per ``self.inner_kinds`` for a subclass)."""
        K, rng = self.K, self.rng
        if self.kkind == "sequential":
            layers = self.keras_layer_stack()
            if rng.random() < 0.3:
                code.add(f"{target} = {K}.Sequential()")
                for layer in layers:
                    code.add(f"{target}.add({layer})")
            else:
                code.add(f"{target} = {K}.Sequential([")
                code.indent()
                for layer in layers:
                    code.add(layer + ",")
                code.dedent()
                code.add("])")
        elif self.kkind == "functional":
            layers = self.keras_layer_stack()
            code.add(f"model_in = {K}.Input(shape=({self.n_features},))")
            h = "model_in"
            for layer in layers[:-1]:
                code.add(f"hidden = {layer}({h})")
                h = "hidden"
            code.add(f"model_out = {layers[-1]}({h})")
            code.add(f"{target} = {K}.Model(inputs=model_in, outputs=model_out)")
        else:
            code.add(f"{target} = {self.keras_class}({self.n_out})")
        if self.kkind in ("sequential", "functional"):
            for _ in range(self.n_bn):
                self.add_site("inherit", None)

    def keras_class_def(self, code: _Code, name: str, base: Optional[str] = None) -> None:
        """``class Net(K.Model)``: layers in ``__init__``, ``call(self, inputs, training=None)``.
        Inner calls pass ``training=training``, omit it (Keras passes the outer call's value down),
        or hard-code a literal (the flag kinds of ``site_flags``)."""
        K, rng = self.K, self.rng
        widths = [rng.choice([8, 16, 32]) for _ in range(self.n_bn)]
        code.add(f"class {name}({base or K + '.Model'}):")
        code.indent()
        if self.docstring_noise:
            code.add('"""Dense and batch-norm blocks with a linear head."""')
        code.add("def __init__(self, n_out):")
        code.indent()
        code.add(rng.choice([f"super({name}, self).__init__()", "super().__init__()"]))
        for i in range(self.n_bn):
            code.add(f"self.dense{i + 1} = {K}.layers.Dense({widths[i]})")
            code.add(f"self.bn{i + 1} = {K}.layers.BatchNormalization()")
        code.add(f"self.head = {K}.layers.Dense(n_out)")
        code.dedent()
        code.blank()
        code.add("def call(self, inputs, training=None):")
        code.indent()
        code.add("h = inputs")
        call_params = ["self", "inputs", "training"]
        explicit = rng.random() < 0.5
        for i, kind in enumerate(self.inner_kinds):
            if kind in ("false", "const_false"):
                arg = f", training={self.flag_expr(kind, None)}"
                self.add_site(kind, call_params)
            elif kind == "missing" or (kind == "inherit" and not explicit):
                arg = ""
                self.add_site("inherit", call_params)
            else:
                arg = ", training=training"
                self.add_site("inherit", call_params)
            code.add(f"h = self.bn{i + 1}(self.dense{i + 1}(h){arg})")
            code.add(f"h = {self.T}.nn.relu(h)")
        code.add("return self.head(h)")
        code.dedent()
        code.dedent()
        code.add(self.st.blank[:-1])

    def keras_inner_kinds(self) -> List[str]:
        """The flags written on a subclass's inner batch-norm calls."""
        out = []
        for kind in self.site_flags():
            out.append(kind if kind in ("false", "const_false", "missing") else "inherit")
        return out

    def keras_outer_kind(self) -> str:
        """The flag of the model call: the program's flag, or (when the literals sit inside the
        subclass) the tensor if there is one."""
        f = self.flag
        if f in TENSOR_FLAGS:
            return "tensor"
        if f in ("true", "const_true", "missing"):
            return f
        return "tensor" if self.has_tensor else "missing"

    def keras_call(self, model: str, x: str, kind: str, tensor: Optional[str]) -> str:
        expr = self.flag_expr(kind, tensor)
        return f"{model}({x}" + (f", training={expr}" if expr else "") + ")"

    def keras_layers_lines(self, code: _Code, x: str, flag_tensor: Optional[str], out: str,
                           params: Optional[Sequence[str]], prefix: str = "", create: bool = True) -> None:
        """Bare Keras BatchNormalization layers (kind "layers"), Dense layers built inline."""
        K, rng = self.K, self.rng
        flags = self.site_flags()
        if create:
            for i in range(self.n_bn):
                code.add(f"{prefix}bn{i + 1} = {K}.layers.BatchNormalization(momentum={rng.choice(['0.9', '0.99'])})")
        code.add(f"h = {x}")
        for i in range(self.n_bn):
            flag = self.flag_expr(flags[i], flag_tensor)
            self.add_site(flags[i], params)
            code.add(f"h = {self.T}.nn.relu({prefix}bn{i + 1}({K}.layers.Dense({rng.choice([8, 16, 32])})(h)"
                     + (f", training={flag}" if flag else "") + "))")
        code.add(f"{out} = {K}.layers.Dense({self.n_out})(h)")

    def keras_updates_expr(self, model: str, x: str) -> str:
        """What the right handling depends on: `.updates`, or `get_updates_for(<its input>)` (a model
        already built on its own Input holds that build's updates too: measured, `.updates` then
        demands a value for the Input's placeholder)."""
        if self.kkind == "layers":
            prefix = model
            return " + ".join(f"{prefix}bn{i + 1}.updates" for i in range(self.n_bn))
        if self.built_on_input or self.rng.random() < 0.3:
            return f"{model}.get_updates_for({x})"
        return f"{model}.updates"

    # ------------------------------------------------------------------ program

    def build(self) -> Program:
        st, rng = self.st, self.rng
        self.sites: List[dict] = []
        self.model_calls: List[dict] = []
        self.keras_in_scope = 0
        self.train_position = {"minimize_nested": "nested", "minimize_cond": "conditional"}.get(
            self.train_form, "statement")
        self.partial_where = "module" if (self.api == "partial" and self.structure == "module") else "local"
        if self.api == "partial" and self.structure != "module" and rng.random() < 0.3 and \
                (not self.partial_flag_in_partial or self.site_flags()[0] not in ("tensor",)):
            self.partial_where = "module"
        if self.family == "multi":
            self.partial_where = "local"
        self.bn_import_name = rng.choice(["batch_normalization", "batch_norm", "bn_layer"])
        self.n_features = rng.choice([4, 6, 8])
        self.model_module_files: Dict[str, str] = {}
        self.model_imports: List[str] = []
        if self.keras and self.kkind == "subclassed":
            self.inner_kinds = self.keras_inner_kinds()
            self.keras_class = rng.choice(["Net", "MLP", "BNNet", "Regressor"])
        self.layers_fn = None
        self.helper_takes_model = False
        code = _Code()
        self.header(code)
        if self.family == "multi":
            self.emit_model_package()
            for line in self.model_imports:
                code.lines.insert(self.import_insert_at, (0, line))
                self.import_insert_at += 1
        # ---- helpers
        self.emit_data_helper(code)
        if self.family == "layers" and self.api in ("builder_fn", "builder_cls"):
            self.builder_defs(code)
        if self.family == "keras" and self.kkind == "subclassed":
            self.keras_class_def(code, self.keras_class)
        if self.form == "tuple_helper":
            self.emit_tuple_helper(code)
        if self.keras:
            self.emit_keras_layout(code)
        else:
            if self.train_in_helper and self.structure == "functions":
                self.emit_train_helper(code)
            if self.structure == "module":
                self.emit_module(code)
            elif self.structure == "functions":
                self.emit_functions(code)
            else:
                self.emit_class(code)
        files = {"train.py": code.render(st.unit)}
        files.update(self.model_module_files)
        return Program(files, self.meta())

    def header(self, code: _Code) -> None:
        st, rng, V = self.st, self.rng, self.V
        if self.docstring_noise:
            doc = rng.choice([
                "Small regression network with batch normalization.",
                "Toy classifier trained with tf.compat.v1 sessions.\n\nBatch norm keeps moving averages; in"
                " graph mode their update ops live in\ntf.GraphKeys.UPDATE_OPS.",
                "Experiment script.\n\nSee the README for the UPDATE_OPS discussion.",
                "Training demo for a batch-normalized MLP.",
                "Legacy TF1 training loop kept for comparison with the Keras version.",
            ])
            code.add(f'"""{doc}"""')
        if self.api == "partial" and self.family == "layers":
            code.add("import functools")
        code.add("import numpy as np")
        for line in self.import_lines:
            code.add(line)
        if self.api == "func_imported" and self.family == "layers":
            nm = self.bn_import_name
            code.add("from tensorflow.compat.v1.layers import batch_normalization" +
                     ("" if nm == "batch_normalization" else f" as {nm}"))
        self.import_insert_at = len(code.lines)
        code.blank()
        for line in self.extra_imports:
            code.add(line)
        disable = rng.choice(["disable_eager_execution", "disable_v2_behavior"])
        code.add(f"{V}.{disable}()")
        if self.keras and self.lphase == "set":
            code.add(f"{self.K}.backend.set_learning_phase(1)")
        code.blank()
        code.add(f"{st.lr} = {rng.choice(['0.01', '1e-2', '0.005', '0.001', '3e-3'])}")
        code.add(f"{st.steps} = {self.steps}")
        code.add(f"{st.batch} = {self.batch_size}")
        if self.form == "key_const":
            code.add(f"{st.key_const} = {self.KEY_VALUE}")
        if self.flag.startswith("const"):
            code.add(f"{st.const_flag} = {'True' if self.flag == 'const_true' else 'False'}")
        code.add(st.blank[:-1])
        if self.family == "layers" and self.api == "func_alias":
            code.add(f"bn = {self.L}.batch_normalization")
            code.blank()
        if self.family == "layers" and self.api == "partial" and self.partial_where == "module":
            pflag = None
            if self.partial_flag_in_partial and self.site_flags()[0] != "tensor":
                pflag = self.flag_expr(self.site_flags()[0], None)
            else:
                self.partial_flag_in_partial = False
            kw = f", training={pflag}" if pflag is not None else ""
            code.add(f"bn = functools.partial({self.L}.batch_normalization, momentum=0.9{kw})")
            code.blank()

    # ------------------------------------------------------------------ data

    def emit_data_helper(self, code: _Code) -> None:
        self.data_fn = self.rng.choice(["make_data", "synthetic_data", "load_data", "get_dataset"])
        n_feat = self.n_features
        code.add(f"def {self.data_fn}(n, seed=0):")
        code.indent()
        code.add("rng = np.random.RandomState(seed)")
        if self.arch == "conv":
            code.add(f"xs = rng.normal(loc={self.mu}, scale=1.0, size=(n, 6, 6, 1)).astype(np.float32)")
            flat = "xs.reshape(n, -1)"
        else:
            code.add(f"xs = rng.normal(loc={self.mu}, scale=1.0, size=(n, {n_feat})).astype(np.float32)")
            flat = "xs"
        if self.task == "classification":
            code.add(f"ys = np.argmax({flat}[:, :3], axis=1).astype(np.int64)")
        else:
            code.add(f"w = rng.normal(size=({flat}.shape[1], 1))")
            code.add(f"ys = ({flat}.dot(w) + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)")
        code.add("return xs, ys")
        code.dedent()
        code.add(self.st.blank[:-1])

    def placeholders(self, code: _Code, prefix: str = "") -> None:
        st, V, T = self.st, self.V, self.T
        shape = "[None, 6, 6, 1]" if self.arch == "conv" else f"[None, {self.n_features}]"
        code.add(f"{prefix}{st.x} = {V}.placeholder({T}.float32, shape={shape}, name={st.s('x')})")
        if self.task == "classification":
            code.add(f"{prefix}{st.y} = {V}.placeholder({T}.int64, shape=[None], name={st.s('y')})")
        else:
            code.add(f"{prefix}{st.y} = {V}.placeholder({T}.float32, shape=[None, 1], name={st.s('y')})")
        if self.has_tensor:
            if self.tensor_kind == "placeholder":
                code.add(f"{prefix}{st.flag} = {V}.placeholder({T}.bool, name={st.s('is_training')})")
            else:
                default = "False" if self.tensor_kind == "pwd_false" else "True"
                code.add(f"{prefix}{st.flag} = {V}.placeholder_with_default({default}, shape=(), "
                         f"name={st.s('training')})")

    def loss_lines(self, code: _Code, logits: str, y: str, loss: str) -> None:
        T, V = self.T, self.V
        rng = self.rng
        if self.task == "classification":
            if self.vector_loss:
                code.add(f"{loss} = {T}.nn.sparse_softmax_cross_entropy_with_logits(labels={y}, logits={logits})")
            elif rng.random() < 0.5:
                code.add(f"{loss} = {V}.losses.sparse_softmax_cross_entropy(labels={y}, logits={logits})")
            else:
                code.add(f"{loss} = {T}.reduce_mean({T}.nn.sparse_softmax_cross_entropy_with_logits("
                         f"labels={y}, logits={logits}))")
        else:
            if self.vector_loss:
                code.add(f"{loss} = {T}.square({logits} - {y})")
            elif rng.random() < 0.5:
                code.add(f"{loss} = {V}.losses.mean_squared_error({y}, {logits})")
            else:
                code.add(f"{loss} = {T}.reduce_mean({T}.square({logits} - {y}))")
        if self.regularize and not self.vector_loss:
            code.add(f"{loss} += 1e-4 * {T}.add_n([{T}.nn.l2_loss(v) for v in {V}.trainable_variables()])")

    def optimizer_expr(self, lr: str) -> str:
        V = self.V
        if self.optimizer == "MomentumOptimizer":
            return f"{V}.train.MomentumOptimizer({lr}, momentum=0.9)"
        if self.optimizer == "AdamOptimizer" and self.rng.random() < 0.5:
            return f"{V}.train.AdamOptimizer(learning_rate={lr})"
        return f"{V}.train.{self.optimizer}({lr})"

    def train_lines(self, loss: str, lr: str, target: str, gs: Optional[str],
                    var_list: Optional[str] = None) -> List[str]:
        """Statements that build the train op into ``target``; the last one is the train op."""
        st, T = self.st, self.T
        gsa = f", global_step={gs}" if gs else ""
        if var_list:
            gsa += f", var_list={var_list}"
        if self.train_form == "minimize_inline":
            return [f"{target} = {self.optimizer_expr(lr)}.minimize({loss}{gsa})"]
        lines = [f"{st.opt} = {self.optimizer_expr(lr)}"]
        if self.train_form == "minimize":
            lines.append(f"{target} = {st.opt}.minimize({loss}{gsa})")
        elif self.train_form == "minimize_nested":
            # the call is an argument, not the statement's whole value (BNU001's unsafe hoist)
            lines.append(f"{target} = {T}.group({st.opt}.minimize({loss}{gsa}), name={st.s('train')})")
        elif self.train_form == "minimize_cond":
            # a conditional expression: BNU001 never hoists out of one
            lines.append(f"{target} = {st.opt}.minimize({loss}{gsa}) if {st.steps} > 0 else {T}.no_op()")
        else:
            va = f", var_list={var_list}" if var_list else ""
            lines.append(f"grads_and_vars = {st.opt}.compute_gradients({loss}{va})")
            if self.rng.random() < 0.4:
                lines.append(f"grads_and_vars = [({T}.clip_by_norm(g, 5.0), v) for g, v in grads_and_vars"
                             " if g is not None]")
            gsb = f", global_step={gs}" if gs else ""
            lines.append(f"{target} = {st.opt}.apply_gradients(grads_and_vars{gsb})")
        return lines

    # ------------------------------------------------------------------ handling

    def getc(self, code: _Code) -> str:
        self.key_binding(code)
        return f"{self.GETC}({self.KEY})"

    def getref(self, code: _Code) -> str:
        self.key_binding(code)
        return f"{self.GETREF}({self.KEY})"

    def emit_handling(self, code: _Code, loss: str, lr: str, target: str, gs: Optional[str],
                      keras_updates: Optional[str] = None, summary: bool = True,
                      var_list: Optional[str] = None) -> str:
        """Emit the update-op handling and the train op into ``code``. Returns the run-time
        fetch expression for the update ops (run forms) or ''."""
        st, T, V = self.st, self.T, self.V
        h = self.handling
        u = st.uops
        lines = self.train_lines(loss, lr, target, gs, var_list)
        self.loss_name = loss

        def with_block(header: str, body: List[str]) -> None:
            if self.with_scope:
                code.add(f"with {V}.name_scope({st.s('train')}), {header}:")
            else:
                code.add(f"with {header}:")
            code.indent()
            for line in body:
                code.add(line)
            code.dedent()

        if h == "keras_updates":
            form = self.rng.choice(["cd", "group", "run"])
            expr = keras_updates
            if form == "cd":
                with_block(f"{self.CD}({expr})", lines)
                self.summary_lines(code, loss)
                return ""
            if form == "group":
                code.add(*lines[:-1])
                code.add(lines[-1].replace(f"{target} =", f"{st.raw_op} =", 1))
                code.add(f"{target} = {T}.group({st.raw_op}, *{expr})" if " + " not in expr
                         else f"{target} = {T}.group({st.raw_op}, *({expr}))")
                self.summary_lines(code, loss)
                return ""
            code.add(f"{u} = {expr}")
            code.add(*lines)
            self.fetch_upd = True
            self.summary_lines(code, loss)
            return u
        if h == "ctrl_deps":
            code.add(f"{u} = {self.getc(code)}")
            with_block(f"{self.CD}({u})", lines)
        elif h == "ctrl_deps_inline":
            with_block(f"{self.CD}({self.getc(code)})", lines)
        elif h == "group":
            g = self.group_form
            code.add(*lines[:-1])
            code.add(lines[-1].replace(f"{target} =", f"{st.raw_op} =", 1))
            code.add(f"{u} = {self.getc(code)}")
            if g == "star":
                code.add(f"{target} = {T}.group({st.raw_op}, *{u})")
            elif g == "list":
                code.add(f"{target} = {T}.group([{st.raw_op}] + {u})")
            elif g == "append":
                code.add(f"{u}.append({st.raw_op})")
                code.add(f"{target} = {T}.group(*{u})")
            elif g == "noop":
                with_block(f"{self.CD}([{st.raw_op}] + {u})", [f"{target} = {T}.no_op(name={st.s('train')})"])
            else:
                with_block(f"{self.CD}([{st.raw_op}])", [f"{target} = {T}.group(*{u})"])
        elif h in ("run_both", "run_separate"):
            code.add(f"{u} = {self.getc(code)}")
            code.add(*lines)
            self.fetch_upd = h == "run_both"
            self.summary_lines(code, loss)
            return u
        elif h == "ref_late":
            code.add(f"{u} = {self.getref(code)}")
            with_block(f"{self.CD}({u})", lines)
        elif h in ("ref_early", "early_read"):
            if self.rng.random() < 0.3 and h == "early_read":
                code.add(*lines[:-1])
                code.add(lines[-1].replace(f"{target} =", f"{st.raw_op} =", 1))
                code.add(f"{target} = {T}.group({st.raw_op}, *{u})")
            else:
                with_block(f"{self.CD}({u})", lines)
        elif h == "in_function":
            call = f"{target} = {self.train_helper_call(loss, lr)}"
            if self.rng.random() < 0.5:
                code.add(f"{u} = {self.getc(code)}")
                with_block(f"{self.CD}({u})", [call])
            else:
                with_block(f"{self.CD}({self.getc(code)})", [call])
        elif h == "optimizer_only":
            code.add(f"{u} = {self.getc(code)}")
            with_block(f"{self.CD}({u})", [lines[0]])
            code.add(*lines[1:])
        elif h == "deps_trainable":
            if self.rng.random() < 0.5:
                code.add(f"params = {V}.trainable_variables()")
                with_block(f"{self.CD}(params)", lines)
            else:
                with_block(f"{self.CD}({V}.trainable_variables())", lines)
        elif h == "unused_list":
            code.add(f"{u} = {self.getc(code)}")
            code.add(*lines)
        elif h == "identity_loss":
            if self.form == "summary_first" and summary:
                # the summary reads the loss before it is rebound to the identity below
                code.add(f"{V}.summary.scalar({st.s('loss')}, {loss})")
            code.add(f"{u} = {self.getc(code)}")
            with_block(f"{self.CD}({u})", [f"{loss} = {T}.identity({loss})"])
            if summary:
                if self.form == "summary_first":
                    code.add(f"{self.merged} = {V}.summary.merge_all()")
                else:
                    self.summary_lines(code, loss)
            code.add(*lines)
            return ""
        elif h == "ref_in_block":
            code.add(*lines)   # the caller opened the block
        else:  # none
            code.add(*lines)
        if h != "identity_loss" and summary:
            self.summary_lines(code, loss)
        return ""

    def summary_lines(self, code: _Code, loss: str) -> None:
        if self.summaries:
            code.add(f"{self.V}.summary.scalar({self.st.s('loss')}, {loss})")
            code.add(f"{self.merged} = {self.V}.summary.merge_all()")

    def early_read_line(self, code: _Code) -> None:
        u = self.st.uops
        if self.handling == "ref_early":
            code.add(f"{u} = {self.getref(code)}")
        elif self.handling == "early_read":
            code.add(f"{u} = {self.getc(code)}")

    def train_helper_call(self, loss: str, lr: str) -> str:
        model_arg = f"{self.st.model}, " if self.helper_takes_model else ""
        return f"{self.train_helper_name}({model_arg}{loss}, {lr})"

    def emit_train_helper(self, code: _Code, method: bool = False) -> None:
        """Module-level function (or method) that builds and returns the train op."""
        self.train_helper_name = self.rng.choice(["make_train_op", "build_optimizer", "get_train_op",
                                                  "create_train_op_fn"])
        if method:
            return
        model_param = "model, " if self.helper_takes_model else ""
        var_list = "model.trainable_weights" if self.helper_takes_model else None
        code.add(f"def {self.train_helper_name}({model_param}loss_tensor, learning_rate):")
        code.indent()
        if self.handling == "in_function":
            code.add(*self.train_lines("loss_tensor", "learning_rate", "op", None, var_list))
        else:
            sub = _Code()
            upd = self.keras_updates_expr("model", self.st.x) if self.handling == "keras_updates" else None
            self.emit_handling(sub, "loss_tensor", "learning_rate", "op", None, upd, summary=False,
                               var_list=var_list)
            code.extend(sub)
        code.add("return op")
        code.dedent()
        code.add(self.st.blank[:-1])

    def emit_tuple_helper(self, code: _Code) -> None:
        """``train_op, update_ops = build_train(loss, lr)``: the helper returns both."""
        st = self.st
        self.tuple_helper_name = self.rng.choice(["build_train", "build_training_ops", "make_train_ops"])
        code.add(f"def {self.tuple_helper_name}(loss_tensor, learning_rate):")
        code.indent()
        code.add(f"ops = {self.getc(code)}")
        code.add(*self.train_lines("loss_tensor", "learning_rate", "step_op", None))
        code.add("return step_op, ops")
        code.dedent()
        code.add(st.blank[:-1])

    def emit_tuple_handling(self, code: _Code, loss: str, lr: str, target: str) -> str:
        """The caller's side of ``tuple_helper``: run both, run separately, group, or ignore."""
        st, T = self.st, self.T
        u = st.uops
        h = self.handling
        code.add(f"{target}, {u} = {self.tuple_helper_name}({loss}, {lr})")
        if h == "group":
            code.add(f"{target} = {T}.group({target}, *{u})")
        self.summary_lines(code, loss)
        if h in ("run_both", "run_separate"):
            self.fetch_upd = h == "run_both"
            return u
        return ""

    # ------------------------------------------------------------------ training loop

    def feed(self, x: str, y: str, xs: str, ys: str, flag: Optional[str], train: bool) -> str:
        items = [f"{x}: {xs}", f"{y}: {ys}"]
        if flag and self.has_tensor:
            if train and self.tensor_kind in ("placeholder", "pwd_false"):
                items.append(f"{flag}: True")
            if not train and (self.tensor_kind in ("placeholder", "pwd_true") or self.rng.random() < 0.5):
                items.append(f"{flag}: False")
        if train and self.keras and self.lphase == "fed":
            items.append(f"{self.K}.backend.learning_phase(): {self.rng.choice(['1', 'True'])}")
        return "{" + ", ".join(items) + "}"

    def loop_lines(self, code: _Code, sess: str, x: str, y: str, flag: Optional[str], train_op: str,
                   loss: str, upd: str, xs: str, ys: str) -> None:
        st = self.st
        i = st.step
        code.add(f"for {i} in range({st.steps}):")
        code.indent()
        if self.rng.random() < 0.5:
            code.add(f"idx = np.random.RandomState({i}).randint(0, len({xs}), {st.batch})")
            bx, by = f"{xs}[idx]", f"{ys}[idx]"
        else:
            code.add(f"start = ({i} * {st.batch}) % (len({xs}) - {st.batch})")
            bx, by = f"{xs}[start:start + {st.batch}]", f"{ys}[start:start + {st.batch}]"
        fd = self.feed(x, y, bx, by, flag, True)
        code.add(f"feed = {fd}")
        fetch = [train_op]
        self.loss_fetched = False
        if self.fetch_upd:
            fetch.append(upd)
        if self.fetch_loss:
            fetch.append(loss)
            self.loss_fetched = True
        if self.fetch_summary:
            fetch.append(self.merged)
            # a summary of the identity loss reads it (BNU005); one taken before the rebinding does not
            self.loss_fetched = self.loss_fetched or self.form != "summary_first"
        if len(fetch) == 1:
            code.add(f"{sess}.run({train_op}, feed_dict=feed)")
        else:
            targets = ["_"] * len(fetch)
            if self.fetch_loss:
                targets[fetch.index(loss)] = "loss_val"
            if self.fetch_summary:
                targets[fetch.index(self.merged)] = "summary"
            code.add(f"{', '.join(targets)} = {sess}.run([{', '.join(fetch)}], feed_dict=feed)")
        if self.handling == "run_separate":
            code.add(f"{sess}.run({upd}, feed_dict=feed)")
        if self.fetch_loss and self.rng.random() < 0.7:
            code.add(f"if {i} % 5 == 0:")
            code.indent()
            code.add(st.fmt("step", i, "loss_val"))
            code.dedent()
        code.dedent()
        self.eval_loss_fetched = False
        if self.evaluate:
            self.eval_loss_fetched = True
            fd = self.feed(x, y, "x_val", "y_val", flag, False)
            code.add(f"x_val, y_val = {self.data_fn}(64, seed=1)")
            code.add(f"val_loss = {sess}.run({loss}, feed_dict={fd})")
            code.add(st.fmt("validation loss", "val_loss"))

    def session_lines(self, code: _Code, body) -> None:
        """``body(code, sess)`` emits the code that uses the session."""
        st, V = self.st, self.V
        form = self.session_form
        if form == "with":
            code.add(f"with {V}.Session() as {st.sess}:")
            code.indent()
            code.add(f"{st.sess}.run({V}.global_variables_initializer())")
            body(code, st.sess)
            code.dedent()
        else:
            code.add(f"{st.sess} = {V}.Session()")
            code.add(f"{st.sess}.run({V}.global_variables_initializer())")
            body(code, st.sess)
            if form == "plain_close":
                code.add(f"{st.sess}.close()")

    # ------------------------------------------------------------------ tf.layers layouts

    def network_call(self, x: str, flag_t: Optional[str], with_param: bool) -> str:
        """How the main code builds the logits from a model function (one file or imported)."""
        arg = f", {flag_t}" if with_param else ""
        if self.family == "multi":
            return self.multi_call(x, flag_t, with_param)
        return f"{self.model_fn}({x}{arg})"

    def emit_module(self, code: _Code) -> None:
        st = self.st
        self.merged = "merged"
        self.helper_takes_model = False
        code.add(f"x_train, y_train = {self.data_fn}(512)")
        self.placeholders(code)
        flag_t = st.flag if self.has_tensor else None
        gs = None
        if self.global_step:
            gs = "global_step"
            code.add(f"global_step = {self.V}.train.get_or_create_global_step()")
        self.early_read_line(code)
        if st.comments and self.rng.random() < 0.5:
            code.add(self.rng.choice(["# model", "# network definition", "# batch norm layers register "
                                      "their moving-average updates in UPDATE_OPS", "# --- graph ---"]))
        if self.handling == "ref_in_block":
            code.add(f"with {self.CD}({self.getref(code)}):")
            code.indent()
        if self.family == "multi":
            code.add(f"logits = {self.network_call(st.x, flag_t, self.param_present)}")
        else:
            self.model_lines(code, st.x, flag_t, "logits", None)
        self.loss_lines(code, "logits", st.y, st.loss)
        if self.form == "tuple_helper":
            upd = self.emit_tuple_handling(code, st.loss, st.lr, st.train_op)
        else:
            upd = self.emit_handling(code, st.loss, st.lr, st.train_op, gs)
        if self.handling == "ref_in_block":
            code.dedent()
        code.blank()

        def body(c: _Code, sess: str) -> None:
            self.loop_lines(c, sess, st.x, st.y, flag_t, st.train_op, st.loss, upd, "x_train", "y_train")

        self.session_lines(code, body)

    def emit_functions(self, code: _Code) -> None:
        st, rng = self.st, self.rng
        self.merged = "merged"
        self.helper_takes_model = False
        param = self.param if self.param_present else None
        if self.family == "layers":
            name = rng.choice(["build_model", "network", "inference", "model_fn_body", "create_net"])
            self.model_fn = name
            params = ["inputs"] + ([param] if param else [])
            code.add(f"def {name}({', '.join(params)}):")
            code.indent()
            if self.docstring_noise and rng.random() < 0.5:
                code.add('"""Returns the logits. The batch-norm update ops end up in UPDATE_OPS."""'
                         if rng.random() < 0.5 else '"""Builds the network and returns its logits."""')
            self.model_lines(code, "inputs", param, "logits", params)
            code.add("return logits")
            code.dedent()
            code.add(st.blank[:-1])
        main = rng.choice(["main", "train", "run_experiment", "run"])
        code.add(f"def {main}():")
        code.indent()
        code.add(f"x_train, y_train = {self.data_fn}(512)")
        self.placeholders(code)
        flag_t = st.flag if self.has_tensor else None
        gs = None
        if self.global_step:
            gs = "global_step"
            code.add(f"global_step = {self.V}.train.get_or_create_global_step()")
        self.early_read_line(code)
        if self.handling == "ref_in_block":
            code.add(f"with {self.CD}({self.getref(code)}):")
            code.indent()
        code.add(f"logits = {self.network_call(st.x, flag_t, bool(param))}")
        self.loss_lines(code, "logits", st.y, st.loss)
        if self.form == "tuple_helper":
            upd = self.emit_tuple_handling(code, st.loss, st.lr, st.train_op)
        elif self.train_in_helper and self.handling != "in_function":
            code.add(f"{st.train_op} = {self.train_helper_call(st.loss, st.lr)}")
            self.summary_lines(code, st.loss)
            upd = ""
        else:
            upd = self.emit_handling(code, st.loss, st.lr, st.train_op, gs)
        if self.handling == "ref_in_block":
            code.dedent()

        def body(c: _Code, sess: str) -> None:
            self.loop_lines(c, sess, st.x, st.y, flag_t, st.train_op, st.loss, upd, "x_train", "y_train")

        self.session_lines(code, body)
        code.dedent()
        code.add(st.blank[:-1])
        code.add(f"if __name__ == {st.s('__main__')}:")
        code.indent()
        code.add(f"{main}()")
        code.dedent()

    def emit_class(self, code: _Code) -> None:
        st, rng = self.st, self.rng
        self.merged = "self.merged"
        self.helper_takes_model = False
        param = self.param if self.param_present else None
        cls = rng.choice(["Model", "Regressor", "Net", "Classifier", "BNModel"])
        code.add(f"class {cls}(object):")
        code.indent()
        if self.docstring_noise:
            code.add('"""Small batch-normalized network with its own train op."""')
        code.add(f"def __init__(self, learning_rate={rng.choice(['0.01', '1e-2', '0.005'])}):")
        code.indent()
        self.placeholders(code, prefix="self.")
        flag_t = f"self.{st.flag}" if self.has_tensor else None
        code.add(f"self.logits = self._forward(self.{st.x}" + (f", {flag_t}" if param else "") + ")")
        self.loss_lines(code, "self.logits", f"self.{st.y}", f"self.{st.loss}")
        code.add("self._build_train_op(learning_rate)")
        code.dedent()
        code.blank()
        params = ["self", "inputs"] + ([param] if param else [])
        code.add(f"def _forward({', '.join(params)}):")
        code.indent()
        inner_flag = param if param else flag_t
        self.model_lines(code, "inputs", inner_flag, "out", params)
        code.add("return out")
        code.dedent()
        code.blank()
        code.add("def _build_train_op(self, learning_rate):")
        code.indent()
        if self.handling == "in_function":
            self.emit_train_helper(code, method=True)
            call = f"self.{st.train_op} = self.{self.train_helper_name}(self.{st.loss}, learning_rate)"
            code.add(f"with {self.CD}({self.getc(code)}):")
            code.indent()
            code.add(call)
            code.dedent()
            self.summary_lines(code, f"self.{st.loss}")
            upd = ""
        else:
            upd = self.emit_handling(code, f"self.{st.loss}", "learning_rate", f"self.{st.train_op}", None)
            if upd:
                code.add(f"self.{upd} = {upd}")
                upd = f"self.{upd}"
        code.dedent()
        if self.handling == "in_function":
            code.blank()
            code.add(f"def {self.train_helper_name}(self, loss, learning_rate):")
            code.indent()
            code.add(*self.train_lines("loss", "learning_rate", "op", None))
            code.add("return op")
            code.dedent()
        code.blank()
        code.add(f"def fit(self, {st.sess}, xs, ys):")
        code.indent()
        self.loop_lines(code, st.sess, f"self.{st.x}", f"self.{st.y}", flag_t, f"self.{st.train_op}",
                        f"self.{st.loss}", upd, "xs", "ys")
        code.dedent()
        code.dedent()
        code.add(st.blank[:-1])
        code.add(f"x_train, y_train = {self.data_fn}(512)")
        code.add(f"model = {cls}({st.lr})")

        def body(c: _Code, sess: str) -> None:
            c.add(f"model.fit({sess}, x_train, y_train)")

        self.session_lines(code, body)

    # ------------------------------------------------------------------ Keras layouts

    def keras_model_defs(self, code: _Code) -> None:
        """Module-level definitions a Keras layout needs: a model-building function, a forward
        helper, and a train-op helper."""
        st, rng = self.st, self.rng
        self.build_fn = None
        self.forward_fn = None
        if self.family == "multi":
            return
        if (self.kkind == "layers" and self.structure == "functions" and self.handling != "keras_updates"
                and rng.random() < 0.5):
            # the layers are locals of this function: the train op's scope cannot name them
            param = self.param if self.param_present else None
            self.layers_fn = rng.choice(["network", "build_network", "inference"])
            params = ["inputs"] + ([param] if param else [])
            code.add(f"def {self.layers_fn}({', '.join(params)}):")
            code.indent()
            self.keras_layers_lines(code, "inputs", param, "logits", params)
            code.add("return logits")
            code.dedent()
            code.add(st.blank[:-1])
            return
        if self.kkind != "layers" and self.structure == "functions" and rng.random() < 0.6:
            self.build_fn = rng.choice(["build_model", "create_model", "make_model", "get_model"])
            code.add(f"def {self.build_fn}():")
            code.indent()
            self.keras_model_value(code, "model")
            code.add("return model")
            code.dedent()
            code.add(st.blank[:-1])

    def emit_keras_forward(self, code: _Code) -> None:
        """``def forward(model, inputs[, <flag param>])``: where the model call sits."""
        st = self.st
        param = self.param if self.param_present else None
        self.forward_fn = self.rng.choice(["forward", "apply_model", "run_model"])
        params = ["model", "inputs"] + ([param] if param else [])
        code.add(f"def {self.forward_fn}({', '.join(params)}):")
        code.indent()
        kind = self.keras_outer_kind()
        inner_tensor = param if param else None
        if kind == "tensor" and not param:
            kind = "missing"
        code.add(f"return {self.keras_call('model', 'inputs', kind, inner_tensor)}")
        self.model_calls.append({"kind": kind, "params": params})
        code.dedent()
        code.add(st.blank[:-1])

    def emit_keras_layout(self, code: _Code) -> None:
        rng = self.rng
        self.keras2 = True    # tf.keras, tf_keras and `from tensorflow import keras` are Keras 2 here
        self.keras_model_defs(code)
        self.use_forward = (self.kkind != "layers" and self.structure in ("functions", "module")
                            and rng.random() < 0.5)
        if self.use_forward:
            self.emit_keras_forward(code)
        self.helper_takes_model = False
        if self.train_in_helper and self.structure == "functions":
            # a helper that is handed the model (and uses it) can name it; one that is not cannot
            self.helper_takes_model = self.kkind != "layers" and (self.handling == "keras_updates"
                                                                  or rng.random() < 0.5)
            self.emit_train_helper(code)
        elif self.handling == "keras_updates" and self.train_in_helper:
            self.train_in_helper = False
        if self.handling == "in_function" and self.structure == "functions":
            pass  # emitted above (train_in_helper is always set for in_function)
        if self.structure == "class":
            self.emit_keras_class_layout(code)
        else:
            self.emit_keras_flat_layout(code)

    def keras_network_lines(self, code: _Code, x: str, flag_t: Optional[str], out: str,
                            params: Optional[Sequence[str]], model: str) -> None:
        """Build (or get) the model into ``model`` and call it on ``x`` into ``out``."""
        if self.layers_fn:
            code.add(f"{out} = {self.layers_fn}({x}" + (f", {flag_t}" if self.param_present else "") + ")")
            return
        if self.kkind == "layers":
            self.keras_layers_lines(code, x, flag_t, out, params)
            return
        if self.family == "multi":
            code.add(f"{model} = {self.multi_model_expr()}")
        elif self.build_fn:
            code.add(f"{model} = {self.build_fn}()")
        else:
            self.keras_model_value(code, model)
        kind = self.keras_outer_kind()
        if self.use_forward:
            arg = f", {flag_t}" if self.param_present else ""
            code.add(f"{out} = {self.forward_fn}({model}, {x}{arg})")
        else:
            if kind == "tensor" and not flag_t:
                kind = "missing"
            code.add(f"{out} = {self.keras_call(model, x, kind, flag_t)}")
            self.model_calls.append({"kind": kind, "params": list(params) if params is not None else None})

    def emit_keras_flat_layout(self, code: _Code) -> None:
        """Module level, or a ``main()`` function (structure "functions")."""
        st, rng = self.st, self.rng
        self.merged = "merged"
        in_main = self.structure == "functions"
        main = rng.choice(["main", "train", "run_experiment", "run"])
        if in_main:
            code.add(f"def {main}():")
            code.indent()
        code.add(f"x_train, y_train = {self.data_fn}(512)")
        self.placeholders(code)
        flag_t = st.flag if self.has_tensor else None
        gs = None
        if self.global_step:
            gs = "global_step"
            code.add(f"global_step = {self.V}.train.get_or_create_global_step()")
        self.early_read_line(code)
        if self.handling == "ref_in_block":
            code.add(f"with {self.CD}({self.getref(code)}):")
            code.indent()
        params = [] if in_main else None
        self.keras_network_lines(code, st.x, flag_t, "logits", params, st.model)
        # Keras variables visible where the train op is built (see bnu006_fix_defined)
        n_vars = 0 if self.layers_fn else self.n_bn if self.kkind == "layers" else 1
        self.loss_lines(code, "logits", st.y, st.loss)
        updates = self.keras_updates_expr("" if self.kkind == "layers" else st.model, st.x)
        if self.train_in_helper and self.handling != "in_function":
            code.add(f"{st.train_op} = {self.train_helper_call(st.loss, st.lr)}")
            self.summary_lines(code, st.loss)
            upd = ""
            in_scope = 1 if self.helper_takes_model else (n_vars if not in_main else 0)
        elif self.handling == "in_function":
            upd = self.emit_handling(code, st.loss, st.lr, st.train_op, gs, updates)
            in_scope = 1 if self.helper_takes_model else (n_vars if not in_main else 0)
        else:
            upd = self.emit_handling(code, st.loss, st.lr, st.train_op, gs, updates)
            in_scope = n_vars
        self.keras_in_scope = in_scope
        if self.handling == "ref_in_block":
            code.dedent()

        def body(c: _Code, sess: str) -> None:
            self.loop_lines(c, sess, st.x, st.y, flag_t, st.train_op, st.loss, upd, "x_train", "y_train")

        self.session_lines(code, body)
        if in_main:
            code.dedent()
            code.add(st.blank[:-1])
            code.add(f"if __name__ == {st.s('__main__')}:")
            code.indent()
            code.add(f"{main}()")
            code.dedent()

    def emit_keras_class_layout(self, code: _Code) -> None:
        """A trainer class: the model is built in a method and stored on ``self``."""
        st, rng = self.st, self.rng
        self.merged = "self.merged"
        param = self.param if self.param_present else None
        cls = rng.choice(["Trainer", "Experiment", "ModelWrapper", "Learner"])
        attr = rng.choice(["model", "net", "network"])
        code.add(f"class {cls}(object):")
        code.indent()
        if self.docstring_noise:
            code.add('"""Builds the graph once; `fit` runs the training loop."""')
        code.add(f"def __init__(self, learning_rate={rng.choice(['0.01', '1e-2', '0.005'])}):")
        code.indent()
        self.placeholders(code, prefix="self.")
        flag_t = f"self.{st.flag}" if self.has_tensor else None
        if self.handling in ("ref_early", "early_read"):
            code.add(f"self.{st.uops} = " + (self.getref(code) if self.handling == "ref_early" else self.getc(code)))
        if self.handling == "ref_in_block":
            code.add(f"with {self.CD}({self.getref(code)}):")
            code.indent()
        code.add("self._build_model()")
        forward = self.kkind != "layers" and param is not None and rng.random() < 0.6
        if forward:
            code.add(f"self.logits = self._forward(self.{st.x}, {flag_t})")
        elif self.kkind == "layers":
            code.add(f"self.logits = self._forward(self.{st.x}" + (f", {flag_t}" if param else "") + ")")
        else:
            kind = self.keras_outer_kind()
            if kind == "tensor" and not flag_t:
                kind = "missing"
            code.add(f"self.logits = {self.keras_call('self.' + attr, 'self.' + st.x, kind, flag_t)}")
            self.model_calls.append({"kind": kind, "params": ["self", "learning_rate"]})
        self.loss_lines(code, "self.logits", f"self.{st.y}", f"self.{st.loss}")
        code.add("self._build_train_op(learning_rate)")
        if self.handling == "ref_in_block":
            code.dedent()
        code.dedent()
        code.blank()
        # the model, built in a method and stored on self
        code.add("def _build_model(self):")
        code.indent()
        if self.kkind == "layers":
            for i in range(self.n_bn):
                code.add(f"self.bn{i + 1} = {self.K}.layers.BatchNormalization()")
        else:
            self.keras_model_value(code, f"self.{attr}")
        code.dedent()
        code.blank()
        if forward or self.kkind == "layers":
            params = ["self", "inputs"] + ([param] if param else [])
            code.add(f"def _forward({', '.join(params)}):")
            code.indent()
            if self.kkind == "layers":
                self.keras_layers_lines(code, "inputs", param if param else flag_t, "out", params,
                                        prefix="self.", create=False)
                code.add("return out")
            else:
                kind = self.keras_outer_kind()
                if kind == "tensor":
                    kind_expr = param
                else:
                    kind_expr = None
                code.add(f"return {self.keras_call('self.' + attr, 'inputs', kind, kind_expr)}")
                self.model_calls.append({"kind": kind, "params": params})
            code.dedent()
            code.blank()
        code.add("def _build_train_op(self, learning_rate):")
        code.indent()
        if self.handling in ("ref_early", "early_read"):
            self.st.uops = f"self.{st.uops}"
        updates = self.keras_updates_expr("self." if self.kkind == "layers" else "self." + attr, "self." + st.x)
        if self.train_in_helper and self.handling != "keras_updates":
            self.train_helper_name = rng.choice(["_make_train_op", "_optimizer_step"])
            code.add(f"self.{st.train_op} = self.{self.train_helper_name}(self.{st.loss}, learning_rate)")
            self.summary_lines(code, f"self.{st.loss}")
            upd = ""
        else:
            self.train_in_helper = False
            upd = self.emit_handling(code, f"self.{st.loss}", "learning_rate", f"self.{st.train_op}", None,
                                     updates)
            if upd:
                code.add(f"self.{upd} = {upd}")
                upd = f"self.{upd}"
        code.dedent()
        if self.train_in_helper:
            code.blank()
            code.add(f"def {self.train_helper_name}(self, loss, learning_rate):")
            code.indent()
            sub = _Code()
            self.emit_handling(sub, "loss", "learning_rate", "op", None, None, summary=False)
            code.extend(sub)
            code.add("return op")
            code.dedent()
        # the train op is built in a method: self.<attr> (or self.bn1..) can be named there
        self.keras_in_scope = self.n_bn if self.kkind == "layers" else 1
        code.blank()
        code.add(f"def fit(self, {st.sess}, xs, ys):")
        code.indent()
        self.loop_lines(code, st.sess, f"self.{st.x}", f"self.{st.y}", flag_t, f"self.{st.train_op}",
                        f"self.{st.loss}", upd, "xs", "ys")
        code.dedent()
        code.dedent()
        code.add(st.blank[:-1])
        code.add(f"x_train, y_train = {self.data_fn}(512)")
        code.add(f"trainer = {cls}({st.lr})")

        def body(c: _Code, sess: str) -> None:
            c.add(f"trainer.fit({sess}, x_train, y_train)")

        self.session_lines(code, body)

    # ------------------------------------------------------------------ multi-file programs

    def module_header(self, code: _Code, functools_needed: bool = False) -> None:
        if functools_needed:
            code.add("import functools")
        for line in self.import_lines:
            if "GraphKeys" in line:
                continue
            code.add(line)
        code.blank()
        for line in self.extra_imports:
            code.add(line)
            code.blank()
        if self.flag.startswith("const"):
            code.add(f"{self.st.const_flag} = {'True' if self.flag == 'const_true' else 'False'}")
            code.blank()

    def emit_model_package(self) -> None:
        """The model lives in ``models/`` (no ``__init__.py``: a namespace package) and is reached
        by a plain import, through a subclass of a builder class, or through a registry dict."""
        st, rng = self.st, self.rng
        form = self.form
        param = self.param if self.param_present else None
        pkg = rng.choice(["models", "nets", "model_zoo", "architectures"])
        self.pkg = pkg
        if self.keras:
            self.emit_keras_package(pkg)
            return
        if form == "ns_package":
            mod = rng.choice(["mlp", "layers_lib", "backbone", "convnet"])
            fn = rng.choice(["build_network", "inference", "model_fn", "forward"])
            code = _Code()
            self.module_header(code, self.api == "partial")
            self.layers_model_function(code, fn, param)
            self.model_module_files[f"{pkg}/{mod}.py"] = code.render(st.unit)
            style = rng.choice(["from", "from_pkg", "import_as"])
            if style == "from":
                self.model_imports = [f"from {pkg}.{mod} import {fn}"]
                self.multi_callee = fn
            elif style == "from_pkg":
                self.model_imports = [f"from {pkg} import {mod}"]
                self.multi_callee = f"{mod}.{fn}"
            else:
                self.model_imports = [f"import {pkg}.{mod} as {mod}_lib"]
                self.multi_callee = f"{mod}_lib.{fn}"
        elif form == "builder_subclass":
            base_cls = rng.choice(["BaseNetwork", "NetworkBase", "Builder"])
            sub_cls = rng.choice(["SmallNet", "MLPNet", "Regressor", "DeepNet"])
            code = _Code()
            self.module_header(code, self.api == "partial")
            self.layers_builder_class(code, base_cls, param)
            self.model_module_files[f"{pkg}/base.py"] = code.render(st.unit)
            sub = _Code()
            if rng.random() < 0.5:
                sub.add(f"from {pkg}.base import {base_cls}")
                base_ref = base_cls
            else:
                sub.add(f"from {pkg} import base")
                base_ref = f"base.{base_cls}"
            sub.blank()
            sub.blank()
            sub.add(f"class {sub_cls}({base_ref}):")
            sub.indent()
            sub.add("def __init__(self, n_out=1):")
            sub.indent()
            sub.add(f"super({sub_cls}, self).__init__(n_out)")
            sub.add(f"self.name = {st.s(sub_cls.lower())}")
            sub.dedent()
            sub.dedent()
            self.model_module_files[f"{pkg}/net.py"] = sub.render(st.unit)
            self.model_imports = [f"from {pkg}.net import {sub_cls}"]
            self.multi_callee = f"{sub_cls}({self.n_out})"
        else:  # registry
            names = rng.sample(["mlp", "wide", "deep", "small", "base"], 2)
            fns = [f"build_{n}" for n in names]
            code = _Code()
            self.module_header(code, self.api == "partial")
            chosen = rng.randrange(2)
            self.registry_sites_at = len(self.sites)
            for i, fn in enumerate(fns):
                before = len(self.sites)
                self.layers_model_function(code, fn, param)
                if i != chosen:               # only the chosen model is built at run time
                    del self.sites[before:]
                code.blank()
            self.model_module_files[f"{pkg}/zoo.py"] = code.render(st.unit)
            key = rng.choice(["MODELS", "NETWORKS", "REGISTRY", "ARCHS"])
            where = rng.choice(["main", "module"])
            entries = ", ".join(f"{st.s(n)}: {fn}" for n, fn in zip(names, fns))
            if where == "module":
                reg = _Code()
                reg.add(f"from {pkg}.zoo import {', '.join(fns)}")
                reg.blank()
                reg.add(f"{key} = {{{entries}}}")
                self.model_module_files[f"{pkg}/registry.py"] = reg.render(st.unit)
                self.model_imports = [f"from {pkg}.registry import {key}"]
                self.registry_line = None
            else:
                self.model_imports = [f"from {pkg}.zoo import {', '.join(fns)}"]
                self.registry_line = f"{key} = {{{entries}}}"
            self.multi_callee = f"{key}[{st.s(names[chosen])}]"
            self.model_imports.append("")
            self.model_imports.append(f"MODEL_NAME = {st.s(names[chosen])}")
            self.multi_callee = f"{key}[MODEL_NAME]"
            if self.registry_line:
                self.model_imports.append(self.registry_line)

    def multi_call(self, x: str, flag_t: Optional[str], with_param: bool) -> str:
        arg = f", {flag_t}" if (with_param and flag_t) else ""
        return f"{self.multi_callee}({x}{arg})"

    def layers_model_function(self, code: _Code, name: str, param: Optional[str]) -> None:
        params = ["inputs"] + ([param] if param else [])
        code.add(f"def {name}({', '.join(params)}):")
        code.indent()
        if self.docstring_noise and self.rng.random() < 0.5:
            code.add('"""Returns the logits."""')
        self.model_lines(code, "inputs", param, "logits", params)
        code.add("return logits")
        code.dedent()
        code.blank()

    def layers_builder_class(self, code: _Code, name: str, param: Optional[str]) -> None:
        """A builder class whose method builds the batch-norm layers; subclasses only configure it."""
        rng = self.rng
        flags = self.site_flags()
        widths = [rng.choice([8, 16, 32]) for _ in range(self.n_bn)]
        block_params = ["self", "inputs", "units"] + ([param] if param else [])
        call_params = ["self", "inputs"] + ([param] if param else [])
        code.add(f"class {name}(object):")
        code.indent()
        code.add("def __init__(self, n_out):")
        code.indent()
        code.add("self.n_out = n_out")
        code.dedent()
        code.blank()
        first = flags[0]
        flag = self.flag_expr(first, param)
        code.add(f"def block({', '.join(block_params)}):")
        code.indent()
        code.add(f"h = {self.L}.dense(inputs, units)")
        code.add(f"h = {self.L}.batch_normalization(h" + (f", training={flag}" if flag else "") + ")")
        code.add(f"return {self.T}.nn.relu(h)")
        code.dedent()
        code.blank()
        code.add(f"def __call__({', '.join(call_params)}):")
        code.indent()
        code.add("h = inputs")
        mixed = self.flag.startswith("mixed")
        for i in range(self.n_bn):
            if i == 0 or not mixed:
                code.add(f"h = self.block(h, {widths[i]}" + (f", {param}" if param else "") + ")")
                self.add_site(first, block_params)
            else:
                kind = flags[i]
                fl = self.flag_expr(kind, param)
                code.add(f"h = {self.L}.dense(h, {widths[i]})")
                code.add(f"h = {self.L}.batch_normalization(h" + (f", training={fl}" if fl else "") + ")")
                self.add_site(kind, call_params)
        code.add(f"return {self.L}.dense(h, self.n_out)")
        code.dedent()
        code.dedent()

    def emit_keras_package(self, pkg: str) -> None:
        """Keras model in ``models/``: a build function, a subclass of a base model class, or a registry."""
        st, rng = self.st, self.rng
        form = self.form
        code = _Code()
        self.module_header(code)
        if form == "builder_subclass":
            base_cls = rng.choice(["BaseModel", "Backbone", "ModelBase"])
            self.keras_class = base_cls
            self.keras_class_def(code, base_cls)
            self.model_module_files[f"{pkg}/base.py"] = code.render(st.unit)
            sub_cls = rng.choice(["SmallNet", "MLPNet", "Regressor", "DeepNet"])
            sub = _Code()
            sub.add(f"from {pkg}.base import {base_cls}")
            sub.blank()
            sub.blank()
            sub.add(f"class {sub_cls}({base_cls}):")
            sub.indent()
            sub.add(f"def __init__(self, n_out={self.n_out}):")
            sub.indent()
            sub.add(f"super({sub_cls}, self).__init__(n_out)")
            sub.dedent()
            sub.dedent()
            self.model_module_files[f"{pkg}/net.py"] = sub.render(st.unit)
            self.model_imports = [f"from {pkg}.net import {sub_cls}"]
            self.multi_model = f"{sub_cls}()"
            return
        if form == "ns_package":
            mod = rng.choice(["mlp", "keras_models", "backbone", "convnet"])
            if self.kkind == "subclassed":
                self.keras_class_def(code, self.keras_class)
                target = self.keras_class
                make = f"{self.keras_class}({self.n_out})"
            else:
                fn = rng.choice(["build_model", "create_model", "get_model"])
                code.add(f"def {fn}():")
                code.indent()
                self.keras_model_value(code, "model")
                code.add("return model")
                code.dedent()
                target, make = fn, f"{fn}()"
            self.model_module_files[f"{pkg}/{mod}.py"] = code.render(st.unit)
            if rng.random() < 0.5:
                self.model_imports = [f"from {pkg}.{mod} import {target}"]
                self.multi_model = make
            else:
                self.model_imports = [f"from {pkg} import {mod}"]
                self.multi_model = f"{mod}.{make}"
            return
        # registry of model constructors (all build batch norm)
        names = rng.sample(["mlp", "wide", "deep", "small"], 2)
        chosen = rng.randrange(2)
        ctors = []
        for i, name in enumerate(names):
            before = len(self.sites)
            if self.kkind == "subclassed":
                cls = f"{name.capitalize()}Net"
                self.keras_class_def(code, cls)
                ctors.append(cls)
            else:
                fn = f"build_{name}"
                code.add(f"def {fn}():")
                code.indent()
                self.keras_model_value(code, "model")
                code.add("return model")
                code.dedent()
                code.blank()
                ctors.append(fn)
            if i != chosen:
                del self.sites[before:]
        self.model_module_files[f"{pkg}/zoo.py"] = code.render(st.unit)
        key = rng.choice(["MODELS", "NETWORKS", "REGISTRY"])
        entries = ", ".join(f"{st.s(n)}: {c}" for n, c in zip(names, ctors))
        self.model_imports = [f"from {pkg}.zoo import {', '.join(ctors)}", "",
                              f"{key} = {{{entries}}}", f"MODEL_NAME = {st.s(names[chosen])}"]
        arg = f"{self.n_out}" if self.kkind == "subclassed" else ""
        self.multi_model = f"{key}[MODEL_NAME]({arg})"

    def multi_model_expr(self) -> str:
        return self.multi_model

    # ------------------------------------------------------------------ meta

    def meta(self) -> Dict[str, object]:
        if self.keras:
            handled = self.handling == "keras_updates"
        elif self.form == "tuple_helper":
            handled = self.handling in ("run_both", "run_separate", "group")
        else:
            handled = self.handling in HANDLED or (
                self.handling == "identity_loss" and (self.vector_loss or getattr(self, "loss_fetched", False)
                                                      or (self.evaluate and not self.has_tensor)))
        meta = {
            "seed": self.seed, "family": self.family, "form": self.form, "imports": self.imports,
            "bn_api": self.api, "flag": self.flag, "handling": self.handling,
            "train_form": self.train_form, "train_position": self.train_position,
            "structure": self.structure, "optimizer": self.optimizer, "n_bn": self.n_bn,
            "keras": self.keras, "kkind": self.kkind, "kstore": self.kstore,
            "lphase": self.lphase if self.keras else "none", "keras2": bool(self.keras),
            "keras_in_scope": self.keras_in_scope, "built_on_input": self.built_on_input,
            "param": self.param if self.param_present else None,
            "loss_fetched": getattr(self, "loss_fetched", False), "vector_loss": self.vector_loss,
            "train_in_helper": self.train_in_helper, "handled": handled,
            "sites": self.sites, "model_calls": self.model_calls,
        }
        meta["expected"] = expected_verdict(meta)
        meta["defects"] = defects_for(meta)
        meta["fix_defined"] = all(d["fix"] for d in meta["defects"])
        return meta


def generate(seed: int) -> Program:
    """The training program for ``seed`` (same seed, same bytes)."""
    return _Gen(seed).build()


if __name__ == "__main__":   # python generator.py SEED: print one program
    import json
    import sys

    program = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    for path, text in program.files.items():
        if program.multi_file:
            print(f"# ---- {path}")
        print(text)
    print("#", json.dumps(program.meta))
