"""What a fix will do, as plain data: the positions it targets and the text it writes.

A rule attaches one plan to its finding; ``fixes.apply`` finds each target in the libcst tree
by position (characters, as ``core.source.Span``) and rewrites only that node or statement.

Every plan is a ``Plan``: it says which positions it reads (``spans``, what its region must
hold), how it moves with its lines (``shifted``), which edits of the checked module it is made
of (``local_edits``: a combined fix is its parts) and which edit it makes (``apply``: it calls
the one verb of the editor that makes it). The editor (``fixes.apply``) is the only code that
imports libcst, so that detection never does; it never asks a plan its type.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ..core.source import Span
from ..findings import SAFE, UNSAFE  # noqa: F401  (re-exported for the rule units)


Position = Tuple[int, int, int, int]


class Plan:
    """What every fix plan answers. ``apply(editor)`` makes the plan's edit by calling the
    editor's verb for it (``editor.wrap_statement(self)``...)."""

    def spans(self) -> List[Position]:
        """Every position the plan reads or rewrites (its region must hold them all)."""
        raise NotImplementedError

    def apply(self, editor) -> None:
        raise NotImplementedError

    def local_edits(self) -> Tuple["Plan", ...]:
        """The edits of the checked module this plan is made of (itself; a combined fix's parts)."""
        return (self,)

    def notes(self) -> Tuple[str, ...]:
        """What the fix asks of its reader once it is made (``Note`` parts): the command prints them."""
        return ()

    def shifted(self, lines: int) -> "Plan":
        """The plan with its positions moved ``lines`` lines (into a region's own module): its
        4-tuple positions and its ``statement_line``."""
        changes = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "statement_line" and value:
                changes[field.name] = value + lines
            elif field.name in self._POSITIONS and value is not None:
                changes[field.name] = (value[0] + lines, value[1], value[2] + lines, value[3])
        return dataclasses.replace(self, **changes)

    _POSITIONS: Tuple[str, ...] = ()

    def _statement_spans(self) -> List[Position]:
        line = getattr(self, "statement_line", 0)
        return [(line, 0, line, 0)] if line else []


@dataclass(frozen=True)
class WrapStatement(Plan):
    """Wrap the statement that builds a train op in ``with <dependency>:``.

    ``statement`` is the small statement whose whole value is the call; with ``hoist_name``
    the call is nested deeper and is first hoisted into ``hoist_name = <call>`` inside the
    new block, just before the statement. With ``replace`` set, the train op already sits in a
    ``with control_dependencies(...)`` whose argument does nothing (an empty ``UPDATE_OPS`` for
    Keras): that argument is replaced instead of nesting a new block."""

    call: Span
    statement: Span
    dependency: str
    safety: str = SAFE
    hoist_name: Optional[str] = None
    add_import: Optional[Tuple[str, str]] = None     # (module, alias): ``import module as alias``
    replace: Optional[Span] = None
    replace_text: Optional[str] = None

    _POSITIONS = ("call", "statement", "replace")

    def spans(self) -> List[Position]:
        return self._statement_spans() + ([self.replace] if self.replace is not None else [self.statement, self.call])

    def apply(self, editor) -> None:
        editor.wrap_statement(self)


@dataclass(frozen=True)
class ReplaceExpression(Plan):
    """Replace one expression with ``text`` (a flag literal with the flag parameter)."""

    target: Span
    text: str
    safety: str = SAFE

    _POSITIONS = ("target",)

    def spans(self) -> List[Position]:
        return [self.target]

    def apply(self, editor) -> None:
        editor.replace_expression(self)


@dataclass(frozen=True)
class InsertKeyword(Plan):
    """Add ``keyword=value`` to a call, after its other arguments and before any ``**``."""

    call: Span
    keyword: str
    value: str
    safety: str = SAFE
    statement_line: int = 0     # the first line of the statement holding the call (its indentation)

    _POSITIONS = ("call",)

    def spans(self) -> List[Position]:
        return self._statement_spans() + [self.call]

    def apply(self, editor) -> None:
        editor.insert_keyword(self)


@dataclass(frozen=True)
class RenameAttribute(Plan):
    """``x.get_collection`` -> ``x.get_collection_ref`` (the attribute node's name)."""

    target: Span
    attr: str
    safety: str = SAFE

    _POSITIONS = ("target",)

    def spans(self) -> List[Position]:
        return [self.target]

    def apply(self, editor) -> None:
        editor.rename_attribute(self)


@dataclass(frozen=True)
class ExtendVariables(Plan):
    """Add the moving statistics to a Saver's variables: ``shape`` is "list" or "dict"."""

    target: Span
    shape: str
    extra: str
    safety: str = UNSAFE
    statement_line: int = 0

    _POSITIONS = ("target",)

    def spans(self) -> List[Position]:
        return self._statement_spans() + [self.target]

    def apply(self, editor) -> None:
        editor.extend_variables(self)


