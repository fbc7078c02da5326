"""The program-model forms (issue 24) and the flag homes (issue 25) of the differential generator.

``generate_form(seed)`` returns a ``generator.Program`` of one of ``FORMS`` (``seed % len(FORMS)``),
in one of that form's variants (cycled by ``seed // len(FORMS)``, so a run of ``k * len(FORMS)``
seeds holds each form ``k`` times and every variant as soon as ``k`` reaches their number), written
by an author drawn from the seed (names, import spelling, layer count, optimizer, data).

Two families:

* ``model`` (issue 24): what the graph does decides, not what the module mentions: evaluation
  towers and samplers built with ``reuse``; a builder never called; an Estimator ``model_fn``
  passed positionally with its Keras network in a module without graph-mode markers; a helper that
  receives the loss; a test step under a tape that takes no gradient; a notebook-like module that
  redefines its helpers after ``reset_default_graph()``; one attribute bound two ways.
* ``flag`` (issue 25): ``tf.layers`` batch norm without ``training`` whose flag lives in ``self``,
  in a module placeholder, in an attribute set from a constructor argument, in the Estimator
  ``mode``, or nowhere (builders two and three calls deep, and in another module). Update ops are
  handled: the flag is the only defect, and the fix must thread it.

``meta`` says what TensorFlow should show, read from TensorFlow's documented behaviour and RULES.md
(never from the tool): ``expected`` (``trains``/``frozen``/``partial``/``no_bn``, as the runner
says it) and ``expected_evaluation`` (``moving``: the evaluation run normalizes with the moving
statistics; ``batch``: with the batch's own; ``""``: nothing to evaluate). A program is
``correct`` when its layers train (or it builds none) and it evaluates with moving statistics.
``fix_defined``: RULES.md or issue 25 defines a fix for each defect of a wrong program.
"""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple


def _load_generator():
    spec = importlib.util.spec_from_file_location("bnu_differential_generator",
                                                  Path(__file__).resolve().parent / "generator.py")
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


_generator = _load_generator()
Program, _Code, _Style = _generator.Program, _generator._Code, _generator._Style

# form -> its variants; each variant: (name, expected verdict, expected evaluation, fix defined or None
# when the program is correct, the defect's code and the sentence the expectation rests on)
Variant = Tuple[str, str, str, Optional[bool], str]

MODEL_FORMS: Dict[str, List[Variant]] = {
    # "an evaluation tower or sampler (a further call of a builder, usually with reuse=True/AUTO_REUSE
    # [...]) whose output is fetched only by runs that do not run the train op" does not count.
    "eval_tower": [
        ("false_reuse", "trains", "moving", None, ""),
        ("missing_reuse", "trains", "moving", None, ""),     # BNU003 silent on an inference tower
        ("sampler_auto_reuse", "trains", "moving", None, ""),
        ("read_before_eval_tower", "trains", "moving", None, ""),   # BNU004: the eval tower does not make it early
        ("bare", "frozen", "moving", True, "BNU001"),
        ("true_reuse", "trains", "batch", False, "BNU002"),  # (a): a literal True reaching an inference tower
    ],
    # "a builder that is never called" does not count.
    "uncalled_builder": [
        ("uncalled", "no_bn", "", None, ""),
        ("called_bare", "frozen", "moving", True, "BNU001"),
        ("called_handled", "trains", "moving", None, ""),
    ],
    # "passed as an Estimator's model function (model_fn=, or the first positional argument of
    # Estimator)": the network module has no marker; its Keras batch norm runs in graph mode.
    "estimator_positional": [
        ("mode_flag_handled", "trains", "moving", None, ""),
        ("flag_missing", "frozen", "moving", True, "BNU003"),   # learning phase 0 in graph mode
        ("updates_missing", "frozen", "moving", True, "BNU006"),
    ],
    # "A train op whose loss is a parameter of its function is judged with the sites that reach the
    # argument at that function's callers, in the whole project."
    "loss_helper": [
        ("wrapped_inside", "trains", "moving", None, ""),
        ("wrapped_at_call", "trains", "moving", None, ""),
        ("bare", "frozen", "moving", True, "BNU001"),
        ("other_module_wrapped", "trains", "moving", None, ""),
        ("other_module_bare", "frozen", "moving", True, "BNU001"),
    ],
    # "A GradientTape block on which no gradient is taken in its function is evaluation: [...] called
    # there with training=True [...]: BNU002 at the literal; fix (unsafe): training=False."
    "tape_test_step": [
        ("test_training_true", "trains", "batch", True, "BNU002"),
        ("test_training_false", "trains", "moving", None, ""),
        ("test_training_missing", "trains", "moving", None, ""),   # learning phase 0: inference mode
    ],
    # "a later cell's definition replaces the earlier one from that cell on, and reset_default_graph()
    # [...] starts a new graph: sites, reads and train ops built before it never meet those built after it."
    "notebook_redefine": [
        ("redefined_without_bn", "trains", "moving", None, ""),
        ("redefined_with_bn_bare", "frozen", "moving", True, "BNU001"),
        ("first_graph_bare", "frozen", "moving", True, "BNU001"),
    ],
    # "Two bindings of one name or attribute are never fetched together [...] each binding's train op
    # is judged by itself."
    "attr_two_ways": [
        ("bare_binding_runs", "frozen", "moving", True, "BNU001"),
        ("both_handled_grouped_runs", "trains", "moving", None, ""),
        ("both_handled_plain_runs", "trains", "moving", None, ""),
    ],
}

