"""What every rule reads: the module's analysis plus the few cross-cutting questions rules
share (which calls run a Keras model with batch norm, what crosses module boundaries)."""
from __future__ import annotations

from typing import List, Set, Tuple

import libcst as cst

from . import tf_api
from .analysis import Analyzer, function_parents
from .facts import CallFact
from .model import KerasModel, ModuleAnalysis


class RuleContext:
    def __init__(self, analyzer: Analyzer, analysis: ModuleAnalysis):
        self.analyzer = analyzer
        self.analysis = analysis
        external = analyzer.external
        # Filled by project-aware analysis: what imported builders contribute.
        self.external_collections: Set[str] = set()
        self.external_builder_calls: List[CallFact] = []
        self.external_keras = False
        if external is not None:
            self.external_collections, self.external_builder_calls, self.external_keras = \
                external.contributions(analyzer)
        self._model_bindings = {id(model.binding): model for model in analysis.keras_models}

    def keras_model_of_call(self, fact: CallFact):
        func = fact.node.func
        resolver = self.analyzer.resolver
        if isinstance(func, cst.Name):
            binding = resolver.lookup(func.value, fact.scope, fact.seq)
            return self._model_bindings.get(id(binding)) if binding is not None else None
        if isinstance(func, cst.Attribute):
            for binding in resolver.attribute_bindings(func, fact.scope, fact.seq):
                if id(binding) in self._model_bindings:
                    return self._model_bindings[id(binding)]
        return None

    def keras_model_calls(self) -> List[Tuple[CallFact, KerasModel]]:
        calls = []
        for fact in self.analyzer.facts.calls:
            model = self.keras_model_of_call(fact)
            if model is not None:
                calls.append((fact, model))
        return calls

    def keras_calls_in_tape(self) -> List[Tuple[CallFact, str]]:
        calls = []
        for fact, model in self.keras_model_calls():
            if self._inside_tape(fact):
                calls.append((fact, model.binding.name))
        return calls

    def _inside_tape(self, fact: CallFact) -> bool:
        for node in function_parents(fact.parents):
            if isinstance(node, cst.With):
                for item in node.items:
                    if isinstance(item.item, cst.Call):
                        name = self.analyzer.qualname(item.item.func, fact.scope, fact.seq)
                        if name == tf_api.GRADIENT_TAPE:
                            return True
        return False

    def keras_models_in_scope(self, fact: CallFact) -> List[KerasModel]:
        scopes = set()
        scope = fact.scope
        while scope is not None:
            scopes.add(id(scope))
            scope = scope.parent
        latest = {}   # one model per name: its last binding in scope wins
        for model in self.analysis.keras_models:
            if id(model.binding.scope) in scopes and model.binding.seq < fact.seq and "." not in model.binding.name:
                latest[model.binding.name] = model
        return list(latest.values())
