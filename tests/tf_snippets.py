"""A grammar of realistic TensorFlow 1 training code, as a hypothesis strategy.

``tf_programs()`` draws whole modules the way real training code is written: ``__future__``
lines, TensorFlow imported in several alias forms (plus slim, contrib, Keras), batch-norm sites
of every API of the rule catalogue with their flag given as a literal, left out, passed from a
parameter, a module constant or a ``mode`` comparison; train ops built in every form the
catalogue names (bound, returned, nested in an ``EstimatorSpec``, in a lambda, a conditional
expression, a one-line suite, after a ``;``); the update ops handled in every form it names or
not at all; savers; Keras training loops; all of it at module level, in functions and in
classes, with comments, blank lines, ``# noqa``, other indent units and CRLF line endings.

Only the property tests use it; they need programs that compile, not programs that run.
"""
from __future__ import annotations

from typing import Callable, List, Optional

from hypothesis import strategies as st

Lines = List[str]

COMMENTS = (
    "# Build the batch-norm tower.",
    "# TODO(someone): tune the momentum.",
    "# NOTE: moving statistics are updated through UPDATE_OPS.",
    "# The optimizer below trains every variable.",
    "#",
    "# pylint: disable=invalid-name",
    "# -*- noqa-looking comment, not a directive -*-",
)

TRAILING_COMMENTS = ("  # noqa", "  # noqa: BNU001", "  # noqa: E501", "  # keep", "  # type: ignore")


class _Module:
    """Choices shared by every unit of one drawn module, and the imports the units need."""

    def __init__(self, draw: Callable):
        self.draw = draw
        self.indent = draw(st.sampled_from(["    ", "    ", "    ", "  ", "\t"]))
        self.newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n"]))
        tf_form = draw(st.sampled_from(["tensorflow as tf", "tensorflow.compat.v1 as tf", "tensorflow",
                                        "tensorflow.compat.v1 as tfv1"]))
        self.tf = {"tensorflow as tf": "tf", "tensorflow.compat.v1 as tf": "tf",
                   "tensorflow": "tensorflow", "tensorflow.compat.v1 as tfv1": "tfv1"}[tf_form]
        self.compat = "compat.v1" in tf_form
        self.imports: Lines = ["import " + tf_form]
        self.after_imports: Lines = []
        if self.compat and self.pick([True, False]):
            self.after_imports.append(f"{self.tf}.disable_v2_behavior()")
        self.extra_imports: List[str] = []

        # contrib and slim existed only in TF1, reached through the plain `tensorflow` import.
        self.slim: Optional[str] = None
        self.contrib_bn: Optional[str] = None
        self.tf_layers: Optional[str] = None
        slim_form = self.pick([None, "import tensorflow.contrib.slim as slim", "import tf_slim as slim",
                               "slim = {tf}.contrib.slim"] if not self.compat else [None, "import tf_slim as slim"])
        if slim_form:
            self.slim = "slim"
            self._bind(slim_form)
        if not self.compat:
            bn_form = self.pick([None, "from tensorflow.contrib.layers import batch_norm",
                                 "from tensorflow.contrib.layers.python.layers import batch_norm",
                                 "batch_norm = {tf}.contrib.layers.batch_norm"])
            if bn_form:
                self.contrib_bn = "batch_norm"
                self._bind(bn_form)
            if self.pick([False, False, True]):
                self.tf_layers = "tf_layers"
                self.imports.append("from tensorflow.contrib.layers.python import layers as tf_layers")
        keras_form = self.pick(["{tf}.keras.layers", "{tf}.keras.layers", "tf_keras.layers", "keras.layers",
                                "layers", "from_keras"])
        if keras_form == "tf_keras.layers":
            self.imports.append("import tf_keras")
        elif keras_form == "keras.layers":
            self.imports.append("import keras")
        elif keras_form == "layers":
            self.imports.append("from tensorflow.keras import layers")
        elif keras_form == "from_keras":
            self.imports.append("from tensorflow import keras")
            keras_form = "keras.layers"
        self.keras = keras_form.format(tf=self.tf)
        self.keras_model = {"tf_keras.layers": "tf_keras", "keras.layers": "keras"}.get(
            self.keras, f"{self.tf}.keras")
        self.constant = self.pick([None, "IS_TRAINING", "TRAINING"])
        self.constant_value = self.pick(["True", "False"])

    def _bind(self, form: str):
        form = form.format(tf=self.tf)
        (self.imports if form.startswith(("import ", "from ")) else self.after_imports).append(form)

    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def chance(self, true_weight: int = 1, false_weight: int = 1) -> bool:
        return self.pick([True] * true_weight + [False] * false_weight)

    def need(self, import_line: str):
        if import_line not in self.extra_imports:
            self.extra_imports.append(import_line)

    def block(self, header: str, body: Lines) -> Lines:
        return [header] + [self.indent + line if line else line for line in body]


