"""Fixes that edit other modules of the project (issue 25: a builder's training flag threaded
into the module that imports it). A ``Combined`` plan may hold ``InModule`` parts; the module
whose finding it is gets the other parts. Every edited module must still hold the bytes the
analysis read (``digest``), take its edits, and compile, or the whole fix is refused: the
front end then writes all the modules a fix names, or none of them."""
from __future__ import annotations

import ast
import hashlib
import io
import tokenize
from typing import Dict, List, Optional, Sequence, Tuple

from .plans import Combined, InModule


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_module_text(path: str) -> Optional[Tuple[str, str]]:
    """(text, digest of its bytes) of a module on disk, line endings kept; None if unreadable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, digest_of(data)


def other_parts(plan) -> List[InModule]:
    return [part for part in getattr(plan, "parts", ()) if type(part) is InModule] \
        if type(plan) is Combined else []


def without_other_parts(plan):
    """The plan's edits of its own module."""
    if type(plan) is not Combined or not other_parts(plan):
        return plan
    return Combined(tuple(part for part in plan.parts if type(part) is not InModule), plan.safety)


class OtherModuleRefused(Exception):
    """An other module's edits cannot be made (it changed, or they do not apply or compile)."""


def edit_other_modules(plans: Sequence[object], edited: Dict[str, Tuple[str, str]], settings=None) -> None:
    """Apply the ``InModule`` parts of ``plans`` to their modules, adding to ``edited`` (path ->
    (text before, text after)). Each module is edited once per fix run: its parts are located in
    the bytes the analysis read, which a second edit would have moved. Raises
    OtherModuleRefused (``edited`` unchanged) when any module cannot take its edits."""
    from .apply import FixNotApplicable, fix_text
    from ..findings import UnparsableSource

    grouped: Dict[str, List[InModule]] = {}
    for plan in plans:
        for part in other_parts(plan):
            grouped.setdefault(part.path, []).append(part)
    new: Dict[str, Tuple[str, str]] = {}
    for path, parts in grouped.items():
        if path in edited:
            raise OtherModuleRefused(f"{path} was edited by another fix in this run")
        read = read_module_text(path)
        if read is None or any(part.digest != read[1] for part in parts):
            raise OtherModuleRefused(f"{path} changed since it was analysed")
        text = read[0]
        try:
            tree = ast.parse(text, path)
            fixed = fix_text(text, tree, [edit for part in parts for edit in part.parts], settings)
            compile(fixed, path, "exec", dont_inherit=True)
        except (FixNotApplicable, UnparsableSource, SyntaxError, ValueError, RecursionError) as error:
            raise OtherModuleRefused(f"{path}: {' '.join(str(error).split())}") from None
        if fixed != text:
            new[path] = (text, fixed)
    edited.update(new)
