"""The cheap text test that lets most files skip parsing altogether.

Its words come from the API tables (``tf_api.TRIGGER_WORDS``), never hand-copied, so a new
table row cannot be forgotten here. A trainer whose batch norm lives in another module still
mentions ``minimize`` or ``apply_gradients``, so it is still analysed.
"""
from __future__ import annotations

import functools
import re
from typing import Iterable

from .tf_api import TRIGGER_WORDS


@functools.lru_cache(maxsize=16)
def _pattern(extra_words: tuple) -> "re.Pattern[str]":
    words = sorted(set(TRIGGER_WORDS) | set(extra_words), key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words))


def might_have_findings(source: str, extra_words: Iterable[str] = ()) -> bool:
    return _pattern(tuple(sorted(extra_words))).search(source) is not None
