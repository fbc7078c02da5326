"""Text edits as an editor applies them: LSP positions in UTF-16 code units on LF/CRLF/CR lines.

Written from the LSP specification, independently of ``flake8_bn_update_ops.editor.quickfix``, so the
tests that apply the plugin's edits do not share its arithmetic.
"""
from __future__ import annotations

import re

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lines_of(text: str) -> list:
    """Lines with their endings, split where LSP splits them (LF, CRLF, CR only)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) or [""]


def utf16_position(source: str, needle: str) -> dict:
    """LSP position of the first ``needle``, in UTF-16 units."""
    for number, line in enumerate(LINE_BREAK.split(source)):
        if needle in line:
            column = line.index(needle)
            return {"line": number, "character": len(line[:column].encode("utf-16-le")) // 2}
    raise AssertionError(f"{needle!r} not in source")


def _offset(lines: list, position: dict) -> int:
    """A character offset into the text from an LSP position (UTF-16 code units)."""
    if position["line"] >= len(lines):
        return sum(len(line) for line in lines)
    content = LINE_BREAK.sub("", lines[position["line"]])
    units = content.encode("utf-16-le")[:2 * position["character"]]   # a split pair raises
    return sum(len(line) for line in lines[:position["line"]]) + len(units.decode("utf-16-le"))


def apply_edits(source: str, edits: list) -> str:
    """What an editor does with a WorkspaceEdit's TextEdits (ranges refer to the original)."""
    lines = lines_of(source)
    spans = sorted((_offset(lines, e["range"]["start"]), _offset(lines, e["range"]["end"]), e["newText"])
                   for e in edits)
    out, cursor = [], 0
    for start, end, text in spans:
        assert start >= cursor, f"overlapping edits: {edits}"
        out += [source[cursor:start], text]
        cursor = end
    return "".join(out) + source[cursor:]
