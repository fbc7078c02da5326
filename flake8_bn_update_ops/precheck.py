"""The cheap text test that lets most files skip parsing altogether.

Its words come from the API tables (the ``TRIGGER_WORDS`` of ``tf_api``, ``keras_flax_api`` and ``torch_api``),
never hand-copied, so a new table row cannot be forgotten here. A trainer whose batch norm lives in another module still
mentions ``minimize`` or ``apply_gradients``, so it is still analysed. A run that reports only some codes (flake8's
default leaves the BNU1xx-3xx codes under the bar off) tests only the words of those codes' tables.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import FrozenSet, Iterable, Optional, Tuple

from . import keras_flax_api, tf_api, torch_api

TRIGGER_WORDS = tf_api.TRIGGER_WORDS | keras_flax_api.TRIGGER_WORDS | torch_api.TRIGGER_WORDS

# Which family of codes each table's words serve, by code prefix: a run that selects only some
# codes needs only their words. flake8's default run selects no BNU2xx/BNU3xx code, so
# ``trainable`` (BNU201's frozen base) does not make a library module that freezes a layer
# worth analysing (it alone let 46 of the 99 modules of tf_keras that passed through, measured).
TENSORFLOW_CODE_PREFIX = "BNU0"
WORDS_BY_CODE_PREFIX: Tuple[Tuple[str, FrozenSet[str]], ...] = (
    (TENSORFLOW_CODE_PREFIX, tf_api.TRIGGER_WORDS),
    ("BNU1", torch_api.TRIGGER_WORDS),
    ("BNU2", keras_flax_api.TRIGGER_WORDS),
    ("BNU3", keras_flax_api.TRIGGER_WORDS),
)


def _minimal(words) -> tuple:
    """The words, minus those that contain another one (``batch_normalization`` contains
    ``batch_norm``): plain substring tests are faster than one regex alternation (measured on
    the standard library: 0.39 s against 0.62 s for 31 MB)."""
    return tuple(sorted(word for word in words if not any(other != word and other in word for other in words)))


class Words:
    """The pre-check's words for one choice of codes: a set for the tree test, and the same words
    minus those containing another for the text test."""

    def __init__(self, words: FrozenSet[str]) -> None:
        self.words = words
        self.minimal = _minimal(words)


def _words_of_families() -> "MappingProxyType[FrozenSet[str], Words]":
    prefixes = [prefix for prefix, _ in WORDS_BY_CODE_PREFIX]
    table = dict(WORDS_BY_CODE_PREFIX)
    chosen = {}
    for mask in range(1 << len(prefixes)):
        family = frozenset(prefix for bit, prefix in enumerate(prefixes) if mask >> bit & 1)
        chosen[family] = Words(frozenset().union(*(table[prefix] for prefix in family)))
    return MappingProxyType(chosen)


# Every choice of families, worked out once: the plugin asks for each of a run's files.
_WORDS_OF_FAMILIES = _words_of_families()
_EVERY_FAMILY = frozenset(prefix for prefix, _ in WORDS_BY_CODE_PREFIX)


def wrapper_words(settings) -> Tuple[str, ...]:
    """The last part of each ``--bn-wrappers`` name: a pre-check word of the TensorFlow codes."""
    return tuple(name.rsplit(".", 1)[-1] for name in settings.wrappers)


def words_for(codes: Optional[Tuple[str, ...]] = None, extra_words: Tuple[str, ...] = ()) -> Words:
    """The words without which none of ``codes`` (full codes; every code when None) can fire;
    ``extra_words`` (the last part of each project batch-norm wrapper's name) count for the
    TensorFlow codes, whose sites a wrapper builds."""
    if codes is None:
        family = _EVERY_FAMILY
    else:
        family = frozenset(prefix for prefix, _ in WORDS_BY_CODE_PREFIX
                           if any(code.startswith(prefix) for code in codes))
    words = _WORDS_OF_FAMILIES[family]
    if extra_words and TENSORFLOW_CODE_PREFIX in family:
        words = Words(words.words | frozenset(extra_words))
    return words


def might_have_findings(source: str, extra_words: Iterable[str] = (), codes: Optional[Tuple[str, ...]] = None) -> bool:
    """Whether the text names a word of ``codes`` (every code when None) at all."""
    words = words_for(codes, tuple(extra_words)).minimal
    return any(word in source for word in words)


def tree_might_have_findings(tree, extra_words: Iterable[str] = (), codes: Optional[Tuple[str, ...]] = None) -> bool:
    """The same words, but only where Python code uses them as names, attributes, keywords,
    imports or the ``"update_ops"`` key: not in comments or docstrings. Run on the ``ast``
    the caller already has (flake8 hands one to every plugin) after the text test passed, it
    spares the libcst parse of files that only talk about batch norm."""
    return tree_uses_words(tree, words_for(codes, tuple(extra_words)).words)


def tree_uses_words(tree, words, in_names: bool = False, skip=frozenset()) -> bool:
    """Whether code (names, attributes, keywords, imports, short string keys) uses a word.
    ``in_names``: also a string of any length that is a word (a name ``getattr`` is given).
    ``skip``: id() of subtrees not to look into.
    An explicit stack over each node type's own fields: ``ast.walk`` is three times slower."""
    import ast

    from .core.index import fields_of

    Attribute, Name, keyword, alias, Constant = ast.Attribute, ast.Name, ast.keyword, ast.alias, ast.Constant
    ImportFrom = ast.ImportFrom
    stack = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if skip and id(node) in skip:
            continue
        kind = type(node)
        if kind is Name:
            if node.id in words:
                return True
            continue
        if kind is Attribute:
            if node.attr in words:
                return True
        elif kind is keyword:
            if node.arg in words:
                return True
        elif kind is alias:
            # ``import torch.nn as nn``: the package root counts too (``torch``).
            if node.name.rsplit(".", 1)[-1] in words or node.name.split(".", 1)[0] in words:
                return True
            continue
        elif kind is ImportFrom:
            if node.module and node.module.split(".", 1)[0] in words:    # ``from torch import nn``
                return True
        elif kind is Constant:
            value = node.value
            if type(value) is str and (len(value) < 16 or in_names) and value in words:
                return True
            continue
        elif node is None or kind is str:       # ``{**d}`` keys, ``global a, b`` names
            continue
        for field in fields_of(kind):
            value = getattr(node, field, None)
            if type(value) is list:
                extend(value)
            elif value is not None and not isinstance(value, (str, int, float, bytes, bool)):
                push(value)
    return False
