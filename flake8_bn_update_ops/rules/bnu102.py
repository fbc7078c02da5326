"""BNU102: an ``.eval()`` reaches a training step with no ``.train()`` in between.

Measured (tests/pytorch/test_torch_facts.py): a module left in evaluation mode trains with
batch norm reading its running statistics, which never move again.
"""
from __future__ import annotations

from typing import Iterable

from ..core.facts.module import ModuleFacts
from ..core.kinds import EventKind
from ..core.torch_flow import loops_of
from ..fixes.plans import UNSAFE, InsertBefore
from ..findings import FixSafety
from .base import Report, Rule
from .torch_freeze import batch_norm_guard
from .torch_mode import call_named, continuation, eval_events, statement_on_own_line


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    for event in eval_events(found):
        call = event.call
        if batch_norm_guard(found, call.context, call.scope, call.statement, event.key.split(".", 1)[0]):
            continue    # a freeze of the batch-norm layers themselves (BNU105/BNU106's matter)
        # A module known to have no batch norm is silent; one we cannot see into (built in a
        # module out of sight) is not: an eval() inside a training loop is wrong for any module
        # whose mode matters, and dropout's is the same mistake.
        if found.known_without_bn(found.value_at(call.node.func.value, call)):
            continue
        reached = continuation(found, call.scope.function(), event.key, event.pos, loops_of(call), set())
        # Only a path that comes back round a loop that trains: an eval() before training starts
        # (``net.eval()`` above the loop, "keep batch norm frozen") is a deliberate freeze.
        if reached is None or reached[0] != EventKind.STEP or reached[2] is None:
            continue
        _, step, loop, _, key = reached
        fix = None
        if loop is not None and statement_on_own_line(facts.source, loop.body[0]):
            first = loop.body[0]
            fix = InsertBefore((first.lineno, facts.source.column(first.lineno, first.col_offset)),
                               f"{key}.train()", UNSAFE)
        where = f"the training step {call_named(facts.source, step.call)}" \
            if step.call.scope.index is facts.index else "a later training step"
        yield Report(call.node, "BNU102",
                     f"BNU102 `{event.key}.eval()` reaches {where} with no `.train()` in "
                     "between: batch norm then trains on its running statistics and stops updating them", fix)


RULE = Rule(
    code="BNU102",
    title="PyTorch `.eval()` reaches a training step without `.train()`",
    effect=(
        "An `.eval()` (or `.train(False)`) of a module that contains batch norm is followed, on the way the code "
        "runs, by a training step (`loss.backward()`, `optimizer.step()`, or a call that reaches one) with no "
        "`.train()` of the module in between: typically validation inside the epoch loop, or a `validate()` "
        "called there, and no `model.train()` at the top of the next epoch. The path is followed forward through "
        "the loop (around to its top), into called functions (a `train_one_epoch()` that starts with "
        "`model.train()` is fine) and back to the callers. Measured: in evaluation mode batch norm normalises with "
        "its running statistics and never updates them, so the rest of training runs on stale statistics. Silent "
        "when any `.train()`, or `.train(flag)` whose flag it cannot read, comes first, and for modules without "
        "batch norm, and for an `.eval()` of layers picked as batch norm (`isinstance(m, nn.BatchNorm2d)`: a freeze, "
        "whose undoing is BNU106's). "
        "Off by default (`--select BNU` or `--extend-select BNU102` turns it on). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught none of the 1 untagged BUG row of its "
        "kind (clevr-iep), charged with 1 of 34 correct look-alikes (MixMatch's `validate()` of an EMA copy "
        "that is never trained), 3 findings outside the labels (2 false: swa_gaussian's KFAC step that runs "
        "only before the first `eval()`). Under the bar (precision >= 90% and recall >= 80%)."),
    fix="Inserts `<module>.train()` as the first statement of the loop the path wraps around (unsafe: it "
        "changes training). No fix when the step follows in the same pass.",
    fix_safety=FixSafety.UNSAFE,
    fix_title="insert `{text}` at the top of the loop",
    no_fix=("the training step follows in the same pass (no loop to put `.train()` at the top of), or the loop "
            "starts on its header's line"),
    flagged=(
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for epoch in range(3):
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model.eval()  # expect: BNU102:5
    with torch.no_grad():
        model(torch.randn(16, 4))
""",
    ),
    silent=(
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    model.train()
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        model(torch.randn(16, 4))
""",
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train_one_epoch():
    model.train()
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()


for epoch in range(3):
    train_one_epoch()
    model.eval()
    with torch.no_grad():
        model(torch.randn(16, 4))
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
model.train()
for epoch in range(3):
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        model(torch.randn(16, 4))
""",
            """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for epoch in range(3):
    model.train()
    for x in [torch.randn(16, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        model(torch.randn(16, 4))
""",
        ),
    ),
)
