"""BNU303: a Flax (or Haiku) batch norm's momentum written with PyTorch's meaning.

Measured: ``flax.linen.BatchNorm(momentum=m)`` keeps ``m`` of the old running average per
step (default 0.99), as Keras does; PyTorch's ``momentum=0.1`` is the weight of the new batch.
"""
from __future__ import annotations

from typing import Iterable

from ..core.facts.module import ModuleFacts
from .base import Report, Rule
from .momentum import momentum_reports
from ..findings import FixSafety


def check(facts: ModuleFacts) -> Iterable[Report]:
    return momentum_reports(facts, "BNU303")


RULE = Rule(
    code="BNU303",
    title="Flax/Haiku batch-norm momentum with PyTorch's meaning",
    effect=(
        "`flax.linen.BatchNorm(momentum=m)` and `flax.nnx.BatchNorm(..., momentum=m)` update `ra = m * ra + (1 - m) "
        "* batch` (default 0.99); Haiku's `hk.BatchNorm(decay_rate=m)` likewise. PyTorch's `momentum=0.1` is the "
        "weight of the new batch. A value `m <= 0.5` (resolved through names too) most likely carries PyTorch's "
        "meaning: measured, one step with `momentum=0.1` leaves 0.1 old + 0.9 batch, so evaluation uses the "
        "statistics of the last few batches. Silent for `m > 0.5` and for values it cannot see. "
        "Off by default (enable with `--select BNU` or `extend-select = BNU303`). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught none of flaxmodels' 8 Flax-momentum BUG "
        "rows and was charged with none of 15 correct look-alikes. A momentum passed through the project's own "
        "wrapper is followed to the call that writes it, but flaxmodels' wrapper builds its own copy of Flax's "
        "`BatchNorm` class (in its `ops.py`), which is not recognised as Flax's. Under the bar (precision >= 90% "
        "and recall >= 80%)."),
    fix=("Replaces a literal `m` written in the call (or in the call of the project's wrapper that passes it on) "
         "by `1 - m`, exactly (`0.1` -> `0.9`). Unsafe: it changes the statistics evaluation will use, and a small "
         "momentum can be deliberate."),
    fix_safety=FixSafety.UNSAFE,
    fix_title="write `{text}` instead of `{target}`",
    flagged=(
        """\
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(64)(x)
        return nn.BatchNorm(use_running_average=not train, momentum=0.1)(x)  # expect: BNU303:69
""",
        """\
import flax.linen as nn


def batch_norm(x, train, momentum=0.99):
    return nn.BatchNorm(use_running_average=not train, momentum=momentum)(x)


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(64)(x)
        return batch_norm(x, train, momentum=0.1)  # expect: BNU303:46
""",
    ),
    silent=(
        """\
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(64)(x)
        return nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
""",
        """\
import flax.linen as nn


def batch_norm(x, train, momentum=0.1):
    # the wrapper takes PyTorch's meaning and converts it
    return nn.BatchNorm(use_running_average=not train, momentum=1 - momentum)(x)


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(64)(x)
        return batch_norm(x, train, momentum=0.1)
""",
    ),
    check=check,
    fixed=(
        (
            """\
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(64)(x)
        return nn.BatchNorm(use_running_average=not train, momentum=0.1)(x)
""",
            """\
import flax.linen as nn


class Net(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool):
        x = nn.Dense(64)(x)
        return nn.BatchNorm(use_running_average=not train, momentum=0.9)(x)
""",
        ),
        (
            """\
import flax.linen as nn


def batch_norm(x, train, momentum=0.99):
    return nn.BatchNorm(use_running_average=not train, momentum=momentum)(x)


def head(x, train):
    return batch_norm(x, train, momentum=0.1)
""",
            """\
import flax.linen as nn


def batch_norm(x, train, momentum=0.99):
    return nn.BatchNorm(use_running_average=not train, momentum=momentum)(x)


def head(x, train):
    return batch_norm(x, train, momentum=0.9)
""",
        ),
    ),
)
