"""Differential test of the parameters-only codes (BNU107, BNU108) against PyTorch itself.

BNU107: generated scripts keep an EMA copy of a small network with batch norm, updated after
each training step in every combination of: what the update walks (``parameters()`` only, the
parameters and a ``buffers()`` copy, or the floating-point ``state_dict()`` entries), whether the
EMA model is kept in eval mode or also run in training mode each step (a mean teacher), and
whether the update is inline or an ``update_ema(ema_model, model)`` helper. The ground truth:
when the EMA model is evaluated, its running mean is no longer the one it had when it was copied.

BNU108: generated scripts save a checkpoint of the trained network in each form (``state_dict()``,
``dict(named_parameters())``, the whole module, a dict literal holding either) and restore it into
a fresh network; right when the restored network's eval-mode outputs equal the trained one's.
After ``--fix --unsafe-fixes`` every flagged script must be right and silent.

The checker must stay silent on every right script and flag every wrong one.
"""
from __future__ import annotations

import itertools
import textwrap

import pytest

try:
    import torch
except ImportError:     # pragma: no cover - the torch environment has it
    torch = None

from flake8_bn_update_ops.engine import analyze_source, fix_source

pytestmark = pytest.mark.torch

PRELUDE = '''\
import copy

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
data = [torch.randn(16, 4) + 3 for _ in range(3)]
'''

WALKS = {
    "parameters": "for e, p in zip({ema}.parameters(), {src}.parameters()):\n"
                  "    e.mul_(0.5).add_(p, alpha=0.5)\n",
    "parameters_and_buffers": "for e, p in zip({ema}.parameters(), {src}.parameters()):\n"
                              "    e.mul_(0.5).add_(p, alpha=0.5)\n"
                              "for e, b in zip({ema}.buffers(), {src}.buffers()):\n"
                              "    e.copy_(b)\n",
    "state_dict": "for e, v in zip({ema}.state_dict().values(), {src}.state_dict().values()):\n"
                  "    if e.dtype.is_floating_point:\n"
                  "        e.mul_(0.5).add_(v, alpha=0.5)\n",
}


def generate_ema(walk: str, teacher_trains: bool, helper: bool) -> str:
    parts = [PRELUDE]
    if helper:
        body = "with torch.no_grad():\n" + textwrap.indent(WALKS[walk].format(ema="ema_model", src="net"), "    ")
        parts.append("\n\ndef update_ema(ema_model, net):\n" + textwrap.indent(body, "    ") + "\n\n")
    parts.append("ema = copy.deepcopy(model)\nema.eval()\nCOPIED = ema[1].running_mean.clone()\n")
    step = ("optimizer.zero_grad()\n"
            "model(x).pow(2).mean().backward()\n"
            "optimizer.step()\n")
    if teacher_trains:
        step += "ema.train()\nema(x)\n"
    if helper:
        step += "update_ema(ema, model)\n"
    else:
        step += "with torch.no_grad():\n" + textwrap.indent(WALKS[walk].format(ema="ema", src="model"), "    ")
    parts.append("for x in data:\n" + textwrap.indent(step, "    "))
    parts.append("ema.eval()\nEVALUATED = ema[1].running_mean.clone()\n")
    return "".join(parts)


SAVES = {
    "state_dict": "model.state_dict()",
    "named_parameters": "dict(model.named_parameters())",
    "module": "model",
    "literal_state_dict": '{"epoch": 1, "model": model.state_dict()}',
    "literal_named_parameters": '{"epoch": 1, "model": dict(model.named_parameters())}',
}


def generate_save(save: str) -> str:
    restore = ("restored = torch.load(PATH, weights_only=False)\n" if save == "module" else
               "restored = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))\n"
               "checkpoint = torch.load(PATH)\n"
               + ("checkpoint = checkpoint['model']\n" if save.startswith("literal") else "")
               + "restored.load_state_dict(checkpoint, strict=False)\n")
    return (PRELUDE
            + "for x in data:\n"
              "    optimizer.zero_grad()\n"
              "    model(x).pow(2).mean().backward()\n"
              "    optimizer.step()\n"
            + f"torch.save({SAVES[save]}, PATH)\n"
            + restore
            + "model.eval()\nrestored.eval()\n"
              "probe = torch.randn(8, 4) + 3\n"
              "SAME = torch.equal(model(probe), restored(probe))\n")


def run(source: str, **names) -> dict:
    namespace = {"__name__": "__generated__", **names}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - our own generated script
    return namespace


def findings(source: str, code: str):
    return [finding for finding in analyze_source(source, "generated.py") if finding.code == code]


EMA_VARIANTS = list(itertools.product(WALKS, (False, True), (False, True)))


@pytest.mark.parametrize("variant", EMA_VARIANTS, ids=["-".join(map(str, variant)) for variant in EMA_VARIANTS])
def test_bnu107_flags_exactly_the_emas_evaluated_with_the_statistics_of_their_copy(variant):
    source = generate_ema(*variant)
    namespace = run(source)
    right = not torch.equal(namespace["COPIED"], namespace["EVALUATED"])
    assert bool(findings(source, "BNU107")) == (not right), source


@pytest.mark.parametrize("save", SAVES)
def test_bnu108_flags_exactly_the_checkpoints_that_change_eval_outputs_and_the_fix_makes_them_right(save, tmp_path):
    source = generate_save(save)
    path = str(tmp_path / "checkpoint.pt")
    right = run(source, PATH=path)["SAME"]
    flagged = findings(source, "BNU108")
    assert bool(flagged) == (not right), source
    if right:
        return
    fixed = fix_source(source, "generated.py", unsafe=True).source
    assert fixed != source
    assert run(fixed, PATH=path)["SAME"], fixed
    assert findings(fixed, "BNU108") == []
    assert fix_source(fixed, "generated.py", unsafe=True).source == fixed


def test_the_generated_copies_cover_both_verdicts():
    assert {not torch.equal(*(run(generate_ema(*variant))[name] for name in ("COPIED", "EVALUATED")))
            for variant in EMA_VARIANTS} == {True, False}
