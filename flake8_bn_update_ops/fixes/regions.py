"""Where a fix may be made without reading the rest of the file: whole lines, found with ``ast``.

A fix plan targets expressions and statements by position. libcst needs a module to work on,
and parsing the whole file costs time and memory in proportion to the file (13 s and hundreds
of MB for 18,000 lines), so each plan is given a *region*: the lines of the smallest group of
statements that holds all its targets and owns its lines (no other code before it on its first
line, none after it on its last). Only a region's lines are handed to libcst (``apply``), as a
small module of their own, and the result is put back in place of those lines: every other
byte of the file is the input's.

Nothing here imports libcst: a region is found from the ``ast`` tree that the check built anyway.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Iterable, List, Optional, Sequence, Tuple

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BODIES = ("body", "orelse", "finalbody")

Region = Tuple[int, int]    # first and last line (1-based, inclusive)


def split_lines(source: str) -> List[str]:
    """Lines with their endings, as Python's tokenizer splits them (never at a form feed)."""
    return LINE.findall(source)


def default_newline(source: str) -> str:
    """The line ending libcst writes in new code: the file's first one."""
    found = _NEWLINE.search(source)
    return found.group(0) if found else "\n"


def default_indent(source: str) -> Optional[str]:
    """The indentation unit libcst writes in new blocks: the file's first indented block's
    indentation (its first INDENT token), four spaces when nothing is indented. None when the
    tokenizer gives up (the caller then lets libcst read the whole file)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.INDENT:
                return token.string
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return "    "


def region_of(tree: ast.Module, lines: Sequence[str], spans: Iterable) -> Optional[Region]:
    """The lines of the smallest group of sibling statements that holds every span and owns
    its lines; None when only the whole module does (a target outside any statement, or
    statements joined by ``;`` with module-level code)."""
    spans = [span for span in spans if span is not None]
    if not spans:
        return None
    first = min(span[0] for span in spans)
    last = max(span[2] for span in spans)
    chain = _enclosing(tree.body, first, last)
    for siblings, index in reversed(chain):
        group = _line_group(siblings, index)
        start, end = _first_line(group[0]), group[-1].end_lineno
        if _owns_start(group[0], lines) and _owns_end(group[-1], lines):
            return start, end
    return None


def _enclosing(body: Sequence[ast.stmt], first: int, last: int) -> List[Tuple[Sequence[ast.stmt], int]]:
    """(sibling list, index) of every statement that holds lines ``first`` to ``last``, outermost first."""
    chain = []
    while body:
        index = _holding(body, first, last)
        if index is None:
            break
        chain.append((body, index))
        statement = body[index]
        body = ()
        for inner in _child_bodies(statement):
            if _holding(inner, first, last) is not None:
                body = inner
                break
    return chain


def _child_bodies(statement: ast.stmt):
    for name in _BODIES:
        inner = getattr(statement, name, None)
        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
            yield inner
    for handler in getattr(statement, "handlers", ()) or ():
        yield handler.body
    for case in getattr(statement, "cases", ()) or ():
        yield case.body


def _holding(body: Sequence[ast.stmt], first: int, last: int) -> Optional[int]:
    low, high = 0, len(body)
    while low < high:       # the last statement that starts at or before ``first``
        middle = (low + high) // 2
        if _first_line(body[middle]) <= first:
            low = middle + 1
        else:
            high = middle
    index = low - 1
    if index >= 0 and body[index].end_lineno >= last:
        return index
    return None


def _line_group(siblings: Sequence[ast.stmt], index: int) -> List[ast.stmt]:
    """The statement with its neighbours that share a line with it (``a = 1; b = f()``)."""
    start = end = index
    while start > 0 and siblings[start - 1].end_lineno >= _first_line(siblings[start]):
        start -= 1
    while end + 1 < len(siblings) and _first_line(siblings[end + 1]) <= siblings[end].end_lineno:
        end += 1
    return list(siblings[start:end + 1])


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        return min(statement.lineno, min(decorator.lineno for decorator in decorators))
    return statement.lineno


def _owns_start(statement: ast.stmt, lines: Sequence[str]) -> bool:
    """Nothing but indentation before it on its first line (before its first decorator's ``@``),
    and no backslash continuing the line above into it."""
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = min(decorators, key=lambda decorator: (decorator.lineno, decorator.col_offset))
        line, before = first.lineno, _bytes(lines, first.lineno)[:first.col_offset].strip(b" \t\f") == b"@"
    else:
        line, before = statement.lineno, _bytes(lines, statement.lineno)[:statement.col_offset].strip(b" \t\f") == b""
    return before and not (line > 1 and _bytes(lines, line - 1).rstrip(b"\r\n").endswith(b"\\"))


def _owns_end(statement: ast.stmt, lines: Sequence[str]) -> bool:
    after = _bytes(lines, statement.end_lineno)[statement.end_col_offset:].strip()
    if after.startswith(b";"):
        after = after[1:].strip()
    return after == b"" or after.startswith(b"#")


def _bytes(lines: Sequence[str], number: int) -> bytes:
    return lines[number - 1].encode("utf-8", "surrogatepass") if 0 < number <= len(lines) else b""


def merge(regions: Iterable[Region]) -> List[Region]:
    """Overlapping regions as one (statements nest or are apart, so a union is a statement group)."""
    merged: List[List[int]] = []
    for start, end in sorted(regions):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def import_line(tree: ast.Module) -> Optional[int]:
    """The line after which a new module-level import goes, as ``apply`` places it in a whole
    module: after the last line of module-level imports only, else after a leading docstring.
    None when neither exists (then the whole module is handed to libcst)."""
    body = tree.body
    position = None
    index = 0
    while index < len(body):
        group = _line_group(body, index)
        if all(isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in group):
            position = group[-1].end_lineno
        elif index == 0 and len(group) == 1 and _is_docstring(group[0]):
            position = group[0].end_lineno
        index += len(group)
    return position


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, (str, bytes)))
