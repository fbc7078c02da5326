"""``ModuleFacts``: everything the rules read about one checked module, built once and in full
by ``build.build_facts`` and frozen from then on (assigning an attribute raises). The questions
that take an argument (``handling(op)``, ``exclusive(reached, op)``) are functions over the
frozen facts (or lookups in maps built with them), never caches filled on first use; value
questions about arbitrary expressions go to ``evaluator`` (``core/evaluate.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ... import tf_api
from ..evaluate import Evaluator
from ..index import CallSite, ModuleIndex, Scope
from ..resolver import At, Resolver
from ..values import Value
from . import flags, handling, modes, towers
from .records import ArgScopeEntry, BatchNormSite, Handling, Reached, TrainOpInfo


@dataclass(frozen=True, eq=False)
class ModuleFacts:
    index: ModuleIndex
    source: Any                         # core.source.SourceText of the checked text
    resolver: Resolver
    project: Any
    settings: Any
    evaluator: Evaluator
    arg_scopes: Tuple[ArgScopeEntry, ...]   # the module's own (slim ``arg_scope`` defaults)
    wrapper_apis: Mapping[str, Any]     # ``--bn-wrappers``: canonical name -> BatchNormApi
    training_flag_names: Tuple[str, ...]
    # Batch-norm sites, lexical and frameless: UPDATE_OPS kind, and Keras calls/constructions.
    sites: Tuple[BatchNormSite, ...]
    keras_sites: Tuple[BatchNormSite, ...]
    update_ops_subclasses: FrozenSet[int]
    keras_updates_in_update_ops: bool
    train_ops: Tuple[TrainOpInfo, ...]
    # Every site reached from the module's roots; by each call of this module on the way.
    reached: Tuple[Reached, ...]
    calls_reaching: Mapping[int, Tuple[Reached, ...]]
    counting: Tuple[Reached, ...]       # reached UPDATE_OPS sites whose flag can be on
    handlings: Mapping[int, Handling]   # id(train op's call node) -> how it is handled
    graph_mode: bool
    eager_scopes: FrozenSet[int]
    learning_phase_set: bool
    trains: bool
    loss_provenance: FrozenSet[int]     # id() of the call nodes the train-op losses go through
    differentiated_scopes: FrozenSet[int]   # functions handed to a JAX gradient transform
    batch_stats_applies: Tuple[CallSite, ...]   # Flax applies that make batch_stats mutable
    torch: Any                          # core.torch_flow.TorchFlow: PyTorch containment and mode flow

    # -- the evaluator's questions that nearly every rule asks, kept here for brevity ----------

    def at(self, call: CallSite) -> At:
        return self.evaluator.at(call)

    def callee(self, call: CallSite, frame=None) -> Value:
        return self.evaluator.callee(call, frame)

    def api_name(self, call: CallSite, frame=None) -> Optional[str]:
        return self.evaluator.api_name(call, frame)

    def callers(self, scope: Scope) -> List[CallSite]:
        return self.evaluator.callers(scope)

    # -- questions over the facts ----------------------------------------------------------------

    def known_api(self, name: str):
        return tf_api.BATCH_NORM_APIS.get(name) or self.wrapper_apis.get(name)

    def counting_sites(self) -> Tuple[Reached, ...]:
        return self.counting

    def handling(self, op: TrainOpInfo) -> Handling:
        found = self.handlings.get(id(op.call.node))
        if found is None:
            # A train op of another module (a helper this module calls with its loss): how this
            # module handles it, judged here and not kept (the facts stay as built).
            found = handling.handling_of(self.evaluator, self.index, [op], self.counting,
                                         self.flag_names())[id(op.call.node)]
        return found

    def exclusive(self, reached: Reached, op: TrainOpInfo) -> bool:
        return handling.exclusive(self.evaluator, self.index, reached, op)

    def required_collections(self, op: Optional[TrainOpInfo] = None) -> Set[str]:
        return handling.required_collections(self, op)

    def all_literal_true(self, op: Optional[TrainOpInfo] = None) -> bool:
        return handling.all_literal_true(self, op)

    def is_evaluation_run(self, call: CallSite) -> bool:
        return handling.is_evaluation_run(self.evaluator, self.training_flag_names, call)

    def in_eager_function(self, call: CallSite) -> bool:
        return id(call.scope.function()) in self.eager_scopes

    def called_from_graph_mode(self) -> bool:
        return modes.called_from_graph_mode(self.project, self.index)

    def separate_tower(self, call: CallSite, calls: Iterable[CallSite]) -> bool:
        return towers.separate_tower(self.loss_provenance, call, calls)

    def flag_names(self) -> Tuple[str, ...]:
        return self.training_flag_names

    def is_flag_expression(self, expr) -> bool:
        return flags.is_flag_expression(self.training_flag_names, expr)

    def chosen_by_training_flag(self, context, node=None) -> bool:
        return flags.chosen_by_training_flag(self.training_flag_names, context)
