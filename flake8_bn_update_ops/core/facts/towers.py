"""Towers (RULES.md "Towers and modes"): which calls the module's train-op losses are computed
through (loss provenance), so that a call whose output provably stays off every loss, while
another of its kind is on one, reads as an evaluation tower."""
from __future__ import annotations

from typing import FrozenSet, Iterable, List

from ..evaluate import Evaluator
from ..index import CallSite
from .records import TrainOpInfo


def loss_provenance(evaluator: Evaluator, train_ops: List[TrainOpInfo]) -> FrozenSet[int]:
    """id() of every call node the module's train-op losses are computed through (RULES.md
    "Reach"): what can reach a train op's loss."""
    losses = []
    for op in train_ops:
        expr = op.loss if op.loss is not None else (op.call.node.args[0] if op.call.node.args else None)
        if expr is not None:
            losses.append((expr, evaluator.at(op.call)))
    return frozenset(evaluator.loss_provenance(losses)) if losses else frozenset()


def separate_tower(provenance: FrozenSet[int], call: CallSite, calls: Iterable[CallSite]) -> bool:
    """The call's output provably stays off every train op's loss while another of ``calls``
    (a tower of the same kind) is on it: an evaluation tower."""
    if not provenance or id(call.node) in provenance:
        return False
    return any(other is not call and id(other.node) in provenance for other in calls)
