"""The three corpora of the benchmark (``benchmarks/run.py``).

A  "all relevant": TF1 training projects generated from templates with a seed. Every file
   mentions batch norm; the files mix every batch-norm API and alias form of the rule
   catalogue (``tf.layers`` function and class, ``tf.compat.v1`` spellings, contrib,
   ``from ... import batch_norm``, ``tf_layers``, slim with ``arg_scope`` and
   ``normalizer_fn``/``normalizer_params``, ``functools.partial``, builder functions and
   classes in other modules, Keras ``BatchNormalization``), train ops in several forms, and
   correct as well as buggy update-op handling, among helpers, docstrings and comments.
   About half the files belong to multi-module projects (``ops.py`` / ``model.py`` /
   ``train.py``, packages with ``nets/``) so that the cross-module analysis has imports to
   follow. The code need not run; it must compile.
B  "a real TensorFlow tree": the Python sources of the installed ``tf_keras`` package
   (``tensorflow`` if tf_keras is missing), located without importing it.
C  "no TensorFlow": the standard library of the running interpreter.

Usage: ``python benchmarks/corpus.py [--seed N] [--files N]`` writes corpus A and prints
where the three corpora are.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import random
import shutil
import sys
import sysconfig
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".corpus"
DEFAULT_SEED = 7
DEFAULT_FILES = 320
MIN_LINES = 100
MAX_LINES = 600
# Bump when the templates change, so cached corpora are rebuilt.
GENERATOR_VERSION = "1"

# ---------------------------------------------------------------------------------------------
# Style of one project: the choices one author makes once and keeps.

TF_MODES = ("tf1", "tf1", "tf1", "compat_alias", "compat_attr", "compat_var")
FLAG_NAMES = ("is_training", "is_training", "training", "phase_train", "train", "is_train")
# Batch-norm API families. Weighted by how often they appear in real TF1 code.
FAMILIES = (
    "layers_fn", "layers_fn", "layers_fn", "layers_cls", "contrib", "contrib",
    "contrib_from", "contrib_python", "contrib_tf_layers", "contrib_assign",
    "slim", "slim", "partial_layers", "partial_contrib", "keras",
)
CONTRIB_FAMILIES = ("contrib", "contrib_from", "contrib_python", "contrib_tf_layers",
                    "contrib_assign", "slim", "partial_contrib")
# Update-op handling: the correct forms and the real-world wrong ones.
HANDLINGS = (
    "ctrl", "ctrl", "ctrl", "ctrl_inline", "ctrl_string", "group", "group_list", "run_fetch",
    "helper", "missing", "missing", "trainable_deps", "opt_only", "unused", "identity_loss",
    "early_read",
)
TRAIN_FORMS = ("minimize", "minimize", "inline", "compute_apply")


class Style:
    """One author's habits: TF spelling, flag name, batch-norm family, naming, indent."""

    def __init__(self, rng: random.Random, family: Optional[str] = None):
        self.rng = rng
        self.family = family or rng.choice(FAMILIES)
        contrib = self.family in CONTRIB_FAMILIES
        self.tf_mode = "tf1" if contrib else rng.choice(TF_MODES)
        self.T = {"tf1": "tf", "compat_alias": "tf", "compat_attr": "tf.compat.v1",
                  "compat_var": "tf1"}[self.tf_mode]
        self.flag = rng.choice(FLAG_NAMES)
        self.in_place = contrib and rng.random() < 0.35
        self.handling = "ctrl" if self.in_place else rng.choice(HANDLINGS)
        self.train_form = rng.choice(TRAIN_FORMS)
        self.x = rng.choice(("x", "net", "h", "inputs", "out"))
        self.loss = rng.choice(("loss", "total_loss", "cost", "loss_op"))
        self.opt = rng.choice(("optimizer", "opt", "optim", "solver"))
        self.train_op = rng.choice(("train_op", "train_step", "train_op", "optimizer_op"))
        self.updates = rng.choice(("update_ops", "update_ops", "extra_update_ops", "bn_update_ops"))
        self.gs = rng.choice(("global_step", "global_step", "step_var"))
        self.lr = rng.choice(("learning_rate", "lr", "FLAGS.learning_rate", "args.lr"))
        self.indent = rng.choice(("    ",) * 8 + ("  ",) * 2 + ("\t",))
        self.bug_flag = rng.random() < 0.15       # a literal or missing flag somewhere
        self.slim_import = rng.choice(("import tensorflow.contrib.slim as slim",
                                       "import tf_slim as slim", "slim = tf.contrib.slim"))
        self.keras_spelling = rng.choice(("tf.keras.layers", "layers", "keras.layers",
                                          "tf_keras.layers", "K"))
        self.decay = rng.choice(("0.9", "0.99", "0.997", "0.999", "BN_DECAY", "0.9997"))
        self.eps = rng.choice(("1e-5", "1e-3", "0.001", "BN_EPSILON", "1e-05"))
        # contrib through a module-level ``batch_norm = functools.partial(...)``
        self.module_partial = self.family == "partial_contrib" and rng.random() < 0.5

    # -- imports ------------------------------------------------------------------------------

    def imports(self, extra: Tuple[str, ...] = (), local: Tuple[str, ...] = ()) -> List[str]:
        """The import block, then module-level aliases. ``local``: the project's own imports."""
        lines = ["from __future__ import absolute_import", "from __future__ import division",
                 "from __future__ import print_function", ""] if self.rng.random() < 0.5 else []
        fam = self.family
        std = set(("os", "time") + tuple(extra))
        if fam in ("partial_layers", "partial_contrib"):
            std.add("functools")
        lines += ["import %s" % m for m in sorted(std)]
        lines.append("")
        lines.append("import numpy as np")
        if self.tf_mode == "compat_alias":
            lines.append("import tensorflow.compat.v1 as tf")
        else:
            lines.append("import tensorflow as tf")
        if fam == "contrib_from":
            lines.append("from tensorflow.contrib.layers import batch_norm")
        elif fam == "contrib_python":
            lines.append("from tensorflow.contrib.layers.python.layers import batch_norm")
        elif fam == "contrib_tf_layers":
            lines.append("from tensorflow.contrib.layers.python import layers as tf_layers")
        elif fam == "slim" and self.slim_import.startswith("import"):
            lines.append(self.slim_import)
        elif fam == "keras":
            sp = self.keras_spelling
            if sp == "layers":
                lines.append("from tensorflow.keras import layers")
            elif sp == "keras.layers":
                lines.append("from tensorflow import keras")
            elif sp == "tf_keras.layers":
                lines.append("import tf_keras")
            elif sp == "K":
                lines.append("from tensorflow.keras.layers import BatchNormalization")
        if local:
            lines.append("")
            lines += list(local)
        lines.append("")
        if self.tf_mode == "compat_alias":
            lines.append("tf.disable_v2_behavior()")
        elif self.tf_mode == "compat_var":
            lines.append("tf1 = tf.compat.v1")
        if fam == "contrib_assign":
            lines.append(self.rng.choice(("batch_norm = tf.contrib.layers.batch_norm",
                                          "batch_norm = tf.contrib.layers.python.layers.batch_norm")))
        if fam == "slim" and not self.slim_import.startswith("import"):
            lines.append(self.slim_import)
        if self.module_partial:
            lines.append("batch_norm = functools.partial(tf.contrib.layers.batch_norm, decay=%s,"
                         % self.decay.replace("BN_DECAY", "0.9"))
            lines.append("                               epsilon=1e-5, scale=True%s)"
                         % (", updates_collections=None" if self.in_place else ""))
        if "BN_DECAY" in (self.decay,) or self.eps == "BN_EPSILON":
            lines.append("")
            lines.append("BN_DECAY = 0.997")
            lines.append("BN_EPSILON = 1e-5")
        return lines

    # -- batch-norm calls ----------------------------------------------------------------------

    def flag_expr(self, flag: str) -> Optional[str]:
        """The flag a site passes; now and then the bug: a literal, or nothing."""
        if self.bug_flag and self.rng.random() < 0.3:
            return self.rng.choice(("True", "False", None))
        return flag

    def prelude(self, flag: str) -> List[str]:
        """Lines at the top of a builder function (the function-level partial)."""
        if self.family == "partial_layers":
            return ["bn = functools.partial(%s.layers.batch_normalization, training=%s, momentum=%s)"
                    % (self.T, flag, self.decay)]
        if self.family == "partial_contrib" and not self.module_partial:
            return ["bn = functools.partial(tf.contrib.layers.batch_norm, is_training=%s," % flag,
                    "                       decay=%s, epsilon=%s%s)"
                    % (self.decay, self.eps, ", updates_collections=None" if self.in_place else "")]
        return []

    def bn(self, out: str, x: str, flag: str, name: str) -> List[str]:
        """Statements that batch-normalize ``x`` into ``out``."""
        r = self.rng
        fam = self.family
        f = self.flag_expr(flag)
        tkw = ("training=%s" % f) if f is not None else None
        ikw = ("is_training=%s" % f) if f is not None else None
        upd = "updates_collections=None, " if self.in_place else ""
        if fam == "layers_fn":
            kws = [k for k in ("momentum=%s" % self.decay, "epsilon=%s" % self.eps, "axis=-1",
                               "fused=True", "center=True", "scale=True") if r.random() < 0.4]
            args = ", ".join([x] + kws + ([tkw] if tkw else []) + ["name='%s'" % name])
            return ["%s = %s.layers.batch_normalization(%s)" % (out, self.T, args)]
        if fam == "layers_cls":
            call = ("%s_layer(%s, %s)" % (name, x, tkw)) if tkw else "%s_layer(%s)" % (name, x)
            return ["%s_layer = %s.layers.BatchNormalization(momentum=%s, epsilon=%s, name='%s')"
                    % (name, self.T, self.decay, self.eps, name),
                    "%s = %s" % (out, call)]
        if fam in ("contrib", "contrib_from", "contrib_python", "contrib_tf_layers",
                   "contrib_assign", "slim"):
            fn = {"contrib": "tf.contrib.layers.batch_norm", "contrib_from": "batch_norm",
                  "contrib_python": "batch_norm", "contrib_tf_layers": "tf_layers.batch_norm",
                  "contrib_assign": "batch_norm", "slim": "slim.batch_norm"}[fam]
            rest = ", ".join(k for k in (ikw, "scope='%s'" % name) if k)
            return ["%s = %s(%s, decay=%s, epsilon=%s, scale=True, %s%s)"
                    % (out, fn, x, self.decay, self.eps, upd, rest)]
        if fam == "partial_layers":
            return ["%s = bn(%s, name='%s')" % (out, x, name)]
        if fam == "partial_contrib":
            if self.module_partial:
                return ["%s = batch_norm(%s, %s)" % (out, x, ", ".join(
                    k for k in (ikw, "scope='%s'" % name) if k))]
            return ["%s = bn(%s, scope='%s')" % (out, x, name)]
        # keras
        sp = self.keras_spelling
        cls = "BatchNormalization" if sp == "K" else "%s.BatchNormalization" % sp
        call = "(%s, %s)" % (x, tkw) if tkw else "(%s)" % x
        return ["%s = %s(momentum=%s, name='%s')%s" % (out, cls, self.decay, name, call)]


# ---------------------------------------------------------------------------------------------
# Small helpers for writing code