@dataclass(frozen=True)
class AddParameter(Plan):
    """Add ``name=default`` to a function's parameters (keyword-only after ``*args``), so every
    existing call keeps its behaviour: the function is found by its ``def`` span."""

    function: Span
    name: str
    default: str
    safety: str = UNSAFE

    _POSITIONS = ("function",)

    def spans(self) -> List[Position]:
        return [self.function]

    def apply(self, editor) -> None:
        editor.add_parameter(self)


@dataclass(frozen=True)
class Combined(Plan):
    """One fix made of several edits, applied together or not at all (threading a training
    flag: a parameter, the calls that pass it, and the site that uses it). Its ``InModule``
    parts edit other modules of the project: then every module is written or none is."""

    parts: Tuple[object, ...]
    safety: str = UNSAFE

    def spans(self) -> List[Position]:
        parts = [part.spans() for part in self.local_edits()]
        return [span for part in parts for span in part] if all(parts) else []

    def local_edits(self) -> Tuple[Plan, ...]:
        return tuple(edit for part in self.parts for edit in part.local_edits())

    def notes(self) -> Tuple[str, ...]:
        return tuple(note for part in self.parts for note in part.notes())

    def shifted(self, lines: int) -> "Combined":
        return dataclasses.replace(self, parts=tuple(part.shifted(lines) for part in self.parts))

    def apply(self, editor) -> None:
        for part in self.parts:
            part.apply(editor)


@dataclass(frozen=True)
class AddDictEntry(Plan):
    """Add ``key: value`` at the end of the dict literal at ``target``, in its own layout."""

    target: Span
    key: str
    value: str
    safety: str = UNSAFE

    _POSITIONS = ("target",)

    def spans(self) -> List[Position]:
        return [self.target]

    def apply(self, editor) -> None:
        editor.add_dict_entry(self)


@dataclass(frozen=True)
class InsertBefore(Plan):
    """Insert the statement ``text`` (``model.eval()``) just before the statement, simple or
    compound (a ``with`` block, a loop), that starts at ``before`` (line, column), at its
    indentation; the comments and blank lines above it stay above the new statement."""

    before: Tuple[int, int]
    text: str
    safety: str = UNSAFE

    def spans(self) -> List[Position]:
        return [(self.before[0], self.before[1], self.before[0], self.before[1])]

    def shifted(self, lines: int) -> "InsertBefore":
        return dataclasses.replace(self, before=(self.before[0] + lines, self.before[1]))

    def apply(self, editor) -> None:
        editor.insert_before(self)


@dataclass(frozen=True)
class InModule(Plan):
    """Edits of another module of the project, part of a ``Combined`` fix (a builder's flag
    passed at the calls in the module that imports it). ``digest`` is the module's bytes as the
    analysis read them: a module changed since is not edited (the fix is refused whole)."""

    path: str
    digest: str
    parts: Tuple[object, ...]
    safety: str = UNSAFE

    def spans(self) -> List[Position]:
        return []

    def local_edits(self) -> Tuple[Plan, ...]:
        return ()       # another module's edits: fixes.other_modules makes them

    def shifted(self, lines: int) -> "InModule":
        return self     # its positions are in its own module

    def apply(self, editor) -> None:
        return None


@dataclass(frozen=True)
class MoveStatement(Plan):
    """Move the statement at ``statement`` (a line of its own) to just before the statement,
    simple or compound, that starts at ``to`` (line, column), at that statement's indentation;
    with ``after``, to just after it (BNU004: an update-ops read outside ``with
    G.as_default():`` moves into the block). The comment lines right above the moved statement
    (no blank line between) and its own trailing comment move with it; blank lines and the
    comments above those stay where they were."""

    statement: Position
    to: Tuple[int, int]
    after: bool = False
    safety: str = SAFE

    _POSITIONS = ("statement",)

    def spans(self) -> List[Position]:
        return [self.statement, (self.to[0], self.to[1], self.to[0], self.to[1])]

    def shifted(self, lines: int) -> "MoveStatement":
        moved = super().shifted(lines)
        return dataclasses.replace(moved, to=(self.to[0] + lines, self.to[1]))

    def apply(self, editor) -> None:
        editor.move_statement(self)


@dataclass(frozen=True)
class Note(Plan):
    """No edit: what the reader must do that the fix cannot, part of a ``Combined`` fix (a flag
    parameter that nothing in the project passes: pass it where the training graph is built).
    The command prints it when the fix is made or shown."""

    text: str
    safety: str = UNSAFE
    module: str = ""    # the module it is about, when another than the finding's

    def spans(self) -> List[Position]:
        return []

    def local_edits(self) -> Tuple[Plan, ...]:
        return ()

    def notes(self) -> Tuple[str, ...]:
        return (f"in {self.module}: {self.text}" if self.module else self.text,)

    def shifted(self, lines: int) -> "Note":
        return self

    def apply(self, editor) -> None:
        return None
