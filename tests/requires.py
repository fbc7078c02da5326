"""Skip here, fail under CI: a test whose dependency is missing must not pass CI as "skipped".

``.ci/run`` exports ``CI=true`` (tox passes it to every environment), and tox's ``tf``, ``torch``
and ``jax`` environments set ``BNU_REQUIRE_TF``, ``BNU_REQUIRE_TORCH`` and ``BNU_REQUIRE_JAX``. Where
any is set, ``require`` fails the test; elsewhere (a developer's checkout without, say,
pre-commit or TensorFlow) it skips with the same reason. A green CI run therefore means every
test ran.
"""
from __future__ import annotations

import os

import pytest

_FALSE = ("", "0", "false", "no", "off")


def strict() -> bool:
    """True under ``.ci/run`` (``CI``) or tox's ``tf``, ``torch`` and ``jax`` environments
    (``BNU_REQUIRE_TF``, ``BNU_REQUIRE_TORCH``, ``BNU_REQUIRE_JAX``)."""
    return any(os.environ.get(name, "").strip().lower() not in _FALSE
               for name in ("CI", "BNU_REQUIRE_TF", "BNU_REQUIRE_TORCH", "BNU_REQUIRE_JAX"))


def require(condition: object, reason: str) -> None:
    """Go on when ``condition`` holds; otherwise fail under CI and skip elsewhere.

    Usable in a test, a fixture, or at module level (then it skips or fails the whole module).
    """
    if condition:
        return
    if strict():
        pytest.fail(f"{reason}; CI is set, so this fails instead of skipping", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
