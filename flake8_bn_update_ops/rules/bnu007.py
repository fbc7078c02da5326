"""BNU007: a Keras model containing batch norm is called in a GradientTape block without
``training=True``.

Measured: called without it, the layers run in inference mode; their moving statistics never
update, and the model trains with them. An explicit ``training=False`` is a deliberate choice
(fine-tuning with frozen statistics) and is left alone.
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from ..fixes import ReplaceNode, insert_keyword
from ..resolve import call_keyword, has_star_kwargs
from . import Report

CODES = ("BNU007",)


def check(context) -> Iterable[Report]:
    for fact, name in context.keras_calls_in_tape():
        call = fact.node
        if call_keyword(call, "training") is not None or has_star_kwargs(call.args) or len(call.args) >= 2:
            continue
        yield Report(call, "BNU007",
                     f"BNU007 `{name}` contains BatchNormalization and is called in a GradientTape block "
                     "without `training=True`: its moving statistics never update",
                     ReplaceNode(call, lambda updated: insert_keyword(updated, "training", cst.Name("True"))))