# Issue 25, item 1 ("Use the flag the program already has") and item 2 ("Thread it where the program
# has none"): every variant is frozen (tf.layers without `training` creates no update ops) and
# evaluates with the (untrained) moving statistics; the fix must make it train.
FLAG_FORMS: Dict[str, List[Variant]] = {
    "self_placeholder": [("placeholder", "frozen", "moving", True, "BNU003"),
                         ("placeholder_with_default", "frozen", "moving", True, "BNU003")],
    "module_placeholder": [("placeholder", "frozen", "moving", True, "BNU003"),
                           ("placeholder_with_default", "frozen", "moving", True, "BNU003")],
    "constructor_attribute": [("placeholder", "frozen", "moving", True, "BNU003"),
                              ("placeholder_with_default", "frozen", "moving", True, "BNU003")],
    "estimator_mode": [("sites_in_model_fn", "frozen", "moving", True, "BNU003"),
                       ("sites_in_helper", "frozen", "moving", True, "BNU003")],
    "nowhere_two_deep": [("feed_literal", "frozen", "moving", True, "BNU003"),
                         ("feed_variable", "frozen", "moving", True, "BNU003")],
    "nowhere_three_deep": [("feed_literal", "frozen", "moving", True, "BNU003"),
                           ("feed_variable", "frozen", "moving", True, "BNU003")],
    "nowhere_other_module": [("feed_literal", "frozen", "moving", True, "BNU003"),
                             ("feed_variable", "frozen", "moving", True, "BNU003")],
}

FORMS: Tuple[Tuple[str, str], ...] = tuple(
    [("model", form) for form in MODEL_FORMS] + [("flag", form) for form in FLAG_FORMS])
FORM_FAMILIES = ("model", "flag")


def variants_of(family: str, form: str) -> List[Variant]:
    return (MODEL_FORMS if family == "model" else FLAG_FORMS)[form]


