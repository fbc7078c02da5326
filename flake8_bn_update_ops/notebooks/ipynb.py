"""Jupyter notebooks as modules: read, mask IPython syntax, place findings by cell, write fixes back.

A notebook runs its code cells top to bottom in one namespace, so the code cells, in order, are
analysed as one module. IPython syntax that is not Python (``%matplotlib inline``, ``!pip install``,
``x = !ls``, ``obj?``, a ``%%bash`` cell) is masked line for line: each such line becomes ``pass``
at its own indentation (a masked line can be the only statement of an ``if`` block), so every
other line keeps its number and its columns. Cell magics whose body is Python (``%%time``,
``%%capture``, ...) mask only their first line.

Fixes are written back by editing the JSON text itself: only the ``source`` value of the cell a fix
changes is replaced, and within it every line the fix did not touch keeps its original string
literal, so outputs, execution counts, metadata, ids, key order, indentation, escapes and the
final newline stay byte for byte. A fix that would change more than one cell is refused.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Dict, List, Optional, Tuple

MASK = "pass"
# Cell magics whose body IPython runs as Python in the notebook's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
_LINE_MAGIC = re.compile(r"^\s*(%|!)")
_ASSIGNED_MAGIC = re.compile(r"^\s*[\w.,\s()\[\]]+=\s*(%|!)")
_HELP = re.compile(r"^\s*(\?{1,2}[\w.%]+|[\w.%\[\]()]+\?{1,2})\s*$")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class NotebookError(Exception):
    """Not a notebook this tool can read; ``str()`` is one line."""


# ---------------------------------------------------------------------------------------- JSON spans

@dataclass
class Span:
    """A JSON value's place in the text: ``start``/``end`` offsets, and for arrays and objects
    their members' spans (objects: key -> span, the last duplicate wins as in ``json.loads``)."""

    start: int
    end: int
    items: Optional[List["Span"]] = None
    members: Optional[Dict[str, "Span"]] = None


def _span(text: str, index: int) -> Span:
    index = _WHITESPACE.match(text, index).end()
    if index >= len(text):
        raise ValueError("unexpected end of the file")
    char = text[index]
    if char == '"':
        _, end = scanstring(text, index + 1)
        return Span(index, end)
    if char == "[":
        items: List[Span] = []
        position = _WHITESPACE.match(text, index + 1).end()
        if text.startswith("]", position):
            return Span(index, position + 1, items=items)
        while True:
            item = _span(text, position)
            items.append(item)
            position = _WHITESPACE.match(text, item.end).end()
            if text.startswith("]", position):
                return Span(index, position + 1, items=items)
            if not text.startswith(",", position):
                raise ValueError(f"expected , or ] at offset {position}")
            position += 1
    if char == "{":
        members: Dict[str, Span] = {}
        position = _WHITESPACE.match(text, index + 1).end()
        if text.startswith("}", position):
            return Span(index, position + 1, members=members)
        while True:
            position = _WHITESPACE.match(text, position).end()
            if not text.startswith('"', position):
                raise ValueError(f"expected a key at offset {position}")
            key, position = scanstring(text, position + 1)
            position = _WHITESPACE.match(text, position).end()
            if not text.startswith(":", position):
                raise ValueError(f"expected : at offset {position}")
            value = _span(text, position + 1)
            members[key] = value
            position = _WHITESPACE.match(text, value.end).end()
            if text.startswith("}", position):
                return Span(index, position + 1, members=members)
            if not text.startswith(",", position):
                raise ValueError(f"expected , or }} at offset {position}")
            position += 1
    for word in ("true", "false", "null"):
        if text.startswith(word, index):
            return Span(index, index + len(word))
    number = _NUMBER.match(text, index)
    if number is None:
        raise ValueError(f"unexpected {char!r} at offset {index}")
    return Span(index, number.end())


def _decoded_offsets(literal: str) -> List[int]:
    """For a JSON string literal (quotes included): the literal offset of each decoded character."""
    offsets, index = [], 1
    while index < len(literal) - 1:
        offsets.append(index)
        if literal[index] != "\\":
            index += 1
        elif literal[index + 1] == "u":
            code = int(literal[index + 2:index + 6], 16)
            index += 6
            if 0xD800 <= code < 0xDC00 and literal.startswith("\\u", index):
                index += 6  # a surrogate pair decodes to one character
        else:
            index += 2
    offsets.append(index)
    return offsets


