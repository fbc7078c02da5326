"""BNU101: a PyTorch module that contains batch norm is run for evaluation in training mode.

Measured (tests/pytorch/test_torch_facts.py): in training mode batch norm normalises with the
batch's own statistics and moves its running statistics toward the evaluation data, under
``torch.no_grad()`` too; after ``.eval()`` it reads the running statistics and leaves them alone.
"""
from __future__ import annotations

from typing import Iterable

from ..core.facts.module import ModuleFacts
from ..core.torch_flow import TRAIN, UNSURE
from ..fixes.plans import UNSAFE, InsertBefore
from ..findings import FixSafety
from .base import Report, Rule
from .torch_mode import EXPORTED, evaluations, loops_of, reaching_modes, statement_on_own_line


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    for evaluation in evaluations(found):
        call = evaluation.call
        scope = call.scope.function()
        position = (call.node.lineno, call.node.col_offset)
        modes = reaching_modes(found, scope, evaluation.key, position, loops_of(call), set(),
                               evaluation.why == EXPORTED)
        if TRAIN not in modes or UNSURE in modes:
            continue
        fix = None
        before = evaluation.before
        if before is not None and statement_on_own_line(facts.source, before):
            column = facts.source.column(before.lineno, before.col_offset)
            fix = InsertBefore((before.lineno, column), f"{evaluation.key}.eval()", UNSAFE)
        yield Report(evaluation.node, "BNU101",
                     f"BNU101 `{evaluation.key}` contains batch norm and is run for evaluation "
                     f"({evaluation.why}) in training mode: no `.eval()` reaches this call, so batch norm "
                     "uses the batch's statistics and moves its running statistics toward this data", fix)


RULE = Rule(
    code="BNU101",
    title="PyTorch module with batch norm evaluated in training mode",
    effect=(
        "A module that contains batch norm (`nn.BatchNorm1d/2d/3d`, `SyncBatchNorm`, `LazyBatchNorm*d`, built in "
        "its class or a submodule's, across modules, or a `torchvision.models`/`timm.create_model` network that "
        "has it) is run for evaluation while in training mode: under `torch.no_grad()`/`torch.inference_mode()` "
        "(not inside a loop or step that also trains: that is a teacher or target forward), in a `@torch.no_grad()` "
        "function, in a function named for evaluation (`validate`, `evaluate`, `test`, `infer`, `predict`; not "
        "`test_*` pytest tests) that does not train, in a loop over a `val`/`test` iterable that does not train, "
        "after a batch drawn by hand from one (`next(enumerate(testloader))`) with no training step after the draw "
        "in its block, or "
        "passed to `torch.jit.trace`/`jit.script`/`torch.export.export`/`torch.onnx.export`. Fires when the mode "
        "that reaches the call is training mode on every path: the module was built in this function (modules "
        "start in training mode) or `.train()` was the last switch, followed through the function's callers and "
        "the calls it makes. Measured: in training mode batch norm normalises with the batch's own statistics "
        "(results depend on the batch) and moves its running statistics toward the evaluation data, `no_grad` or "
        "not; an export freezes training-mode batch norm into the exported program. Silent when any path brings "
        "`.eval()` or a mode it cannot read, inside Lightning `LightningModule` methods and Hugging Face `Trainer` "
        "subclasses (the framework switches the mode), and for modules without batch norm. "
        "Off by default (`--select BNU` or `--extend-select BNU101` turns it on). Figures on "
        "benchmarks/torchreal (83 public repositories labelled by reading, scored by its score.py, December "
        "2026): caught 2 of the 11 untagged BUG rows of its kind (18% recall), charged with none of 60 correct "
        "look-alikes (precision 2/2), 4 findings outside the labels (gt-pyg's deliberate train-mode unit test);"
        " on ../shared/torchwild it caught 3 of 5. Under the bar (precision >= 90% and recall >= 80%): missed "
        "GLCIC (3 rows), pointnet (2), DeepHyperX, stacked_hourglass, drugVQA and Pytorch-UNet."),
    fix="Inserts `<module>.eval()` before the evaluation block, function body or export (unsafe: it changes "
        "results, and a later training step then needs `.train()`, which BNU102 reports).",
    fix_safety=FixSafety.UNSAFE,
    fix_title="insert `{text}` before the evaluation",
    no_fix="the evaluation starts inside a one-line block (`if x: y`), where a statement cannot be put before it",
    flagged=(
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
with torch.no_grad():
    score = model(torch.randn(16, 4))  # expect: BNU101:13
""",
        """\
import torch
import torchvision

net = torchvision.models.resnet18()
traced = torch.jit.trace(net, torch.rand(1, 3, 224, 224))  # expect: BNU101:10
""",
    ),
    silent=(
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
model.eval()
with torch.no_grad():
    score = model(torch.randn(16, 4))
""",
        """\
import torch
from torch import nn

student = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
teacher = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    with torch.no_grad():
        target = teacher(x)
    loss = (student(x) - target).pow(2).mean()
    loss.backward()
    optimizer.step()
""",
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
with torch.no_grad():
    score = model(torch.randn(16, 4))
""",
        """\
import pytorch_lightning as pl
from torch import nn


class Classifier(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))

    def validation_step(self, batch, batch_index):
        return self.net(batch).sum()
""",
    ),
    check=check,
    fixed=(
        (
            """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
with torch.no_grad():
    score = model(torch.randn(16, 4))
""",
            """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
model.eval()
with torch.no_grad():
    score = model(torch.randn(16, 4))
""",
        ),
        (
            """\
import torch
import torchvision

net = torchvision.models.resnet18()
traced = torch.jit.trace(net, torch.rand(1, 3, 224, 224))
""",
            """\
import torch
import torchvision

net = torchvision.models.resnet18()
net.eval()
traced = torch.jit.trace(net, torch.rand(1, 3, 224, 224))
""",
        ),
    ),
)
