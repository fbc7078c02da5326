"""The domain objects the rules reason about, derived once per module from its facts."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple

import libcst as cst

from .facts import Binding, CallFact, Scope
from .tf_api import BatchNormApi


@dataclass(eq=False)
class Flag:
    """The training flag a batch-norm site ends up with."""

    state: str                               # "given", "missing" or "unknown" (could be supplied)
    node: Optional[cst.BaseExpression] = None
    literal: Optional[bool] = None           # a literal, or a module constant bound to one
    origin: str = "call"                     # call, partial, normalizer_params, arg_scope


@dataclass(eq=False)
class BatchNormSite:
    call: CallFact                 # the call a missing-flag finding sits on
    api: BatchNormApi
    qualname: str
    flag: Flag
    collection: Optional[str]      # None: updated in place; else the collection key
    via: str                       # call, instance, construction, normalizer_fn, builder
    keeps_moving_in_trainable: bool = False

    @property
    def writes_update_ops(self) -> bool:
        """An UPDATE_OPS-kind site whose flag can be on (RULES: "Effective flag")."""
        if self.api.family == "keras" or self.collection is None:
            return False
        if self.flag.literal is False:
            return False
        if self.flag.state == "missing" and self.api.flag_default is False:
            return False
        return True


@dataclass(eq=False)
class TrainOp:
    call: CallFact
    method: str                    # minimize, apply_gradients, or the helper's name
    loss: Optional[cst.BaseExpression]
    result: Optional[Binding]      # ``train_op = <call>``


@dataclass(eq=False)
class UpdateOpsRead:
    """A ``get_collection(UPDATE_OPS)`` read that some train op relies on."""

    call: CallFact
    live: bool                     # get_collection_ref
    consumer_seq: Optional[int] = None


@dataclass
class Handling:
    keys: Set[str] = field(default_factory=set)
    reads: List[Tuple[UpdateOpsRead, Optional[int]]] = field(default_factory=list)  # (read, consumer seq)

    def covers(self, required: Set[str]) -> bool:
        from .tf_api import ANY_UPDATES
        return ANY_UPDATES in self.keys or required <= self.keys


@dataclass(eq=False)
class KerasModel:
    """A name in scope bound to a Keras model or layer that contains batch normalization."""

    binding: Binding
    keras2: bool


@dataclass
class ModuleAnalysis:
    sites: List[BatchNormSite] = field(default_factory=list)
    keras_sites: List[BatchNormSite] = field(default_factory=list)
    train_ops: List[TrainOp] = field(default_factory=list)
    builder_calls: List[CallFact] = field(default_factory=list)
    builder_scopes: Set[int] = field(default_factory=set)
    graph_mode: bool = False
    eager_scopes: Set[int] = field(default_factory=set)
    learning_phase_set: bool = False
    keras_models: List[KerasModel] = field(default_factory=list)
    builds_any_batch_norm: bool = False
    scope_of: Optional[Scope] = None
