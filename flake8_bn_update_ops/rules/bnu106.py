"""BNU106: batch-norm layers put in eval mode to freeze them, and a later ``.train()`` of the
model puts them back in training mode before the next training step.

Measured (tests/pytorch/test_torch_facts.py): ``model.train()`` sets every submodule's mode,
the frozen batch norm's too, and its running statistics move again; a ``train`` override that
re-freezes after ``super().train(mode)`` keeps them.
"""
from __future__ import annotations

import ast
from typing import Iterable, Iterator, List, Tuple

from .. import torch_api
from ..core.facts.module import ModuleFacts
from ..core.index import DEF, LAMBDA, CLASS, LOOP, Scope, contexts
from ..core.kinds import ScopeKind
from ..core.resolver import At
from ..core.torch_flow import TRAIN, TorchFlow, loops_of
from ..findings import FixSafety
from .base import Report, Rule
from ..core.values import Class
from .torch_freeze import batch_norm_eval_freezes, is_function, overrides_train
from .torch_mode import continuation


def _modules_loop_receiver(call) -> object:
    """``R`` of the ``for m in R.modules()`` (or ``children()``) around the freeze."""
    for entry in contexts(call.context):
        if entry.kind in (DEF, LAMBDA, CLASS):
            return None
        if entry.kind == LOOP and type(entry.node) is ast.For:
            source = entry.node.iter
            if type(source) is ast.Call and type(source.func) is ast.Attribute and \
                    source.func.attr in torch_api.SUBMODULE_METHODS | {torch_api.NAMED_MODULES_METHOD}:
                return source.func.value
    return None


def _sites(found: TorchFlow) -> Iterator[Tuple[object, object, str, Scope]]:
    """Where the freeze runs, as the code that calls it sees it: (the freeze's call node, its
    call site, the receiver key, the function it runs in)."""
    evaluator = found.evaluator
    done = set()
    for call, scope in batch_norm_eval_freezes(found):
        if scope.kind == ScopeKind.FUNCTION and scope.name == torch_api.TRAIN_METHOD:
            continue        # a ``train`` override that re-freezes: the repair itself
        if id(scope) in done:
            continue
        done.add(id(scope))
        receiver = _modules_loop_receiver(call)
        key = found.key(receiver) if receiver is not None else None
        if key is None:
            # ``def set_bn_eval(m): if isinstance(m, BatchNorm2d): m.eval()`` given to
            # ``model.apply``: the freeze is the apply call.
            for site in evaluator.index.calls:
                func = site.node.func
                if type(func) is ast.Attribute and func.attr == torch_api.APPLY_METHOD and site.node.args and \
                        is_function(found.resolver.value(site.node.args[0], At(site.scope, site.statement))) is scope:
                    outer = found.key(func.value)
                    if outer is not None:
                        yield site.node, site, outer, site.scope.function()
            continue
        root = key.split(".", 1)[0]
        if scope.kind == ScopeKind.MODULE or (scope.param(root) is None):
            yield call.node, call, key, scope
            continue
        for caller in evaluator.callers(scope):
            event_renames = found._renames(caller, scope)
            outer = next((text + key[len(root):] for param, text in event_renames if param == root), None)
            if outer is not None:
                yield caller.node, caller, outer, caller.scope.function()


def _prefixes(key: str) -> List[str]:
    parts = key.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _class_overrides_train(found: TorchFlow, scope: Scope) -> bool:
    cls = scope.enclosing_class()
    return cls is not None and any(
        type(entry) is Class and any(child.kind == ScopeKind.FUNCTION and child.name == torch_api.TRAIN_METHOD
                                     for child in entry.scope.children)
        for entry in found.resolver.mro(Class(cls)))


