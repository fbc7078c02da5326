"""``# noqa`` exactly as flake8 reads it, for the command and the fixer.

flake8 suppresses findings itself; the standalone command and ``fix_source`` must
agree with it line for line, or a user's ``# noqa`` works in one tool and not the
other. Everything here mirrors flake8 7 (``defaults.NOQA_INLINE_REGEXP``,
``violation.Violation.is_inline_ignored``, ``processor._noqa_line_mapping`` and
``processor.should_ignore_file``); no libcst, so it is cheap to import.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, Iterable, List, Set, TypeVar

# Copied from flake8.defaults: the codes group only takes letters followed by digits,
# so "# noqa: BNU" (no digits) and "# NOQA : E501" (space before the colon) match as a
# bare "# noqa" and suppress every code on the line.
NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
# "# flake8: noqa" on a line of its own exempts the whole file (flake8 uses .match).
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_FLAKE8_WORD = re.compile(r"flake8[:=]", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]")

NoqaMapping = Dict[int, str]
F = TypeVar("F")


def physical_lines(source: str) -> List[str]:
    """Split like flake8 does: universal newlines, and nothing else.

    flake8 reads files through ``tokenize.open`` (CRLF and lone CR become LF), so its
    line numbers count LF, CRLF and CR; ``str.splitlines`` would also split on form
    feeds and other separators and shift every later line.
    """
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return io.StringIO(text).readlines()


def build_noqa_mapping(source: str) -> NoqaMapping:
    """Map each line number to the text flake8 searches for ``# noqa`` on it.

    A token that spans several lines (a triple-quoted string, a backslash
    continuation) maps every one of its lines to their joined text, so a comment
    after the closing quotes covers a finding on the opening line.
    """
    lines = physical_lines(source)
    mapping: NoqaMapping = {}
    line_iter = iter(lines)
    try:
        tokens = list(tokenize.generate_tokens(lambda: next(line_iter)))
    except (tokenize.TokenError, SyntaxError):
        tokens = None
    if tokens is not None:
        first, last = len(lines) + 2, -1
        for kind, _, (start_line, _), (end_line, _), _ in tokens:
            if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, start_line), max(last, end_line)
            if kind in (tokenize.NL, tokenize.NEWLINE):
                joined = "".join(lines[first - 1:last])
                for number in range(first, last + 1):
                    mapping[number] = joined
                first, last = len(lines) + 2, -1
    # flake8 falls back to the physical line (through linecache) for any line the
    # token walk did not map, including every line of a file that does not tokenize.
    for number, line in enumerate(lines, start=1):
        mapping.setdefault(number, line)
    return mapping


def is_suppressed(mapping: NoqaMapping, line: int, code: str) -> bool:
    """True when flake8 would drop a finding ``code`` reported on ``line``."""
    match = NOQA_INLINE.search(mapping.get(line, ""))
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = tuple(c.strip() for c in _CODE_SEPARATOR.split(codes_text) if c.strip())
    return code in codes or code.startswith(codes)


def file_is_exempt(source: str) -> bool:
    """True when a ``# flake8: noqa`` line makes flake8 skip the whole file."""
    # A file without the words needs no line split: on a 60,000-line file the split's copies
    # would sit under the parser's peak memory.
    if _FLAKE8_WORD.search(source) is None:
        return False
    return any(NOQA_FILE.match(line) for line in physical_lines(source))


def suppressed(findings: Iterable[F], source: str) -> Set[F]:
    """The findings (anything with ``line`` and ``code``) that ``# noqa`` hides."""
    findings = list(findings)
    if not findings:
        return set()
    if file_is_exempt(source):
        return set(findings)
    mapping = build_noqa_mapping(source)
    return {f for f in findings if is_suppressed(mapping, f.line, f.code)}


def drop_suppressed(findings: Iterable[F], source: str) -> List[F]:
    """``findings`` in their order, without those ``# noqa`` hides."""
    findings = list(findings)
    hidden = suppressed(findings, source)
    return [f for f in findings if f not in hidden]
