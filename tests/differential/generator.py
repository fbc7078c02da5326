"""Seeded generator of TF1-style graph-mode training programs (standard library only).

``generate(seed)`` returns a ``Program``: the source of a small, complete training script run
through ``tf.compat.v1`` (TensorFlow 2.x with ``TF_USE_LEGACY_KERAS=1``), and ``meta``, the axes it
was drawn from.  Axes vary independently: import spelling, batch-norm API form, training flag,
update-op handling (right and wrong), train-op form, code layout (module, functions, class) and
the author's style.  A program trains 10-20 steps on synthetic data whose mean is far from 0 and
does nothing special at the end: the runner reads the moving means from the session it used.

The source never says what the expected answer is; ``meta`` does (``expected`` is this module's
reading of the rule catalogue, used only to sanity-check the generator; TensorFlow is the judge).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Dict, List, Optional

IMPORTS = ("tf_compat", "v1_as_tf", "tf_plus_tf1", "v1_assign", "from_layers")
BN_APIS = ("func", "func_alias", "func_imported", "partial", "class", "builder_fn", "builder_cls",
           "keras_seq", "keras_layer")
LAYERS_APIS = BN_APIS[:7]
KERAS_APIS = BN_APIS[7:]
FLAGS = ("placeholder", "pwd_false", "pwd_true", "true", "false", "missing", "const_true",
         "const_false", "mixed_false", "mixed_missing")
TENSOR_FLAGS = ("placeholder", "pwd_false", "pwd_true")
HANDLINGS = ("ctrl_deps", "ctrl_deps_inline", "group", "run_both", "run_separate", "ref_late",
             "ref_early", "in_function", "optimizer_only", "deps_trainable", "unused_list",
             "identity_loss", "early_read", "ref_in_block", "none", "keras_updates")
HANDLED = ("ctrl_deps", "ctrl_deps_inline", "group", "run_both", "run_separate", "ref_late",
           "ref_early", "in_function")
TRAIN_FORMS = ("minimize", "minimize_inline", "compute_apply")
STRUCTURES = ("module", "functions", "class")
# Parameter names RULES.md lets a BNU002/BNU003 fix use, and some it does not know.
STANDARD_FLAG_PARAMS = ("training", "is_training", "is_train", "train", "phase_train", "train_phase",
                        "training_phase")
OTHER_FLAG_PARAMS = ("bn_mode", "use_batch_stats", "fit_mode")


@dataclass
class Program:
    source: str
    meta: Dict[str, object] = field(default_factory=dict)


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
        st = self.st
        self.handling = HANDLINGS[seed % len(HANDLINGS)]
        self.flag = FLAGS[(seed // len(HANDLINGS)) % len(FLAGS)]
        if self.handling == "keras_updates":
            self.api = rng.choice(KERAS_APIS)
        elif rng.random() < 0.12:
            self.api = rng.choice(KERAS_APIS)
        else:
            self.api = rng.choice(LAYERS_APIS)
        self.keras = self.api in KERAS_APIS
        # A model called with training=False is a deliberate choice (frozen statistics), not a
        # batch-norm site (RULES.md, BNU002/BNU007): hard-coded False goes on the layer calls instead.
        if self.keras and (self.flag.startswith("mixed") or self.flag in ("false", "const_false")):
            self.api = "keras_layer"
        self.imports = rng.choice(IMPORTS)
        self.structure = rng.choice(STRUCTURES)
        if self.structure == "class" and (self.keras or self.handling in ("ref_early", "early_read",
                                                                          "ref_in_block")):
            self.structure = "functions"
        if self.handling == "in_function" and self.structure == "module":
            self.structure = "functions"
        self.train_form = rng.choice(TRAIN_FORMS)
        if self.handling == "optimizer_only" and self.train_form == "minimize_inline":
            self.train_form = "minimize"
        self.optimizer = rng.choice(["GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer",
                                     "RMSPropOptimizer"])
        self.task = rng.choice(["regression", "classification"])
        self.arch = "mlp" if self.keras else rng.choice(["mlp", "mlp", "conv"])
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
        self.vector_loss = self.handling == "identity_loss" and rng.random() < 0.3
        self.session_form = rng.choice(["with", "with", "plain_close", "plain_open"])
        self.global_step = rng.random() < 0.3
        self.group_form = rng.choice(["star", "list", "append", "noop", "after"])
        self.keras_mod_style = rng.choice(["tf.keras", "tf_keras", "from_keras"])
        self.docstring_noise = rng.random() < 0.5
        self.partial_flag_in_partial = self.flag != "mixed_missing" and rng.random() < 0.5
        self.fetch_upd = False
        self.merged = "self.merged" if self.structure == "class" else "merged"
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
        self._setup_names()

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
            self.KEY = f"{V}.GraphKeys.UPDATE_OPS"
        elif self.key_style == "string":
            self.KEY = st.s("update_ops")
        else:
            self.import_lines.append("from tensorflow.compat.v1 import GraphKeys")
            self.KEY = "GraphKeys.UPDATE_OPS"
        if self.getc_style == "graph":
            self.GETC = f"{V}.get_default_graph().get_collection"
            self.GETREF = f"{V}.get_default_graph().get_collection_ref"
        else:
            self.GETC = f"{V}.get_collection"
            self.GETREF = f"{V}.get_collection_ref"
        self.CD = {"tf": f"{self.T}.control_dependencies", "v1": f"{V}.control_dependencies",
                   "graph": f"{V}.get_default_graph().control_dependencies"}[self.cd_style]
        if self.keras:
            if self.keras_mod_style == "tf.keras":
                self.K = "tf.keras"
            elif self.keras_mod_style == "tf_keras":
                self.K = "tf_keras"
                self.import_lines.append("import tf_keras")
            else:
                self.K = "keras"
                self.import_lines.append("from tensorflow import keras")

    # ------------------------------------------------------------------ flags

    def site_flags(self) -> List[Optional[str]]:
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

    # ------------------------------------------------------------------ pieces

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
                    in_function: Optional[str]) -> None:
        """Emit the network (tf.layers forms). ``in_function``: flag-param name of the enclosing
        function, or None. Records each site's fixability in self.sites."""
        rng = self.rng
        flags = self.site_flags()
        widths = [rng.choice([8, 16, 32]) for _ in range(self.n_bn)]
        n_out = 3 if self.task == "classification" else 1
        h = "net" if rng.random() < 0.5 else "h"
        if self.api == "func_alias":
            fn = "bn"
        elif self.api == "func_imported":
            fn = self.bn_import_name
        elif self.api == "partial":
            fn = "bn"
        else:
            fn = f"{self.L}.batch_normalization"
        start = x
        if self.arch == "conv":
            code.add(f"{h} = {self.L}.conv2d({x}, {rng.choice([4, 8])}, 3, padding={self.st.s('same')})")
            start = h
        if self.api == "partial" and self.partial_where == "local":
            pflag = self.flag_expr(flags[0], flag_tensor) if self.partial_flag_in_partial else None
            kw = f", training={pflag}" if pflag is not None else ""
            code.add(f"bn = functools.partial({self.L}.batch_normalization, momentum=0.9{kw})")
        if self.api == "class":
            for i in range(self.n_bn):
                code.add(f"bn_layer{i + 1} = {self.L}.BatchNormalization(momentum={rng.choice(['0.9', '0.99'])})")
        for i in range(self.n_bn):
            src = start if i == 0 else h
            if self.arch == "conv" and i == 0:
                pre = src
            else:
                pre = None
            kind = flags[i]
            if self.api == "builder_fn" and not (i > 0 and self.flag.startswith("mixed")):
                tensor = flag_tensor
                code.add(f"{h} = {self.builder_name}({src}, {widths[i]}, {tensor if tensor else ''})".replace(", )", ")"))
                continue
            if self.api == "builder_cls" and not (i > 0 and self.flag.startswith("mixed")):
                tensor = flag_tensor
                arg = f", {tensor}" if tensor else ""
                code.add(f"{h} = {self.builder_name}({widths[i]})({src}{arg})")
                continue
            flag = self.flag_expr(kind, flag_tensor)
            self.sites.append({"kind": kind, "param": in_function})
            if pre is None:
                code.add(f"{h} = {self.dense(src, widths[i])}")
                src = h
            if self.api == "class":
                code.add(f"{h} = bn_layer{i + 1}({src}" + (f", training={flag}" if flag else "") + ")")
            elif self.api == "partial" and self.partial_flag_in_partial and i == 0:
                code.add(f"{h} = bn({src})")
            elif self.api == "partial" and self.partial_flag_in_partial:
                # a later call overrides the partial's keyword
                code.add(f"{h} = bn({src}" + (f", training={flag}" if flag else ", training=False") + ")")
                if not flag:
                    self.sites[-1]["kind"] = "false"
            else:
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
        self.sites.append({"kind": kind, "param": param})
        fargs = f", training={flag}" if flag else ""
        if self.api == "builder_fn":
            self.builder_name = rng.choice(["dense_bn", "dense_bn_relu", "fc_block", "linear_bn"])
            params = "inputs, units" + (f", {param}" if param else "")
            code.add(f"def {self.builder_name}({params}):")
            code.indent()
            if self.docstring_noise and rng.random() < 0.5:
                code.add(f'"""Dense -> batch norm -> ReLU."""')
            code.add(f"out = {self.L}.dense(inputs, units, use_bias=False)")
            code.add(f"out = {self.L}.batch_normalization(out{fargs})")
            code.add(f"return {self.T}.nn.relu(out)")
            code.dedent()
        else:
            self.builder_name = rng.choice(["DenseBlock", "FCBN", "LinearBN", "Block"])
            code.add(f"class {self.builder_name}(object):")
            code.indent()
            code.add("def __init__(self, units):")
            code.indent()
            code.add("self.units = units")
            code.dedent()
            code.blank()
            code.add(f"def __call__(self, inputs" + (f", {param}" if param else "") + "):")
            code.indent()
            code.add(f"out = {self.L}.dense(inputs, self.units)")
            code.add(f"out = {self.L}.batch_normalization(out{fargs})")
            code.add(f"return {self.T}.nn.relu(out)")
            code.dedent()
            code.dedent()
        code.add(self.st.blank[:-1])

    # ------------------------------------------------------------------ keras

    def keras_model_lines(self, code: _Code, x: str, flag_tensor: Optional[str], out: str,
                          in_function: Optional[str]) -> List[str]:
        """Emit a Keras network; returns the expressions whose ``.updates`` hold its updates."""
        K = self.K
        rng = self.rng
        flags = self.site_flags()
        n_out = 3 if self.task == "classification" else 1
        if self.api == "keras_seq":
            layers = []
            for i in range(self.n_bn):
                layers.append(f"{K}.layers.Dense({rng.choice([8, 16, 32])})")
                layers.append(f"{K}.layers.BatchNormalization()")
                layers.append(f"{K}.layers.ReLU()" if rng.random() < 0.5 else f"{K}.layers.Activation({self.st.s('relu')})")
            layers.append(f"{K}.layers.Dense({n_out})")
            code.add(f"model = {K}.Sequential([")
            code.indent()
            for layer in layers:
                code.add(layer + ",")
            code.dedent()
            code.add("])")
            flag = self.flag_expr(flags[0], flag_tensor)
            if self.keras_forward:
                code.add(f"{out} = forward(model, {x}" + (f", {flag_tensor}" if self.keras_forward_param else "") + ")")
                fl = self.flag_expr(flags[0], self.param if self.keras_forward_param else None)
                self.sites.append({"kind": flags[0], "param": self.param if self.keras_forward_param else None})
            else:
                code.add(f"{out} = model({x}" + (f", training={flag}" if flag else "") + ")")
                self.sites.append({"kind": flags[0], "param": in_function})
            self.keras_vars = 1
            return ["model"]
        h = "h"
        bns = []
        code.add(f"{h} = {x}")
        for i in range(self.n_bn):
            code.add(f"dense{i + 1} = {K}.layers.Dense({rng.choice([8, 16, 32])})")
            code.add(f"bn{i + 1} = {K}.layers.BatchNormalization(momentum={rng.choice(['0.9', '0.99'])})")
            flag = self.flag_expr(flags[i], flag_tensor)
            code.add(f"{h} = {self.T}.nn.relu(bn{i + 1}(dense{i + 1}({h})" + (f", training={flag}" if flag else "") + "))")
            self.sites.append({"kind": flags[i], "param": in_function})
            bns.append(f"bn{i + 1}")
        code.add(f"{out} = {K}.layers.Dense({n_out})({h})")
        self.keras_vars = 2 * self.n_bn
        return bns

    # ------------------------------------------------------------------ program

    def build(self) -> Program:
        st, rng, V, T = self.st, self.rng, self.V, self.T
        self.sites: List[dict] = []
        code = _Code()
        self.keras_forward = self.keras and self.api == "keras_seq" and self.structure == "functions" and rng.random() < 0.6
        self.keras_forward_param = self.keras_forward and self.param_present
        self.partial_where = "module" if (self.api == "partial" and self.structure == "module") else "local"
        if self.api == "partial" and self.structure != "module" and rng.random() < 0.3 and \
                (not self.partial_flag_in_partial or self.site_flags()[0] not in ("tensor",)):
            self.partial_where = "module"
        self.bn_import_name = rng.choice(["batch_normalization", "batch_norm", "bn_layer"])

        # ---- header
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
        if self.api == "partial":
            code.add("import functools")
        code.add("import numpy as np")
        for line in self.import_lines:
            code.add(line)
        if self.api == "func_imported":
            nm = self.bn_import_name
            code.add("from tensorflow.compat.v1.layers import batch_normalization" +
                     ("" if nm == "batch_normalization" else f" as {nm}"))
        code.blank()
        for line in self.extra_imports:
            code.add(line)
        disable = rng.choice(["disable_eager_execution", "disable_v2_behavior"])
        code.add(f"{V}.{disable}()")
        code.blank()
        code.add(f"{st.lr} = {rng.choice(['0.01', '1e-2', '0.005', '0.001', '3e-3'])}")
        code.add(f"{st.steps} = {self.steps}")
        code.add(f"{st.batch} = {self.batch_size}")
        if any(k.startswith("const") for k in self.site_flags()):
            code.add(f"{st.const_flag} = {'True' if self.flag == 'const_true' else 'False'}")
        code.add(st.blank[:-1])

        if self.api == "func_alias":
            code.add(f"bn = {self.L}.batch_normalization")
            code.blank()
        if self.api == "partial" and self.partial_where == "module":
            pflag = None
            if self.partial_flag_in_partial and self.site_flags()[0] != "tensor":
                pflag = self.flag_expr(self.site_flags()[0], None)
            else:
                self.partial_flag_in_partial = False
            kw = f", training={pflag}" if pflag is not None else ""
            code.add(f"bn = functools.partial({self.L}.batch_normalization, momentum=0.9{kw})")
            code.blank()

        # ---- helpers
        self.emit_data_helper(code)
        if self.api in ("builder_fn", "builder_cls"):
            self.builder_defs(code)
        if self.keras_forward:
            p = f", {self.param}" if self.keras_forward_param else ""
            fl = self.flag_expr(self.site_flags()[0], self.param if self.keras_forward_param else None)
            code.add(f"def forward(model, inputs{p}):")
            code.indent()
            code.add(f"return model(inputs" + (f", training={fl}" if fl else "") + ")")
            code.dedent()
            code.add(st.blank[:-1])
        if self.train_in_helper and self.structure == "functions":
            self.emit_train_helper(code)

        if self.structure == "module":
            self.emit_module(code)
        elif self.structure == "functions":
            self.emit_functions(code)
        else:
            self.emit_class(code)
        source = code.render(st.unit)
        return Program(source, self.meta())

    # ------------------------------------------------------------------ data

    def emit_data_helper(self, code: _Code) -> None:
        st = self.st
        self.data_fn = self.rng.choice(["make_data", "synthetic_data", "load_data", "get_dataset"])
        n_feat = self.n_features = self.rng.choice([4, 6, 8])
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

    @property
    def has_tensor(self) -> bool:
        return self.flag in TENSOR_FLAGS or self.flag.startswith("mixed") or self.param_present

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

    def train_lines(self, loss: str, lr: str, target: str, gs: Optional[str]) -> List[str]:
        """Statements that build the train op into ``target``; the last one is the train op."""
        st = self.st
        gsa = f", global_step={gs}" if gs else ""
        if self.train_form == "minimize_inline":
            return [f"{target} = {self.optimizer_expr(lr)}.minimize({loss}{gsa})"]
        lines = [f"{st.opt} = {self.optimizer_expr(lr)}"]
        if self.train_form == "minimize":
            lines.append(f"{target} = {st.opt}.minimize({loss}{gsa})")
        else:
            lines.append(f"grads_and_vars = {st.opt}.compute_gradients({loss})")
            if self.rng.random() < 0.4:
                lines.append(f"grads_and_vars = [({self.T}.clip_by_norm(g, 5.0), v) for g, v in grads_and_vars"
                             " if g is not None]")
            lines.append(f"{target} = {st.opt}.apply_gradients(grads_and_vars{gsa})")
        return lines

    # ------------------------------------------------------------------ handling

    def emit_handling(self, code: _Code, loss: str, lr: str, target: str, gs: Optional[str],
                      keras_updates: List[str], summary: bool = True) -> str:
        """Emit the update-op handling and the train op into ``code``. Returns the run-time
        fetch expression for the update ops (run forms) or ''."""
        st, T, V = self.st, self.T, self.V
        h = self.handling
        u = st.uops
        getc = f"{self.GETC}({self.KEY})"
        lines = self.train_lines(loss, lr, target, gs)
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
            expr = " + ".join(f"{k}.updates" for k in keras_updates)
            if form == "cd":
                with_block(f"{self.CD}({expr})", lines)
                self.summary_lines(code, loss)
                return ""
            if form == "group":
                code.add(*lines[:-1])
                code.add(lines[-1].replace(f"{target} =", f"{st.raw_op} =", 1))
                code.add(f"{target} = {T}.group({st.raw_op}, *({expr}))")
                self.summary_lines(code, loss)
                return ""
            code.add(f"{u} = {expr}")
            code.add(*lines)
            self.fetch_upd = True
            self.summary_lines(code, loss)
            return u
        if h == "ctrl_deps":
            code.add(f"{u} = {getc}")
            with_block(f"{self.CD}({u})", lines)
        elif h == "ctrl_deps_inline":
            with_block(f"{self.CD}({getc})", lines)
        elif h == "group":
            g = self.group_form
            code.add(*lines[:-1])
            code.add(lines[-1].replace(f"{target} =", f"{st.raw_op} =", 1))
            code.add(f"{u} = {getc}")
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
            code.add(f"{u} = {getc}")
            code.add(*lines)
            self.fetch_upd = h == "run_both"
            self.summary_lines(code, loss)
            return u
        elif h == "ref_late":
            code.add(f"{u} = {self.GETREF}({self.KEY})")
            with_block(f"{self.CD}({u})", lines)
        elif h in ("ref_early", "early_read"):
            if self.rng.random() < 0.3 and h == "early_read":
                code.add(*lines[:-1])
                code.add(lines[-1].replace(f"{target} =", f"{st.raw_op} =", 1))
                code.add(f"{target} = {T}.group({st.raw_op}, *{u})")
            else:
                with_block(f"{self.CD}({u})", lines)
        elif h == "in_function":
            call = f"{target} = {self.train_helper_name}({loss}, {lr})"
            if self.rng.random() < 0.5:
                code.add(f"{u} = {getc}")
                with_block(f"{self.CD}({u})", [call])
            else:
                with_block(f"{self.CD}({getc})", [call])
        elif h == "optimizer_only":
            code.add(f"{u} = {getc}")
            with_block(f"{self.CD}({u})", [lines[0]])
            code.add(*lines[1:])
        elif h == "deps_trainable":
            if self.rng.random() < 0.5:
                code.add(f"params = {V}.trainable_variables()")
                with_block(f"{self.CD}(params)", lines)
            else:
                with_block(f"{self.CD}({V}.trainable_variables())", lines)
        elif h == "unused_list":
            code.add(f"{u} = {getc}")
            code.add(*lines)
        elif h == "identity_loss":
            code.add(f"{u} = {getc}")
            with_block(f"{self.CD}({u})", [f"{loss} = {T}.identity({loss})"])
            if summary:
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
            code.add(f"{u} = {self.GETREF}({self.KEY})")
        elif self.handling == "early_read":
            code.add(f"{u} = {self.GETC}({self.KEY})")

    def emit_train_helper(self, code: _Code, method: bool = False) -> None:
        """Module-level function (or method) that builds and returns the train op."""
        st = self.st
        self.train_helper_name = self.rng.choice(["make_train_op", "build_optimizer", "get_train_op",
                                                  "create_train_op_fn"])
        if method:
            return
        code.add(f"def {self.train_helper_name}(loss_tensor, learning_rate):")
        code.indent()
        if self.handling == "in_function":
            lines = self.train_lines("loss_tensor", "learning_rate", "op", None)
            code.add(*lines)
            code.add("return op")
        else:
            sub = _Code()
            self.emit_handling(sub, "loss_tensor", "learning_rate", "op", None, [], summary=False)
            for level, text in sub.lines:
                code.lines.append((code.level + level, text))
            code.add("return op")
        code.dedent()
        code.add(self.st.blank[:-1])

    # ------------------------------------------------------------------ training loop

    def feed(self, x: str, y: str, xs: str, ys: str, flag: Optional[str], train: bool) -> str:
        items = [f"{x}: {xs}", f"{y}: {ys}"]
        if flag and self.has_tensor:
            if train and self.tensor_kind in ("placeholder", "pwd_false"):
                items.append(f"{flag}: True")
            if not train and (self.tensor_kind in ("placeholder", "pwd_true") or self.rng.random() < 0.5):
                items.append(f"{flag}: False")
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
            self.loss_fetched = True
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

    # ------------------------------------------------------------------ layouts

    def network(self, code: _Code, x: str, flag_tensor: Optional[str], out: str,
                in_function: Optional[str]) -> List[str]:
        if self.keras:
            return self.keras_model_lines(code, x, flag_tensor, out, in_function)
        self.model_lines(code, x, flag_tensor, out, in_function)
        return []

    def emit_module(self, code: _Code) -> None:
        st = self.st
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
            code.add(f"with {self.CD}({self.GETREF}({self.KEY})):")
            code.indent()
        kupd = self.network(code, st.x, flag_t, "logits", None)
        self.loss_lines(code, "logits", st.y, st.loss)
        upd = self.emit_handling(code, st.loss, st.lr, st.train_op, gs, kupd)
        if self.handling == "ref_in_block":
            code.dedent()
        code.blank()

        def body(c: _Code, sess: str) -> None:
            self.loop_lines(c, sess, st.x, st.y, flag_t, st.train_op, st.loss, upd, "x_train", "y_train")

        self.session_lines(code, body)

    def emit_functions(self, code: _Code) -> None:
        st, rng = self.st, self.rng
        param = self.param if (self.param_present and not self.keras) else None
        if not self.keras:
            name = rng.choice(["build_model", "network", "inference", "model_fn_body", "create_net"])
            self.model_fn = name
            code.add(f"def {name}(inputs" + (f", {param}" if param else "") + "):")
            code.indent()
            if self.docstring_noise and rng.random() < 0.5:
                code.add('"""Returns the logits. The batch-norm update ops end up in UPDATE_OPS."""'
                         if rng.random() < 0.5 else '"""Builds the network and returns its logits."""')
            self.model_lines(code, "inputs", param, "logits", param)
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
            code.add(f"with {self.CD}({self.GETREF}({self.KEY})):")
            code.indent()
        if self.keras:
            kupd = self.keras_model_lines(code, st.x, flag_t, "logits", None)
        else:
            kupd = []
            code.add(f"logits = {self.model_fn}({st.x}" + (f", {flag_t}" if param else "") + ")")
        self.loss_lines(code, "logits", st.y, st.loss)
        if self.train_in_helper and self.handling != "in_function":
            code.add(f"{st.train_op} = {self.train_helper_name}({st.loss}, {st.lr})")
            self.summary_lines(code, st.loss)
            upd = ""
        else:
            upd = self.emit_handling(code, st.loss, st.lr, st.train_op, gs, kupd)
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
        if self.handling in ("ref_early", "early_read"):
            code.add(f"self.{st.uops} = " + (f"{self.GETREF}({self.KEY})" if self.handling == "ref_early"
                                              else f"{self.GETC}({self.KEY})"))
        if self.handling == "ref_in_block":
            code.add(f"with {self.CD}({self.GETREF}({self.KEY})):")
            code.indent()
        code.add(f"self.logits = self._forward(self.{st.x}" + (f", {flag_t}" if param else "") + ")")
        self.loss_lines(code, "self.logits", f"self.{st.y}", f"self.{st.loss}")
        code.add("self._build_train_op(learning_rate)")
        if self.handling == "ref_in_block":
            code.dedent()
        code.dedent()
        code.blank()
        # forward
        code.add(f"def _forward(self, inputs" + (f", {param}" if param else "") + "):")
        code.indent()
        inner_flag = param if param else flag_t
        self.model_lines(code, "inputs", inner_flag, "out", param)
        code.add("return out")
        code.dedent()
        code.blank()
        # train op
        code.add("def _build_train_op(self, learning_rate):")
        code.indent()
        if self.handling in ("ref_early", "early_read"):
            self.st.uops = f"self.{st.uops}"
        if self.handling == "in_function":
            self.emit_train_helper(code, method=True)
            u = st.uops
            call = f"self.{st.train_op} = self.{self.train_helper_name}(self.{st.loss}, learning_rate)"
            code.add(f"with {self.CD}({self.GETC}({self.KEY})):")
            code.indent()
            code.add(call)
            code.dedent()
            self.summary_lines(code, f"self.{st.loss}")
            upd = ""
        else:
            upd = self.emit_handling(code, f"self.{st.loss}", "learning_rate", f"self.{st.train_op}", None, [])
            if upd:
                code.add(f"self.{upd.split('.')[-1]} = {upd}")
                upd = f"self.{upd.split('.')[-1]}"
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

    # ------------------------------------------------------------------ expectations

    def meta(self) -> Dict[str, object]:
        active = [s["kind"] not in ("false", "missing", "const_false") for s in self.sites]
        if self.keras:
            handled = self.handling == "keras_updates"
        else:
            handled = self.handling in HANDLED or (
                self.handling == "identity_loss" and (self.vector_loss or getattr(self, "loss_fetched", False)
                                                      or (self.evaluate and not self.has_tensor)))
        moved = [a and handled for a in active]
        expected = "trains" if all(moved) else "frozen" if not any(moved) else "partial"
        # Does RULES.md define fixes for every cause?
        causes = []
        for site, is_active in zip(self.sites, active):
            if not is_active:
                causes.append(site["param"] in STANDARD_FLAG_PARAMS and
                              not (self.api == "partial" and self.partial_where == "module"
                                   and self.partial_flag_in_partial))
        if not handled:
            if self.keras:
                # BNU006's fix names the one Keras model in the train op's scope
                causes.append(self.api == "keras_seq" and not self.train_in_helper)
            else:
                causes.append(self.handling != "ref_in_block")
        return {
            "seed": self.seed, "imports": self.imports, "bn_api": self.api, "flag": self.flag,
            "handling": self.handling, "train_form": self.train_form, "structure": self.structure,
            "optimizer": self.optimizer, "n_bn": self.n_bn, "keras": self.keras,
            "param": self.param if self.param_present else None,
            "loss_fetched": getattr(self, "loss_fetched", False), "vector_loss": self.vector_loss,
            "train_in_helper": self.train_in_helper,
            "expected": expected, "fix_defined": all(causes) if causes else True,
        }


def generate(seed: int) -> Program:
    """The training program for ``seed`` (same seed, same bytes)."""
    return _Gen(seed).build()


if __name__ == "__main__":   # python generator.py SEED: print one program
    import sys

    program = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(program.source)
    print("#", program.meta)
