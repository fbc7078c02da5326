"""The command (``python -m flake8_bn_update_ops``, the ``flake8-bn-update-ops`` script).

``command``: options, file discovery, the run and its exit status; ``checking``: one file
through the engine into reports; ``formats``: text, JSON, GitHub and SARIF output; ``fileio``:
reading and safely rewriting files; ``gitignore``: which files a run skips; ``explain``: the
codes' documentation (``--explain``, README.md's table, docs/codes.md).
"""
from .command import main

__all__ = ("main",)
