"""BNU107: a hand-written EMA or weight copy over ``parameters()`` only, into a module with batch
norm that is evaluated with the running statistics it keeps.

Measured (tests/pytorch/test_torch_facts.py): an EMA over ``parameters()`` moves the copy's
weights and leaves its running mean at the value it had when the copy was made; the EMA model,
in eval mode, normalises the averaged weights' activations with those stale statistics.
"""
from __future__ import annotations

from typing import Iterable

from ..core.facts.module import ModuleFacts
from ..findings import FixSafety
from .base import Report, Rule
from .torch_copies import evaluated_with_kept_statistics, parameter_copies, walks_buffers


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    copies = list(parameter_copies(found))
    if not copies or walks_buffers(found):
        return
    for copy in copies:
        call = copy.call
        if not (found.contains_bn(found.value_at(copy.target.func.value, call))
                or found.contains_bn(found.value_at(copy.source.func.value, call))):
            continue
        if not evaluated_with_kept_statistics(found, call.scope.function(), copy.key):
            continue
        yield Report(copy.target, "BNU107",
                     f"BNU107 this copies or averages `{copy.key}`'s parameters only: its batch norm's running "
                     "statistics (buffers) are left behind, and it is evaluated (`.eval()`, never `.train()` again) "
                     "with the statistics it had when it was made; walk `buffers()` too, or `state_dict()`")


RULE = Rule(
    code="BNU107",
    title="hand-written EMA or weight copy over `parameters()` only, evaluated with stale batch-norm statistics",
    effect=(
        "A loop `for ema_p, p in zip(ema.parameters(), model.parameters())` (or over `named_parameters()`) "
        "that writes the first in place (`mul_`, `add_`, `copy_`, `lerp_`, `.data = ...`), where either module "
        "contains batch norm and the written one is put in eval mode somewhere in the module (followed through "
        "the functions it is passed to) and never back in training mode. Measured on PyTorch 2.13: the EMA's "
        "weights move and its `running_mean`/`running_var` stay what they were when the copy was made, so the "
        "evaluated EMA model normalises with statistics of other weights (mean-teacher#9, ema-pytorch#8). "
        "Silent when the module walks `buffers()`/`named_buffers()` or uses `state_dict()` anywhere (the "
        "statistics are taken to be carried), when the copy is also switched to `.train()` (a mean teacher "
        "whose training-mode forwards estimate its own statistics), when it is never put in eval mode, for "
        "`AveragedModel` (BNU103's), library EMAs (`ema_pytorch.EMA`, `timm.utils.ModelEmaV2`), and modules "
        "without batch norm. "
        "Off by default (`--select BNU` or `--extend-select BNU107` turns it on): new, and the labelled real code "
        "has too few rows of its form for the precision and recall bar (90%/80%)."),
    fix="None. `state_dict().values()` in place of `parameters()` is not equivalent: the integer buffer "
        "`num_batches_tracked` makes `mul_`/`lerp_` raise (measured), and whether the buffers should be averaged "
        "or copied is the author's choice.",
    fix_safety=FixSafety.NONE,
    no_fix="no rewrite both keeps the EMA arithmetic working on integer buffers and is the author's choice of "
           "averaging or copying the statistics",
    flagged=(
        """\
import copy

import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
ema = copy.deepcopy(model)
ema.eval()


def update_ema(decay=0.999):
    with torch.no_grad():
        for ema_p, p in zip(ema.parameters(), model.parameters()):  # expect: BNU107:29
            ema_p.mul_(decay).add_(p, alpha=1 - decay)
""",
        """\
import copy

from torch import nn


def update(ema_model, model, alpha):
    for ema_param, param in zip(ema_model.parameters(), model.parameters()):  # expect: BNU107:33
        ema_param.data = alpha * ema_param.data + (1 - alpha) * param.data


def validate(net):
    net.eval()


model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
ema_model = copy.deepcopy(model)
update(ema_model, model, 0.99)
validate(ema_model)
""",
    ),
    silent=(
        """\
import copy

import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
ema = copy.deepcopy(model)
ema.eval()


def update_ema(decay=0.999):
    with torch.no_grad():
        for ema_p, p in zip(ema.parameters(), model.parameters()):
            ema_p.mul_(decay).add_(p, alpha=1 - decay)
        for ema_b, b in zip(ema.buffers(), model.buffers()):
            ema_b.copy_(b)
""",
        """\
import copy

import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
ema = copy.deepcopy(model)
ema.eval()


def update_ema(decay=0.999):
    with torch.no_grad():
        for ema_v, v in zip(ema.state_dict().values(), model.state_dict().values()):
            if ema_v.dtype.is_floating_point:
                ema_v.mul_(decay).add_(v, alpha=1 - decay)
""",
        """\
import copy

import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8))
ema = copy.deepcopy(model)
ema.eval()


def update_ema(decay=0.999):
    with torch.no_grad():
        for ema_p, p in zip(ema.parameters(), model.parameters()):
            ema_p.mul_(decay).add_(p, alpha=1 - decay)
""",
        """\
import copy

from torch import nn


def update(ema_model, model, alpha):
    for ema_param, param in zip(ema_model.parameters(), model.parameters()):
        ema_param.data.mul_(alpha).add_(param.data, alpha=1 - alpha)


model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
ema_model = copy.deepcopy(model)
for step in range(10):
    ema_model.train()
    update(ema_model, model, 0.99)
ema_model.eval()
""",
    ),
    check=check,
)
