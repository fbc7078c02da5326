"""Everything under tests/kerasflax runs real Keras 3 (JAX backend) and Flax: mark it ``jax``
(tox's ``py`` and ``tf`` envs deselect it; the ``jax`` env runs only it)."""
import os
from pathlib import Path

import pytest

# Keras reads its backend once, at import: before any test imports it.
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

_HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)   # before pytest's own -m deselection reads the markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.jax)