def block(text: str) -> List[str]:
    return textwrap.dedent(text).strip("\n").split("\n")


def indent(lines: List[str], level: int = 1) -> List[str]:
    pad = "    " * level
    return [(pad + line) if line.strip() else "" for line in lines]


def retab(lines: List[str], unit: str) -> List[str]:
    """Re-indent 4-space code with the author's own unit (2 spaces, a tab)."""
    if unit == "    ":
        return lines
    out = []
    in_string = False
    for line in lines:
        stripped = line.lstrip(" ")
        n = len(line) - len(stripped)
        if not in_string:
            line = unit * (n // 4) + " " * (n % 4) + stripped
        if line.count('"""') % 2 == 1:
            in_string = not in_string
        out.append(line)
    return out


DOC_OPENERS = (
    "Builds the {what}.",
    "{What} for the {data} experiments.",
    "Training script for {data}: {what}.",
    "Utilities used to build the {what}.",
)
DATASETS = ("CIFAR-10", "MNIST", "ImageNet", "SVHN", "CelebA", "Fashion-MNIST", "Pascal VOC",
            "our internal dataset", "LSUN bedrooms", "Tiny ImageNet")
BN_COMMENTS = (
    "# batch norm keeps moving averages of mean and variance for inference",
    "# NOTE: the moving mean/variance are updated through UPDATE_OPS",
    "# TODO: check whether the update ops are actually run here",
    "# batch_norm before the non-linearity, as in the paper",
    "# see https://github.com/tensorflow/tensorflow/issues/1122 about update_ops",
    "# fused batch norm is faster on GPU",
    "# use the population statistics at test time",
    "# decay close to 1 works better for long training runs",
)


FLAG_COMMENTS = (
    "# True while training: batch norm then uses batch statistics and updates its averages",
    "# batch_norm training flag",
    "# fed True for training steps and False for evaluation (batch normalization)",
    "# switches the batch-norm layers between training and inference mode",
)


def docstring(r: random.Random, what: str, data: str) -> List[str]:
    first = r.choice(DOC_OPENERS).format(what=what, What=what[:1].upper() + what[1:], data=data)
    body = r.choice((
        "",
        "\nThe network follows the usual conv -> batch norm -> relu pattern. Batch\n"
        "normalization layers need their moving statistics updated during training:\n"
        "the update ops live in tf.GraphKeys.UPDATE_OPS.\n",
        "\nAdapted from the reference implementation; see the README for the results\n"
        "we obtained and the hyper-parameters used.\n",
        "\nRun with --help for the list of flags.\n",
    ))
    return ('"""%s%s"""' % (first, body)).split("\n")


# ---------------------------------------------------------------------------------------------
# Layer helpers (ops modules and single-file scripts)


def h_conv2d(st: Style) -> List[str]:
    T = st.T
    return block('''
    def conv2d(input_, output_dim, k_h=5, k_w=5, d_h=2, d_w=2, stddev=0.02, name="conv2d"):
        """2-D convolution with a bias, DCGAN style."""
        with %s.variable_scope(name):
            w = %s.get_variable("w", [k_h, k_w, input_.get_shape()[-1], output_dim],
                                initializer=%s.truncated_normal_initializer(stddev=stddev))
            conv = tf.nn.conv2d(input_, w, strides=[1, d_h, d_w, 1], padding="SAME")
            biases = %s.get_variable("biases", [output_dim], initializer=%s.constant_initializer(0.0))
            conv = tf.reshape(tf.nn.bias_add(conv, biases), tf.shape(conv))
            return conv
    ''' % (T, T, T, T, T))


def h_deconv2d(st: Style) -> List[str]:
    T = st.T
    return block('''
    def deconv2d(input_, output_shape, k_h=5, k_w=5, d_h=2, d_w=2, stddev=0.02,
                 name="deconv2d", with_w=False):
        with %s.variable_scope(name):
            # filter : [height, width, output_channels, in_channels]
            w = %s.get_variable("w", [k_h, k_w, output_shape[-1], input_.get_shape()[-1]],
                                initializer=%s.random_normal_initializer(stddev=stddev))
            deconv = tf.nn.conv2d_transpose(input_, w, output_shape=output_shape,
                                            strides=[1, d_h, d_w, 1])
            biases = %s.get_variable("biases", [output_shape[-1]],
                                     initializer=%s.constant_initializer(0.0))
            deconv = tf.reshape(tf.nn.bias_add(deconv, biases), deconv.get_shape())
            if with_w:
                return deconv, w, biases
            return deconv
    ''' % (T, T, T, T, T))


def h_linear(st: Style) -> List[str]:
    T = st.T
    return block('''
    def linear(input_, output_size, scope=None, stddev=0.02, bias_start=0.0, with_w=False):
        shape = input_.get_shape().as_list()
        with %s.variable_scope(scope or "Linear"):
            matrix = %s.get_variable("Matrix", [shape[1], output_size], tf.float32,
                                     %s.random_normal_initializer(stddev=stddev))
            bias = %s.get_variable("bias", [output_size],
                                   initializer=%s.constant_initializer(bias_start))
            if with_w:
                return tf.matmul(input_, matrix) + bias, matrix, bias
            return tf.matmul(input_, matrix) + bias
    ''' % (T, T, T, T, T))


def h_lrelu(st: Style) -> List[str]:
    return block('''
    def lrelu(x, leak=0.2, name="lrelu"):
        return tf.maximum(x, leak * x, name=name)
    ''')


def h_weight_var(st: Style) -> List[str]:
    T = st.T
    return block('''
    def weight_variable(shape, name, wd=None):
        """A weight with optional L2 weight decay added to the 'losses' collection."""
        var = %s.get_variable(name, shape, initializer=%s.glorot_uniform_initializer())
        if wd is not None:
            weight_decay = tf.multiply(tf.nn.l2_loss(var), wd, name="weight_loss")
            %s.add_to_collection("losses", weight_decay)
        return var


    def bias_variable(shape, name, value=0.0):
        return %s.get_variable(name, shape, initializer=%s.constant_initializer(value))
    ''' % (T, T, T, T, T))


def h_bn_wrapper(st: Style, flag: str) -> List[str]:
    """A project's own ``batch_norm`` wrapper function (a builder)."""
    default = st.rng.choice(("", "=True", "=True", "=False")) if st.bug_flag else ""
    head = ["def batch_norm(x, %s%s, name='bn'):" % (flag, default)]
    doc = ['    """Batch normalization; %s selects batch or moving statistics."""' % flag]
    body = st.prelude(flag) + st.bn("out", "x", flag, "%s" % st.rng.choice(("bn", "batch_norm")))
    body = [b.replace("name='bn'", "name=name").replace("scope='bn'", "scope=name")
            .replace("name='batch_norm'", "name=name").replace("scope='batch_norm'", "scope=name")
            for b in body]
    return head + doc + indent(body) + ["    return out"]


def h_bn_class(st: Style) -> List[str]:
    """The DCGAN-style ``batch_norm`` class: contrib with in-place updates."""
    upd = "updates_collections=None,\n                                                " \
        if st.in_place or st.rng.random() < 0.7 else ""
    T = st.T
    fn = "tf.contrib.layers.batch_norm" if st.tf_mode == "tf1" else "%s.layers.batch_normalization" % T
    if fn.endswith("batch_norm"):
        call = ("%s(x, decay=self.momentum, %sepsilon=self.epsilon, scale=True,\n"
                "                                            is_training=train, scope=self.name)"
                % (fn, upd))
    else:
        call = ("%s(x, momentum=self.momentum, epsilon=self.epsilon,\n"
                "                                            training=train, name=self.name)" % fn)
    return block('''
    class batch_norm(object):
        """Callable batch normalization layer (DCGAN style)."""

        def __init__(self, epsilon=1e-5, momentum=0.9, name="batch_norm"):
            with %s.variable_scope(name):
                self.epsilon = epsilon
                self.momentum = momentum
                self.name = name

        def __call__(self, x, train=True):
            return %s
    ''' % (T, call))


def h_conv_bn(st: Style, flag: str, local_bn: bool) -> List[str]:
    """conv -> batch norm -> relu block; ``local_bn`` uses the module's wrapper function."""
    T = st.T
    name = st.rng.choice(("conv_bn_relu", "conv_bn", "conv_block", "conv2d_bn"))
    lines = ["def %s(x, filters, kernel_size, strides, %s, name):" % (name, flag),
             '    """Convolution, batch normalization and ReLU."""',
             "    with %s.variable_scope(name):" % T]
    body = ["x = %s.layers.conv2d(x, filters, kernel_size, strides=strides, padding='same'," % T,
            "                     use_bias=False, name='conv')"]
    if st.rng.random() < 0.3:
        body.insert(0, st.rng.choice(BN_COMMENTS))
    if local_bn:
        body.append("x = batch_norm(x, %s, name='bn')" % flag)
    else:
        body += st.prelude(flag) + st.bn("x", "x", flag, "bn")
    body.append("x = tf.nn.relu(x)")
    body.append("return x")
    return lines + indent(body, 2), name


def h_residual(st: Style, flag: str, conv_bn: str) -> List[str]:
    T = st.T
    head = block('''
    def residual_block(x, filters, strides, %s, name):
        """Two 3x3 convolutions with a shortcut (He et al. 2016)."""
        with %s.variable_scope(name):
            shortcut = x
            if strides != 1 or x.get_shape()[-1] != filters:
                shortcut = %s.layers.conv2d(x, filters, 1, strides=strides, padding='same',
                                            use_bias=False, name='shortcut')
            x = %s(x, filters, 3, strides, %s, 'conv1')
            x = %s.layers.conv2d(x, filters, 3, padding='same', use_bias=False, name='conv2')
    ''' % (flag, T, T, conv_bn, flag, T))
    tail = st.prelude(flag) + st.bn("x", "x", flag, "bn2") + ["return tf.nn.relu(x + shortcut)"]
    return head + indent(tail, 2)


def h_dense_bn(st: Style, flag: str) -> List[str]:
    T = st.T
    lines = ["def dense_bn(x, units, %s, activation=tf.nn.relu, name='fc'):" % flag,
             "    with %s.variable_scope(name):" % T,
             "        x = %s.layers.dense(x, units, use_bias=False)" % T]
    lines += indent(st.prelude(flag) + st.bn("x", "x", flag, "bn"), 2)
    lines += ["        if activation is not None:", "            x = activation(x)",
              "        return x"]
    return lines


def h_bn_blocks(st: Style, flag: str) -> List[List[str]]:
    """More layer builders with batch norm, in the shapes real model code has."""
    T, r = st.T, st.rng

    def bn(out: str, x: str, name: str) -> List[str]:
        return st.bn(out, x, flag, name)

    pre = st.prelude(flag)
    blocks = [
        ["def bottleneck_block(x, filters, strides, %s, name, expansion=4):" % flag,
         '    """1x1 -> 3x3 -> 1x1 bottleneck with a projection shortcut."""',
         "    with %s.variable_scope(name):" % T]
        + indent(pre + [
            "shortcut = x",
            "if strides != 1 or x.get_shape()[-1] != filters * expansion:",
            "    shortcut = %s.layers.conv2d(x, filters * expansion, 1, strides=strides," % T,
            "                                use_bias=False, name='proj')"]
            + ["    " + line for line in bn("shortcut", "shortcut", "proj_bn")] + [
            "x = %s.layers.conv2d(x, filters, 1, use_bias=False, name='conv1')" % T]
            + bn("x", "x", "bn1") + [
            "x = tf.nn.relu(x)",
            "x = %s.layers.conv2d(x, filters, 3, strides=strides, padding='same'," % T,
            "                     use_bias=False, name='conv2')"]
            + bn("x", "x", "bn2") + [
            "x = tf.nn.relu(x)",
            "x = %s.layers.conv2d(x, filters * expansion, 1, use_bias=False, name='conv3')" % T]
            + bn("x", "x", "bn3") + ["return tf.nn.relu(x + shortcut)"], 2),
        ["def transition_layer(x, %s, compression=0.5, name='transition'):" % flag,
         '    """DenseNet transition: BN-ReLU-Conv(1x1)-AvgPool."""',
         "    with %s.variable_scope(name):" % T]
        + indent(pre + bn("x", "x", "bn") + [
            "x = tf.nn.relu(x)",
            "channels = int(int(x.get_shape()[-1]) * compression)",
            "x = %s.layers.conv2d(x, channels, 1, use_bias=False, name='conv')" % T,
            "return %s.layers.average_pooling2d(x, 2, 2, name='pool')" % T], 2),
        ["def dense_block(x, num_layers, growth_rate, %s, name='dense_block'):" % flag,
         "    with %s.variable_scope(name):" % T,
         "        for i in range(num_layers):",
         "            with %s.variable_scope('layer_%%d' %% i):" % T]
        + indent(pre + bn("y", "x", "bn") + [
            "y = tf.nn.relu(y)",
            "y = %s.layers.conv2d(y, growth_rate, 3, padding='same', use_bias=False)" % T,
            "x = tf.concat([x, y], axis=-1)"], 4) + ["        return x"],
        ["def upsample_block(x, filters, %s, name):" % flag,
         '    """Transposed convolution, batch norm and ReLU (decoder side)."""',
         "    with %s.variable_scope(name):" % T]
        + indent(pre + [
            "x = %s.layers.conv2d_transpose(x, filters, 4, strides=2, padding='same'," % T,
            "                               use_bias=False, name='deconv')"]
            + bn("x", "x", "bn") + ["return tf.nn.relu(x)"], 2),
        ["def separable_conv_bn(x, filters, strides, %s, name):" % flag,
         "    with %s.variable_scope(name):" % T]
        + indent(pre + [
            "x = %s.layers.separable_conv2d(x, filters, 3, strides=strides, padding='same'," % T,
            "                               use_bias=False)"]
            + bn("x", "x", "bn") + ["return tf.nn.relu6(x)"], 2),
        ["def generator(z, %s, gf_dim=64, output_size=64, c_dim=3, reuse=False):" % flag,
         '    """DCGAN generator: project, reshape, then fractionally-strided convolutions."""',
         "    s16 = output_size // 16",
         "    with %s.variable_scope('generator', reuse=reuse):" % T]
        + indent(pre + [
            "h0 = %s.layers.dense(z, gf_dim * 8 * s16 * s16, name='g_h0_lin')" % T,
            "h0 = tf.reshape(h0, [-1, s16, s16, gf_dim * 8])"]
            + bn("h0", "h0", "g_bn0") + ["h0 = tf.nn.relu(h0)"]
            + ["h1 = %s.layers.conv2d_transpose(h0, gf_dim * 4, 5, 2, 'same', name='g_h1')" % T]
            + bn("h1", "h1", "g_bn1") + ["h1 = tf.nn.relu(h1)"]
            + ["h2 = %s.layers.conv2d_transpose(h1, gf_dim * 2, 5, 2, 'same', name='g_h2')" % T]
            + bn("h2", "h2", "g_bn2") + ["h2 = tf.nn.relu(h2)"]
            + ["h3 = %s.layers.conv2d_transpose(h2, gf_dim, 5, 2, 'same', name='g_h3')" % T]
            + bn("h3", "h3", "g_bn3") + ["h3 = tf.nn.relu(h3)"]
            + ["h4 = %s.layers.conv2d_transpose(h3, c_dim, 5, 2, 'same', name='g_h4')" % T,
               "return tf.nn.tanh(h4)"], 2),
        ["def fc_bn_dropout(x, units, keep_prob, %s, name):" % flag,
         "    with %s.variable_scope(name):" % T]
        + indent(pre + ["x = %s.layers.dense(x, units, use_bias=False)" % T]
                 + bn("x", "x", "bn") + [
                 "x = tf.nn.relu(x)",
                 "if keep_prob < 1.0:",
                 "    x = tf.nn.dropout(x, keep_prob)",
                 "return x"], 2),
        ["def stem(images, %s, filters=64, name='stem'):" % flag,
         '    """7x7/2 convolution, batch norm, ReLU and 3x3/2 max pooling (ResNet stem)."""',
         "    with %s.variable_scope(name):" % T]
        + indent(pre + ["x = %s.layers.conv2d(images, filters, 7, strides=2, padding='same'," % T,
                        "                     use_bias=False, name='conv')"]
                 + bn("x", "x", "bn") + [
                 "x = tf.nn.relu(x)",
                 "return %s.layers.max_pooling2d(x, 3, 2, padding='same')" % T], 2),
    ]
    r.shuffle(blocks)
    return blocks


def h_more_misc(st: Style) -> List[List[str]]:
    T = st.T
    return [
        block('''
        class Config(object):
            """Hyper-parameters of one run (overridden from the command line)."""
            batch_size = 128
            num_epochs = 200
            base_learning_rate = 0.1
            momentum = 0.9
            weight_decay = 5e-4
            # batch norm
            bn_decay = 0.997
            bn_epsilon = 1e-5
            bn_scale = True
            # data
            image_size = 32
            num_classes = 10
            num_train_examples = 50000
            num_eval_examples = 10000
            # logging
            log_every = 100
            save_every = 5000
            summary_every = 500

            def steps_per_epoch(self):
                return self.num_train_examples // self.batch_size

            def total_steps(self):
                return self.num_epochs * self.steps_per_epoch()
        '''),
        block('''
        class DataLoader(object):
            """Shuffles numpy arrays and serves mini-batches, epoch after epoch."""

            def __init__(self, images, labels, batch_size, shuffle=True, seed=0):
                assert len(images) == len(labels)
                self.images = images
                self.labels = labels
                self.batch_size = batch_size
                self.shuffle = shuffle
                self.rng = np.random.RandomState(seed)
                self.epoch = 0

            def __len__(self):
                return int(np.ceil(len(self.images) / float(self.batch_size)))

            def __iter__(self):
                order = np.arange(len(self.images))
                if self.shuffle:
                    self.rng.shuffle(order)
                for start in range(0, len(order), self.batch_size):
                    idx = order[start:start + self.batch_size]
                    yield self.images[idx], self.labels[idx]
                self.epoch += 1
        '''),
        block('''
        def restore_if_possible(sess, saver, checkpoint_dir):
            """Restore the latest checkpoint; return the global step it was saved at."""
            ckpt = %s.train.get_checkpoint_state(checkpoint_dir)
            if ckpt and ckpt.model_checkpoint_path:
                saver.restore(sess, ckpt.model_checkpoint_path)
                step = int(os.path.basename(ckpt.model_checkpoint_path).split("-")[-1])
                print("restored %%s (step %%d)" %% (ckpt.model_checkpoint_path, step))
                return step
            print("no checkpoint in %%s, training from scratch" %% checkpoint_dir)
            return 0
        ''' % T),
        block('''
        def write_scalar(writer, tag, value, step):
            summary = %s.Summary(value=[%s.Summary.Value(tag=tag, simple_value=value)])
            writer.add_summary(summary, step)
            writer.flush()
        ''' % (T, T)),
        block('''
        def print_variables(scope=None, trainable_only=False):
            """List variables with their shapes; batch-norm moving averages are not trainable."""
            if trainable_only:
                variables = %s.trainable_variables(scope)
            else:
                variables = %s.global_variables(scope)
            for v in variables:
                print("%%-60s %%s" %% (v.name, v.get_shape().as_list()))
            print("%%d variables" %% len(variables))
        ''' % (T, T)),
        block('''
        def one_hot(labels, num_classes):
            out = np.zeros((len(labels), num_classes), dtype=np.float32)
            out[np.arange(len(labels)), labels] = 1.0
            return out
        '''),
        block('''
        def normalize_images(images, mean=None, std=None):
            """Per-channel standardization with statistics from the training set."""
            images = images.astype(np.float32) / 255.0
            if mean is None:
                mean = images.mean(axis=(0, 1, 2))
            if std is None:
                std = images.std(axis=(0, 1, 2))
            return (images - mean) / std, mean, std
        '''),
        block('''
        def timeit(fn):
            """Decorator that prints how long a call took."""
            def wrapper(*args, **kwargs):
                start = time.time()
                result = fn(*args, **kwargs)
                print("%s took %.2f s" % (fn.__name__, time.time() - start))
                return result
            return wrapper
        '''),
        block('''
        def ensure_dir(path):
            if not os.path.isdir(path):
                os.makedirs(path)
            return path
        '''),
        block('''
        def top_k_accuracy(logits, labels, k=5):
            return tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, labels, k), tf.float32))
        '''),
        block('''
        def label_smoothing(labels, num_classes, epsilon=0.1):
            """Soft targets: (1 - epsilon) on the true class, the rest spread evenly."""
            one_hot_labels = tf.one_hot(labels, num_classes)
            return one_hot_labels * (1.0 - epsilon) + epsilon / num_classes
        '''),
        block('''
        def focal_loss(logits, labels, gamma=2.0, alpha=0.25):
            probs = tf.nn.sigmoid(logits)
            pt = tf.where(tf.equal(labels, 1.0), probs, 1.0 - probs)
            weight = alpha * tf.pow(1.0 - pt, gamma)
            ce = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
            return tf.reduce_sum(weight * ce)
        '''),
    ]


def mixed_fillers(st: Style, flag: str, bn_share: float = 0.5) -> List[List[str]]:
    """Fillers for a module that also defines layers: batch-norm builders among helpers."""
    bn_blocks = h_bn_blocks(st, flag)
    misc = h_misc(st, st.rng)
    out = []
    while bn_blocks or misc:
        pool = bn_blocks if (bn_blocks and (not misc or st.rng.random() < bn_share)) else misc
        out.append(pool.pop(0))
    return out


def h_misc(st: Style, r: random.Random) -> List[List[str]]:
    """Helpers without batch norm: most of a real module."""
    T = st.T
    helpers = [
        block('''
        def max_pool(x, size=2, stride=2, name="pool"):
            return tf.nn.max_pool(x, ksize=[1, size, size, 1], strides=[1, stride, stride, 1],
                                  padding="SAME", name=name)
        '''),
        block('''
        def global_avg_pool(x, name="gap"):
            """Global average pooling over the spatial dimensions."""
            return tf.reduce_mean(x, axis=[1, 2], name=name)
        '''),
        block('''
        def flatten(x):
            dim = int(np.prod(x.get_shape().as_list()[1:]))
            return tf.reshape(x, [-1, dim])
        '''),
        block('''
        def instance_norm(x, name="instance_norm", epsilon=1e-5):
            """Instance normalization: no moving statistics, nothing to update."""
            with %s.variable_scope(name):
                mean, var = tf.nn.moments(x, [1, 2], keep_dims=True)
                scale = %s.get_variable("scale", [x.get_shape()[-1]],
                                        initializer=%s.random_normal_initializer(1.0, 0.02))
                offset = %s.get_variable("offset", [x.get_shape()[-1]],
                                         initializer=%s.constant_initializer(0.0))
                return scale * (x - mean) * tf.rsqrt(var + epsilon) + offset
        ''' % (T, T, T, T, T)),
        block('''
        def accuracy(logits, labels):
            """Fraction of correct top-1 predictions."""
            correct = tf.equal(tf.argmax(logits, 1), tf.cast(labels, tf.int64))
            return tf.reduce_mean(tf.cast(correct, tf.float32))
        '''),
        block('''
        def count_parameters():
            total = 0
            for variable in %s.trainable_variables():
                shape = variable.get_shape()
                count = 1
                for dim in shape:
                    count *= dim.value if hasattr(dim, "value") else dim
                total += count
            return total
        ''' % T),
        block('''
        def add_activation_summary(x):
            """Histogram and sparsity of an activation, for TensorBoard."""
            name = x.op.name
            %s.summary.histogram(name + "/activations", x)
            %s.summary.scalar(name + "/sparsity", tf.nn.zero_fraction(x))
        ''' % (T, T)),
        block('''
        def average_gradients(tower_grads):
            """Average the gradients of every tower (the classic multi-GPU recipe).

            Note that this function provides a synchronization point across all towers.
            """
            average_grads = []
            for grad_and_vars in zip(*tower_grads):
                grads = []
                for g, _ in grad_and_vars:
                    expanded_g = tf.expand_dims(g, 0)
                    grads.append(expanded_g)
                grad = tf.concat(axis=0, values=grads)
                grad = tf.reduce_mean(grad, 0)
                v = grad_and_vars[0][1]
                average_grads.append((grad, v))
            return average_grads
        '''),
        block('''
        def preprocess_image(image, height, width, augment):
            """Pad, random-crop and flip for training; central crop otherwise."""
            if augment:
                image = tf.image.resize_with_crop_or_pad(image, height + 4, width + 4)
                image = %s.random_crop(image, [height, width, 3])
                image = tf.image.random_flip_left_right(image)
                image = tf.image.random_brightness(image, max_delta=63)
            else:
                image = tf.image.resize_with_crop_or_pad(image, height, width)
            return tf.image.per_image_standardization(image)
        ''' % T),
        block('''
        class AverageMeter(object):
            """Keeps a running average of a scalar (loss, accuracy)."""

            def __init__(self):
                self.reset()

            def reset(self):
                self.val = 0.0
                self.sum = 0.0
                self.count = 0

            def update(self, val, n=1):
                self.val = val
                self.sum += val * n
                self.count += n

            @property
            def avg(self):
                return self.sum / max(self.count, 1)
        '''),
        block('''
        def piecewise_learning_rate(global_step, base_lr, boundaries, decay=0.1):
            values = [base_lr * (decay ** i) for i in range(len(boundaries) + 1)]
            return %s.train.piecewise_constant(global_step, boundaries, values)
        ''' % T),
        block('''
        def cosine_learning_rate(step, total_steps, base_lr, warmup_steps=0):
            """Cosine decay with linear warm-up, computed in Python."""
            if step < warmup_steps:
                return base_lr * float(step + 1) / warmup_steps
            progress = float(step - warmup_steps) / max(1, total_steps - warmup_steps)
            return 0.5 * base_lr * (1.0 + np.cos(np.pi * progress))
        '''),
        block('''
        def confusion_matrix(predictions, labels, num_classes):
            matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
            for p, l in zip(predictions, labels):
                matrix[l, p] += 1
            return matrix
        '''),
        block('''
        def moving_statistics():
            """The batch-norm moving mean/variance variables (not trainable!)."""
            return [v for v in %s.global_variables()
                    if "moving_mean" in v.name or "moving_variance" in v.name]
        ''' % T),
        block('''
        def l2_regularizer_loss(weight_decay, exclude_bn=True):
            """Weight decay on every trainable variable, skipping batch-norm beta/gamma."""
            variables = %s.trainable_variables()
            if exclude_bn:
                variables = [v for v in variables
                             if "batch_norm" not in v.name and "bn" not in v.name]
            return weight_decay * tf.add_n([tf.nn.l2_loss(v) for v in variables])
        ''' % T),
        block('''
        def make_dataset(images, labels, batch_size, shuffle=True, repeat=True):
            dataset = tf.data.Dataset.from_tensor_slices((images, labels))
            if shuffle:
                dataset = dataset.shuffle(buffer_size=10000)
            if repeat:
                dataset = dataset.repeat()
            dataset = dataset.batch(batch_size)
            return dataset.prefetch(2)
        '''),
        block('''
        def save_images(images, size, path):
            """Tile a batch of images into one grid and write it as .npy."""
            h, w = images.shape[1], images.shape[2]
            grid = np.zeros((h * size[0], w * size[1], images.shape[3]))
            for idx, image in enumerate(images):
                i = idx % size[1]
                j = idx // size[1]
                grid[j * h:j * h + h, i * w:i * w + w, :] = image
            np.save(path, grid)
            return grid
        '''),
        block('''
        def log_metrics(step, metrics, prefix=""):
            parts = ["%s%s=%.4f" % (prefix, key, value) for key, value in sorted(metrics.items())]
            print("step %d: %s" % (step, ", ".join(parts)))
        '''),
    ] + h_more_misc(st)
    r.shuffle(helpers)
    return helpers


# ---------------------------------------------------------------------------------------------
# Train-op construction: every handling form, correct and wrong


def train_op_lines(st: Style, loss: str, opt_ctor: str, var_list: str = "") -> List[str]:
    """Statements that build ``st.train_op`` from ``loss``, handled as ``st.handling`` says."""
    T, U, op, o, gs = st.T, st.updates, st.train_op, st.opt, st.gs
    vl = ", var_list=%s" % var_list if var_list else ""
    form = st.train_form
    h = st.handling
    collect = "%s = %s.get_collection(%s.GraphKeys.UPDATE_OPS)" % (U, T, T)
    if h == "helper":
        return [
            "%s = %s" % (o, opt_ctor),
            st.rng.choice((
                "%s = tf.contrib.training.create_train_op(%s, %s, global_step=%s)" % (op, loss, o, gs),
                "%s = tf.contrib.slim.learning.create_train_op(%s, %s, global_step=%s)" % (op, loss, o, gs),
                "%s = tf.contrib.layers.optimize_loss(%s, %s, learning_rate=None, optimizer=%s)"
                % (op, loss, gs, o))),
        ]

    def build(target: str = op) -> List[str]:
        if form == "inline":
            return ["%s = %s.minimize(%s, global_step=%s%s)" % (target, opt_ctor, loss, gs, vl)]
        if form == "compute_apply":
            return ["grads_and_vars = %s.compute_gradients(%s%s)" % (o, loss, vl),
                    "grads_and_vars = [(tf.clip_by_norm(g, 5.0), v) for g, v in grads_and_vars"
                    " if g is not None]",
                    "%s = %s.apply_gradients(grads_and_vars, global_step=%s)" % (target, o, gs)]
        return ["%s = %s.minimize(%s, global_step=%s%s)" % (target, o, loss, gs, vl)]

    make_opt = [] if form == "inline" else ["%s = %s" % (o, opt_ctor)]
    if h == "ctrl":
        return make_opt + [collect, "with %s.control_dependencies(%s):" % (T, U)] + indent(build())
    if h == "ctrl_inline":
        return make_opt + ["with %s.control_dependencies(%s.get_collection(%s.GraphKeys.UPDATE_OPS)):"
                           % (T, T, T)] + indent(build())
    if h == "ctrl_string":
        return make_opt + ["# same as tf.GraphKeys.UPDATE_OPS",
                           "%s = %s.get_collection('update_ops')" % (U, T),
                           "with %s.control_dependencies(%s):" % (T, U)] + indent(build())
    if h == "group":
        return make_opt + build("minimize_op") + [
            collect, "%s = tf.group(minimize_op, *%s)" % (op, U)]
    if h == "group_list":
        return make_opt + build("opt_op") + [
            collect, "%s = tf.group([opt_op] + %s)" % (op, U)]
    if h == "run_fetch":
        # The update ops are fetched with the train op by the session loop.
        return make_opt + [collect] + build()
    if h == "trainable_deps":
        return make_opt + ["with %s.control_dependencies(%s.trainable_variables()):" % (T, T)] \
            + indent(build())
    if h == "opt_only":
        return [collect, "with %s.control_dependencies(%s):" % (T, U),
                "    %s = %s" % (o, opt_ctor)] + (build() if form != "inline" else
                                                  ["%s = %s.minimize(%s, global_step=%s%s)"
                                                   % (op, o, loss, gs, vl)])
    if h == "unused":
        return make_opt + [collect, "# %s are run below" % U] + build()
    if h == "identity_loss":
        return make_opt + [collect, "with %s.control_dependencies(%s):" % (T, U),
                           "    %s = tf.identity(%s)" % (loss, loss)] + build()
    # "missing", and "early_read" (whose read is emitted before the model; see callers)
    return make_opt + build()


def session_loop(st: Style, feeds: str, steps: str, extra_fetch: str = "") -> List[str]:
    T, op, loss = st.T, st.train_op, st.loss
    fetch = "[%s, %s%s]" % (op, loss, extra_fetch)
    if st.handling == "run_fetch":
        fetch = "[%s, %s, %s]" % (op, st.updates, loss)
        unpack = "_, _, loss_value"
    else:
        unpack = "_, loss_value" + (", summary" if extra_fetch else "")
    return block('''
    config = %s.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    with %s.Session(config=config) as sess:
        sess.run(%s.global_variables_initializer())
        start = time.time()
        for step in range(%s):
            batch_x, batch_y = next_batch(train_x, train_y, batch_size)
            %s = sess.run(%s, feed_dict=%s)
            if step %% 100 == 0:
                duration = time.time() - start
                print("step %%d, loss %%.4f (%%.1f s)" %% (step, loss_value, duration))
                start = time.time()
            if step %% 1000 == 0 and step > 0:
                saver.save(sess, os.path.join(checkpoint_dir, "model.ckpt"), global_step=step)
    ''' % (T, T, T, steps, unpack, fetch, feeds))


def next_batch_helper() -> List[str]:
    return block('''
    def next_batch(images, labels, batch_size):
        """A random mini-batch (sampling with replacement, good enough here)."""
        idx = np.random.randint(0, len(images), size=batch_size)
        return images[idx], labels[idx]
    ''')


# ---------------------------------------------------------------------------------------------
# Modules


def pad_module(parts: List[List[str]], fillers: List[List[str]], target: int,
               insert_at: int) -> List[List[str]]:
    """Insert fillers before ``insert_at`` until the module reaches ``target`` lines."""
    total = sum(len(p) + 2 for p in parts)
    for filler in fillers:
        if total >= target:
            break
        if total + len(filler) + 2 > MAX_LINES - 20:
            continue
        parts.insert(insert_at, filler)
        insert_at += 1
        total += len(filler) + 2
    return parts


def render(st: Style, parts: List[List[str]]) -> str:
    lines: List[str] = []
    for i, part in enumerate(parts):
        if i:
            lines += ["", ""] if part and part[0].startswith(("def ", "class ", "@", "if __name__")) \
                else [""]
        lines += part
    return "\n".join(retab(lines, st.indent)) + "\n"


def ops_module(st: Style, target: int, data: str) -> Tuple[str, Dict[str, str]]:
    """``ops.py``: layer helpers, with the project's batch-norm builders. Returns the exported
    names: ``conv_bn`` (a function), ``bn_fn`` or ``bn_class``."""
    r = st.rng
    flag = st.flag
    exports: Dict[str, str] = {}
    parts = [docstring(r, "layer helpers", data), st.imports()]
    core: List[List[str]] = [h_lrelu(st), h_conv2d(st)]
    if r.random() < 0.5:
        core.append(h_deconv2d(st))
    core.append(h_linear(st))
    use_class = st.family.startswith("contrib") and r.random() < 0.4 or r.random() < 0.1
    if use_class:
        core.append(h_bn_class(st))
        exports["bn_class"] = "batch_norm"
    else:
        core.append(h_bn_wrapper(st, flag))
        exports["bn_fn"] = "batch_norm"
    conv, conv_name = h_conv_bn(st, flag, local_bn=not use_class)
    core.append(conv)
    exports["conv_bn"] = conv_name
    core.append(h_dense_bn(st, flag))
    if r.random() < 0.6:
        core.append(h_residual(st, flag, conv_name))
        exports["residual"] = "residual_block"
    parts += core
    parts = pad_module(parts, mixed_fillers(st, flag, 0.6), target, 2)
    return render(st, parts), exports


def net_body(st: Style, flag: str, conv: Optional[str], stages: int) -> List[str]:
    """The body of an ``inference(images, flag)`` function."""
    r = st.rng
    x = st.x
    lines = ["%s = images" % x]
    lines += st.prelude(flag)
    filters = r.choice((16, 32, 64))
    for s in range(stages):
        for b in range(r.choice((1, 2, 2, 3, 4))):
            name = "conv%d_%d" % (s + 1, b + 1)
            stride = 2 if (b == 0 and s > 0) else 1
            if conv:
                lines.append("%s = %s(%s, %d, 3, %d, %s, '%s')" % (x, conv, x, filters, stride,
                                                                   flag, name))
            else:
                lines.append("%s = %s.layers.conv2d(%s, %d, 3, strides=%d, padding='same', "
                             "use_bias=False, name='%s')" % (x, st.T, x, filters, stride, name))
                if r.random() < 0.15:
                    lines.append(r.choice(BN_COMMENTS))
                lines += st.bn(x, x, flag, name + "_bn")
                lines.append("%s = tf.nn.relu(%s)" % (x, x))
        filters *= 2
    lines.append("%s = tf.reduce_mean(%s, axis=[1, 2])" % (x, x))
    lines.append("logits = %s.layers.dense(%s, num_classes, name='logits')" % (st.T, x))
    lines.append("return logits")
    return lines


def loss_fn(st: Style) -> List[str]:
    T = st.T
    return block('''
    def compute_loss(logits, labels, weight_decay=1e-4):
        """Cross entropy plus L2 weight decay."""
        cross_entropy = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        l2 = tf.add_n([tf.nn.l2_loss(v) for v in %s.trainable_variables() if "kernel" in v.name])
        %s.summary.scalar("cross_entropy", cross_entropy)
        return cross_entropy + weight_decay * l2
    ''' % (T, T))


def train_fn(st: Style) -> List[str]:
    """cifar10-style ``train(total_loss, global_step)`` inside the model module."""
    T = st.T
    lines = ["def train(%s, %s):" % (st.loss, st.gs),
             '    """Create an optimizer and apply to all trainable variables."""',
             "    lr = %s.train.exponential_decay(0.1, %s, 10000, 0.1, staircase=True)" % (T, st.gs),
             "    %s.summary.scalar('learning_rate', lr)" % T]
    st.lr = "lr"
    body = train_op_lines(st, st.loss, "%s.train.MomentumOptimizer(lr, 0.9)" % T)
    lines += indent(body)
    if st.handling == "run_fetch":
        lines.append("    return %s, %s" % (st.train_op, st.updates))
    else:
        lines.append("    return %s" % st.train_op)
    return lines


def model_module(st: Style, target: int, data: str, ops_name: Optional[str],
                 exports: Dict[str, str]) -> Tuple[str, bool]:
    """``model.py``: the network (through the ops builders when there is an ops module),
    a loss, and in some projects the cifar10-style ``train()``. Returns whether it has
    ``train()``."""
    r = st.rng
    flag = st.flag
    conv = None
    local: Tuple[str, ...] = ()
    if ops_name:
        how = r.choice(("from", "from", "module", "star"))
        if how == "from":
            names = [exports["conv_bn"]] + [v for k, v in exports.items() if k != "conv_bn"]
            local = ("from %s import %s" % (ops_name, ", ".join(names)),)
            conv = exports["conv_bn"]
        elif how == "module":
            local = ("import %s as ops" % ops_name,)
            conv = "ops.%s" % exports["conv_bn"]
        else:
            local = ("from %s import *  # noqa: F401,F403" % ops_name,)
            conv = exports["conv_bn"]
    imports = st.imports(local=local)
    parts = [docstring(r, "network", data), imports]
    stages = r.choice((2, 3, 3, 4))
    head = ["def inference(images, %s, num_classes=10):" % flag,
            '    """Build the network; %s switches batch norm between batch and moving stats."""'
            % flag]
    parts.append(head + indent(net_body(st, flag, conv, stages)))
    if "bn_class" in exports and ops_name:
        bn_cls = exports["bn_class"] if not conv.startswith("ops.") else "ops.batch_norm"
        parts.append(block('''
        class Discriminator(object):
            def __init__(self, df_dim=64):
                self.df_dim = df_dim
                self.d_bn1 = %s(name="d_bn1")
                self.d_bn2 = %s(name="d_bn2")
                self.d_bn3 = %s(name="d_bn3")

            def __call__(self, image, train=True, reuse=False):
                with %s.variable_scope("discriminator", reuse=reuse):
                    h0 = tf.nn.leaky_relu(%s.layers.conv2d(image, self.df_dim, 5, 2, "same"))
                    h1 = tf.nn.leaky_relu(self.d_bn1(
                        %s.layers.conv2d(h0, self.df_dim * 2, 5, 2, "same"), train=train))
                    h2 = tf.nn.leaky_relu(self.d_bn2(
                        %s.layers.conv2d(h1, self.df_dim * 4, 5, 2, "same"), train=train))
                    h3 = tf.nn.leaky_relu(self.d_bn3(
                        %s.layers.conv2d(h2, self.df_dim * 8, 5, 2, "same"), train=train))
                    h4 = %s.layers.dense(tf.reshape(h3, [tf.shape(h3)[0], -1]), 1)
                    return tf.nn.sigmoid(h4), h4
        ''' % (bn_cls, bn_cls, bn_cls, st.T, st.T, st.T, st.T, st.T, st.T)))
    parts.append(loss_fn(st))
    has_train = r.random() < 0.4
    if has_train:
        parts.append(train_fn(st))
    parts = pad_module(parts, mixed_fillers(st, flag, 0.4), target, 2)
    return render(st, parts), has_train


def train_module(st: Style, target: int, data: str, model_import: Optional[Tuple[str, str]],
                 model_has_train: bool, local_parts: List[List[str]]) -> str:
    """A session-based training script. ``model_import`` = (import line, inference name);
    without it the network is defined in the script (``local_parts``)."""
    r = st.rng
    T, flag = st.T, st.flag
    extra = ("argparse",) if r.random() < 0.5 else ()
    if model_import:
        local = (model_import[0],)
        if r.random() < 0.4:
            local = ("# batch_norm layers are built in the model module",) + local
        imports = st.imports(extra, local)
        inference = model_import[1]
    else:
        imports = st.imports(extra)
        inference = "inference"
    parts = [docstring(r, "training loop", data), imports]
    flags = block('''
    FLAGS = None
    batch_size = %d
    checkpoint_dir = "/tmp/%s_train"
    ''' % (r.choice((32, 64, 128, 256)), r.choice(("cifar", "mnist", "model", "run"))))
    if st.lr.startswith("FLAGS") or st.lr.startswith("args"):
        st.lr = "learning_rate"
    flags.append("%s = %s" % (st.lr, r.choice(("0.1", "1e-3", "0.01", "2e-4"))))
    parts.append(flags)
    parts += local_parts
    parts.append(next_batch_helper())
    body = block('''
    train_x = np.random.rand(1000, 32, 32, 3).astype(np.float32)
    train_y = np.random.randint(0, 10, size=1000)
    images = %s.placeholder(tf.float32, [None, 32, 32, 3], name="images")
    labels = %s.placeholder(tf.int64, [None], name="labels")
    %s
    %s = %s.placeholder(tf.bool, name="%s")
    %s = %s.train.get_or_create_global_step()
    ''' % (T, T, r.choice(FLAG_COMMENTS), flag, T, flag, st.gs, T))
    early = st.handling == "early_read"
    if early:
        body.append("# collect the batch-norm statistics updates")
        body.append("%s = %s.get_collection(%s.GraphKeys.UPDATE_OPS)" % (st.updates, T, T))
    body.append("logits = %s(images, %s)" % (inference, flag))
    if model_has_train and model_import:
        mod = model_import[2] if len(model_import) > 2 else None
        body.append("%s = %scompute_loss(logits, labels)" % (st.loss, mod + "." if mod else ""))
        body.append("%s = %strain(%s, %s)" % (st.train_op, mod + "." if mod else "", st.loss, st.gs))
        if st.handling == "run_fetch":
            body[-1] = "%s, %s = %strain(%s, %s)" % (st.train_op, st.updates,
                                                     mod + "." if mod else "", st.loss, st.gs)
    else:
        body.append("%s = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits("
                    % st.loss)
        body.append("    labels=labels, logits=logits))")
        if early:
            body += [st.opt + " = " + "%s.train.AdamOptimizer(%s)" % (T, st.lr),
                     "with %s.control_dependencies(%s):" % (T, st.updates),
                     "    %s = %s.minimize(%s, global_step=%s)" % (st.train_op, st.opt, st.loss,
                                                                   st.gs)]
        else:
            body += train_op_lines(st, st.loss, r.choice((
                "%s.train.AdamOptimizer(%s)" % (T, st.lr),
                "%s.train.MomentumOptimizer(%s, momentum=0.9)" % (T, st.lr),
                "%s.train.GradientDescentOptimizer(%s)" % (T, st.lr),
                "%s.train.RMSPropOptimizer(%s, decay=0.9)" % (T, st.lr))))
    body.append("%s.summary.scalar('loss', %s)" % (T, st.loss))
    body.append("saver = %s.train.Saver(%s)" % (T, r.choice(
        ("", "max_to_keep=5", "%s.global_variables()" % T, "%s.trainable_variables()" % T,
         "var_list=%s.trainable_variables()" % T))))
    body.append("")
    body += session_loop(st, "{images: batch_x, labels: batch_y, %s: True}" % flag,
                         str(r.choice((2000, 10000, 50000))))
    if r.random() < 0.5:
        body += [""] + block('''
        # evaluation with the moving statistics
        with %s.Session() as sess:
            saver.restore(sess, %s.train.latest_checkpoint(checkpoint_dir))
            test_logits = sess.run(logits, feed_dict={images: train_x[:100], %s: False})
            print("accuracy:", np.mean(np.argmax(test_logits, 1) == train_y[:100]))
        ''' % (T, T, flag))
    main = ["def main(_):"] + indent(body)
    parts.append(main)
    tail = ["if __name__ == '__main__':"]
    if "argparse" in imports[0:12] or any(line == "import argparse" for line in imports):
        tail += indent(block('''
        parser = argparse.ArgumentParser()
        parser.add_argument("--data_dir", type=str, default="/tmp/data")
        parser.add_argument("--max_steps", type=int, default=10000)
        FLAGS, unparsed = parser.parse_known_args()
        main(None)
        '''))
    else:
        tail.append("    %s.app.run(main)" % T)
    parts.append(tail)
    fillers = h_misc(st, r) if model_import or st.family == "keras" else mixed_fillers(st, flag, 0.3)
    parts = pad_module(parts, fillers, target, 3)
    return render(st, parts)


def estimator_module(st: Style, target: int, data: str) -> str:
    r = st.rng
    T = st.T
    parts = [docstring(r, "Estimator model_fn", data), st.imports()]
    flag_expr = "(mode == %s.estimator.ModeKeys.TRAIN)" % T
    body = ["%s = features['image']" % st.x]
    body += st.prelude("is_training")
    body.insert(0, "is_training = %s" % flag_expr)
    filters = 32
    for i in range(r.choice((3, 4, 5))):
        body.append("%s = %s.layers.conv2d(%s, %d, 3, padding='same', use_bias=False)"
                    % (st.x, T, st.x, filters))
        body += st.bn(st.x, st.x, "is_training", "bn%d" % i)
        body.append("%s = tf.nn.relu(%s)" % (st.x, st.x))
        body.append("%s = %s.layers.max_pooling2d(%s, 2, 2)" % (st.x, T, st.x))
        filters *= 2
    body += block('''
    logits = %s.layers.dense(tf.reduce_mean(%s, axis=[1, 2]), params['num_classes'])
    predictions = {'classes': tf.argmax(logits, axis=1), 'probabilities': tf.nn.softmax(logits)}
    if mode == %s.estimator.ModeKeys.PREDICT:
        return %s.estimator.EstimatorSpec(mode=mode, predictions=predictions)
    %s = %s.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == %s.estimator.ModeKeys.EVAL:
        metrics = {'accuracy': %s.metrics.accuracy(labels, predictions['classes'])}
        return %s.estimator.EstimatorSpec(mode, loss=%s, eval_metric_ops=metrics)
    %s = %s.train.get_global_step()
    ''' % (T, st.x, T, T, st.loss, T, T, T, T, st.loss, st.gs, T))
    if r.random() < 0.3 and st.handling in ("missing", "ctrl"):
        # the train op nested in the EstimatorSpec (the unsafe-fix shape)
        if st.handling == "ctrl":
            body += ["%s = %s.get_collection(%s.GraphKeys.UPDATE_OPS)" % (st.updates, T, T),
                     "with %s.control_dependencies(%s):" % (T, st.updates),
                     "    return %s.estimator.EstimatorSpec(" % T,
                     "        mode, loss=%s, train_op=%s.train.AdamOptimizer(1e-3).minimize("
                     % (st.loss, T),
                     "            %s, global_step=%s))" % (st.loss, st.gs)]
        else:
            body += ["return %s.estimator.EstimatorSpec(" % T,
                     "    mode, loss=%s, train_op=%s.train.AdamOptimizer(1e-3).minimize("
                     % (st.loss, T),
                     "        %s, global_step=%s))" % (st.loss, st.gs)]
    else:
        body += train_op_lines(st, st.loss, "%s.train.AdamOptimizer(params['learning_rate'])" % T)
        if st.handling == "run_fetch":
            body.append("%s = tf.group(%s, *%s)" % (st.train_op, st.train_op, st.updates))
        body.append("return %s.estimator.EstimatorSpec(mode, loss=%s, train_op=%s)"
                    % (T, st.loss, st.train_op))
    parts.append(["def model_fn(features, labels, mode, params):",
                  '    """Model function for the Estimator API."""'] + indent(body))
    parts.append(block('''
    def input_fn(images, labels, batch_size, training):
        dataset = tf.data.Dataset.from_tensor_slices(({'image': images}, labels))
        if training:
            dataset = dataset.shuffle(1000).repeat()
        return dataset.batch(batch_size)


    def main(unused_argv):
        images = np.random.rand(512, 28, 28, 1).astype(np.float32)
        labels = np.random.randint(0, 10, size=512).astype(np.int32)
        classifier = %s.estimator.Estimator(
            model_fn=model_fn, model_dir="/tmp/estimator_model",
            params={'num_classes': 10, 'learning_rate': 1e-3})
        classifier.train(input_fn=lambda: input_fn(images, labels, 64, True), steps=2000)
        results = classifier.evaluate(input_fn=lambda: input_fn(images, labels, 64, False))
        print(results)


    if __name__ == "__main__":
        %s.app.run(main)
    ''' % (T, T)))
    parts = pad_module(parts, h_misc(st, r), target, 2)
    return render(st, parts)


def multi_gpu_module(st: Style, target: int, data: str) -> str:
    r = st.rng
    T, flag = st.T, st.flag
    parts = [docstring(r, "multi-GPU trainer", data), st.imports(("re",))]
    net = ["def tower_network(images, %s, num_classes=10):" % flag] + indent(
        net_body(st, flag, None, r.choice((2, 3))))
    parts.append(net)
    parts.append(block('''
    def average_gradients(tower_grads):
        average_grads = []
        for grad_and_vars in zip(*tower_grads):
            grads = [tf.expand_dims(g, 0) for g, _ in grad_and_vars]
            grad = tf.reduce_mean(tf.concat(axis=0, values=grads), 0)
            average_grads.append((grad, grad_and_vars[0][1]))
        return average_grads
    '''))
    handled = st.handling in ("ctrl", "ctrl_inline", "group", "ctrl_string", "group_list")
    body = block('''
    %s = %s.train.get_or_create_global_step()
    %s = %s.train.MomentumOptimizer(0.1, 0.9)
    images = %s.placeholder(tf.float32, [None, 32, 32, 3])
    labels = %s.placeholder(tf.int64, [None])
    image_splits = tf.split(images, num_gpus)
    label_splits = tf.split(labels, num_gpus)
    tower_grads = []
    for i in range(num_gpus):
        with tf.device('/gpu:%%d' %% i):
            with %s.name_scope('tower_%%d' %% i) as scope:
                with %s.variable_scope(%s.get_variable_scope(), reuse=(i > 0)):
                    logits = tower_network(image_splits[i], True)
                %s = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=label_splits[i], logits=logits))
                if i == 0:
                    # only the first tower's batch-norm updates, as in the slim recipe
                    %s = %s.get_collection(%s.GraphKeys.UPDATE_OPS, scope)
                tower_grads.append(%s.compute_gradients(%s))
    grads = average_gradients(tower_grads)
    ''' % (st.gs, T, st.opt, T, T, T, T, T, T, st.loss, st.updates, T, T, st.opt, st.loss))
    if handled:
        body += ["apply_op = %s.apply_gradients(grads, global_step=%s)" % (st.opt, st.gs),
                 "%s = tf.group(apply_op, *%s)" % (st.train_op, st.updates)]
    else:
        body += ["%s = %s.apply_gradients(grads, global_step=%s)" % (st.train_op, st.opt, st.gs)]
    body += block('''
    with %s.Session(config=%s.ConfigProto(allow_soft_placement=True)) as sess:
        sess.run(%s.global_variables_initializer())
        for step in range(max_steps):
            feed = {images: np.random.rand(64 * num_gpus, 32, 32, 3), labels: np.zeros(64 * num_gpus)}
            _, loss_value = sess.run([%s, %s], feed_dict=feed)
            if step %% 50 == 0:
                print('step', step, 'loss', loss_value)
    ''' % (T, T, T, st.train_op, st.loss))
    parts.append(["def train(num_gpus=2, max_steps=10000):"] + indent(body))
    parts.append(block('''
    if __name__ == '__main__':
        train()
    '''))
    parts = pad_module(parts, h_misc(st, r), target, 2)
    return render(st, parts)


def slim_net_module(st: Style, target: int, data: str) -> str:
    """A slim network with an ``arg_scope`` that sets ``normalizer_fn``/``normalizer_params``."""
    r = st.rng
    name = r.choice(("vgg_bn", "resnet_small", "mobilenet_lite", "inception_mini", "simple_net"))
    st.family = "slim"
    parts = [docstring(r, "slim %s network" % name, data), st.imports()]
    upd = "        'updates_collections': None,\n" if st.in_place else (
        "        'updates_collections': tf.GraphKeys.UPDATE_OPS,\n" if r.random() < 0.5 else "")
    flag_line = "        'is_training': is_training,\n"
    if st.bug_flag:
        flag_line = r.choice(("", "        'is_training': True,\n"))
    params_name = r.choice(("batch_norm_params", "bn_params", "normalizer_params"))
    scope = '''
    def %s_arg_scope(is_training=True, weight_decay=0.0005, batch_norm_decay=0.997,
                     batch_norm_epsilon=1e-5):
        """Defines the default arg scope: every conv is followed by batch norm."""
        %s = {
    %s            'decay': batch_norm_decay,
            'epsilon': batch_norm_epsilon,
            'scale': True,
    %s        }
        with slim.arg_scope(
                [slim.conv2d, slim.fully_connected],
                weights_regularizer=slim.l2_regularizer(weight_decay),
                weights_initializer=slim.variance_scaling_initializer(),
                activation_fn=tf.nn.relu,
                normalizer_fn=slim.batch_norm,
                normalizer_params=%s):
            with slim.arg_scope([slim.batch_norm], **%s):
                with slim.arg_scope([slim.max_pool2d], padding='SAME') as arg_sc:
                    return arg_sc
    ''' % (name, params_name, flag_line, upd, params_name, params_name)
    parts.append(block(scope))
    blocks = []
    for i in range(r.choice((3, 4, 5))):
        blocks.append("        net = slim.repeat(net, %d, slim.conv2d, %d, [3, 3], scope='conv%d')"
                      % (r.choice((1, 2, 3)), 64 * 2 ** min(i, 3), i + 1))
        blocks.append("        net = slim.max_pool2d(net, [2, 2], scope='pool%d')" % (i + 1))
    net = ["def %s(inputs, num_classes=1000, is_training=True, dropout_keep_prob=0.5," % name,
           "           scope='%s'):" % name,
           '    """The %s network. Use inside %s_arg_scope(is_training=...)."""' % (name, name),
           "    with %s.variable_scope(scope, '%s', [inputs]) as sc:" % (st.T, name),
           "        net = inputs"] + blocks + [
           "        net = tf.reduce_mean(net, [1, 2], name='global_pool')",
           "        net = slim.dropout(net, dropout_keep_prob, is_training=is_training,",
           "                           scope='dropout')",
           "        logits = slim.fully_connected(net, num_classes, activation_fn=None,",
           "                                      normalizer_fn=None, scope='logits')",
           "        return logits"]
    parts.append(net)
    parts.append(["%s.default_image_size = 224" % name])
    parts = pad_module(parts, h_misc(st, r), target, 2)
    return render(st, parts), name


def slim_train_module(st: Style, target: int, data: str, net_import: str, net: str) -> str:
    r = st.rng
    T = st.T
    st.family = "slim"
    parts = [docstring(r, "slim training script", data)]
    imports = st.imports(local=(net_import,))
    parts.append(imports)
    explicit_empty = st.handling == "missing" and r.random() < 0.3
    body = block('''
    with tf.Graph().as_default():
        %s = %s.train.get_or_create_global_step()
        images = %s.placeholder(tf.float32, [None, 224, 224, 3])
        labels = %s.placeholder(tf.int64, [None])
        with slim.arg_scope(%s.%s_arg_scope(is_training=True)):
            logits = %s.%s(images, num_classes=FLAGS.num_classes, is_training=True)
        slim.losses.sparse_softmax_cross_entropy(logits, labels)
        %s = slim.losses.get_total_loss()
        %s = %s.train.MomentumOptimizer(FLAGS.learning_rate, 0.9)
    ''' % (st.gs, T, T, T, net, net, net, net, st.loss, st.opt, T))
    if st.handling in ("helper", "ctrl", "ctrl_inline", "group", "run_fetch", "ctrl_string",
                       "group_list"):
        body += ["    # create_train_op runs the UPDATE_OPS (batch norm) for us",
                 "    %s = slim.learning.create_train_op(%s, %s, global_step=%s)"
                 % (st.train_op, st.loss, st.opt, st.gs)]
    elif explicit_empty:
        body += ["    %s = slim.learning.create_train_op(%s, %s, update_ops=[])"
                 % (st.train_op, st.loss, st.opt)]
    else:
        st.handling = r.choice(("missing", "unused", "opt_only"))
        st.train_form = "minimize"
        body += ["    %s = %s.minimize(%s, global_step=%s)" % (st.train_op, st.opt, st.loss, st.gs)]
    body += block('''
        slim.learning.train(%s, logdir=FLAGS.train_dir, number_of_steps=FLAGS.max_steps,
                            save_summaries_secs=300, save_interval_secs=600)
    ''' % st.train_op)
    parts.append(block('''
    flags = tf.app.flags
    flags.DEFINE_string('train_dir', '/tmp/train', 'Where checkpoints and summaries go.')
    flags.DEFINE_float('learning_rate', 0.01, 'Initial learning rate.')
    flags.DEFINE_integer('num_classes', 1000, 'Number of classes.')
    flags.DEFINE_integer('max_steps', 100000, 'Number of training steps.')
    FLAGS = flags.FLAGS
    '''))
    parts.append(["def main(_):"] + indent(body))
    parts.append(block('''
    if __name__ == '__main__':
        tf.app.run()
    '''))
    parts = pad_module(parts, h_misc(st, r), target, 3)
    return render(st, parts)


def keras_graph_module(st: Style, target: int, data: str) -> str:
    """Keras BatchNormalization trained in graph mode (BNU006 territory)."""
    r = st.rng
    st.family = "keras"
    if st.keras_spelling == "K":
        st.keras_spelling = "tf.keras.layers"
    T = st.T if st.tf_mode != "compat_attr" else "tf.compat.v1"
    parts = [docstring(r, "Keras model trained with a Session", data), st.imports()]
    sp = st.keras_spelling
    keras = sp.rsplit(".", 1)[0] if "." in sp else "tf.keras"
    parts.append(block('''
    def build_model(num_classes=10):
        model = %s.Sequential([
            %s.Conv2D(32, 3, padding='same', input_shape=(32, 32, 3)),
            %s.BatchNormalization(),
            %s.Activation('relu'),
            %s.Conv2D(64, 3, strides=2, padding='same'),
            %s.BatchNormalization(momentum=0.9),
            %s.Activation('relu'),
            %s.GlobalAveragePooling2D(),
            %s.Dense(num_classes),
        ])
        return model
    ''' % (((keras + ".models" if keras != "tf.keras" else "tf.keras"),) + (sp,) * 8)))
    updates = r.choice(("model.updates", "UPDATE_OPS", "none", "none"))
    body = block('''
    %s.disable_eager_execution()
    images = %s.placeholder(tf.float32, [None, 32, 32, 3])
    labels = %s.placeholder(tf.int64, [None])
    model = build_model()
    logits = model(images, training=True)
    %s = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    %s = %s.train.AdamOptimizer(1e-3)
    ''' % ("tf.compat.v1", T, T, st.loss, st.opt, T))
    if updates == "model.updates":
        body += ["with %s.control_dependencies(model.updates):" % T,
                 "    %s = %s.minimize(%s)" % (st.train_op, st.opt, st.loss)]
    elif updates == "UPDATE_OPS":
        body += ["# the textbook fix (does nothing for Keras layers)",
                 "with %s.control_dependencies(%s.get_collection(%s.GraphKeys.UPDATE_OPS)):"
                 % (T, T, T),
                 "    %s = %s.minimize(%s)" % (st.train_op, st.opt, st.loss)]
    else:
        body += ["%s = %s.minimize(%s)" % (st.train_op, st.opt, st.loss)]
    body += block('''
    with %s.Session() as sess:
        sess.run(%s.global_variables_initializer())
        for step in range(1000):
            x = np.random.rand(32, 32, 32, 3)
            y = np.random.randint(0, 10, 32)
            _, loss_value = sess.run([%s, %s], {images: x, labels: y})
    ''' % (T, T, st.train_op, st.loss))
    parts.append(["def main():"] + indent(body))
    parts.append(block('''
    if __name__ == '__main__':
        main()
    '''))
    parts = pad_module(parts, h_misc(st, r), target, 2)
    return render(st, parts)


def tape_module(st: Style, target: int, data: str) -> str:
    """TF2 custom training loop with a Keras model holding batch norm (BNU007 territory)."""
    r = st.rng
    st.tf_mode = "tf1"
    st.T = "tf"
    st.family = "keras"
    parts = [docstring(r, "custom training loop", data),
             ["import time", "", "import numpy as np", "import tensorflow as tf"]]
    subclass = r.random() < 0.5
    if subclass:
        parts.append(block('''
        class ConvNet(tf.keras.Model):
            def __init__(self, num_classes=10):
                super(ConvNet, self).__init__()
                self.conv1 = tf.keras.layers.Conv2D(32, 3, padding='same')
                self.bn1 = tf.keras.layers.BatchNormalization()
                self.conv2 = tf.keras.layers.Conv2D(64, 3, strides=2, padding='same')
                self.bn2 = tf.keras.layers.BatchNormalization()
                self.pool = tf.keras.layers.GlobalAveragePooling2D()
                self.fc = tf.keras.layers.Dense(num_classes)

            def call(self, x, training=False):
                x = tf.nn.relu(self.bn1(self.conv1(x), training=training))
                x = tf.nn.relu(self.bn2(self.conv2(x), training=training))
                return self.fc(self.pool(x))
        '''))
        ctor = "ConvNet()"
    else:
        ctor = r.choice(("tf.keras.applications.ResNet50(weights=None, classes=10, "
                         "input_shape=(32, 32, 3))",
                         "tf.keras.applications.MobileNetV2(weights=None, classes=10, "
                         "input_shape=(32, 32, 3))"))
    call = r.choice(("model(images, training=True)", "model(images)",
                     "model(images, training=True)"))
    parts.append(block('''
    model = %s
    optimizer = tf.keras.optimizers.Adam(1e-3)
    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_loss = tf.keras.metrics.Mean(name='train_loss')


    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            logits = %s
            loss = loss_object(labels, logits)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)


    def evaluate(images, labels):
        logits = model(images, training=False)
        return np.mean(np.argmax(logits.numpy(), 1) == labels)


    def main(epochs=5):
        images = np.random.rand(256, 32, 32, 3).astype(np.float32)
        labels = np.random.randint(0, 10, 256)
        dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)
        for epoch in range(epochs):
            start = time.time()
            train_loss.reset_states()
            for batch_images, batch_labels in dataset:
                train_step(batch_images, batch_labels)
            # batch norm moving statistics are used here
            print(epoch, float(train_loss.result()), evaluate(images, labels), time.time() - start)


    if __name__ == '__main__':
        main()
    ''' % (ctor, call)))
    parts = pad_module(parts, h_misc(st, r), target, 2)
    return render(st, parts)


def eval_module(st: Style, target: int, data: str, model_import: Tuple[str, str]) -> str:
    r = st.rng
    T, flag = st.T, st.flag
    imports = st.imports(local=(model_import[0],))
    parts = [docstring(r, "evaluation script", data), imports]
    parts.append(block('''
    def evaluate(checkpoint_dir, images_np, labels_np, batch_size=100):
        """Accuracy of the latest checkpoint; batch norm uses its moving statistics."""
        with tf.Graph().as_default():
            images = %s.placeholder(tf.float32, [None, 32, 32, 3])
            %s = %s.placeholder_with_default(False, [], name='%s')
            logits = %s(images, %s)
            # restore everything, including the batch_norm moving_mean / moving_variance
            saver = %s.train.Saver(%s.global_variables())
            with %s.Session() as sess:
                ckpt = %s.train.get_checkpoint_state(checkpoint_dir)
                if not (ckpt and ckpt.model_checkpoint_path):
                    print('No checkpoint file found in %%s' %% checkpoint_dir)
                    return None
                saver.restore(sess, ckpt.model_checkpoint_path)
                correct = 0
                for start in range(0, len(images_np), batch_size):
                    out = sess.run(logits, {images: images_np[start:start + batch_size]})
                    correct += np.sum(np.argmax(out, 1) == labels_np[start:start + batch_size])
                return float(correct) / len(images_np)


    if __name__ == '__main__':
        x = np.random.rand(500, 32, 32, 3).astype(np.float32)
        y = np.random.randint(0, 10, 500)
        print('accuracy', evaluate('/tmp/train', x, y))
    ''' % (T, flag, T, flag, model_import[1], flag, T, T, T, T)))
    parts = pad_module(parts, h_misc(st, r), target, 2)
    return render(st, parts)


def nets_factory(st: Style, nets: List[str], data: str) -> str:
    """``nets/__init__.py``: the slim-style factory that maps names to networks."""
    r = st.rng
    lines = docstring(r, "network factory", data) + [""] + \
        ["import functools", "", "import tensorflow as tf", ""]
    lines += ["from . import %s" % n for n in nets]
    lines += ["", "", "networks_map = {"] + ["    '%s': %s.%s," % (n, n, n) for n in nets] + ["}"]
    lines += ["", "arg_scopes_map = {"] + ["    '%s': %s.%s_arg_scope," % (n, n, n)
                                           for n in nets] + ["}"]
    lines += ["", ""] + block('''
    def get_network_fn(name, num_classes, weight_decay=0.0, is_training=False):
        """Returns a network_fn such as `logits, end_points = network_fn(images)`.

        Args:
          name: The name of the network.
          num_classes: The number of classes to use for classification.
          weight_decay: The l2 coefficient for the model weights.
          is_training: `True` if the model is being used for training (batch norm then
            uses batch statistics and creates the moving-average update ops).

        Returns:
          network_fn: A function that applies the model to a batch of images.

        Raises:
          ValueError: If network `name` is not recognized.
        """
        if name not in networks_map:
            raise ValueError('Name of network unknown %s' % name)
        func = networks_map[name]

        @functools.wraps(func)
        def network_fn(images, **kwargs):
            arg_scope = arg_scopes_map[name](weight_decay=weight_decay, is_training=is_training)
            with slim.arg_scope(arg_scope):
                return func(images, num_classes=num_classes, is_training=is_training, **kwargs)

        if hasattr(func, 'default_image_size'):
            network_fn.default_image_size = func.default_image_size
        return network_fn


    def list_networks():
        """Names accepted by get_network_fn, sorted."""
        return sorted(networks_map)


    def batch_norm_variables(scope=None):
        """Moving mean and variance of every batch_norm layer under ``scope``."""
        return [v for v in tf.global_variables(scope)
                if v.name.endswith(('moving_mean:0', 'moving_variance:0'))]


    def describe(name):
        """One line per layer of a network, for the README tables."""
        func = networks_map[name]
        images = tf.placeholder(tf.float32, [1, 224, 224, 3])
        with tf.Graph().as_default():
            logits = func(images, num_classes=10, is_training=False)
        return '%s: %s' % (name, logits.get_shape())


    def count_batch_norm_layers(graph=None):
        """How many FusedBatchNorm ops a graph holds (useful when folding batch norm)."""
        graph = graph or tf.get_default_graph()
        return sum(1 for op in graph.get_operations() if op.type.startswith('FusedBatchNorm'))
    ''')
    lines.insert(lines.index("import tensorflow as tf") + 1, st.slim_import
                 if st.slim_import.startswith("import") else "import tf_slim as slim")
    lines += ["", ""] + block('''
    def get_preprocessing(name, is_training=False):
        """Returns preprocessing_fn(image, output_height, output_width, **kwargs).

        The same function serves training (random crops and flips) and evaluation
        (central crop), chosen by ``is_training`` exactly like the batch-norm flag.
        """
        def preprocessing_fn(image, output_height, output_width, **kwargs):
            image = tf.image.convert_image_dtype(image, dtype=tf.float32)
            if is_training:
                image = tf.image.resize_image_with_crop_or_pad(image, output_height + 8,
                                                               output_width + 8)
                image = tf.random_crop(image, [output_height, output_width, 3])
                image = tf.image.random_flip_left_right(image)
            else:
                image = tf.image.resize_image_with_crop_or_pad(image, output_height,
                                                               output_width)
            image = tf.subtract(image, 0.5)
            return tf.multiply(image, 2.0)

        if name not in networks_map:
            raise ValueError('Preprocessing name [%s] was not recognized' % name)
        return preprocessing_fn


    def get_variables_to_train(trainable_scopes=None):
        """Variables to train, from a comma-separated list of scopes (all if None).

        Batch-norm moving averages are never in this list: they are not trainable and
        are updated by the UPDATE_OPS, not by the optimizer.
        """
        if trainable_scopes is None:
            return tf.trainable_variables()
        scopes = [scope.strip() for scope in trainable_scopes.split(',')]
        variables_to_train = []
        for scope in scopes:
            variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope)
            variables_to_train.extend(variables)
        return variables_to_train
    ''')
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Projects


def target_lines(r: random.Random) -> int:
    return r.randint(MIN_LINES + 15, MAX_LINES - 60)


def gen_project(r: random.Random, index: int) -> Dict[str, str]:
    """One project: a single script, a flat multi-module project, or a package with nets/."""
    data = r.choice(DATASETS)
    kind = r.choice(("script", "script", "script", "estimator", "multi_gpu", "keras_graph",
                     "tape", "flat", "flat", "flat", "flat", "slim_pkg", "slim_pkg"))
    files: Dict[str, str] = {}
    root = "p%03d_%s" % (index, kind)
    if kind == "script":
        st = Style(r)
        local: List[List[str]] = []
        conv = None
        if r.random() < 0.5:
            local.append(h_bn_wrapper(st, st.flag) if not st.family.startswith("keras")
                         else h_lrelu(st))
            if not st.family.startswith("keras"):
                c, conv = h_conv_bn(st, st.flag, local_bn=True)
                local.append(c)
        local.append(["def inference(images, %s, num_classes=10):" % st.flag]
                     + indent(net_body(st, st.flag, conv, r.choice((2, 3)))))
        name = r.choice(("train.py", "main.py", "train_%s.py" % r.choice(("bn", "cnn", "resnet"))))
        files["%s/%s" % (root, name)] = train_module(st, target_lines(r), data, None, False, local)
    elif kind == "estimator":
        st = Style(r, r.choice(("layers_fn", "layers_cls", "partial_layers", "contrib")))
        files["%s/estimator_main.py" % root] = estimator_module(st, target_lines(r), data)
    elif kind == "multi_gpu":
        st = Style(r, r.choice(("layers_fn", "contrib", "contrib_from", "slim", "layers_cls")))
        files["%s/multi_gpu_train.py" % root] = multi_gpu_module(st, target_lines(r), data)
    elif kind == "keras_graph":
        st = Style(r, "keras")
        files["%s/keras_session.py" % root] = keras_graph_module(st, target_lines(r), data)
    elif kind == "tape":
        st = Style(r, "keras")
        files["%s/custom_loop.py" % root] = tape_module(st, target_lines(r), data)
    elif kind == "flat":
        st = Style(r)
        while st.family == "keras":
            st = Style(r)
        ops_name = r.choice(("ops", "layers_util", "nn_ops", "utils"))
        ops_src, exports = ops_module(st, target_lines(r), data)
        files["%s/%s.py" % (root, ops_name)] = ops_src
        model_src, has_train = model_module(st, target_lines(r), data, ops_name, exports)
        files["%s/model.py" % root] = model_src
        st.handling = Style(r, st.family).handling if r.random() < 0.3 else st.handling
        how = r.choice(("from", "module"))
        if how == "from":
            imp = ("from model import inference%s" % (", compute_loss, train" if has_train else ""),
                   "inference", None)
        else:
            imp = ("import model", "model.inference", "model")
        if has_train and how == "from":
            imp = (imp[0], imp[1], None)
        files["%s/train.py" % root] = train_module(st, target_lines(r), data, imp, has_train, [])
        if r.random() < 0.6:
            files["%s/eval.py" % root] = eval_module(st, target_lines(r), data,
                                                     ("from model import inference", "inference"))
    else:  # slim_pkg
        st = Style(r, "slim")
        nets = []
        for _ in range(r.choice((1, 2, 3))):
            src, name = slim_net_module(Style(r, "slim"), target_lines(r), data)
            if name in nets:
                continue
            nets.append(name)
            files["%s/nets/%s.py" % (root, name)] = src
        files["%s/nets/__init__.py" % root] = nets_factory(st, nets, data)
        net = nets[0]
        imp = r.choice(("from nets import %s" % net, "import nets.%s as %s" % (net, net)))
        files["%s/train_image_classifier.py" % root] = slim_train_module(
            st, target_lines(r), data, imp, net)
    return files


def generate_corpus_a(seed: int = DEFAULT_SEED, n_files: int = DEFAULT_FILES) -> Dict[str, str]:
    """Relative path -> source. A pure function of (seed, n_files, GENERATOR_VERSION)."""
    r = random.Random("corpus-a/%s/%d" % (GENERATOR_VERSION, seed))
    files: Dict[str, str] = {}
    index = 0
    while len(files) < n_files:
        files.update(gen_project(r, index))
        index += 1
    return files


def _digest(files: Dict[str, str]) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode() + b"\0" + files[path].encode() + b"\0")
    return h.hexdigest()