class _Scope:
    """Where a body is written: the names a flag can be taken from."""

    def __init__(self, flag_params=(), has_mode=False, has_params=False, self_flag=False, module_level=False):
        self.flag_params = list(flag_params)
        self.has_mode = has_mode
        self.has_params = has_params
        self.self_flag = self_flag
        self.module_level = module_level


def _flag_value(m: _Module, scope: _Scope) -> Optional[str]:
    """A flag expression, or None for "left out"."""
    options: list = ["True", "False", None, None]
    options += scope.flag_params * 2
    if m.constant:
        options.append(m.constant)
    if scope.has_mode:
        options.append(f"mode == {m.tf}.estimator.ModeKeys.TRAIN")
    if scope.has_params:
        options.append("params['is_training']")
    if scope.self_flag:
        options += ["self.is_training", "self.is_training"]
    return m.pick(options)


def _call(m: _Module, func: str, args: List[str], target: str = "") -> Lines:
    """``target func(args)`` in one of the layouts people write."""
    layout = m.pick(["inline", "inline", "inline", "one_per_line", "one_per_line_comma", "hanging"])
    head = f"{target}{func}("
    if layout == "inline" or len(args) < 2:
        return [head + ", ".join(args) + ")"]
    if layout == "hanging":
        pad = " " * len(head)
        return [head + args[0] + ","] + [pad + a + "," for a in args[1:-1]] + [pad + args[-1] + ")"]
    inner = [m.indent + a + "," for a in args]
    if layout == "one_per_line":
        inner[-1] = inner[-1][:-1] + ")"
        return [head] + inner
    return [head] + inner + [")"]


def _with_flag(args: List[str], flag_name: str, value: Optional[str], m: _Module) -> List[str]:
    if value is None:
        return args
    args = list(args)
    args.insert(m.pick(range(1, len(args) + 1)), f"{flag_name}={value}")
    return args


