"""The records the facts are made of: immutable once built (frozen dataclasses compared by
identity, as the ast nodes they point to are)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, FrozenSet, Mapping, Optional, Tuple

from ... import tf_api
from ..index import CallSite
from ..kinds import FlagState, Via

UPDATE_OPS = tf_api.UPDATE_OPS
ANY_UPDATES = tf_api.ANY_UPDATES


@dataclass(frozen=True, eq=False)
class Flag:
    """The training flag a batch-norm site ends up with.

    state: ``given`` (``node`` is the expression; ``literal`` its definite bool or None),
    ``missing`` (nothing could supply it) or ``unknown`` (something could: ``**kwargs``, an
    unknown dict, an ``arg_scope`` we cannot see into)."""

    state: str
    node: Any = None
    literal: Optional[bool] = None
    origin: str = Via.CALL
    value: Any = None
    index: Any = None           # the module whose source holds ``node``
    scope: Any = None           # the scope it is written in

    def __repr__(self):
        return f"Flag({self.state}, {self.literal}, {self.origin})"


@dataclass(frozen=True, eq=False)
class BatchNormSite:
    """One place that builds a batch-norm layer, as seen in one frame.

    ``call`` is the call a missing-flag finding sits on; ``collection`` is None for updates in
    place, else the collection key (``ANY_UPDATES`` when unknown)."""

    call: CallSite
    api: Any
    name: str
    flag: Flag
    collection: Optional[str]
    via: str
    frame: Any
    keeps_moving_in_trainable: bool = False
    frozen: bool = False
    options: Any = None         # the ``normalizer_params`` expression, if any

    @property
    def keras(self) -> bool:
        return self.api.family == tf_api.Family.KERAS

    @property
    def writes_update_ops(self) -> bool:
        """An UPDATE_OPS-kind site whose flag can be on (RULES: "Effective flag")."""
        if self.keras or self.collection is None:
            return False
        if self.flag.literal is False:
            return False
        if self.flag.state == FlagState.MISSING and self.api.flag_default is False:
            return False
        return True

    def __repr__(self):
        return f"<Site {self.api.display} line {self.call.node.lineno} {self.flag!r} {self.collection}>"


@dataclass(frozen=True, eq=False)
class Reached:
    """A site reached from this module's roots: the site, and the chain of calls that led there
    (outermost first, ``CallSite``s of any module)."""

    site: BatchNormSite
    chain: Tuple[CallSite, ...]


@dataclass(frozen=True, eq=False)
class TrainOpInfo:
    """A train op the module builds: its call, the method or helper (``minimize``,
    ``apply_gradients``, ``create_train_op``) and its loss expression (None if unwritten)."""

    call: CallSite
    method: str
    loss: Any

    def __repr__(self):
        return f"<TrainOp {self.method} line {self.call.node.lineno}>"


@dataclass(frozen=True, eq=False)
class Handling:
    """What a train op depends on: collection keys, and the reads that it relies on with the
    place each one is consumed (for BNU004)."""

    keys: FrozenSet[str]
    reads: Tuple[tuple, ...]

    def covers(self, required) -> bool:
        return ANY_UPDATES in self.keys or required <= self.keys


@dataclass(frozen=True, eq=False)
class ArgScopeEntry:
    """``arg_scope([fn, ...], key=value)``: defaults for the listed functions."""

    call: Any                   # the ApiCall of ``arg_scope``
    functions: FrozenSet[str]
    keywords: Mapping[str, object]
    complete: bool
    report: Optional[CallSite]  # the CallSite of this module that made it (for wrapper defaults)
    scopes: FrozenSet[int] = frozenset()    # the project's own functions listed (``@add_arg_scope``)
