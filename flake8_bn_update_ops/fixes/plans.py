"""What a fix will do, as plain data: the positions it targets and the text it writes.

A rule attaches one plan to its finding; ``fixes.apply`` finds each target in the libcst tree
by position (characters, as ``core.source.Span``) and rewrites only that node or statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from ..core.source import Span
from ..findings import SAFE, UNSAFE  # noqa: F401  (re-exported for the rule units)


@dataclass(frozen=True)
class WrapStatement:
    """Wrap the statement that builds a train op in ``with <dependency>:``.

    ``statement`` is the small statement whose whole value is the call; with ``hoist_name``
    the call is nested deeper and is first hoisted into ``hoist_name = <call>`` inside the
    new block, just before the statement. With ``replace`` set, the train op already sits in a
    ``with control_dependencies(...)`` whose argument does nothing (an empty ``UPDATE_OPS`` for
    Keras): that argument is replaced instead of nesting a new block. ``remove``: a
    ``with control_dependencies(...)`` block that holds nothing but ``X = tf.identity(X)``
    rebindings of the loss (BNU005): pointless once the train op depends on the update ops,
    so it is deleted (its lines; comments above it stay)."""

    call: Span
    statement: Span
    dependency: str
    safety: str = SAFE
    hoist_name: Optional[str] = None
    add_import: Optional[Tuple[str, str]] = None     # (module, alias): ``import module as alias``
    replace: Optional[Span] = None
    replace_text: Optional[str] = None
    remove: Optional[Span] = None


@dataclass(frozen=True)
class ReplaceExpression:
    """Replace one expression with ``text`` (a flag literal with the flag parameter)."""

    target: Span
    text: str
    safety: str = SAFE


@dataclass(frozen=True)
class InsertKeyword:
    """Add ``keyword=value`` to a call, after its other arguments and before any ``**``."""

    call: Span
    keyword: str
    value: str
    safety: str = SAFE
    statement_line: int = 0     # the first line of the statement holding the call (its indentation)


@dataclass(frozen=True)
class RenameAttribute:
    """``x.get_collection`` -> ``x.get_collection_ref`` (the attribute node's name)."""

    target: Span
    attr: str
    safety: str = SAFE


@dataclass(frozen=True)
class ExtendVariables:
    """Add the moving statistics to a Saver's variables: ``shape`` is "list" or "dict"."""

    target: Span
    shape: str
    extra: str
    safety: str = UNSAFE
    statement_line: int = 0


@dataclass(frozen=True)
class AddParameter:
    """Add ``name=default`` to a function's parameters (keyword-only after ``*args``), so every
    existing call keeps its behaviour: the function is found by its ``def`` span."""

    function: Span
    name: str
    default: str
    safety: str = UNSAFE


@dataclass(frozen=True)
class Combined:
    """One fix made of several edits, applied together or not at all (threading a training
    flag: a parameter, the calls that pass it, and the site that uses it). Its ``InModule``
    parts edit other modules of the project: then every module is written or none is."""

    parts: Tuple[object, ...]
    safety: str = UNSAFE


@dataclass(frozen=True)
class AddDictEntry:
    """Add ``key: value`` at the end of the dict literal at ``target``, in its own layout."""

    target: Span
    key: str
    value: str
    safety: str = UNSAFE


@dataclass(frozen=True)
class InsertBefore:
    """Insert the statement ``text`` (``model.eval()``) just before the statement, simple or
    compound (a ``with`` block, a loop), that starts at ``before`` (line, column), at its
    indentation; the comments and blank lines above it stay above the new statement."""

    before: Tuple[int, int]
    text: str
    safety: str = UNSAFE


@dataclass(frozen=True)
class InModule:
    """Edits of another module of the project, part of a ``Combined`` fix (a builder's flag
    passed at the calls in the module that imports it). ``digest`` is the module's bytes as the
    analysis read them: a module changed since is not edited (the fix is refused whole)."""

    path: str
    digest: str
    parts: Tuple[object, ...]
    safety: str = UNSAFE