def _batch_norm_site(m: _Module, scope: _Scope) -> Lines:
    """One statement (or small block) that builds a batch-norm layer on ``net``."""
    tf = m.tf
    kinds = ["tf_layers_fn", "tf_layers_fn", "tf_layers_class", "tf_layers_two_step", "keras", "partial"]
    if not m.compat:
        kinds += ["contrib", "contrib", "contrib_normalizer_fn"]
    if m.slim:
        kinds += ["slim", "slim_normalizer_fn", "arg_scope"]
    if m.contrib_bn:
        kinds.append("bare_batch_norm")
    if m.tf_layers:
        kinds.append("tf_layers_module")
    if scope.flag_params:
        kinds += ["cond_branches", "if_branches"]
    kind = m.pick(kinds)
    flag = _flag_value(m, scope)
    extra = m.pick([[], ["momentum=0.9"], ["epsilon=1e-5", "name='bn1'"]])
    contrib_extra = m.pick([[], ["decay=0.997"], ["updates_collections=None"], ["scale=True", "center=True"],
                            [f"updates_collections={tf}.GraphKeys.UPDATE_OPS"]])

    if kind == "tf_layers_fn":
        return _call(m, f"{tf}.layers.batch_normalization", _with_flag(["net"] + extra, "training", flag, m),
                     "net = ")
    if kind == "tf_layers_class":
        return _call(m, f"{tf}.layers.BatchNormalization({', '.join(extra)})",
                     _with_flag(["net"], "training", flag, m), "net = ")
    if kind == "tf_layers_two_step":
        return [f"bn_layer = {tf}.layers.BatchNormalization({', '.join(extra)})"] + _call(
            m, "bn_layer", _with_flag(["net"], "training", flag, m), "net = ")
    if kind == "keras":
        return _call(m, f"{m.keras}.BatchNormalization({', '.join(extra)})",
                     _with_flag(["net"], "training", flag, m), "net = ")
    if kind == "partial":
        m.need("import functools")
        return (_call(m, "functools.partial", _with_flag([f"{tf}.layers.batch_normalization"], "training",
                                                         flag, m), "bn = ")
                + ["net = bn(net)"])
    if kind in ("contrib", "slim", "bare_batch_norm", "tf_layers_module"):
        func = {"contrib": f"{tf}.contrib.layers.batch_norm", "slim": f"{m.slim}.batch_norm",
                "bare_batch_norm": "batch_norm", "tf_layers_module": "tf_layers.batch_norm"}[kind]
        return _call(m, func, _with_flag(["net"] + contrib_extra, "is_training", flag, m), "net = ")
    if kind in ("slim_normalizer_fn", "contrib_normalizer_fn"):
        if kind == "slim_normalizer_fn":
            conv, norm = f"{m.slim}.conv2d", f"{m.slim}.batch_norm"
        else:
            conv, norm = f"{tf}.contrib.layers.conv2d", f"{tf}.contrib.layers.batch_norm"
        entries = [f"'{k}': {v}" for k, v in (e.split("=") for e in contrib_extra)]
        if flag is not None:
            entries.insert(0, f"'is_training': {flag}")
        params = "{" + ", ".join(entries) + "}"
        if m.chance():
            return [f"bn_params = {params}"] + _call(
                m, conv, ["net", "64", "[3, 3]", f"normalizer_fn={norm}", "normalizer_params=bn_params"], "net = ")
        return _call(m, conv, ["net", "64", "[3, 3]", f"normalizer_fn={norm}", f"normalizer_params={params}"],
                     "net = ")
    if kind == "arg_scope":
        keywords = _with_flag([f"[{m.slim}.batch_norm]"] + contrib_extra, "is_training", flag, m)
        body = ["net = slim.batch_norm(net)" if m.chance() else
                f"net = {m.slim}.conv2d(net, 32, [3, 3], normalizer_fn={m.slim}.batch_norm)"]
        return m.block(f"with {m.slim}.arg_scope({', '.join(keywords)}):", body)
    flag_name = m.pick(scope.flag_params)
    func = f"{m.slim}.batch_norm" if m.slim else f"{tf}.layers.batch_normalization"
    kw = "is_training" if m.slim else "training"
    if kind == "cond_branches":
        return [f"net = {tf}.cond({flag_name}, lambda: {func}(net, {kw}=True), "
                f"lambda: {func}(net, {kw}=False, reuse=True))"]
    return (m.block(f"if {flag_name}:", [f"net = {func}(net, {kw}=True)"])
            + m.block("else:", [f"net = {func}(net, {kw}=False, reuse=True)"]))


def _update_ops_read(m: _Module) -> str:
    tf = m.tf
    reader = m.pick(["get_collection", "get_collection", "get_collection_ref"])
    key = m.pick([f"{tf}.GraphKeys.UPDATE_OPS", f"{tf}.GraphKeys.UPDATE_OPS", "'update_ops'",
                  f"{tf}.GraphKeys.UPDATE_OPS, scope='tower'"])
    return f"{tf}.{reader}({key})"


class _TrainOp:
    def __init__(self, lines: Lines, bound: bool, terminal: bool):
        self.lines = lines          # the statements that build the train op
        self.bound = bound          # the op is bound to `train_op`
        self.terminal = terminal    # the last statement returns (function bodies only)


