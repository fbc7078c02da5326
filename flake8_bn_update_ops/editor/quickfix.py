"""Code actions for editors: each fixable finding as a quick fix, and one "fix all".

Editor-neutral (plain LSP dictionaries); ``lsp.py`` is the python-lsp-server skin over it.
Every edit is computed on the text the editor holds (its unsaved buffer) by the same engine
call the command makes, then turned into line-granular ``TextEdit``s: one per changed hunk, so
an action touches only the fixed statement (plus the import line a BNU001 fix may add).

LSP positions count UTF-16 code units on lines split at LF, CRLF or CR only; findings count
characters (code points) on the same lines. A form feed, U+2028 or U+0085 inside a comment or
string is not a line break for either, so lines are never split with ``str.splitlines``.
"""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ..findings import SAFE, UNSAFE, Finding, UnparsableSource
from ..settings import Settings

FIX_ALL_TITLE = "Fix all BNU findings in this file"
QUICKFIX = "quickfix"
# Under ``source.fixAll`` an editor can run it on save (VS Code's ``editor.codeActionsOnSave``).
FIX_ALL_SOURCE_KIND = "source.fixAll.bnu"

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LINE_END = re.compile(r"(?:\r\n|\r|\n)$")

_UNKNOWN_METHOD = "the train op"


# ---------------------------------------------------------------------------- text and positions

def split_lines(text: str) -> List[str]:
    """Lines with their endings, split as LSP and Python's tokenizer split them."""
    return _LINE.findall(text)


def _content(line: str) -> str:
    return _LINE_END.sub("", line)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_utf16(line: str, column: int) -> int:
    """A character column of ``line`` in UTF-16 code units (LSP's ``character``)."""
    prefix = line[:column]
    return column if prefix.isascii() else utf16_length(prefix)


def _position(line: int, character: int) -> dict:
    return {"line": line, "character": character}


# ---------------------------------------------------------------------------- edits

