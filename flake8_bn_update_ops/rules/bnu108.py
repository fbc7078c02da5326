"""BNU108: a checkpoint of ``parameters()``/``named_parameters()`` of a module with batch norm.

Measured (tests/pytorch/test_torch_facts.py): ``named_parameters()`` holds no buffers, so a
module restored from it keeps fresh running statistics (mean 0, variance 1) and its eval-mode
outputs differ from the trained module's; ``state_dict()`` restores them exactly.
"""
from __future__ import annotations

from typing import Iterable

from .. import torch_api
from ..core.facts.module import ModuleFacts
from ..findings import FixSafety
from ..fixes.plans import UNSAFE, ReplaceExpression
from .base import Report, Rule
from .torch_copies import saved_parameter_calls


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    for save, parameters, replaceable in saved_parameter_calls(found):
        receiver = parameters.func.value
        if not found.contains_bn(found.value_at(receiver, save)):
            continue
        key = found.key(receiver)
        fix = None
        if replaceable is not None and key is not None:
            fix = ReplaceExpression(facts.source.span(replaceable), f"{key}.{torch_api.STATE_DICT_METHOD}()", UNSAFE)
        name = key or "the module"
        yield Report(parameters, "BNU108",
                     f"BNU108 this checkpoint saves `{name}.{parameters.func.attr}()`, which holds no buffers: "
                     "the batch norm's running statistics are not saved, and a module restored from it evaluates "
                     "with fresh ones (mean 0, variance 1); save `state_dict()`", fix)


RULE = Rule(
    code="BNU108",
    title="checkpoint of `parameters()`/`named_parameters()` of a batch-norm module, not its `state_dict()`",
    effect=(
        "`torch.save` of an object built from `X.parameters()` or `X.named_parameters()` (directly, in a "
        "`dict(...)`/`list(...)`, in a comprehension whose element is the parameter's values (`p`, `p.data`, "
        "`p.detach().cpu()`; not `p.grad` or `p.numel()`), as a value of a dict or list literal, or through a "
        "name the saved expression uses, assigned once before the save), where `X` contains batch norm and "
        "the saved object holds none of its "
        "`state_dict()`/`buffers()`. Measured on PyTorch 2.13: the running mean and variance are buffers, not "
        "parameters; a module restored from the checkpoint keeps fresh statistics (mean 0, variance 1), and "
        "its eval-mode outputs differ from the trained module's. Silent for `torch.save(X.state_dict())`, "
        "`torch.save(X)` (the whole module is pickled), a saved object that also holds the buffers, and modules "
        "without batch norm. "
        "Off by default (`--select BNU` or `--extend-select BNU108` turns it on): new, and the labelled real code "
        "has too few rows of its form for the precision and recall bar (90%/80%)."),
    fix="Replaces `dict(X.named_parameters())` with `X.state_dict()` (unsafe: the checkpoint gains the buffers "
        "and its tensors are detached; a loader that reads it by parameter name still finds every parameter). "
        "Other forms (`list(X.parameters())`, comprehensions) have no fix: their loaders read them by position "
        "or shape.",
    fix_safety=FixSafety.UNSAFE,
    fix_title="save `{text}`",
    no_fix="only `dict(X.named_parameters())` has a drop-in replacement (`X.state_dict()`); a list or a "
           "comprehension is read back by its own loader",
    flagged=(
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
torch.save(dict(model.named_parameters()), "weights.pt")  # expect: BNU108:17
""",
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))
weights = [p.detach() for p in model.parameters()]  # expect: BNU108:32
torch.save({"epoch": 3, "weights": weights}, "checkpoint.pt")
""",
    ),
    silent=(
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
torch.save(model.state_dict(), "weights.pt")
""",
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8))
torch.save(dict(model.named_parameters()), "weights.pt")
""",
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
torch.save({"parameters": dict(model.named_parameters()), "buffers": dict(model.named_buffers())}, "weights.pt")
""",
        """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
torch.save(model, "model.pt")
""",
    ),
    check=check,
    fixed=(
        (
            """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
torch.save(dict(model.named_parameters()), "weights.pt")
""",
            """\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
torch.save(model.state_dict(), "weights.pt")
""",
        ),
    ),
)