def check(facts: ModuleFacts) -> Iterable[Report]:
    found = facts.torch
    if not found.uses_torch:
        return
    for node, site, key, scope in _sites(found):
        if key.split(".", 1)[0] == "self" and scope.kind == ScopeKind.FUNCTION and scope.name == "__init__":
            # A freeze in the constructor: the module is built to be trained, and the first
            # ``.train()`` of any training loop puts the batch norm back in training mode,
            # unless the class re-freezes in a ``train`` override.
            if not _class_overrides_train(found, scope):
                yield Report(node, "BNU106",
                             f"BNU106 this puts `{key}`'s batch norm in eval mode in the constructor, and the class "
                             "does not override `train()`: the first `.train()` of a training loop puts it back in "
                             "training mode and its running statistics move again; re-freeze in a `train` override")
            continue
        position = (site.node.lineno, site.node.col_offset)
        for prefix in _prefixes(key):
            reached = continuation(found, scope, prefix, position, loops_of(site), set())
            if reached is None or reached[0] != TRAIN:
                continue
            event = reached[1]
            if overrides_train(found, found.value_at(event.call.node.func.value, event.call)):
                break
            # Named by the function it is in, not by line: a line in the message would be the
            # module's, which a notebook's findings are not placed by.
            function = event.call.scope.function()
            if event.call.scope.index is not facts.index:
                where = " of a later call"
            elif function is not None and function.kind == ScopeKind.FUNCTION:
                where = f" in `{function.name}()`"
            else:
                where = " that follows"
            yield Report(node, "BNU106",
                         f"BNU106 this puts `{key}`'s batch norm in eval mode to freeze it, and the "
                         f"`{reached[4]}.train()`{where} puts it back in training mode before the next "
                         "training step: its running statistics move again; re-freeze after every `.train()` "
                         "(a `train` override)")
            break


RULE = Rule(
    code="BNU106",
    title="PyTorch batch-norm eval freeze undone by a later `.train()`",
    effect=(
        "Batch-norm layers are frozen by evaluation mode: `m.eval()` (or `m.train(False)`) of each layer picked by "
        "`isinstance(m, nn.BatchNorm2d)` or a class-name test naming `BatchNorm`, in a loop over `model.modules()`, "
        "in a function given to `model.apply`, or in a method such as `freeze_bn()`; and on the way the code runs "
        "from that freeze, a `.train()` of the model (or of a module around the frozen one) comes before the next "
        "training step; or the freeze runs in a module's constructor (`self.freeze_bn()` in `__init__`) and the "
        "class does not override `train` (the first `.train()` of any training loop undoes it). `train()` sets "
        "the mode of every submodule, so the frozen batch norm is back in training mode and its running "
        "statistics move again (measured). Silent when the freeze follows the `.train()` "
        "(a training step comes first on the way from the freeze: `model.train(); model.freeze_bn()`), inside a "
        "`train` override (the repair), when the model's class of the project overrides `train`, and when no "
        "`.train()` can be seen after the freeze. "
        "Off by default (`--select BNU` or `--extend-select BNU106` turns it on). Figures on "
        "benchmarks/torchreal (83 repositories, December 2026): caught both BUG rows of its form "
        "(indexnet_matting's constructor freeze, issue #35), 2 of the 6 rows of the frozen-batch-norm kind, "
        "with no false alarm on 14 correct look-alikes; 3 findings outside the labels, all correct (the same "
        "freeze in other classes). Under the bar (precision >= 90% and recall >= 80%) on its kind, and two rows"
        " of one repository are too few to put it on."),
    fix="None: the freeze has to be repeated after every `.train()` (a `train` override that calls "
        "`super().train(mode)` and then the freeze), a change of the model's class.",
    fix_safety=FixSafety.NONE,
    no_fix="the repair is a `train` override in the model's class, not an edit at the freeze",
    flagged=(
        """\
import torch
from torch import nn


def freeze_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.LazyLinear(2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
freeze_bn(model)  # expect: BNU106:1
for epoch in range(3):
    model.train()
    for x in [torch.randn(2, 3, 8, 8)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
""",
    ),
    silent=(
        """\
import torch
from torch import nn


def freeze_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.LazyLinear(2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    model.train()
    freeze_bn(model)
    for x in [torch.randn(2, 3, 8, 8)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
""",
        """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.LazyLinear(2))

    def forward(self, x):
        return self.body(x)

    def freeze_bn(self):
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()

    def train(self, mode=True):
        super().train(mode)
        self.freeze_bn()
        return self


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.freeze_bn()
for epoch in range(3):
    model.train()
    for x in [torch.randn(2, 3, 8, 8)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
""",
    ),
    check=check,
)
