"""The checked text, and positions in characters.

Python's ``ast`` counts columns in UTF-8 bytes; findings (flake8, the command, editors) count
characters, so every position a finding or a fix uses goes through ``span``. Lines are split
as Python's tokenizer splits them (LF, CRLF or a lone CR; never a form feed).
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Span = Tuple[int, int, int, int]     # line (1-based), column, end line, end column (characters, 0-based)


class SourceText:
    __slots__ = ("text", "_lines")

    def __init__(self, text: str):
        self.text = text
        self._lines: Optional[List[str]] = None

    @property
    def lines(self) -> List[str]:
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        return self._lines

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def column(self, line: int, byte_column: int) -> int:
        text = self.line(line)
        if text.isascii():
            return byte_column
        return len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))

    def span(self, node) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        start = self.column(line, getattr(node, "col_offset", 0))
        end_offset = getattr(node, "end_col_offset", None)
        end = self.column(end_line, end_offset) if end_offset is not None else start
        return line, start, end_line, end

    def segment(self, node) -> str:
        """The source text of a node."""
        line, column, end_line, end_column = self.span(node)
        lines = self.lines
        if line == end_line:
            return lines[line - 1][column:end_column]
        parts = [lines[line - 1][column:]] + lines[line:end_line - 1] + [lines[end_line - 1][:end_column]]
        return "\n".join(parts)
