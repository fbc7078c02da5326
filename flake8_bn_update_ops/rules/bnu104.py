"""BNU104: a PyTorch batch norm built with ``momentum >= 0.5``: the other frameworks' meaning.

Measured (tests/pytorch/test_torch_facts.py): PyTorch's momentum is the weight of the *new*
batch (``running = (1 - m) * running + m * batch``); Keras and Flax weight the old value.
"""
from __future__ import annotations

from typing import Iterable

from .. import torch_api
from ..core.facts.module import ModuleFacts
from ..core.values import Api, Const, options
from ..fixes.plans import UNSAFE, ReplaceExpression
from ..findings import FixSafety
from .base import Report, Rule


def check(facts: ModuleFacts) -> Iterable[Report]:
    for call in facts.index.calls:
        if not any(type(option) is Api and option.name in torch_api.MOMENTUM_CLASSES
                   for option in options(facts.callee(call))):
            continue
        node = call.node
        argument = next((keyword.value for keyword in node.keywords if keyword.arg == torch_api.MOMENTUM_KEYWORD), None)
        if argument is None and len(node.args) > torch_api.MOMENTUM_POSITION:
            argument = node.args[torch_api.MOMENTUM_POSITION]
        if argument is None:
            continue
        value = facts.resolver.value(argument, facts.at(call))
        if type(value) is not Const or type(value.value) not in (int, float) or type(value.value) is bool:
            continue
        momentum = value.value
        # 1.0 keeps only the latest batch: a deliberate choice (meta-learning), not a confusion.
        if not torch_api.MOMENTUM_SUSPECT <= momentum < 1:
            continue
        flipped = round(1 - momentum, 10)
        fix = ReplaceExpression(facts.source.span(argument), repr(flipped), UNSAFE) \
            if value.node is argument else None
        yield Report(argument, "BNU104",
                     f"BNU104 batch norm momentum {momentum!r} has the Keras/TensorFlow meaning: PyTorch weights "
                     f"the new batch by it, so the running statistics follow the last few batches; "
                     f"{flipped!r} is the PyTorch value", fix)


RULE = Rule(
    code="BNU104",
    title="PyTorch batch-norm momentum with the other frameworks' meaning",
    effect=(
        "`nn.BatchNorm1d/2d/3d`, `SyncBatchNorm` or `LazyBatchNorm*d` built with `momentum` (keyword or third "
        "positional argument, a literal or a constant the resolver reads) at least 0.5 and below 1. PyTorch's "
        "momentum is the weight of the new batch (`running = (1 - m) * running + m * batch`, default 0.1), the "
        "opposite of Keras's and Flax's `momentum` (0.99: the weight of the old value). Measured: with 0.9 the "
        "running statistics are those of the last few batches, and evaluation uses them. Silent for values below "
        "0.5, for `momentum=None` (cumulative average) and for exactly 1 (keeps only the latest batch: "
        "deliberate in meta-learning). "
        "On by default. Figures on benchmarks/torchreal (83 repositories, December 2026): caught the one "
        "untagged PyTorch-momentum BUG row (PyTorch-YOLOv3) and was charged with none of 15 correct "
        "look-alikes; 2 findings outside the labels, both correct (swa_gaussian's `momentum=0.9`). The scorer's"
        " per-code recall, 1 of 9, counts flaxmodels' 8 rows, a Flax momentum of 0.1 (BNU303's form); on "
        "PyTorch rows it meets the bar (precision >= 90% and recall >= 80%), so it stays on."),
    fix="Replaces a literal `m` with `1 - m` written as a literal (`0.9` -> `0.1`) (unsafe: it changes training; "
        "a constant defined elsewhere is not rewritten).",
    fix_safety=FixSafety.UNSAFE,
    fix_title="write the PyTorch momentum `{text}`",
    no_fix="the momentum is a constant defined elsewhere, which may have other uses",
    flagged=(
        """\
from torch import nn

bn = nn.BatchNorm2d(64, momentum=0.9)  # expect: BNU104:34
""",
        """\
import torch

bn = torch.nn.BatchNorm1d(64, 1e-3, 0.99)  # expect: BNU104:37
""",
    ),
    silent=(
        """\
from torch import nn

bn = nn.BatchNorm2d(64, momentum=0.1)
""",
        """\
from torch import nn

bn = nn.BatchNorm2d(64, momentum=1.0)
""",
        """\
import tensorflow as tf

bn = tf.keras.layers.BatchNormalization(momentum=0.9)
""",
    ),
    check=check,
    fixed=(
        (
            """\
from torch import nn

bn = nn.BatchNorm2d(64, momentum=0.9)
""",
            """\
from torch import nn

bn = nn.BatchNorm2d(64, momentum=0.1)
""",
        ),
        (
            """\
import torch

bn = torch.nn.BatchNorm1d(64, 1e-3, 0.99)
""",
            """\
import torch

bn = torch.nn.BatchNorm1d(64, 1e-3, 0.01)
""",
        ),
    ),
)