# ---------------------------------------------------------------------------------------- masking

def _cell_magic(first_line: str) -> Optional[str]:
    stripped = first_line.lstrip()
    if not stripped.startswith("%%"):
        return None
    return stripped[2:].split(None, 1)[0] if stripped[2:].strip() else ""


def mask(source: str) -> Tuple[str, Dict[int, str]]:
    """(Python text, {0-based line: original line}) for one cell; same lines, same columns elsewhere."""
    lines = source.splitlines(keepends=True)
    masked: Dict[int, str] = {}
    out = list(lines)

    def replace(number: int, indent: str) -> None:
        line = lines[number]
        ending = line[len(line.rstrip("\r\n")):]
        masked[number] = line
        out[number] = indent + MASK + ending

    magic = _cell_magic(lines[0]) if lines else None
    if magic is not None and magic not in PYTHON_CELL_MAGICS:
        for number in range(len(lines)):   # %%bash, %%writefile, ...: nothing here is Python
            replace(number, "")
        return "".join(out), masked
    number = 0
    scanner = _Scanner()
    while number < len(lines):
        line = lines[number]
        starts_statement = scanner.at_statement_start()
        if starts_statement and ((number == 0 and magic is not None) or _LINE_MAGIC.match(line)
                                 or _ASSIGNED_MAGIC.match(line) or _HELP.match(line)):
            indent = line[:len(line) - len(line.lstrip(" \t"))]
            replace(number, indent)
            # A magic continued with a backslash goes on on the next line.
            while line.rstrip("\r\n").endswith("\\") and number + 1 < len(lines):
                number += 1
                line = lines[number]
                replace(number, indent)
        else:
            scanner.feed(line)
        number += 1
    return "".join(out), masked


class _Scanner:
    """Just enough of Python's lexer to know whether a line starts a statement: open brackets,
    open strings and backslash continuations say it does not (``% b`` continuing an expression
    is the modulo operator, a ``!`` line inside a docstring is text)."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: Optional[str] = None     # the open string's delimiter
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        text = line.rstrip("\r\n")
        index = 0
        self.continued = False
        while index < len(text):
            char = text[index]
            if self.quote is not None:
                if char == "\\":
                    index += 2
                    continue
                if text.startswith(self.quote, index):
                    index += len(self.quote)
                    self.quote = None
                    continue
                index += 1
                continue
            if char == "#":
                break
            if char in "\"'":
                triple = text[index:index + 3]
                self.quote = triple if triple in ('"""', "'''") else char
                index += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char == "\\" and index == len(text) - 1:
                self.continued = True
            index += 1
        if self.quote is not None and len(self.quote) == 1:
            if not text.endswith("\\"):
                self.quote = None   # an unterminated one-line string: Python's error, not ours


# ---------------------------------------------------------------------------------------- notebook

@dataclass
class CodeCell:
    number: int               # 1-based among code cells (nbqa's cell_N)
    index: int                # position in the notebook's "cells" list
    source: str               # the cell's source, joined
    masked: str               # the same, IPython syntax masked, ending with a newline
    first_line: int           # 1-based line of the module where the cell starts
    span: Span                # its "source" value in the JSON text
    line_literals: List[Span] = field(default_factory=list)   # list form: one literal per line

    @property
    def line_count(self) -> int:
        return self.masked.count("\n")

    def lines(self) -> List[str]:
        return self.source.splitlines(keepends=True)


@dataclass
class Notebook:
    text: str                 # the JSON text as read (a BOM removed)
    cells: List[CodeCell]
    module: str               # the code cells' masked sources, in order
    language: Optional[str]   # the kernel's language, when the notebook says

    def cell_of(self, line: int) -> Tuple[Optional[CodeCell], int]:
        """The cell holding module line ``line`` (1-based) and the line within it."""
        for cell in self.cells:
            if cell.first_line <= line < cell.first_line + cell.line_count:
                return cell, line - cell.first_line + 1
        return None, line

    def file_position(self, cell: CodeCell, line: int, column: int) -> Tuple[int, int]:
        """Line and column (1-based) in the .ipynb file of a cell's ``line`` (1-based) and
        ``column`` (0-based), so that tools opening the file itself land on the right text."""
        literal_span, offset = cell.span, None
        if cell.line_literals:
            if 0 < line <= len(cell.line_literals):
                literal_span = cell.line_literals[line - 1]
            offset = column
        else:  # one string for the whole cell
            lines = cell.lines()
            if 0 < line <= len(lines):
                offset = sum(len(text) for text in lines[:line - 1]) + column
        literal = self.text[literal_span.start:literal_span.end]
        position = literal_span.start
        if offset is not None and literal.startswith('"'):
            offsets = _decoded_offsets(literal)
            position += offsets[min(offset, len(offsets) - 1)]
        file_line = self.text.count("\n", 0, position) + 1
        return file_line, position - (self.text.rfind("\n", 0, position) + 1) + 1