# Written at the top of each generated project: the root a real repository marks with ``.git``.
# Without it the checker's search for a project's root (the nearest folder with a marker, where
# scripts run from) climbed out of the corpus into this repository, and every generated project
# read ``benchmarks/*.py`` as its importers and, through their imports, the package itself
# (issue 23: most of what following imports cost on corpus A was the benchmark's own scripts).
PROJECT_ROOT_MARKER = "setup.cfg"
PROJECT_ROOT_MARKER_TEXT = "# the root of one generated project of benchmark corpus A (benchmarks/corpus.py)\n"


def project_markers(files: Dict[str, str]) -> Dict[str, str]:
    """Relative path -> text of the root marker of each project folder of ``files``."""
    return {"%s/%s" % (rel.split("/", 1)[0], PROJECT_ROOT_MARKER): PROJECT_ROOT_MARKER_TEXT
            for rel in files if "/" in rel}


def write_corpus_a(seed: int = DEFAULT_SEED, n_files: int = DEFAULT_FILES,
                   root: Optional[Path] = None) -> Path:
    """Write corpus A to ``benchmarks/.corpus/a-<seed>/`` (reused while unchanged), each
    project folder with its root marker."""
    files = generate_corpus_a(seed, n_files)
    files.update(project_markers(files))
    digest = _digest(files)
    target = Path(root) if root else CACHE / ("a-%d" % seed)
    stamp = target / ".complete"
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return target
    if target.exists():
        shutil.rmtree(target)
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    stamp.write_text(digest + "\n")
    return target


