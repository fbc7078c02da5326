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


# ---------------------------------------------------------------------------- --add-noqa

def _comment_lines(source: str) -> Dict[int, "tuple[int, str]"]:
    """Line -> (column, text) of the comment token on it, and the last line of each group of
    lines flake8 reads as one for ``# noqa`` (a statement ending in a multi-line string or a
    backslash continuation): None when the source does not tokenize."""
    lines = physical_lines(source)
    line_iter = iter(lines)
    comments: Dict[int, "tuple[int, str]"] = {}
    for kind, text, (row, column), _, _ in tokenize.generate_tokens(lambda: next(line_iter)):
        if kind == tokenize.COMMENT:
            comments[row] = (column, text)
    return comments


def _group_ends(source: str) -> Dict[int, int]:
    """Line -> the last line of its noqa group (see ``build_noqa_mapping``)."""
    lines = physical_lines(source)
    line_iter = iter(lines)
    ends: Dict[int, int] = {}
    first, last = len(lines) + 2, -1
    for kind, _, (start_line, _), (end_line, _), _ in tokenize.generate_tokens(lambda: next(line_iter)):
        if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        first, last = min(first, start_line), max(last, end_line)
        if kind in (tokenize.NL, tokenize.NEWLINE):
            for number in range(first, last + 1):
                ends[number] = last
            first, last = len(lines) + 2, -1
    return ends


def _line_ending(line: str) -> "tuple[str, str]":
    body = line.rstrip("\r\n")
    return body, line[len(body):]


def add_noqa_comments(source: str, findings: Iterable[F]) -> "tuple[str, int, List[int]]":
    """Source with ``# noqa: CODE`` on the line flake8 reads for each finding (anything with
    ``line`` and ``code``), merged into a ``# noqa: X`` comment already there.

    Returns (new source, comments written or extended, lines it could not mark: a ``# noqa``
    text inside a string that flake8 would read first, or a source that does not tokenize).
    Only comment text changes: line endings, a BOM and every other byte stay as they were."""
    findings = list(findings)
    if not findings:
        return source, 0, []
    try:
        ends = _group_ends(source)
        comments = _comment_lines(source)
    except (tokenize.TokenError, SyntaxError):
        return source, 0, sorted({f.line for f in findings})
    wanted: Dict[int, List[str]] = {}
    for finding in findings:
        target = ends.get(finding.line, finding.line)
        codes = wanted.setdefault(target, [])
        if finding.code not in codes:
            codes.append(finding.code)
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    # Split on real newlines only (CRLF and CR kept), as flake8 numbers lines.
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", source[len(bom):])
    mapping = build_noqa_mapping(source)
    written, refused = 0, []
    for number, codes in sorted(wanted.items()):
        if number > len(lines):
            refused.append(number)
            continue
        body, ending = _line_ending(lines[number - 1])
        match = NOQA_INLINE.search(mapping.get(number, ""))
        comment = comments.get(number)
        if match is not None:
            # flake8 reads the first "# noqa" of the group: extend it only if it is this line's
            # comment; one in a string (or an earlier line) cannot be extended safely.
            if comment is None or match.group(0).rstrip() not in comment[1]:
                refused.append(number)
                continue
            if match.group("codes") is None:
                continue    # a bare "# noqa" hides every code already (seen under --disable-noqa)
            column, text = comment
            inner = NOQA_INLINE.search(text)
            present = [c for c in _CODE_SEPARATOR.split(inner.group("codes") or "") if c]
            merged = present + [code for code in codes if code not in present]
            trailing = " " if (inner.group("codes") or "").endswith((" ", "\t", ",")) and \
                text[inner.end():].strip() else ""
            new_comment = text[:inner.start()] + "# noqa: " + ", ".join(merged) + trailing + text[inner.end():]
            body = body[:column] + new_comment + body[column + len(text):]
        else:
            body = body.rstrip(" \t") + "  # noqa: " + ", ".join(codes)
        lines[number - 1] = body + ending
        written += 1
    new_source = bom + "".join(lines)
    # A comment that flake8 would not read as meant is no use: check every finding is now hidden.
    new_mapping = build_noqa_mapping(new_source)
    for finding in findings:
        target = ends.get(finding.line, finding.line)
        if target not in refused and not is_suppressed(new_mapping, finding.line, finding.code):
            refused.append(target)
    if refused and written:
        # Rebuild without the lines that did not take, so no half-working comment is written.
        keep = [f for f in findings if ends.get(f.line, f.line) not in refused]
        again, written, more = add_noqa_comments(source, keep)
        return again, written, sorted(set(refused) | set(more))
    return new_source, written, sorted(set(refused))
