"""The PyTorch tests need torch: checked when a test runs, not when its module is collected, so
the environments without torch (``py``, ``tf``, ``jax``) collect and deselect them (``-m "not
torch"``) without failing, and the ``torch`` environment fails, under CI, rather than skip."""
from __future__ import annotations

import importlib.util

import pytest

from requires import require


@pytest.fixture(autouse=True)
def _torch_is_installed():
    require(importlib.util.find_spec("torch") is not None,
            "PyTorch is not installed (tox -e torch installs torch==2.13.0)")
