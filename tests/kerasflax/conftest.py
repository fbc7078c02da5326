"""Everything under tests/kerasflax runs real Keras 3 (JAX backend) and Flax: mark it ``jax``
(tox's ``py`` and ``tf`` envs deselect it; the ``jax`` env runs only it)."""
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)   # before pytest's own -m deselection reads the markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.jax)