def _train_op(m: _Module, scope: _Scope) -> _TrainOp:
    tf = m.tf
    opt_class = m.pick([f"{tf}.train.AdamOptimizer(learning_rate=1e-3)", f"{tf}.train.MomentumOptimizer(0.01, 0.9)",
                        f"{tf}.train.GradientDescentOptimizer(0.1)"])
    make_opt = [f"optimizer = {opt_class}"]
    gs = m.pick(["", ", global_step=global_step", f", global_step={tf}.train.get_or_create_global_step()"])
    forms = ["minimize", "minimize", "minimize_chained", "apply_gradients", "apply_gradients_zip", "cross_shard",
             "expression", "multi_line", "lambda", "conditional", "one_line_suite", "semicolon",
             "optimize_loss", "create_train_op_empty", "scipy"]
    if m.slim:
        forms.append("slim_create_train_op")
    if not scope.module_level:
        forms += ["return", "estimator_spec", "estimator_spec"]
    form = m.pick(forms)
    trailing = m.pick([""] * 6 + list(TRAILING_COMMENTS))
    if form == "minimize":
        return _TrainOp(make_opt + [f"train_op = optimizer.minimize(loss{gs})" + trailing], True, False)
    if form == "minimize_chained":
        return _TrainOp([f"train_op = {opt_class}.minimize(loss{gs})" + trailing], True, False)
    if form == "apply_gradients":
        return _TrainOp(make_opt + ["grads_and_vars = optimizer.compute_gradients(loss)",
                                    f"train_op = optimizer.apply_gradients(grads_and_vars{gs})" + trailing],
                        True, False)
    if form == "apply_gradients_zip":
        return _TrainOp(make_opt + [f"tvars = {tf}.trainable_variables()",
                                    f"grads, _ = {tf}.clip_by_global_norm({tf}.gradients(loss, tvars), 5.0)",
                                    "train_op = optimizer.apply_gradients(zip(grads, tvars))"], True, False)
    if form == "cross_shard":
        return _TrainOp(make_opt + [f"train_op = {tf}.contrib.tpu.CrossShardOptimizer(optimizer).minimize(loss)"],
                        True, False)
    if form == "expression":
        return _TrainOp(make_opt + [f"optimizer.minimize(loss{gs})" + trailing], False, False)
    if form == "multi_line":
        return _TrainOp(make_opt + _call(m, "optimizer.minimize", ["loss", "global_step=global_step"],
                                         "train_op = "), True, False)
    if form == "lambda":
        return _TrainOp(make_opt + ["make_train_op = lambda: optimizer.minimize(loss)",
                                    "train_op = make_train_op()"], False, False)
    if form == "conditional":
        return _TrainOp(make_opt + [f"train_op = optimizer.minimize(loss) if loss is not None else {tf}.no_op()"],
                        True, False)
    if form == "one_line_suite":
        return _TrainOp(make_opt + [f"train_op = {tf}.no_op()",
                                    "if loss is not None: train_op = optimizer.minimize(loss)"], True, False)
    if form == "semicolon":
        return _TrainOp(make_opt + ["step = 0; train_op = optimizer.minimize(loss)"], True, False)
    if form == "optimize_loss":
        return _TrainOp([f"train_op = {tf}.contrib.layers.optimize_loss(loss, global_step, learning_rate=0.01, "
                         "optimizer='Adam')"], True, False)
    if form == "create_train_op_empty":
        return _TrainOp(make_opt + [f"train_op = {tf}.contrib.training.create_train_op(loss, optimizer, "
                                    f"update_ops={m.pick(['[]', '()', 'set()', 'None'])})"], True, False)
    if form == "slim_create_train_op":
        return _TrainOp(make_opt + [f"train_op = {m.slim}.learning.create_train_op(loss, optimizer)"], True, False)
    if form == "scipy":
        m.need("import scipy.optimize")
        return _TrainOp(["result = scipy.optimize.minimize(lambda v: v ** 2, 1.0)", "train_op = result"],
                        True, False)
    if form == "return":
        return _TrainOp(make_opt + [f"return optimizer.minimize(loss{gs})" + trailing], False, True)
    spec = _call(m, f"{tf}.estimator.EstimatorSpec",
                 ["mode", "loss=loss", f"train_op=optimizer.minimize(loss{gs})"], "return ")
    return _TrainOp(make_opt + spec, False, True)


