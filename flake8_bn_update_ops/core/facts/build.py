"""``build_facts``: the one place the facts of a module are computed, once, in dependency
order. Each step is a file of this package that owns one job; each hands back plain records
that are frozen into ``ModuleFacts`` at the end."""
from __future__ import annotations

from types import MappingProxyType

from ..evaluate import Evaluator
from ..index import ModuleIndex
from ..resolver import Resolver
from ..torch_flow import TorchFlow
from . import flags, handling, jax_steps, modes, sites, towers, train_ops
from .module import ModuleFacts
from .reach import ReachWalk, may_build_sites


def build_facts(index: ModuleIndex, resolver: Resolver, settings, source) -> ModuleFacts:
    evaluator = Evaluator(resolver, index, source)
    # The arg_scopes first: the resolver must know the defaults they give before it answers.
    reader = sites.SiteReader(evaluator, sites.wrapper_apis(settings))
    names = flags.flag_names(settings)
    # Keras BatchNormalization subclasses that add their updates to UPDATE_OPS themselves (seen
    # in real projects) build UPDATE_OPS sites, not Keras ones.
    update_ops_subclasses = evaluator.update_ops_subclasses_in(index)
    keras_updates_in_update_ops = any(evaluator.adds_keras_updates(call)
                                      for call in evaluator.update_ops_additions(index))
    # A module whose calls can reach no batch-norm API needs neither its lexical sites read nor
    # the reach walk: both would find nothing (most of a large library's modules).
    builds_sites = may_build_sites(reader, index, source.text, settings)
    update_ops_sites, keras_sites = sites.lexical_sites(reader, index) if builds_sites else ([], [])
    ops, trains_by_ops = train_ops.scan_train_ops(evaluator, index)
    module_modes = modes.scan_modes(evaluator, index, ops)
    walk = ReachWalk(reader, index, update_ops_sites + keras_sites)
    if builds_sites:
        walk.walk_roots()
    reached = tuple(walk.reached)
    counting = tuple(item for item in reached if item.site.writes_update_ops)
    return ModuleFacts(
        index=index,
        source=source,
        resolver=resolver,
        project=resolver.project,
        settings=settings,
        evaluator=evaluator,
        arg_scopes=tuple(reader.scopes.entries),
        wrapper_apis=MappingProxyType(reader.wrapper_apis),
        training_flag_names=names,
        sites=tuple(update_ops_sites),
        keras_sites=tuple(keras_sites),
        update_ops_subclasses=frozenset(update_ops_subclasses),
        keras_updates_in_update_ops=keras_updates_in_update_ops,
        train_ops=tuple(ops),
        reached=reached,
        calls_reaching=MappingProxyType({key: tuple(found) for key, found in walk.calls_reaching.items()}),
        counting=counting,
        handlings=MappingProxyType(handling.handling_of(evaluator, index, ops, counting, names)),
        graph_mode=module_modes.graph_mode,
        eager_scopes=module_modes.eager_scopes,
        learning_phase_set=module_modes.learning_phase_set,
        trains=trains_by_ops or module_modes.trains,
        loss_provenance=towers.loss_provenance(evaluator, ops),
        differentiated_scopes=jax_steps.differentiated_scopes(evaluator, index),
        batch_stats_applies=jax_steps.batch_stats_applies(evaluator, index, source),
        torch=TorchFlow(evaluator),
    )
