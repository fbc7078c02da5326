"""BNU103: an ``AveragedModel`` of a module with batch norm is used without ``update_bn`` and
without ``use_buffers=True``.

Measured (tests/pytorch/test_torch_facts.py): PyTorch 2.13's ``update_parameters`` averages the
weights but copies the live model's running statistics; the averaged weights are evaluated with
statistics computed for other weights until ``update_bn`` recomputes them.
"""
from __future__ import annotations

from typing import Iterable

from .. import torch_api
from ..core.facts.module import ModuleFacts
from ..core.values import Api, Const, options
from ..fixes.plans import UNSAFE, InsertKeyword
from ..findings import FixSafety
from .base import Report, Rule


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    averaging = []
    updated = False
    for call in facts.index.calls:
        names = {option.name for option in options(facts.callee(call)) if type(option) is Api}
        if torch_api.UPDATE_BN in names:
            updated = True
        if torch_api.AVERAGED_MODEL in names:
            averaging.append(call)
    if updated:
        return      # the statistics are recomputed somewhere in this module
    for call in averaging:
        node = call.node
        buffers = next((keyword.value for keyword in node.keywords
                        if keyword.arg == torch_api.AVERAGED_MODEL_BUFFERS_KEYWORD), None)
        if buffers is not None:
            value = facts.resolver.value(buffers, facts.at(call))
            if type(value) is not Const or value.value is not False:
                continue
        if any(keyword.arg is None for keyword in node.keywords) or len(node.args) > 3 or not node.args:
            continue
        if not found.contains_bn(found.value_at(node.args[0], call)):
            continue
        fix = None
        if buffers is None:
            fix = InsertKeyword(facts.source.span(node), torch_api.AVERAGED_MODEL_BUFFERS_KEYWORD, "True", UNSAFE,
                                call.statement.node.lineno)
        yield Report(node, "BNU103",
                     "BNU103 `AveragedModel` of a module with batch norm, without `use_buffers=True` and with no "
                     "`update_bn` in this module: the averaged weights are evaluated with running statistics "
                     "computed for other weights", fix)


RULE = Rule(
    code="BNU103",
    title="`AveragedModel` of a batch-norm module without `update_bn` or `use_buffers=True`",
    effect=(
        "`torch.optim.swa_utils.AveragedModel(model)` of a module that contains batch norm, without "
        "`use_buffers=True`, in a module that never calls `torch.optim.swa_utils.update_bn`. Measured on PyTorch "
        "2.13: `update_parameters` averages the weights and copies the live model's running statistics, so the "
        "averaged (SWA/EMA) weights are evaluated with statistics computed for other weights. Silent with "
        "`use_buffers=True` (the statistics are averaged too), with any `update_bn` call in the module, for "
        "modules without batch norm, and when the module cannot be seen. "
        "Off by default (`--select BNU` or `--extend-select BNU103` turns it on). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught neither BUG row of the averaging kind "
        "(HandyRL's `AveragedModel` script; cosmix-uda's hand-written EMA, which is not its form) and was "
        "charged with none of 18 correct look-alikes (SWA with `bn_update`, EMA over `state_dict()`, buffers "
        "copied). Under the bar (precision >= 90% and recall >= 80%): no caught row yet."),
    fix="Adds `use_buffers=True` (unsafe: it changes what the averaged model evaluates with; `update_bn` over the "
        "training data after training is the alternative).",
    fix_safety=FixSafety.UNSAFE,
    fix_title="pass `{keyword}={value}`",
    no_fix="`use_buffers=False` is written explicitly: a deliberate choice the fix does not overturn",
    flagged=(
        """\
from torch import nn
from torch.optim.swa_utils import AveragedModel

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
swa_model = AveragedModel(model)  # expect: BNU103:13
""",
    ),
    silent=(
        """\
from torch import nn
from torch.optim.swa_utils import AveragedModel, update_bn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
swa_model = AveragedModel(model)


def finish(loader):
    update_bn(loader, swa_model)
""",
        """\
from torch import nn
from torch.optim.swa_utils import AveragedModel

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
ema_model = AveragedModel(model, use_buffers=True)
""",
        """\
from torch import nn
from torch.optim.swa_utils import AveragedModel

model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8))
swa_model = AveragedModel(model)
""",
    ),
    check=check,
    fixed=(
        (
            """\
from torch import nn
from torch.optim.swa_utils import AveragedModel

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
swa_model = AveragedModel(model)
""",
            """\
from torch import nn
from torch.optim.swa_utils import AveragedModel

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
swa_model = AveragedModel(model, use_buffers=True)
""",
        ),
    ),
)
