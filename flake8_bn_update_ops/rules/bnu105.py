"""BNU105: batch norm "frozen" by ``requires_grad=False`` alone, in a module that trains.

Measured (tests/pytorch/test_torch_facts.py): with every batch-norm parameter's
``requires_grad`` off, a training-mode forward still normalises with the batch's statistics and
moves the running statistics; after ``.eval()`` of the batch norm they stay.
"""
from __future__ import annotations

import ast
from typing import Iterable, Iterator, Tuple

from .. import torch_api
from ..core.facts.module import ModuleFacts
from ..core.kinds import EventKind, ScopeKind
from ..core.torch_flow import EVAL, TorchFlow, loops_of
from ..findings import FixSafety
from .base import Report, Rule
from .torch_freeze import (batch_norm_eval_freezes, canonical, freezes, frozen_contains_bn, momentum_targets,
                           receiver_key, tracking_switched, trains_anywhere)
from .torch_mode import continuation, eval_events


def _related(key: str, other: str) -> bool:
    key, other = canonical(key), canonical(other)
    return key == other or key.startswith(other + ".") or other.startswith(key + ".")


def _subscript_mode_calls(flow: TorchFlow, index) -> Iterator[Tuple[object, str, bool]]:
    """(call, canonical key, to evaluation mode) for each ``.eval()``/``.train(flag)`` of a
    subscripted receiver (``model.layers[0].eval()``, ``nets[i].train(False)``), which the mode
    flow's events (names and attributes only) leave out; ``.train(x)`` of a flag it cannot read
    is neither."""
    for call in index.calls:
        func = call.node.func
        if type(func) is not ast.Attribute or flow.key(func.value) is not None:
            continue
        arguments = list(call.node.args) + [keyword.value for keyword in call.node.keywords]
        if func.attr == torch_api.EVAL_METHOD and not arguments:
            to_eval = True
        elif func.attr == torch_api.TRAIN_METHOD and len(arguments) <= 1:
            if arguments and not (type(arguments[0]) is ast.Constant and type(arguments[0].value) is bool):
                continue
            to_eval = bool(arguments) and arguments[0].value is False
        else:
            continue
        key = receiver_key(flow, func.value)
        if key is not None:
            yield call, canonical(key), to_eval


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    candidates = [freeze for freeze in freezes(found) if frozen_contains_bn(found, freeze)]
    if not candidates:
        return
    # The module keeps the statistics still some other way: batch-norm layers put in eval mode
    # (whether a later ``.train()`` undoes that is BNU106's question), or tracking turned off.
    if tracking_switched(found) or any(True for _ in batch_norm_eval_freezes(found)):
        return
    momentum = momentum_targets(found)
    # An ``.eval()`` of the frozen module (or of the model around it) that reaches a training
    # step: the module trains in evaluation mode on purpose (a linear probe).
    frozen_by_mode = [event.key for event in eval_events(found)
                      if (lambda reached: reached is not None and reached[0] == EventKind.STEP)(
                          continuation(found, event.call.scope.function(), event.key, event.pos,
                                       loops_of(event.call), set()))]
    # An ``.eval()`` of the frozen module that no ``.train()`` of it ever undoes: a frozen
    # feature extractor kept in evaluation mode.
    switched_to_train = [event.key for scope in facts.index.scopes
                         if scope.kind in (ScopeKind.MODULE, ScopeKind.FUNCTION)
                         for event in found.events(scope) if event.kind == EventKind.MODE and event.mode != EVAL]
    evaluated = [event.key for event in eval_events(found)]
    for call, key, to_eval in _subscript_mode_calls(found, facts.index):
        if not to_eval:
            switched_to_train.append(key)
            continue
        evaluated.append(key)
        reached = continuation(found, call.scope.function(), key, (call.node.lineno, call.node.col_offset),
                               loops_of(call), set())
        if reached is not None and reached[0] == EventKind.STEP:
            frozen_by_mode.append(key)
    trains = trains_anywhere(found)
    for freeze in candidates:
        if any(_related(freeze.key, key) for key in momentum):
            continue
        if any(_related(freeze.key, key) for key in frozen_by_mode):
            continue
        if any(_related(freeze.key, key) for key in evaluated) and \
                not any(_related(freeze.key, key) for key in switched_to_train):
            continue
        # A freeze in a script that never trains (feature extraction, export) stops nothing
        # that moves; one in a module's class is there for the training that builds it.
        if not trains and freeze.scope.enclosing_class() is None:
            continue
        yield Report(freeze.node, "BNU105",
                     f"BNU105 `{freeze.key}` contains batch norm and is frozen by `requires_grad` alone: in "
                     "training mode its batch norm still normalises with each batch's statistics and moves its "
                     "running statistics; put the frozen batch norm in eval mode after every `.train()`")


