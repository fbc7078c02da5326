"""Differential test of the PyTorch freeze codes (BNU105, BNU106) against PyTorch itself.

Each generated script means to freeze the batch norm of a small network while the rest of it
trains. It is generated in every combination of: how the batch norm is frozen (``requires_grad``
off on its parameters, its layers put in eval mode by a ``freeze_bn`` helper once before the loop
or after each ``.train()``, both, or ``requires_grad`` with the whole model in eval mode, a linear
probe); where ``model.train()`` is called (at the top of each epoch, once before the freeze, or
never); and whether the freeze is written inline or in a helper function. Each script runs on
PyTorch (CPU); the ground truth is what batch norm did: a script is right when the running mean
did not move during training. Neither code has a fix, so the flag must match the statistics: the
checker stays silent on every right script and flags every wrong one.
"""
from __future__ import annotations

import itertools
import textwrap

import pytest

try:
    import torch
except ImportError:     # pragma: no cover - the torch environment has it
    torch = None

from flake8_bn_update_ops.engine import analyze_source

pytestmark = pytest.mark.torch

FREEZE_CODES = ("BNU105", "BNU106")

PRELUDE = '''\
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(torch.relu(self.bn(self.body(x))))


model = Net()
data = [torch.randn(16, 4) + 3 for _ in range(3)]
START = model.bn.running_mean.clone()
'''
FREEZE_BN_HELPER = "\n\ndef freeze_bn(net):\n    for m in net.modules():\n        if isinstance(m, nn.BatchNorm1d):\n            m.eval()\n"

REQUIRES_GRAD_INLINE = "for p in model.bn.parameters():\n    p.requires_grad = False\n"
REQUIRES_GRAD_HELPER = "\n\ndef freeze_parameters(layer):\n    for p in layer.parameters():\n        p.requires_grad = False\n"

# How the batch norm is frozen: (requires_grad off, eval freeze "once"/"epoch"/None, whole model eval).
FREEZES = {
    "requires_grad": (True, None, False),
    "eval_once": (False, "once", False),
    "eval_each_epoch": (False, "epoch", False),
    "both_once": (True, "once", False),
    "both_each_epoch": (True, "epoch", False),
    "linear_probe": (True, None, True),
}


def generate(freeze: str, train_call: str, helper: bool) -> str:
    """One training script; ``train_call`` is "epoch" (top of every epoch), "once" (before the
    freeze) or "never"."""
    requires_grad, eval_freeze, whole_model = FREEZES[freeze]
    parts = [PRELUDE]
    if requires_grad and helper:
        parts.append(REQUIRES_GRAD_HELPER)
    if eval_freeze is not None:
        parts.append(FREEZE_BN_HELPER)
    parts.append("\n")
    if train_call == "once":
        parts.append("model.train()\n")
    if requires_grad:
        parts.append("freeze_parameters(model.bn)\n" if helper else REQUIRES_GRAD_INLINE)
    if eval_freeze == "once":
        parts.append("freeze_bn(model)\n")
    if whole_model:
        parts.append("model.eval()\n")
    parts.append("optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05)\n")
    epoch = "model.train()\n" if train_call == "epoch" else ""
    epoch += "freeze_bn(model)\n" if eval_freeze == "epoch" else ""
    epoch += ("for x in data:\n"
              "    optimizer.zero_grad()\n"
              "    model(x).pow(2).mean().backward()\n"
              "    optimizer.step()\n")
    parts.append("for epoch in range(2):\n" + textwrap.indent(epoch, "    "))
    return "".join(parts)


VARIANTS = list(itertools.product(FREEZES, ("epoch", "once", "never"), (False, True)))


def statistics_right(source: str) -> bool:
    """The running mean of the frozen batch norm did not move while the network trained."""
    namespace = {"__name__": "__generated__"}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - our own generated script
    return torch.equal(namespace["START"], namespace["model"].bn.running_mean)


def freeze_findings(source: str):
    return [finding for finding in analyze_source(source, "generated.py") if finding.code in FREEZE_CODES]


@pytest.mark.parametrize("variant", VARIANTS, ids=["-".join(map(str, variant)) for variant in VARIANTS])
def test_freeze_codes_flag_exactly_the_scripts_whose_statistics_move(variant):
    source = generate(*variant)
    right = statistics_right(source)
    findings = freeze_findings(source)
    assert bool(findings) == (not right), (source, right, findings)


def test_the_generated_freezes_cover_both_verdicts_and_both_codes():
    verdicts = {statistics_right(generate(*variant)) for variant in VARIANTS}
    assert verdicts == {True, False}
    codes = {finding.code for variant in VARIANTS for finding in freeze_findings(generate(*variant))}
    assert codes == set(FREEZE_CODES)
