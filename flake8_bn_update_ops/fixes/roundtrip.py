"""Bytes libcst does not give back, set aside before fixing and restored after.

A fix must change the statement it targets and nothing else, but libcst 1.9 does not reproduce
every valid file byte for byte (found by the hypothesis and bad-input tests):
- a file that uses lone CR line endings loses its last line ending;
- some whitespace-only lines at the end of a file disappear, and so does a blank line before a
  final comment indented unlike the code above it;
- a form feed in the indentation of a line of code disappears.
``protect`` turns the source into one libcst reproduces and returns the means to undo it;
anything else that does not round-trip is refused by the caller.
"""
from __future__ import annotations

import re
from typing import Callable, List, Tuple

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_FORM_FEED_INDENT = re.compile(r"^([ \t\f]*\f[ \t\f]*)(?=[^ \t\f\r\n])")


class NotRestorable(Exception):
    pass


def protect(source: str) -> Tuple[str, Callable[[str], str]]:
    """(source libcst should reproduce, function that restores a fixed version of it)."""
    steps: List[Callable[[str], str]] = []
    lone_cr = "\r" in source and "\n" not in source
    if lone_cr:
        source = source.replace("\r", "\n")
        steps.append(lambda text: text.replace("\n", "\r"))
    source, tail = _split_tail(source)
    if tail:
        steps.append(lambda text, tail=tail: text + tail)
    if "\f" in source:
        source, restore = _set_form_feeds_aside(source)
        if restore is not None:
            steps.append(restore)

    def restore_all(text: str) -> str:
        for step in reversed(steps):
            text = step(text)
        return text

    return source, restore_all


def _split_tail(source: str) -> Tuple[str, str]:
    """The lines after the last line of code (blank, or comments only), set aside: libcst drops
    some of them (whitespace-only lines; a blank line before a trailing comment indented
    differently from the code above it), and no fix ever touches them."""
    lines = _LINE.findall(source)
    keep = len(lines)
    while keep > 0 and (not lines[keep - 1].strip() or lines[keep - 1].lstrip(" \t\f").startswith("#")):
        keep -= 1
    if keep == 0 or keep == len(lines) or not lines[keep - 1].endswith(("\n", "\r")):
        return source, ""
    return "".join(lines[:keep]), "".join(lines[keep:])


def _set_form_feeds_aside(source: str):
    lines = _LINE.findall(source)
    removed = []   # (index in the stripped text's lines, original line, stripped line)
    out = []
    for index, line in enumerate(lines):
        match = _FORM_FEED_INDENT.match(line)
        if match is None:
            out.append(line)
            continue
        stripped = match.group(1).replace("\f", "") + line[match.end(1):]
        removed.append((line, stripped))
        out.append(stripped)
    if not removed:
        return source, None

    def restore(text: str) -> str:
        result = []
        pending = list(removed)
        for line in _LINE.findall(text):
            if pending and line == pending[0][1]:
                result.append(pending.pop(0)[0])
            else:
                result.append(line)
        if pending:
            raise NotRestorable("a fix touched a line indented with a form feed")
        return "".join(result)

    return "".join(out), restore