class _FormGen:
    def __init__(self, seed: int):
        self.seed = seed
        self.family, self.form = FORMS[seed % len(FORMS)]
        variants = variants_of(self.family, self.form)
        (self.variant, self.expected, self.expected_evaluation, self.fix, self.code) = \
            variants[(seed // len(FORMS)) % len(variants)]
        rng = self.rng = random.Random(seed * 1_000_003 + 24)
        self.st = _Style(rng)
        self.imports = rng.choice(["tf_compat", "v1_as_tf", "v1_assign"])
        if self.imports == "tf_compat":
            self.import_lines, self.V, self.alias_line = ["import tensorflow as tf"], "tf.compat.v1", ""
        elif self.imports == "v1_as_tf":
            self.import_lines, self.V, self.alias_line = ["import tensorflow.compat.v1 as tf"], "tf", ""
        else:
            alias = rng.choice(["v1", "tf1", "tfv1"])
            self.import_lines, self.V = ["import tensorflow as tf"], alias
            self.alias_line = f"{alias} = tf.compat.v1"
        self.T = "tf"
        self.K = rng.choice(["tf.keras", "tf_keras"])
        self.n_bn = rng.choice([1, 2, 2, 3])
        self.widths = [rng.choice([8, 16, 32]) for _ in range(self.n_bn)]
        self.n_features = rng.choice([4, 6, 8])
        self.mu = rng.choice([1.5, 2.0, 3.0, 4.0])
        self.steps = rng.randint(8, 15)
        self.batch = rng.choice([16, 32])
        # small steps: a frozen program normalizes nothing (inputs have means up to 4) and must not
        # diverge to NaN, where the evaluation probe could tell nothing
        self.lr = rng.choice(["1e-3", "0.001", "5e-4", "2e-3"])
        self.optimizer = rng.choice(["GradientDescentOptimizer", "AdamOptimizer", "MomentumOptimizer",
                                     "RMSPropOptimizer"])
        self.flag_name = rng.choice(["is_training", "training", "train_phase", "phase_train", "is_train"])
        self.files: Dict[str, str] = {}

    # ------------------------------------------------------------------ pieces

    def opt(self, lr: str) -> str:
        if self.optimizer == "MomentumOptimizer":
            return f"{self.V}.train.MomentumOptimizer({lr}, momentum=0.9)"
        return f"{self.V}.train.{self.optimizer}({lr})"

    def header(self, code: _Code, disable: bool = True, keras: bool = False) -> None:
        code.add("import numpy as np")
        code.add(*self.import_lines)
        if keras and self.K == "tf_keras":
            code.add("import tf_keras")
        code.blank()
        if self.alias_line:
            code.add(self.alias_line)
        if disable:
            code.add(f"{self.V}.{self.rng.choice(['disable_eager_execution', 'disable_v2_behavior'])}()")
        code.blank()

    def data_fn(self, code: _Code) -> str:
        name = self.rng.choice(["make_data", "synthetic_data", "load_data"])
        code.add(f"def {name}(n, seed=0):")
        code.indent()
        code.add("rng = np.random.RandomState(seed)")
        code.add(f"xs = rng.normal(loc={self.mu}, scale=1.0, size=(n, {self.n_features})).astype(np.float32)")
        code.add("w = rng.normal(size=(xs.shape[1], 1))")
        code.add("ys = (xs.dot(w) + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)")
        code.add("return xs, ys")
        code.dedent()
        code.blank()
        code.blank()
        return name

    def placeholders(self, code: _Code, prefix: str = "") -> Tuple[str, str]:
        x, y = f"{prefix}{self.st.x}", f"{prefix}{self.st.y}"
        V, T = self.V, self.T
        code.add(f"{x} = {V}.placeholder({T}.float32, shape=[None, {self.n_features}], name={self.st.s('x')})")
        code.add(f"{y} = {V}.placeholder({T}.float32, shape=[None, 1], name={self.st.s('y')})")
        return x, y

    def flag_placeholder(self, target: str, with_default: bool) -> str:
        V, T = self.V, self.T
        if with_default:
            return f"{target} = {V}.placeholder_with_default(False, shape=(), name={self.st.s(self.flag_name)})"
        return f"{target} = {V}.placeholder({T}.bool, name={self.st.s(self.flag_name)})"

    def bn_stack(self, code: _Code, x: str, flag: Optional[str], out: str, named: bool = False) -> None:
        """Dense -> tf.layers batch norm -> ReLU, ``n_bn`` times, and a linear head."""
        V, T = self.V, self.T
        code.add(f"h = {x}")
        for i, width in enumerate(self.widths):
            fc = f", name={self.st.s(f'fc{i + 1}')}" if named else ""
            bn = f", name={self.st.s(f'bn{i + 1}')}" if named else ""
            code.add(f"h = {V}.layers.dense(h, {width}{fc})")
            flag_arg = f", training={flag}" if flag is not None else ""
            code.add(f"h = {V}.layers.batch_normalization(h{flag_arg}{bn})")
            code.add(f"h = {T}.nn.relu(h)")
        head = f", name={self.st.s('head')}" if named else ""
        code.add(f"{out} = {V}.layers.dense(h, 1{head})")

    def loss(self, out: str, y: str, target: str) -> str:
        if self.rng.random() < 0.5:
            return f"{target} = {self.T}.reduce_mean({self.T}.square({out} - {y}))"
        return f"{target} = {self.V}.losses.mean_squared_error({y}, {out})"

    def update_ops(self) -> str:
        return f"{self.V}.get_collection({self.V}.GraphKeys.UPDATE_OPS)"

    def wrapped(self, code: _Code, statement: str, deps: Optional[str] = None) -> None:
        code.add(f"with {self.V}.control_dependencies({deps or self.update_ops()}):")
        code.indent()
        code.add(statement)
        code.dedent()

    def loop(self, code: _Code, sess: str, run_target: str, feed_items: List[str], xs: str, ys: str,
             x: str, y: str, feed_style: str = "literal") -> None:
        st = self.st
        code.add(f"for {st.step} in range({self.steps}):")
        code.indent()
        code.add(f"start = ({st.step} * {self.batch}) % (len({xs}) - {self.batch})")
        items = [f"{x}: {xs}[start:start + {self.batch}]", f"{y}: {ys}[start:start + {self.batch}]"] + feed_items
        if feed_style == "variable":
            code.add(f"feed = {{{', '.join(items)}}}")
            code.add(f"{sess}.run({run_target}, feed_dict=feed)")
        else:
            code.add(f"{sess}.run({run_target}, feed_dict={{{', '.join(items)}}})")
        code.dedent()

    def evaluate(self, code: _Code, sess: str, fetch: str, x: str, y: str, extra: List[str], data: str) -> None:
        code.add(f"x_val, y_val = {data}(64, seed=1)")
        items = [f"{x}: x_val", f"{y}: y_val"] + extra
        code.add(f"val_loss = {sess}.run({fetch}, feed_dict={{{', '.join(items)}}})")
        code.add(self.st.fmt("validation loss", "val_loss"))

    def session(self, code: _Code) -> str:
        sess = self.st.sess
        code.add(f"with {self.V}.Session() as {sess}:")
        code.indent()
        code.add(f"{sess}.run({self.V}.global_variables_initializer())")
        return sess

    def main_guard(self, code: _Code, main: str) -> None:
        code.blank()
        code.blank()
        code.add(f"if __name__ == {self.st.s('__main__')}:")
        code.indent()
        code.add(f"{main}()")
        code.dedent()

    # ------------------------------------------------------------------ issue 24 forms

    def eval_tower(self, code: _Code) -> None:
        st, V, rng, v = self.st, self.V, self.rng, self.variant
        self.header(code)
        data = self.data_fn(code)
        net = rng.choice(["network", "build_net", "model", "tower"])
        scope = rng.choice(["net", "model", "tower"])
        p = rng.choice(["is_training", "training", "train"])
        code.add(f"def {net}(inputs, {p}, reuse=None):")
        code.indent()
        code.add(f"with {V}.variable_scope({st.s(scope)}, reuse=reuse):")
        code.indent()
        self.bn_stack(code, "inputs", p, "out", named=True)
        code.add("return out")
        code.dedent()
        code.dedent()
        code.blank()
        code.blank()
        if v == "missing_reuse":
            code.add(f"def {net}_for_eval(inputs):")
            code.indent()
            code.add(f"with {V}.variable_scope({st.s(scope)}, reuse=True):")
            code.indent()
            code.add("h = inputs")
            for i, width in enumerate(self.widths):
                code.add(f"h = {V}.layers.dense(h, {width}, name={st.s(f'fc{i + 1}')})")
                code.add(f"h = {V}.layers.batch_normalization(h, name={st.s(f'bn{i + 1}')})")
                code.add(f"h = {self.T}.nn.relu(h)")
            code.add(f"return {V}.layers.dense(h, 1, name={st.s('head')})")
            code.dedent()
            code.dedent()
            code.blank()
            code.blank()
        code.add(f"x_train, y_train = {data}(512)")
        x, y = self.placeholders(code)
        use_ph = rng.random() < 0.5
        feed = []
        if use_ph:
            code.add(self.flag_placeholder(st.flag, True))
            feed = [f"{st.flag}: True"]
        train_flag = st.flag if use_ph else "True"
        reuse = f"{V}.AUTO_REUSE" if v == "sampler_auto_reuse" else "True"
        reuse_kw = f", reuse={reuse}" if v == "sampler_auto_reuse" else ""
        code.add(f"pred = {net}({x}, {train_flag}{reuse_kw})")
        code.add(self.loss("pred", y, st.loss))
        if v == "read_before_eval_tower":
            code.add(f"{st.uops} = {self.update_ops()}")
        eval_fetch = "eval_loss"
        if v == "sampler_auto_reuse":
            code.add(f"noise = {V}.placeholder({self.T}.float32, shape=[None, {self.n_features}], "
                     f"name={st.s('noise')})")
            code.add(f"samples = {net}(noise, False, reuse={reuse})")
            eval_fetch = "samples"
        elif v == "missing_reuse":
            code.add(f"eval_pred = {net}_for_eval({x})")
            code.add(self.loss("eval_pred", y, "eval_loss"))
        else:
            literal = "True" if v == "true_reuse" else "False"
            code.add(f"eval_pred = {net}({x}, {literal}, reuse=True)")
            code.add(self.loss("eval_pred", y, "eval_loss"))
        train = f"{st.train_op} = {self.opt(self.lr)}.minimize({st.loss})"
        if v == "bare":
            code.add(train)
        elif v == "read_before_eval_tower":
            self.wrapped(code, train, st.uops)
        else:
            code.add(f"{st.uops} = {self.update_ops()}")
            self.wrapped(code, train, st.uops)
        code.blank()
        sess = self.session(code)
        self.loop(code, sess, st.train_op, feed, "x_train", "y_train", x, y)
        if v == "sampler_auto_reuse":
            code.add(f"z = np.random.RandomState(3).normal(size=(16, {self.n_features})).astype(np.float32)")
            code.add(f"drawn = {sess}.run(samples, feed_dict={{noise: z}})")
            code.add(st.fmt("sample mean", "drawn.mean()"))
        else:
            self.evaluate(code, sess, eval_fetch, x, y, [], data)
        code.dedent()

    def uncalled_builder(self, code: _Code) -> None:
        st, V, T, rng, v = self.st, self.V, self.T, self.rng, self.variant
        self.header(code)
        data = self.data_fn(code)
        bn_block = rng.choice(["dense_bn", "bn_block", "fc_bn_relu"])
        plain = rng.choice(["dense_relu", "fc_block", "plain_block"])
        net = rng.choice(["network", "build_model", "inference"])
        p = rng.choice(["is_training", "training"])
        code.add(f"def {bn_block}(inputs, units, {p}):")
        code.indent()
        code.add(f"h = {V}.layers.dense(inputs, units, use_bias=False)")
        code.add(f"h = {V}.layers.batch_normalization(h, training={p})")
        code.add(f"return {T}.nn.relu(h)")
        code.dedent()
        code.blank()
        code.blank()
        code.add(f"def {plain}(inputs, units):")
        code.indent()
        code.add(f"return {V}.layers.dense(inputs, units, activation={T}.nn.relu)")
        code.dedent()
        code.blank()
        code.blank()
        code.add(f"def {net}(inputs, {p}):")
        code.indent()
        code.add("h = inputs")
        for width in self.widths:
            call = f"{plain}(h, {width})" if v == "uncalled" else f"{bn_block}(h, {width}, {p})"
            code.add(f"h = {call}")
        code.add(f"return {V}.layers.dense(h, 1)")
        code.dedent()
        code.blank()
        code.blank()
        main = rng.choice(["main", "train", "run"])
        code.add(f"def {main}():")
        code.indent()
        code.add(f"x_train, y_train = {data}(512)")
        x, y = self.placeholders(code)
        code.add(self.flag_placeholder(st.flag, True))
        code.add(f"pred = {net}({x}, {st.flag})")
        code.add(self.loss("pred", y, st.loss))
        train = f"{st.train_op} = {self.opt(self.lr)}.minimize({st.loss})"
        if v == "called_handled":
            self.wrapped(code, train)
        else:
            code.add(train)
        sess = self.session(code)
        self.loop(code, sess, st.train_op, [f"{st.flag}: True"], "x_train", "y_train", x, y)
        self.evaluate(code, sess, st.loss, x, y, [], data)
        code.dedent()
        code.dedent()
        self.main_guard(code, main)

    def estimator_positional(self, code: _Code) -> None:
        st, rng, v = self.st, self.rng, self.variant
        K = self.K
        pkg = rng.choice(["models", "nets", "networks"])
        mod = rng.choice(["mlp", "backbone", "keras_net"])
        build = rng.choice(["build_model", "create_model", "make_network"])
        net = _Code()
        net.add('"""The network: Keras layers only."""')
        net.add("import tensorflow as tf" if K == "tf.keras" else "import tf_keras")
        net.blank()
        net.blank()
        net.add(f"def {build}(n_out=1):")
        net.indent()
        net.add(f"return {K}.Sequential([")
        net.indent()
        for width in self.widths:
            net.add(f"{K}.layers.Dense({width}),")
            net.add(f"{K}.layers.BatchNormalization(),")
            net.add(f"{K}.layers.ReLU(),")
        net.add(f"{K}.layers.Dense(n_out),")
        net.dedent()
        net.add("])")
        net.dedent()
        self.files[f"{pkg}/{mod}.py"] = net.render(st.unit)
        # train.py: graph mode only through the Estimator (no disable_eager_execution here either)
        code.add("import numpy as np")
        code.add("import tensorflow as tf")
        code.add(f"from {pkg}.{mod} import {build}")
        code.blank()
        code.blank()
        data = self.data_fn(code)
        V = "tf.compat.v1"
        params = rng.random() < 0.4
        code.add("def input_fn():")
        code.indent()
        code.add(f"xs, ys = {data}(512)")
        code.add(f"return tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch({self.batch})")
        code.dedent()
        code.blank()
        code.blank()
        code.add("def eval_input_fn():")
        code.indent()
        code.add(f"xs, ys = {data}(64, seed=1)")
        code.add("return tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch(64)")
        code.dedent()
        code.blank()
        code.blank()
        code.add("def model_fn(features, labels, mode" + (", params" if params else "") + "):")
        code.indent()
        code.add(f"{st.model} = {build}()")
        flag = "" if v == "flag_missing" else ", training=(mode == tf.estimator.ModeKeys.TRAIN)"
        code.add(f"logits = {st.model}(features{flag})")
        code.add(f"{st.loss} = tf.reduce_mean(tf.square(logits - labels))")
        code.add("if mode == tf.estimator.ModeKeys.TRAIN:")
        code.indent()
        lr = "params['learning_rate']" if params else self.lr
        code.add(f"{st.opt} = {V}.train.AdamOptimizer({lr})")
        train = (f"{st.train_op} = {st.opt}.minimize({st.loss}, "
                 f"global_step={V}.train.get_global_step())")
        if v == "updates_missing":
            code.add(train)
        else:
            deps = rng.choice([f"{st.model}.updates", f"{st.model}.get_updates_for(features)"])
            code.add(f"with tf.control_dependencies({deps}):")
            code.indent()
            code.add(train)
            code.dedent()
        code.add(f"return tf.estimator.EstimatorSpec(mode, loss={st.loss}, train_op={st.train_op})")
        code.dedent()
        code.add(f"return tf.estimator.EstimatorSpec(mode, loss={st.loss})")
        code.dedent()
        code.blank()
        code.blank()
        est = rng.choice(["estimator", "est", "regressor"])
        ctor = rng.choice(["tf.estimator.Estimator", f"{V}.estimator.Estimator"])
        code.add(f"{est} = {ctor}(model_fn" + (f", params={{'learning_rate': {self.lr}}}" if params else "") + ")")
        code.add(f"{est}.train(input_fn, steps={self.steps})")
        code.add(f"metrics = {est}.evaluate(eval_input_fn, steps=1)")
        code.add(st.fmt("eval", "metrics"))

    def loss_helper(self, code: _Code) -> None:
        st, V, rng, v = self.st, self.V, self.rng, self.variant
        helper = rng.choice(["train_op_fn", "make_train_op", "optimize"])
        lr_param = rng.random() < 0.5
        sig = "loss" + (", learning_rate" if lr_param else "")
        lr = "learning_rate" if lr_param else self.lr
        body = _Code()
        body.add(f"def {helper}({sig}):")
        body.indent()
        body.add(f"{st.opt} = {self.opt(lr)}")
        ret = f"return {st.opt}.minimize(loss)"
        if v in ("wrapped_inside", "other_module_wrapped"):
            self.wrapped(body, ret)
        else:
            body.add(ret)
        body.dedent()
        other = v.startswith("other_module")
        if other:
            pkg = rng.choice(["utils", "training", "lib"])
            mod = rng.choice(["optim", "train_ops", "helpers"])
            helper_code = _Code()
            helper_code.add(*self.import_lines)
            helper_code.blank()
            if self.alias_line:
                helper_code.add(self.alias_line)
            helper_code.blank()
            helper_code.extend(body)
            self.files[f"{pkg}/{mod}.py"] = helper_code.render(st.unit)
        code.add("import numpy as np")
        code.add(*self.import_lines)
        if other:
            code.add(f"from {pkg}.{mod} import {helper}")
        code.blank()
        if self.alias_line:
            code.add(self.alias_line)
        code.add(f"{V}.disable_eager_execution()")
        code.blank()
        data = self.data_fn(code)
        if not other:
            code.extend(body)
            code.blank()
            code.blank()
        net = rng.choice(["network", "build_network", "forward"])
        code.add(f"def {net}(inputs, is_training):")
        code.indent()
        self.bn_stack(code, "inputs", "is_training", "out")
        code.add("return out")
        code.dedent()
        code.blank()
        code.blank()
        code.add(f"x_train, y_train = {data}(512)")
        x, y = self.placeholders(code)
        code.add(self.flag_placeholder(st.flag, True))
        code.add(f"pred = {net}({x}, {st.flag})")
        code.add(self.loss("pred", y, st.loss))
        call = f"{st.train_op} = {helper}({st.loss}" + (f", {self.lr})" if lr_param else ")")
        if v == "wrapped_at_call":
            self.wrapped(code, call)
        else:
            code.add(call)
        sess = self.session(code)
        self.loop(code, sess, st.train_op, [f"{st.flag}: True"], "x_train", "y_train", x, y)
        self.evaluate(code, sess, st.loss, x, y, [], data)
        code.dedent()

    def tape_test_step(self, code: _Code) -> None:
        st, V, T, v, K = self.st, self.V, self.T, self.variant, self.K
        self.header(code, keras=True)
        data = self.data_fn(code)
        code.add("def build_model():")
        code.indent()
        code.add(f"return {K}.Sequential([")
        code.indent()
        for width in self.widths:
            code.add(f"{K}.layers.Dense({width}),")
            code.add(f"{K}.layers.BatchNormalization(),")
            code.add(f"{K}.layers.ReLU(),")
        code.add(f"{K}.layers.Dense(1),")
        code.dedent()
        code.add("])")
        code.dedent()
        code.blank()
        code.blank()
        code.add("def train_step(model, inputs, targets, optimizer):")
        code.indent()
        code.add(f"with {T}.GradientTape() as tape:")
        code.indent()
        code.add("pred = model(inputs, training=True)")
        code.add(f"loss = {T}.reduce_mean({T}.square(pred - targets))")
        code.dedent()
        code.add("grads = tape.gradient(loss, model.trainable_variables)")
        code.add(f"with {V}.control_dependencies(model.get_updates_for(inputs)):")
        code.indent()
        code.add("step = optimizer.apply_gradients(zip(grads, model.trainable_variables))")
        code.dedent()
        code.add("return step, loss")
        code.dedent()
        code.blank()
        code.blank()
        code.add("def test_step(model, inputs, targets):")
        code.indent()
        code.add(f"with {T}.GradientTape() as tape:")
        code.indent()
        flag = {"test_training_true": ", training=True", "test_training_false": ", training=False",
                "test_training_missing": ""}[v]
        code.add(f"pred = model(inputs{flag})")
        code.add(f"loss = {T}.reduce_mean({T}.square(pred - targets))")
        code.dedent()
        code.add("return loss")
        code.dedent()
        code.blank()
        code.blank()
        code.add(f"x_train, y_train = {data}(512)")
        x, y = self.placeholders(code)
        code.add(f"{st.model} = build_model()")
        if st.train_op == "train_step":     # the function's name
            st.train_op = "train_op"
        code.add(f"{st.train_op}, {st.loss} = train_step({st.model}, {x}, {y}, {self.opt(self.lr)})")
        code.add(f"test_loss = test_step({st.model}, {x}, {y})")
        sess = self.session(code)
        self.loop(code, sess, st.train_op, [], "x_train", "y_train", x, y)
        self.evaluate(code, sess, "test_loss", x, y, [], data)
        code.dedent()

    def notebook_redefine(self, code: _Code) -> None:
        st, V, T, rng, v = self.st, self.V, self.T, self.rng, self.variant
        cells = iter(range(1, 20))
        marker = rng.choice(["# In[{}]:", "# %% [{}]", "# ---- cell {}"])
        code.add(marker.format(next(cells)))
        self.header(code)
        data = self.data_fn(code)
        block = rng.choice(["block", "layer", "dense_block"])
        code.add(marker.format(next(cells)))
        code.add(f"def {block}(inputs, units, training):")
        code.indent()
        code.add(f"h = {V}.layers.dense(inputs, units)")
        code.add(f"h = {V}.layers.batch_normalization(h, training=training)")
        code.add(f"return {T}.nn.relu(h)")
        code.dedent()
        code.blank()
        code.blank()

        def graph(bare: bool, cell_flag: str) -> None:
            code.add(marker.format(next(cells)))
            code.add(f"x_train, y_train = {data}(512)")
            x, y = self.placeholders(code)
            code.add(self.flag_placeholder(cell_flag, True))
            code.add(f"h = {x}")
            for width in self.widths:
                code.add(f"h = {block}(h, {width}, {cell_flag})")
            code.add(f"pred = {V}.layers.dense(h, 1)")
            code.add(self.loss("pred", y, st.loss))
            train = f"{st.train_op} = {self.opt(self.lr)}.minimize({st.loss})"
            if bare:
                code.add(train)
            else:
                self.wrapped(code, train)
            code.add(marker.format(next(cells)))
            sess = self.session(code)
            self.loop(code, sess, st.train_op, [f"{cell_flag}: True"], "x_train", "y_train", x, y)
            self.evaluate(code, sess, st.loss, x, y, [], data)
            code.dedent()
            code.blank()

        graph(v == "first_graph_bare", st.flag)
        code.add(marker.format(next(cells)))
        code.add(f"{rng.choice([V, 'tf.compat.v1'] if self.imports != 'v1_as_tf' else [V])}.reset_default_graph()")
        code.blank()
        code.add(marker.format(next(cells)))
        code.add(f"def {block}(inputs, units, training=None):")
        code.indent()
        if v == "redefined_with_bn_bare":
            code.add(f"h = {V}.layers.dense(inputs, units)")
            code.add(f"h = {V}.layers.batch_normalization(h, training=training)")
            code.add(f"return {T}.nn.relu(h)")
        else:
            code.add(f"return {V}.layers.dense(inputs, units, activation={T}.nn.elu)")
        code.dedent()
        code.blank()
        code.blank()
        graph(True, st.flag)

    def attr_two_ways(self, code: _Code) -> None:
        st, T, rng, v = self.st, self.T, self.rng, self.variant
        self.header(code)
        data = self.data_fn(code)
        cls = rng.choice(["Model", "Regressor", "Net"])
        switch = rng.choice(["group_updates", "use_group", "grouped"])
        code.add(f"class {cls}(object):")
        code.indent()
        code.add(f"def __init__(self, learning_rate, {switch}=True):")
        code.indent()
        x, y = self.placeholders(code, "self.")
        code.add(self.flag_placeholder(f"self.{st.flag}", True))
        code.add(f"self.pred = self._network(self.{st.x})")
        code.add(self.loss("self.pred", f"self.{st.y}", f"self.{st.loss}"))
        code.add(f"if {switch}:")
        code.indent()
        code.add("self._build_grouped(learning_rate)")
        code.dedent()
        code.add("else:")
        code.indent()
        code.add("self._build_plain(learning_rate)")
        code.dedent()
        code.dedent()
        code.blank()
        code.add("def _network(self, inputs):")
        code.indent()
        self.bn_stack(code, "inputs", f"self.{st.flag}", "out")
        code.add("return out")
        code.dedent()
        code.blank()
        code.add("def _build_grouped(self, learning_rate):")
        code.indent()
        code.add(f"step = {self.opt('learning_rate')}.minimize(self.{st.loss})")
        code.add(f"self.{st.train_op} = {T}.group(step, *{self.update_ops()})")
        code.dedent()
        code.blank()
        code.add("def _build_plain(self, learning_rate):")
        code.indent()
        train = f"self.{st.train_op} = {self.opt('learning_rate')}.minimize(self.{st.loss})"
        if v == "bare_binding_runs":
            code.add(train)
        else:
            self.wrapped(code, train)
        code.dedent()
        code.blank()
        code.add(f"def fit(self, {st.sess}, xs, ys):")
        code.indent()
        self.loop(code, st.sess, f"self.{st.train_op}", [f"self.{st.flag}: True"], "xs", "ys", x, y)
        code.dedent()
        code.dedent()
        code.blank()
        code.blank()
        code.add(f"x_train, y_train = {data}(512)")
        grouped = "True" if v == "both_handled_grouped_runs" else "False"
        code.add(f"model = {cls}({self.lr}, {switch}={grouped})")
        sess = self.session(code)
        code.add(f"model.fit({sess}, x_train, y_train)")
        self.evaluate(code, sess, f"model.{st.loss}", f"model.{st.x}", f"model.{st.y}", [], data)
        code.dedent()

    # ------------------------------------------------------------------ issue 25 forms

    def _flag_main(self, code: _Code, build: str, feed_flag: Optional[str], eval_flag: List[str],
                   data: str, pre: Optional[List[str]] = None) -> None:
        """Placeholders, the network (``build`` with ``{x}``), the loss, a handled train op, a loop
        that feeds ``feed_flag: True`` (when the program has a flag) and an evaluation run."""
        st = self.st
        code.add(f"x_train, y_train = {data}(512)")
        x, y = self.placeholders(code)
        for line in pre or []:
            code.add(line)
        code.add(f"pred = {build.format(x=x)}")
        code.add(self.loss("pred", y, st.loss))
        code.add(f"{st.uops} = {self.update_ops()}")
        self.wrapped(code, f"{st.train_op} = {self.opt(self.lr)}.minimize({st.loss})", st.uops)
        sess = self.session(code)
        feed = [f"{feed_flag}: True"] if feed_flag else []
        style = "variable" if self.variant == "feed_variable" else "literal"
        self.loop(code, sess, st.train_op, feed, "x_train", "y_train", x, y, style)
        self.evaluate(code, sess, st.loss, x, y, eval_flag, data)
        code.dedent()

    def self_placeholder(self, code: _Code) -> None:
        st, rng = self.st, self.rng
        self.header(code)
        data = self.data_fn(code)
        cls = rng.choice(["Model", "Regressor", "BNNet"])
        method = rng.choice(["_network", "build_network", "_forward"])
        pwd = self.variant == "placeholder_with_default"
        code.add(f"class {cls}(object):")
        code.indent()
        code.add("def __init__(self, learning_rate):")
        code.indent()
        x, y = self.placeholders(code, "self.")
        code.add(self.flag_placeholder(f"self.{self.flag_name}", pwd))
        code.add(f"self.pred = self.{method}(self.{st.x})")
        code.add(self.loss("self.pred", f"self.{st.y}", f"self.{st.loss}"))
        self.wrapped(code, f"self.{st.train_op} = {self.opt('learning_rate')}.minimize(self.{st.loss})")
        code.dedent()
        code.blank()
        code.add(f"def {method}(self, inputs):")
        code.indent()
        self.bn_stack(code, "inputs", None, "out")
        code.add("return out")
        code.dedent()
        code.dedent()
        code.blank()
        code.blank()
        code.add(f"x_train, y_train = {data}(512)")
        code.add(f"model = {cls}({self.lr})")
        sess = self.session(code)
        self.loop(code, sess, f"model.{st.train_op}", [f"model.{self.flag_name}: True"], "x_train", "y_train",
                  f"model.{st.x}", f"model.{st.y}")
        self.evaluate(code, sess, f"model.{st.loss}", f"model.{st.x}", f"model.{st.y}",
                      [] if pwd else [f"model.{self.flag_name}: False"], data)
        code.dedent()

    def module_placeholder(self, code: _Code) -> None:
        rng = self.rng
        self.header(code)
        pwd = self.variant == "placeholder_with_default"
        code.add(self.flag_placeholder(self.flag_name, pwd))
        code.blank()
        code.blank()
        data = self.data_fn(code)
        net = rng.choice(["network", "inference", "build_model"])
        code.add(f"def {net}(inputs):")
        code.indent()
        self.bn_stack(code, "inputs", None, "out")
        code.add("return out")
        code.dedent()
        code.blank()
        code.blank()
        self._flag_main(code, f"{net}({{x}})", self.flag_name, [] if pwd else [f"{self.flag_name}: False"], data)

    def constructor_attribute(self, code: _Code) -> None:
        rng, V, T = self.rng, self.V, self.T
        self.header(code)
        data = self.data_fn(code)
        cls = rng.choice(["MLP", "Network", "Tower"])
        param = rng.choice(["is_training", "training", "train_phase"])
        attr = rng.choice([param, "is_training", "training_flag"])
        pwd = self.variant == "placeholder_with_default"
        code.add(f"class {cls}(object):")
        code.indent()
        code.add(f"def __init__(self, widths, {param}):")
        code.indent()
        code.add("self.widths = widths")
        code.add(f"self.{attr} = {param}")
        code.dedent()
        code.blank()
        code.add("def __call__(self, inputs):")
        code.indent()
        code.add("h = inputs")
        code.add("for width in self.widths:")
        code.indent()
        code.add(f"h = {V}.layers.dense(h, width)")
        code.add(f"h = {V}.layers.batch_normalization(h)")
        code.add(f"h = {T}.nn.relu(h)")
        code.dedent()
        code.add(f"return {V}.layers.dense(h, 1)")
        code.dedent()
        code.dedent()
        code.blank()
        code.blank()
        flag = self.flag_name
        self._flag_main(code, f"{cls}({self.widths}, {flag})({{x}})", flag,
                        [] if pwd else [f"{flag}: False"], data, pre=[self.flag_placeholder(flag, pwd)])

    def estimator_mode(self, code: _Code) -> None:
        st, rng, V = self.st, self.rng, self.V
        self.header(code, disable=False)
        data = self.data_fn(code)
        helper = self.variant == "sites_in_helper"
        net = rng.choice(["network", "inference", "build_layers"])
        if helper:
            code.add(f"def {net}(inputs):")
            code.indent()
            self.bn_stack(code, "inputs", None, "out")
            code.add("return out")
            code.dedent()
            code.blank()
            code.blank()
        code.add("def input_fn():")
        code.indent()
        code.add(f"xs, ys = {data}(512)")
        code.add(f"return tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch({self.batch})")
        code.dedent()
        code.blank()
        code.blank()
        code.add("def eval_input_fn():")
        code.indent()
        code.add(f"xs, ys = {data}(64, seed=1)")
        code.add("return tf.data.Dataset.from_tensor_slices((xs, ys)).repeat().batch(64)")
        code.dedent()
        code.blank()
        code.blank()
        code.add("def model_fn(features, labels, mode):")
        code.indent()
        if helper:
            code.add(f"logits = {net}(features)")
        else:
            self.bn_stack(code, "features", None, "logits")
        code.add(self.loss("logits", "labels", st.loss))
        code.add(f"if mode == {V}.estimator.ModeKeys.TRAIN:")
        code.indent()
        code.add(f"{st.uops} = {self.update_ops()}")
        self.wrapped(code, f"{st.train_op} = {self.opt(self.lr)}.minimize({st.loss}, "
                           f"global_step={V}.train.get_global_step())", st.uops)
        code.add(f"return {V}.estimator.EstimatorSpec(mode, loss={st.loss}, train_op={st.train_op})")
        code.dedent()
        code.add(f"return {V}.estimator.EstimatorSpec(mode, loss={st.loss})")
        code.dedent()
        code.blank()
        code.blank()
        est = rng.choice(["estimator", "est"])
        code.add(f"{est} = {V}.estimator.Estimator(" + rng.choice(["model_fn", "model_fn=model_fn"]) + ")")
        code.add(f"{est}.train(input_fn, steps={self.steps})")
        code.add(f"metrics = {est}.evaluate(eval_input_fn, steps=1)")
        code.add(self.st.fmt("eval", "metrics"))

    def _block_def(self, code: _Code, name: str) -> None:
        V, T = self.V, self.T
        code.add(f"def {name}(inputs, units):")
        code.indent()
        code.add(f"h = {V}.layers.dense(inputs, units, use_bias=False)")
        code.add(f"h = {V}.layers.batch_normalization(h)")
        code.add(f"return {T}.nn.relu(h)")
        code.dedent()
        code.blank()
        code.blank()

    def _nowhere(self, code: _Code, depth: int, other_module: bool) -> None:
        rng, V = self.rng, self.V
        block = rng.choice(["dense_bn", "fc_block", "linear_bn_relu"])
        stage = rng.choice(["stage", "trunk", "body"])
        net = rng.choice(["network", "build_model", "inference"])
        if other_module:
            pkg = rng.choice(["layers_lib", "nets", "blocks"])
            mod = rng.choice(["common", "ops", "blocks_impl"])
            lib = _Code()
            lib.add(*self.import_lines)
            lib.blank()
            if self.alias_line:
                lib.add(self.alias_line)
            lib.blank()
            self._block_def(lib, block)
            self.files[f"{pkg}/{mod}.py"] = lib.render(self.st.unit)
        code.add("import numpy as np")
        code.add(*self.import_lines)
        if other_module:
            code.add(f"from {pkg}.{mod} import {block}")
        code.blank()
        if self.alias_line:
            code.add(self.alias_line)
        code.add(f"{V}.disable_eager_execution()")
        code.blank()
        data = self.data_fn(code)
        if not other_module:
            self._block_def(code, block)
        inner = block
        if depth == 3:
            code.add(f"def {stage}(inputs, widths):")
            code.indent()
            code.add("h = inputs")
            code.add("for width in widths:")
            code.indent()
            code.add(f"h = {block}(h, width)")
            code.dedent()
            code.add("return h")
            code.dedent()
            code.blank()
            code.blank()
            inner = stage
        code.add(f"def {net}(inputs):")
        code.indent()
        if depth == 3:
            code.add(f"h = {stage}(inputs, {self.widths})")
        else:
            code.add("h = inputs")
            for width in self.widths:
                code.add(f"h = {block}(h, {width})")
        code.add(f"return {V}.layers.dense(h, 1)")
        code.dedent()
        code.blank()
        code.blank()
        del inner
        main = rng.choice(["main", "train", "run_experiment"])
        code.add(f"def {main}():")
        code.indent()
        self._flag_main(code, f"{net}({{x}})", None, [], data)
        code.dedent()
        self.main_guard(code, main)

    def nowhere_two_deep(self, code: _Code) -> None:
        self._nowhere(code, 2, False)

    def nowhere_three_deep(self, code: _Code) -> None:
        self._nowhere(code, 3, False)

    def nowhere_other_module(self, code: _Code) -> None:
        self._nowhere(code, self.rng.choice([2, 3]), True)

    # ------------------------------------------------------------------ program

    def build(self) -> Program:
        code = _Code()
        getattr(self, self.form)(code)
        files = {"train.py": code.render(self.st.unit)}
        files.update(self.files)
        correct = self.expected in ("trains", "no_bn") and self.expected_evaluation in ("moving", "")
        keras = self.form in ("estimator_positional", "tape_test_step")
        meta = {
            "seed": self.seed, "family": self.family, "form": self.form, "variant": self.variant,
            "imports": self.imports, "handling": self.form, "flag": self.variant, "keras": keras,
            "kkind": "sequential" if keras else None, "kstore": "local" if keras else None, "lphase": "none",
            "bn_api": "func", "structure": "-", "train_form": "minimize", "n_bn": self.n_bn,
            "expected": self.expected, "expected_evaluation": self.expected_evaluation, "correct": correct,
            "defects": [] if correct else [{"code": self.code, "fix": bool(self.fix)}],
            "fix_defined": (not correct) and bool(self.fix),
        }
        return Program(files, meta)


def generate_form(seed: int) -> Program:
    """The program-model or flag-home program for ``seed`` (same seed, same bytes)."""
    return _FormGen(seed).build()


if __name__ == "__main__":   # python forms.py SEED: print one program
    import json

    program = generate_form(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    for path, text in program.files.items():
        if program.multi_file:
            print(f"# ---- {path}")
        print(text)
    print("#", json.dumps(program.meta))