def text_edits(old: str, new: str) -> List[dict]:
    """Minimal line-granular ``TextEdit``s turning ``old`` into ``new``: one per changed hunk.

    Ranges refer to ``old``; they never overlap, as LSP requires."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    # A fix changes a few statements: the lines before the first change and after the last
    # are matched directly, and only the middle is diffed. There difflib may treat lines that
    # recur everywhere (blank lines) as junk: a hunk may then take in such a line it could
    # have kept, the edits stay exact, and a long file costs milliseconds, not half a second.
    head = 0
    limit = min(len(old_lines), len(new_lines))
    while head < limit and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(None, old_lines[head:len(old_lines) - tail],
                                      new_lines[head:len(new_lines) - tail])
    hunks: List[List[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if hunks and hunks[-1][1] == i1 and hunks[-1][3] == j1:   # adjacent: one hunk
            hunks[-1][1], hunks[-1][3] = i2, j2
        else:
            hunks.append([i1, i2, j1, j2])
    return [{"range": {"start": _line_start(old_lines, i1), "end": _line_start(old_lines, i2)},
             "newText": "".join(new_lines[j1:j2])}
            for i1, i2, j1, j2 in hunks]


def _line_start(lines: Sequence[str], index: int) -> dict:
    """Where line ``index`` starts; past the last line, the end of the document."""
    if index < len(lines) or not lines or _LINE_END.search(lines[-1]):
        return _position(index, 0)
    last = len(lines) - 1
    return _position(last, utf16_length(lines[last]))


# ---------------------------------------------------------------------------- titles

def fix_title(finding: Finding, source: str) -> str:
    """``Fix BNU001: run the update ops before `minimize```, with " (unsafe)" for unsafe fixes."""
    from ..rules import rules_by_code

    rule = rules_by_code().get(finding.code)
    phrase = rule.fix_title if rule is not None else ""
    text = "apply its fix"
    if phrase:
        try:
            text = phrase.format(**_phrase_fields(finding.fix, source))
        except (KeyError, IndexError, AttributeError):
            text = "apply its fix"
    suffix = " (unsafe)" if finding.fix_safety == UNSAFE else ""
    return f"Fix {finding.code}: {text}{suffix}"


def _phrase_fields(plan, source: str) -> dict:
    fields = {name: value for name, value in vars(plan).items() if isinstance(value, str)}
    lines = None
    call = getattr(plan, "call", None)
    if call is not None:
        lines = split_lines(source)
        fields["method"] = _called_name(_segment(lines, call)) or _UNKNOWN_METHOD
    target = getattr(plan, "target", None)
    if target is not None:
        lines = lines if lines is not None else split_lines(source)
        fields["target"] = " ".join(_segment(lines, target).split())
    return fields


def _segment(lines: Sequence[str], span) -> str:
    line, column, end_line, end_column = span
    if not 0 < line <= end_line <= len(lines):
        return ""
    if line == end_line:
        return _content(lines[line - 1])[column:end_column]
    return "".join([lines[line - 1][column:], *lines[line:end_line - 1], lines[end_line - 1][:end_column]])


def _called_name(call_text: str) -> Optional[str]:
    try:
        node = ast.parse(call_text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


# ---------------------------------------------------------------------------- actions

@dataclass(frozen=True)
class Request:
    """One ``textDocument/codeAction``: the document and what the editor asks for."""

    uri: str
    path: str                   # the file name the analysis uses (cross-module imports, config)
    source: str                 # the buffer, unsaved edits included
    range: dict                 # LSP range (UTF-16)
    context: dict               # LSP CodeActionContext (diagnostics, only)
    version: Optional[int] = None


def code_actions(request: Request, settings: Settings, *, project=None,
                 select: Optional[Sequence[str]] = None, ignore: Optional[Sequence[str]] = None,
                 versioned_edits: bool = False) -> List[dict]:
    """Quick fixes for the fixable findings in ``request.range``, then "fix all".

    A finding under ``# noqa`` gets nothing, and neither does a fix the engine refuses
    (``FixFailed``) or a buffer that does not parse: an editor asks on every cursor move, and
    half-typed code must cost nothing but an empty answer."""
    from .. import engine
    from ..noqa import file_is_exempt

    only = request.context.get("only") or None
    want_quickfix = _kind_wanted(QUICKFIX, only)
    want_source_fix_all = only is not None and _kind_wanted(FIX_ALL_SOURCE_KIND, only)
    if not (want_quickfix or want_source_fix_all) or file_is_exempt(request.source):
        return []
    try:
        # One parse for the analysis and the fixes' first round.
        tree = engine.parse_tree(request.source, request.path, settings)
        findings = engine.analyze_source(request.source, request.path, settings, honour_noqa=True,
                                         select=select, ignore=ignore, tree=tree, project=project)
    except UnparsableSource:
        return []
    lines = split_lines(request.source)
    # A finding is asked about when the range meets it, or when the editor names its diagnostic
    # (Neovim sends the cursor's line diagnostics with a cursor-sized range).
    touched = [finding for finding in findings
               if _overlaps(finding, request.range, lines) or _diagnostics_of(finding, request.context)]
    fixable = [finding for finding in touched if finding.fix is not None
               and finding.fix_safety in (SAFE, UNSAFE)]

    def edit(new_source: str) -> dict:
        edits = text_edits(request.source, new_source)
        if versioned_edits:
            return {"documentChanges": [{"textDocument": {"uri": request.uri, "version": request.version},
                                         "edits": edits}]}
        return {"changes": {request.uri: edits}}

    def fixed(**kwargs) -> Optional[str]:
        try:
            # The findings just made for this buffer are the fix's first round: not made again.
            result = engine.fix_source(request.source, request.path, settings, select=select, ignore=ignore,
                                       tree=tree, project=project, findings=findings, **kwargs)
        except UnparsableSource:   # engine.FixFailed included: the file's fix cannot be made safely
            return None
        return result.source if result.fixed and result.source != request.source else None

    actions = []
    if want_quickfix:
        for finding in fixable:
            new_source = fixed(unsafe=finding.fix_safety == UNSAFE,
                               only=engine.only_these([finding]))
            if new_source is None:
                continue
            action = {"title": fix_title(finding, request.source), "kind": QUICKFIX,
                      "isPreferred": finding.fix_safety == SAFE, "edit": edit(new_source)}
            diagnostics = _diagnostics_of(finding, request.context)
            if diagnostics:
                action["diagnostics"] = diagnostics
            actions.append(action)
    # "Fix all" beside the quick fixes when the cursor is on a finding; on its own when the
    # editor asks for source.fixAll (a Source Action menu, or on save).
    fix_all_kind = QUICKFIX if (want_quickfix and touched) else (
        FIX_ALL_SOURCE_KIND if want_source_fix_all else None)
    if fix_all_kind is not None and any(finding.fix_safety == SAFE for finding in findings):
        new_source = fixed(unsafe=False)
        if new_source is not None:
            actions.append({"title": FIX_ALL_TITLE, "kind": fix_all_kind, "isPreferred": False,
                            "edit": edit(new_source)})
    return actions


def _kind_wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """LSP's rule: ``only`` lists kinds or their parents (``source`` covers ``source.fixAll.bnu``)."""
    return only is None or any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def _finding_region(finding: Finding, lines: Sequence[str]) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """(line, UTF-16 character) of where a finding starts and ends, 0-based; it reaches at
    least to the end of its first line, where flake8's diagnostic (pylsp's squiggle) ends."""
    first = finding.line - 1
    first_text = _content(lines[first]) if 0 <= first < len(lines) else ""
    start = (first, to_utf16(first_text, finding.column))
    end = (first, utf16_length(first_text))
    if finding.end_line is not None and finding.end_column is not None:
        last = finding.end_line - 1
        last_text = _content(lines[last]) if 0 <= last < len(lines) else ""
        end = max(end, (last, to_utf16(last_text, finding.end_column)))
    return start, end


def _overlaps(finding: Finding, lsp_range: dict, lines: Sequence[str]) -> bool:
    start, end = _finding_region(finding, lines)
    asked_start = (lsp_range["start"]["line"], lsp_range["start"]["character"])
    asked_end = (lsp_range["end"]["line"], lsp_range["end"]["character"])
    return asked_start <= end and start <= asked_end


def _diagnostics_of(finding: Finding, context: dict) -> List[dict]:
    """The editor's diagnostics (from flake8, via pylsp) that this action resolves."""
    return [diagnostic for diagnostic in context.get("diagnostics") or ()
            if str(diagnostic.get("code", "")) == finding.code
            and diagnostic.get("range", {}).get("start", {}).get("line") == finding.line - 1]
