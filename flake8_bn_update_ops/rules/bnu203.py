"""BNU203: a Keras/TensorFlow batch norm's momentum written with PyTorch's meaning.

Measured: Keras keeps ``momentum`` of the old moving statistic per step (default 0.99);
PyTorch's ``momentum=0.1`` is the weight of the new batch. ``momentum=0.1`` in Keras keeps a
tenth of the old value, so the moving statistics follow only the last few batches.
"""
from __future__ import annotations

from typing import Iterable

from ..core.facts.module import ModuleFacts
from .base import Report, Rule
from .momentum import momentum_reports
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    return momentum_reports(facts, "BNU203")


RULE = Rule(
    code="BNU203",
    title="Keras/TensorFlow batch-norm momentum with PyTorch's meaning",
    effect=(
        "`keras.layers.BatchNormalization(momentum=m)` (also `tf.keras`, `tf.layers.batch_normalization`, and "
        "`decay=` of contrib/slim `batch_norm`) updates `moving = m * moving + (1 - m) * batch`: `m` is the weight "
        "of the old statistic, default 0.99 (0.999 for `decay`). PyTorch's `momentum=0.1` is the weight of the new "
        "batch. A literal `m <= 0.5` (the value resolved through names too) most likely carries PyTorch's meaning: "
        "measured, after one step with `momentum=0.1` the moving mean is 0.1 old + 0.9 batch, so the statistics "
        "used at inference are those of the last few batches. Silent for `m > 0.5`, and for a value it cannot see. "
        "Off by default (enable with `--select BNU` or `extend-select = BNU203`). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught all 11 Keras-momentum BUG rows "
        "(Wide-Residual-Networks, `momentum=0.1` at 11 sites) and was charged with none of 15 correct "
        "look-alikes; the scorer's per-code recall, 11 of 19, counts flaxmodels' 8 Flax rows (BNU303's form). "
        "On its own framework it meets the bar (precision >= 90% and recall >= 80%), but all its rows are one "
        "defect of one repository, too little to put it on."),
    fix=("Replaces a literal `m` written in the call (or in the call of the project's wrapper that passes it on) "
         "by `1 - m`, exactly (`0.1` -> `0.9`). Unsafe: it changes the "
         "statistics the model will be evaluated with, and a small momentum can be deliberate (a short "
         "fine-tuning run)."),
    fix_safety=FixSafety.UNSAFE,
    fix_title="write `{text}` instead of `{target}`",
    flagged=(
        """\
import keras

model = keras.Sequential([
    keras.layers.Dense(64),
    keras.layers.BatchNormalization(momentum=0.1),  # expect: BNU203:46
])
""",
        """\
import tensorflow as tf

MOMENTUM = 0.01


def block(x, training):
    x = tf.layers.conv2d(x, 32, 3)
    return tf.layers.batch_normalization(x, momentum=MOMENTUM, training=training)  # expect: BNU203:54
""",
        """\
import keras


def conv_bn(x, filters, momentum=0.99):
    x = keras.layers.Conv2D(filters, 3)(x)
    return keras.layers.BatchNormalization(momentum=momentum)(x)


inputs = keras.Input((32, 32, 3))
outputs = conv_bn(conv_bn(inputs, 16, momentum=0.1), 32)  # expect: BNU203:48
""",
    ),
    silent=(
        """\
import keras

model = keras.Sequential([
    keras.layers.Dense(64),
    keras.layers.BatchNormalization(momentum=0.9),
])
""",
        """\
import torch.nn as nn

model = nn.Sequential(nn.Linear(8, 64), nn.BatchNorm1d(64, momentum=0.1))
""",
        """\
import keras
import torch.nn as nn


def conv_bn(x, filters, momentum=0.99):
    x = keras.layers.Conv2D(filters, 3)(x)
    return keras.layers.BatchNormalization(momentum=momentum)(x)


def torch_bn(channels, momentum=0.1):
    return nn.BatchNorm2d(channels, momentum=momentum)


inputs = keras.Input((32, 32, 3))
outputs = conv_bn(conv_bn(inputs, 16, momentum=0.9), 32)
norm = torch_bn(16, momentum=0.1)
""",
    ),
    check=check,
    fixed=(
        (
            """\
import keras

model = keras.Sequential([
    keras.layers.Dense(64),
    keras.layers.BatchNormalization(momentum=0.1),
])
""",
            """\
import keras

model = keras.Sequential([
    keras.layers.Dense(64),
    keras.layers.BatchNormalization(momentum=0.9),
])
""",
        ),
    ),
)