def corpus_b() -> Tuple[Path, str]:
    """The installed tf_keras package (or tensorflow), found without importing it."""
    for name in ("tf_keras", "tensorflow"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            return Path(list(spec.submodule_search_locations)[0]), name
    raise SystemExit("corpus B needs tf_keras or tensorflow installed")


def corpus_c() -> Tuple[Path, List[str]]:
    """The running interpreter's standard library; site-packages (third-party code, not the
    standard library) is excluded, test folders are kept."""
    return Path(sysconfig.get_paths()["stdlib"]), ["site-packages", "dist-packages"]


BIG_LINES = 60000


def write_corpus_d(lines: int = BIG_LINES) -> Path:
    """D: one file of ``lines`` lines of batch-norm calls and a bare train op at the end (the
    worst case of issue 14: a long generated network in one module). Written once."""
    folder = CACHE / ("d-%d" % lines)
    path = folder / "big_network.py"
    if path.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    body = ["import tensorflow as tf", "", "", "def network(x, is_training):"]
    for _ in range(lines - 10):
        body.append("    x = tf.layers.batch_normalization(x, training=is_training)")
    body += ["    return x", "", "", "def train(loss):", "    return tf.train.AdamOptimizer(1e-3).minimize(loss)"]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return folder


def python_files(root: Path, exclude: List[str] = ()) -> List[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in exclude and not d.startswith("."))
        out += [Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py")]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    args = parser.parse_args(argv)
    a = write_corpus_a(args.seed, args.files)
    b, b_name = corpus_b()
    c, c_excl = corpus_c()
    for label, path, excl in (("A", a, []), ("B (%s)" % b_name, b, []), ("C", c, c_excl)):
        files = python_files(path, excl)
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        print("%-14s %5d files %8d lines  %s" % (label, len(files), lines, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
