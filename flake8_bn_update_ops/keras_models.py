"""Which names hold a Keras model or layer that contains batch normalization."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from . import tf_api
from .facts import Scope
from .model import KerasModel


class KerasModelsMixin:
    def _scan_keras_models(self):
        for scope in [self.facts.module_scope] + list(self.facts.scopes.values()):
            for bindings in scope.bindings.values():
                for binding in bindings:
                    keras2 = self.keras_with_batch_norm(binding.value, binding.scope, binding.seq) \
                        if binding.kind == "assign" else None
                    if keras2 is not None:
                        self.result.keras_models.append(KerasModel(binding, keras2))
        for bindings in self.facts.attribute_assignments.values():
            for binding in bindings:
                keras2 = self.keras_with_batch_norm(binding.value, binding.scope, binding.seq)
                if keras2 is not None:
                    self.result.keras_models.append(KerasModel(binding, keras2))

    def keras_with_batch_norm(self, expr, scope: Scope, seq: int, depth: int = 0) -> Optional[bool]:
        """None unless ``expr`` builds a Keras model or layer containing batch norm; then whether
        it is Keras 2 (``tf.keras``/``tf_keras``, which has ``.updates``)."""
        if depth > 4 or not isinstance(expr, cst.Call):
            return None
        value = self.resolver.value_of(expr.func, scope, seq)
        if value is None:
            return None
        if value.kind == "api":
            name = value.qualname
            keras2 = name.startswith(tf_api.KERAS2_ROOTS)
            api = tf_api.BATCH_NORM_APIS.get(name)
            if api is not None and api.family == "keras":
                return keras2
            if name.startswith(tf_api.KERAS_APPLICATION_PREFIXES) and \
                    name.rsplit(".", 1)[-1] in tf_api.KERAS_APPLICATIONS_WITH_BATCH_NORM:
                return keras2
            if name in tf_api.KERAS_MODEL_CLASSES:
                if name.endswith("Sequential"):
                    return keras2 if self._args_build_keras_bn(expr, scope, seq, depth) else None
                # A functional model: it contains batch norm if its scope applies a Keras one.
                if any(site.call.scope.function() is scope.function() for site in self.result.keras_sites):
                    return keras2
            return None
        if value.kind == "external_builder" and value.export is not None:
            return value.export.keras2 if value.export.keras else None
        if value.kind == "local" and value.binding is not None:
            node = value.binding.value
            if isinstance(node, cst.ClassDef):
                bases = [self.qualname(base.value, value.binding.scope, 10 ** 9) or "" for base in node.bases]
                if any(base in tf_api.KERAS_MODEL_CLASSES or base.startswith("tensorflow.keras.") or
                       base.startswith("keras.") for base in bases) and self._defines_keras_bn(node):
                    return all(base.startswith(tf_api.KERAS2_ROOTS) for base in bases if base)
            if isinstance(node, cst.FunctionDef) and self._defines_keras_bn(node):
                return True
        return None

    def _args_build_keras_bn(self, expr: cst.Call, scope, seq, depth) -> bool:
        for arg in expr.args:
            values = arg.value.elements if isinstance(arg.value, (cst.List, cst.Tuple)) else [arg.value]
            for element in values:
                node = element.value if isinstance(element, cst.BaseElement) else element
                if self.keras_with_batch_norm(node, scope, seq, depth + 1) is not None:
                    return True
        return False

    def _defines_keras_bn(self, node: cst.CSTNode) -> bool:
        return any(node in site.call.parents for site in self.result.keras_sites)