def _training_body(m: _Module, scope: _Scope) -> Lines:
    """Sites, a loss, a train op and (perhaps) the update ops handled, in a realistic order."""
    tf = m.tf
    body: Lines = []
    train = _train_op(m, scope)
    handling = m.pick(["none", "none", "with_inline", "with_var", "with_var_early", "group", "group_list",
                       "append", "deps_noop", "unused", "trainable_deps", "loss_deps", "updates_attr"])
    if handling in ("group", "group_list", "append", "deps_noop") and not train.bound:
        handling = "with_var"
    read = _update_ops_read(m)
    if handling == "with_var_early":
        body.append(f"update_ops = {read}")

    body.append(m.pick(["net = features", "net = x", "net = inputs"]))
    sites = [_batch_norm_site(m, scope) for _ in range(m.pick([0, 1, 1, 1, 2, 3]))]
    for site in sites:
        body += _interleave(m, site)
        if m.chance(1, 3):
            body.append(f"net = {tf}.nn.relu(net)")
    if m.chance():
        body = m.block(f"with {tf}.variable_scope('{m.pick(['model', 'tower_0', 'resnet'])}'):", body)

    body.append(f"logits = {tf}.layers.dense(net, 10)")
    body.append(m.pick([
        f"loss = {tf}.reduce_mean({tf}.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))",
        f"loss = {tf}.losses.softmax_cross_entropy(labels, logits)",
        f"loss = {tf}.square(logits - labels)",
    ]))
    if handling in ("with_var", "group", "group_list", "append", "deps_noop", "unused", "loss_deps"):
        body.append(f"update_ops = {read}")
    if handling == "loss_deps":
        body += m.block(f"with {tf}.control_dependencies(update_ops):", [f"loss = {tf}.identity(loss)"])

    op_lines = train.lines
    if handling in ("with_inline", "with_var", "with_var_early", "trainable_deps", "updates_attr"):
        deps = {"with_inline": read, "trainable_deps": f"{tf}.trainable_variables()",
                "updates_attr": "model.updates"}.get(handling, "update_ops")
        # the optimizer is often built outside the block, the op inside it
        split = 1 if len(op_lines) > 1 and op_lines[0].startswith("optimizer = ") and m.chance() else 0
        op_lines = op_lines[:split] + m.block(f"with {tf}.control_dependencies({deps}):", op_lines[split:])
    body += _interleave(m, op_lines)
    if handling == "group":
        body.append(f"train_op = {tf}.group(train_op, *update_ops)")
    elif handling == "group_list":
        body.append(f"train_op = {tf}.group([train_op] + update_ops)")
    elif handling == "append":
        body += ["update_ops.append(train_op)", f"train_op = {tf}.group(*update_ops)"]
    elif handling == "deps_noop":
        body += m.block(f"with {tf}.control_dependencies([train_op] + update_ops):", [f"train_op = {tf}.no_op()"])

    if not train.terminal and m.chance(1, 2):
        body += _saver(m)
    return body


def _saver(m: _Module) -> Lines:
    tf = m.tf
    return m.pick([
        [f"saver = {tf}.train.Saver(var_list={tf}.trainable_variables())"],
        [f"saver = {tf}.train.Saver({tf}.trainable_variables(), max_to_keep=5)"],
        [f"saver = {tf}.train.Saver({{v.op.name: v for v in {tf}.trainable_variables()}})"],
        [f"saver = {tf}.train.Saver({tf}.global_variables())"],
        [f"train_vars = {tf}.trainable_variables()", f"saver = {tf}.train.Saver(var_list=train_vars)"],
        [f"saver = {tf}.train.Saver([v for v in {tf}.trainable_variables() if 'bias' not in v.name])"],
        [f"saver = {tf}.train.Saver(var_list={tf}.get_collection({tf}.GraphKeys.TRAINABLE_VARIABLES))"],
    ])


def _interleave(m: _Module, lines: Lines) -> Lines:
    """Maybe a comment or a blank line before a statement."""
    extra = m.pick([[], [], [], [""], [m.pick(COMMENTS)], ["", m.pick(COMMENTS)]])
    return extra + lines


def _returns_train_op(body: Lines) -> bool:
    return any(line.lstrip().startswith("return ") for line in body)


def _function_unit(m: _Module) -> Lines:
    params = m.pick(["x, training", "images, labels, is_training", "features, labels, mode, params",
                     "inputs, is_train", "x, phase_train", "x, labels", "x, training, is_training",
                     "inputs, training=False", "x, *, training"])
    names = [p.strip().split("=")[0] for p in params.split(",")]
    flags = [n for n in names if n in ("training", "is_training", "is_train", "phase_train")]
    scope = _Scope(flags, has_mode="mode" in names, has_params="params" in names)
    body = _training_body(m, scope)
    if not _returns_train_op(body):
        body.append(m.pick(["return train_op", "return loss", "return net"]))
    if m.chance(1, 3):
        body = ['"""Build the model and its training op."""'] + body
    name = m.pick(["model_fn", "build_model", "train", "create_model"])
    lines = m.block(f"def {name}({params}):", body)
    if m.chance(1, 4):
        m.need("import functools")
        lines = ["@functools.lru_cache(maxsize=None)"] + lines
    return lines


