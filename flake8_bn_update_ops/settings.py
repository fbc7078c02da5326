"""Options shared by the flake8 plugin and the command line (one object, two skins)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Tuple


@dataclass(frozen=True)
class Settings:
    # Extra parameter names that mean "the training flag" (``bn-training-names``).
    training_names: Tuple[str, ...] = ()
    # The project's own batch-norm wrappers: dotted name -> flag parameter name (``bn-wrappers``).
    wrappers: Mapping[str, str] = field(default_factory=dict)
    # Extra helpers that already run the update ops, like slim's create_train_op (``bn-train-op-helpers``).
    train_op_helpers: Tuple[str, ...] = ()
    # Follow imports into the project's own modules (``bn-cross-module``).
    cross_module: bool = True
    # The longest line a fix may write (flake8's ``max-line-length``; pycodestyle's default 79).
    max_line_length: int = 79

    def __hash__(self):  # settings key caches; the mapping field is not hashable by itself
        return hash((self.training_names, tuple(sorted(self.wrappers.items())),
                     self.train_op_helpers, self.cross_module, self.max_line_length))


DEFAULT_SETTINGS = Settings()