def _source_text(value, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "".join(value)
    raise NotebookError(f"{where}: `source` is neither a string nor a list of strings")


def parse(text: str) -> Notebook:
    """Read a notebook's JSON text; NotebookError (one line) when it is not an nbformat 4 notebook."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not a notebook: invalid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        if isinstance(data, dict) and "worksheets" in data:
            raise NotebookError("nbformat 3 notebooks are not supported (convert it with "
                                "`jupyter nbconvert --to notebook --nbformat 4`)")
        raise NotebookError("not a notebook: no `cells` list")
    try:
        spans = _span(text, 0)
    except (ValueError, IndexError) as exc:   # json.loads accepted it: a bug here, said in one line
        raise NotebookError(f"cannot locate the cells in the JSON text: {exc}") from None
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    language = None
    for key, sub in (("kernelspec", "language"), ("language_info", "name")):
        if isinstance(metadata.get(key), dict) and isinstance(metadata[key].get(sub), str):
            language = metadata[key][sub]
            break
    cells: List[CodeCell] = []
    parts: List[str] = []
    line = 1
    for index, (cell, cell_span) in enumerate(zip(data["cells"], spans.members["cells"].items)):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {index + 1}: not a JSON object")
        if cell.get("cell_type") != "code":
            continue
        where = f"code cell {len(cells) + 1}"
        if "source" not in cell:
            raise NotebookError(f"{where}: no `source`")
        source = _source_text(cell["source"], where)
        masked, _ = mask(source)
        if masked and not masked.endswith(("\n", "\r")):
            masked += "\n"
        masked = masked.replace("\r\n", "\n").replace("\r", "\n") if "\r" in masked else masked
        source_span = cell_span.members["source"]
        code_cell = CodeCell(len(cells) + 1, index, source, masked, line, source_span,
                             list(source_span.items or []))
        cells.append(code_cell)
        parts.append(masked)
        line += code_cell.line_count
    return Notebook(text, cells, "".join(parts), language)


def is_python(notebook: Notebook) -> bool:
    return notebook.language is None or notebook.language.lower() in ("python", "python3", "ipython")


# ---------------------------------------------------------------------------------------- fixes

class FixRefused(Exception):
    """The fix cannot be written into this notebook; ``str()`` says why in one line."""


def split_module(notebook: Notebook, fixed: str, fixed_cells: Optional[set] = None) -> Dict[int, str]:
    """{cell number: new masked source} for the cells ``fixed`` changes; FixRefused when a change
    spans cells, or touches a cell outside ``fixed_cells`` (the cells holding the findings being
    fixed: a change anywhere else, such as an import added to an earlier cell, is part of a fix
    that would span cells). Without ``fixed_cells``, only one cell may change."""
    old_lines = notebook.module.splitlines(keepends=True)
    new_lines = fixed.splitlines(keepends=True)
    owner: List[int] = []   # the cell of each old line
    for cell in notebook.cells:
        owner.extend([cell.number] * cell.line_count)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    changed: Dict[int, List[Tuple[int, int, int, int]]] = {}
    groups: List[List[Tuple[int, int, int, int]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            groups.append([])
            continue
        if groups and groups[-1]:
            groups[-1].append((i1, i2, j1, j2))
        else:
            groups.append([(i1, i2, j1, j2)])
    for group in groups:
        if not group:
            continue
        i1, i2 = group[0][0], group[-1][1]
        if i2 > i1:
            cells = set(owner[i1:i2])
        else:  # a pure insertion: the cell it starts, or the last cell when at the very end
            cells = {owner[i1]} if i1 < len(owner) else ({owner[-1]} if owner else set())
        if len(cells) != 1:
            raise FixRefused("the fix would change more than one cell")
        changed.setdefault(cells.pop(), []).extend(group)
    spilled = sorted(set(changed) - fixed_cells) if fixed_cells is not None else []
    if spilled or (fixed_cells is None and len(changed) > 1):
        where = ", ".join(str(number) for number in (spilled or sorted(changed)))
        raise FixRefused(f"the fix would also change cell {where}, away from the finding; "
                         f"a fix is made only within the finding's cell")
    result: Dict[int, str] = {}
    for number, edits in changed.items():
        cell = notebook.cells[number - 1]
        start = cell.first_line - 1
        end = start + cell.line_count
        # The new cell: its old lines with the edits spliced in (edits are in order).
        pieces, cursor = [], start
        for i1, i2, j1, j2 in edits:
            pieces.extend(old_lines[cursor:i1])
            pieces.extend(new_lines[j1:j2])
            cursor = i2
        pieces.extend(old_lines[cursor:end])
        result[number] = "".join(pieces)
    # Proof that nothing was lost: the cells, re-joined, are the fixed module.
    rebuilt = "".join(result.get(cell.number, cell.masked) for cell in notebook.cells)
    if rebuilt != fixed:
        raise FixRefused("the fix cannot be placed within the notebook's cells")
    return result


def unmask(cell: CodeCell, new_masked: str) -> str:
    """The cell's new source: masked lines restored, the original line endings and final newline kept."""
    masked_text, masked_lines = mask(cell.source)
    old = masked_text.splitlines(keepends=True)
    original = cell.lines()
    new = new_masked.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, [line.rstrip("\r\n") for line in old],
                                      [line.rstrip("\r\n") for line in new], autojunk=False)
    out: List[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(original[i1:i2])
            continue
        for line in new[j1:j2]:
            if line.strip() == MASK and masked_lines:
                raise FixRefused("the fix would move IPython syntax (a magic or shell line)")
            out.append(line)
    text = "".join(out)
    if not cell.source.endswith(("\n", "\r")) and text.endswith("\n"):
        text = text[:-1]  # the newline the module needed, not the cell
    return text


def _literal(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)


def render_fix(notebook: Notebook, new_sources: Dict[int, str]) -> str:
    """The notebook's JSON text with only these cells' ``source`` values rewritten."""
    ascii_only = bool(re.search(r"\\u[0-9a-fA-F]{4}", notebook.text)) and not re.search(
        r"[^\x00-\x7f]", notebook.text)
    text = notebook.text
    for number in sorted(new_sources, reverse=True):   # from the end: earlier offsets stay valid
        cell = notebook.cells[number - 1]
        source = new_sources[number]
        span = cell.span
        if cell.span.items is None:   # one string
            value = _literal(source, ascii_only)
        else:
            value = _render_list(text, cell, source.splitlines(keepends=True), ascii_only)
        text = text[:span.start] + value + text[span.end:]
    return text


def _render_list(text: str, cell: CodeCell, new_lines: List[str], ascii_only: bool) -> str:
    items = cell.span.items
    old_lines = cell.lines()
    literals = [text[item.start:item.end] for item in items]
    if len(literals) != len(old_lines) or [json.loads(literal) for literal in literals] != old_lines:
        # The list is not split at line ends (allowed by nbformat): keep its layout for one item
        # per line anyway, the way nbformat writes it.
        literals = [_literal(line, ascii_only) for line in old_lines]
    if items:
        opening = text[cell.span.start + 1:items[0].start]
        separator = text[items[0].end:items[1].start] if len(items) > 1 else None
        closing = text[items[-1].end:cell.span.end - 1]
    else:
        opening = closing = ""
        separator = None
    if separator is None:
        # One line before: nbformat's layout is the item's own indentation after a comma.
        separator = "," + opening if opening.strip() == "" and opening else ", "
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    values: List[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            values.extend(literals[i1:i2])
        else:
            values.extend(_literal(line, ascii_only) for line in new_lines[j1:j2])
    if not values:
        return "[]"
    return "[" + opening + separator.join(values) + closing + "]"


def cell_diff(path: str, notebook: Notebook, new_sources: Dict[int, str]) -> str:
    """A unified diff per changed cell, headed ``a/path:cell_N``."""
    out: List[str] = []
    for number in sorted(new_sources):
        before = notebook.cells[number - 1].lines()
        after = new_sources[number].splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, fromfile=f"a/{path}:cell_{number}",
                                         tofile=f"b/{path}:cell_{number}"):
            if not line.endswith(("\n", "\r")):
                line += "\n\\ No newline at end of cell\n"
            out.append(line)
    return "".join(out)
