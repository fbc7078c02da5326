"""Project-aware analysis (builders imported from the project's own modules).

Placeholder seam: ``external_index`` returns None until cross-module summaries land, which
makes every import of a project module "unknown", exactly as a third-party import.
"""
from __future__ import annotations


def external_index(filename, settings):
    return None
