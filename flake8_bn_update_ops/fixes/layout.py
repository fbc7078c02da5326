"""Lines a fix writes stay within the project's line length (flake8's ``max-line-length``).

A fix breaks what it inserts inside its own brackets, as PEP 8 and the code around it do:
``with tf.control_dependencies(`` then the dependency on a continuation line indented two units
(so it does not line up with the block's body), and further inside the next bracket while a
line is still too long. Text that has no bracket to break at is left as it is. Continuation
lines are written relative to the statement's indentation: libcst puts the block's own
indentation in front of them.
"""
from __future__ import annotations

from typing import Optional, Tuple


def width(text: str) -> int:
    """Columns as pycodestyle counts them for E501 (a tab is one character)."""
    return len(text)


def line_width(line: str) -> int:
    """The width of a line as E501 measures it, its trailing comment included: a line a fix
    lengthens must still fit, whatever the user wrote after the code."""
    return width(line.rstrip())


def break_call(text: str, start: int, tail: int, limit: int, indent: str, unit: str) -> str:
    """``text`` (a call such as ``tf.control_dependencies(tf.get_collection(...))``) starting at
    column ``start`` and followed by ``tail`` characters on its last line, broken inside its
    outermost brackets until every line fits ``limit``. ``indent`` is the statement's own
    indentation (for the columns); the returned continuation lines are relative to it."""
    return _break(text, start, tail, limit, width(indent), "", unit)


def _break(text: str, start: int, tail: int, limit: int, base: int, relative: str, unit: str) -> str:
    if start + width(text) + tail <= limit:
        return text
    split = outer_brackets(text)
    if split is None:
        return text
    head, inner, close = split
    if not inner:
        return text
    continuation = relative + unit * 2
    inner_text = _break(inner, base + width(continuation), width(close) + tail, limit, base, continuation, unit)
    return f"{head}\n{continuation}{inner_text}{close}"


def outer_brackets(text: str) -> Optional[Tuple[str, str, str]]:
    """(text up to and with the bracket that the last character closes, what is inside, the
    closer): ``f(a)(b)`` -> ``("f(a)(", "b", ")")``. None when the text does not end in a bracket."""
    if not text or text[-1] not in ")]}":
        return None
    opener = {")": "(", "]": "[", "}": "{"}[text[-1]]
    depth = 0
    quote = None
    positions = []
    index = 0
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "([{":
            positions.append(index)
            depth += 1
        elif char in ")]}":
            depth -= 1
            start = positions.pop() if positions else None
            if index == len(text) - 1 and depth == 0 and start is not None and text[start] == opener:
                return text[:start + 1], text[start + 1:index], text[index]
        index += 1
    return None


def line_of(source_lines, span_line: int) -> str:
    return source_lines[span_line - 1] if 0 < span_line <= len(source_lines) else ""


def leading(text: str) -> str:
    return text[:len(text) - len(text.lstrip(" \t\f"))]