RULE = Rule(
    code="BNU105",
    title="PyTorch batch norm frozen by `requires_grad=False` alone",
    effect=(
        "The parameters of a module that contains batch norm (the module itself, an element of a container "
        "such as `model[0]` of an `nn.Sequential` or `nets[i]` of a list, a layer picked by "
        "`isinstance(m, nn.BatchNorm2d)`, or an attribute named `bn`/`bn1`/`batch_norm` whose construction is "
        "out of sight) are frozen with `requires_grad = False` (in a loop over `parameters()`/`named_parameters()`"
        ", by `requires_grad_(False)`, by `.apply(lambda m: m.requires_grad_(False))`, or through a helper of the "
        "project that does so to its argument), and nothing stops the statistics: the module trains in training "
        "mode. Measured: `requires_grad` stops the affine weights, not the running mean and variance, which a "
        "training-mode forward still moves toward the new data (and normalises with the batch's statistics). "
        "Silent when the module puts batch-norm layers in eval mode anywhere (an `isinstance`-picked `m.eval()`; "
        "BNU106 asks whether a later `.train()` undoes it), sets `track_running_stats = False` or `momentum = 0`, "
        "when an `.eval()` of the frozen module or its model reaches the training step (a linear probe trained in "
        "eval mode), for momentum encoders and target networks (walked in `zip()` with another module's "
        "parameters: MoCo and BYOL keep their batch norm in training mode by design), for `requires_grad = True`, "
        "and in a script with no training step and no `fit(` when the freeze is not in a class. "
        "Off by default (`--select BNU` or `--extend-select BNU105` turns it on). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught 1 of the 6 BUG rows of its kind "
        "(chemprop; vsepp, yolov5 and virtex freeze a network built out of sight; 2 rows are BNU106's form), "
        "charged with 1 of 14 correct look-alikes (PoolNet, which trains in eval mode from another module), 5 "
        "findings outside the labels (false: PoolNet, FlowNet2, OASIS's FID network). Under the bar (precision "
        ">= 90% and recall >= 80%)."),
    fix="None: `.eval()` of the frozen layers must follow every later `.train()` of the model (often in another "
        "module, or in the framework's loop), and freezing the statistics changes training; an override "
        "`def train(self, mode=True): super().train(mode); <freeze>; return self` is the usual repair.",
    fix_safety=FixSafety.NONE,
    no_fix="where the `.eval()` belongs (after every later `.train()`) is outside the freeze's reach",
    flagged=(
        """\
import torch
import torchvision

model = torchvision.models.resnet50()
for name, param in model.named_parameters():
    if not name.startswith("fc."):
        param.requires_grad = False  # expect: BNU105:9
optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
model.train()
for x in [torch.randn(2, 3, 64, 64)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
""",
        """\
from torch import nn


def _freeze(module):
    for param in module.parameters():
        param.requires_grad = False


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        _freeze(self.conv)
        _freeze(self.bn)  # expect: BNU105:9
""",
    ),
    silent=(
        """\
import torch
import torchvision

model = torchvision.models.resnet50()
for name, param in model.named_parameters():
    if not name.startswith("fc."):
        param.requires_grad = False
optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
model.train()
for module in model.modules():
    if isinstance(module, torch.nn.BatchNorm2d):
        module.eval()
for x in [torch.randn(2, 3, 64, 64)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
""",
        """\
import torch
import torchvision

model = torchvision.models.resnet50()
for name, param in model.named_parameters():
    if not name.startswith("fc."):
        param.requires_grad = False
optimizer = torch.optim.SGD(model.fc.parameters(), lr=0.1)
model.eval()
for x in [torch.randn(2, 3, 64, 64)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
""",
        """\
import torch
import torchvision

model = torchvision.models.resnet50()
model.requires_grad_(False)
model.eval()
with torch.no_grad():
    features = model(torch.randn(2, 3, 64, 64))
""",
        """\
from torch import nn


def _freeze(module):
    for param in module.parameters():
        param.requires_grad = False


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        _freeze(self.conv)
""",
    ),
    check=check,
)