def _class_unit(m: _Module) -> Lines:
    own_flag = m.chance()
    scope = _Scope(["training"] if own_flag else [], self_flag=not own_flag)
    body = _training_body(m, scope)
    if not _returns_train_op(body):
        body.append("return train_op" if m.chance() else "self.train_op = train_op")
    method = m.block(f"def build(self, x, labels{', training' if own_flag else ''}):", body)
    init = m.block("def __init__(self, is_training=True):", ["self.is_training = is_training"])
    return m.block(f"class {m.pick(['Model', 'ResNet', 'Trainer'])}(object):",
                   ['"""A model with batch normalization."""', ""] + init + [""] + method)


def _module_level_unit(m: _Module) -> Lines:
    tf = m.tf
    lines = [f"x = {tf}.placeholder({tf}.float32, [None, 28, 28, 1])",
             f"labels = {tf}.placeholder({tf}.int64, [None])",
             m.pick([f"is_training = {tf}.placeholder({tf}.bool, name='is_training')",
                     f"is_training = {tf}.placeholder_with_default(False, [])"]),
             f"global_step = {tf}.train.get_or_create_global_step()",
             "features = x"]
    body = _training_body(m, _Scope(["is_training"], module_level=True))
    lines += body
    bound = any(line.lstrip().startswith("train_op = ") for line in body)
    fetch = "train_op" if bound else "loss"
    if bound and "update_ops = " in "\n".join(body) and m.chance():
        fetch = "[train_op, update_ops]"
    feed = m.pick(["{x: batch, is_training: True}", "{x: batch}"])
    loop = m.block("for step in range(1000):", [f"sess.run({fetch}, feed_dict={feed})"])
    if m.chance(1, 3):
        loop += [f"sess.run(loss, feed_dict={{x: batch, is_training: False}})"]
    lines += m.block(f"with {tf}.Session() as sess:", [f"sess.run({tf}.global_variables_initializer())"] + loop)
    if m.chance(1, 4):
        lines = m.block("if __name__ == '__main__':", lines)
    return lines


def _keras_loop_unit(m: _Module) -> Lines:
    """Eager custom training loop (GradientTape): the home of BNU007."""
    tf = m.tf
    training = m.pick(["", ", training=True", ", training=False", ", training=training"])
    step = m.block("def train_step(images, labels, training=True):", m.block(
        f"with {tf}.GradientTape() as tape:",
        [f"logits = model(images{training})",
         f"loss = {tf}.reduce_mean({tf}.square(logits - labels))"]) + [
        "grads = tape.gradient(loss, model.trainable_variables)",
        "optimizer.apply_gradients(zip(grads, model.trainable_variables))",
        "return loss"])
    return [f"model = {m.keras_model}.Sequential([{m.keras}.Dense(64), {m.keras}.BatchNormalization(), "
            f"{m.keras}.Dense(10)])",
            f"optimizer = {tf}.keras.optimizers.Adam(1e-3)", "", ""] + step


@st.composite
def tf_programs(draw) -> str:
    """One module of TF1-style training code (str, compiles; line endings may be CRLF)."""
    m = _Module(draw)
    units = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        maker = m.pick([_function_unit, _function_unit, _class_unit, _module_level_unit, _keras_loop_unit])
        units.append(maker(m))

    head: Lines = []
    if m.chance(1, 3):
        head += ['"""Training script."""', ""]
    if m.chance(1, 3):
        head.append("from __future__ import absolute_import, division, print_function")
        head.append("")
    head += m.extra_imports + m.imports + m.after_imports
    if m.constant:
        head += ["", f"{m.constant} = {m.constant_value}"]
    lines = head
    for unit in units:
        lines += ["", ""] + _interleave(m, unit)
    return m.newline.join(lines) + m.newline
