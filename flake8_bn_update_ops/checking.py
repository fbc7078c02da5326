"""The command's work on one decoded source: analyse it, fix it, say what happened.

Shared by the command (``cli``) and its notebook support (``nbcheck``); no output happens here:
a ``FileResult`` carries the findings, the fixed text, the notes and the errors.
"""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional

from .findings import SAFE, UNSAFE, Finding
from .formats import Report
from .noqa import file_is_exempt, physical_lines
from .settings import Settings

PARSE_ERROR = "BNU900"


@dataclass(frozen=True)
class RunOptions:
    """Everything a worker process needs to handle one file (picklable)."""

    settings: Settings
    select: Optional[tuple]
    ignore: Optional[tuple]
    fix: bool
    unsafe: bool
    diff: bool


@dataclass
class FileResult:
    path: str
    reports: List[Report] = field(default_factory=list)
    fixed: int = 0
    safe_fixable: int = 0       # only counted when not fixing
    unsafe_fixable: int = 0
    diff: str = ""
    errors: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # one-line remarks that are not errors (exit 0/1)
    new_text: Optional[str] = None  # the fixed source (stdin --fix writes it to stdout)


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "unknown error"


def _describe(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _wanted(code: str, options: RunOptions) -> bool:
    # BNU900 means "nothing was checked here": shown unless ignored, whatever --select says.
    if options.ignore and code.startswith(options.ignore):
        return False
    if code == PARSE_ERROR:
        return True
    return not options.select or code.startswith(options.select)


def _parse_error(path: str, reason: str, options: RunOptions) -> List[Report]:
    finding = Finding(line=1, column=0, code=PARSE_ERROR,
                      message=f"{PARSE_ERROR} could not parse: {_one_line(reason)}")
    return [Report(path, finding, None)] if _wanted(PARSE_ERROR, options) else []


def _reports(path: str, text: str, findings: Iterable[Finding],
             options: Optional[RunOptions] = None) -> List[Report]:
    """Reports for ``findings``; with ``options`` (a checking run), each says whether --fix would fix it."""
    lines = physical_lines(text)
    fixable = (SAFE, UNSAFE) if options is not None and options.unsafe else (SAFE,)
    return [Report(path, f, lines[f.line - 1] if 0 < f.line <= len(lines) else None,
                   fixable=options is not None and f.fix_safety in fixable)
            for f in findings]


def _split_keeping_newlines(text: str) -> List[str]:
    # Only real newlines: str.splitlines would also split at form feeds.
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def unified_diff(path: str, before: str, after: str) -> str:
    out = []
    for line in difflib.unified_diff(_split_keeping_newlines(before), _split_keeping_newlines(after),
                                     fromfile=f"a/{path}", tofile=f"b/{path}"):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _compile_error(text: str, path: str) -> Optional[str]:
    try:
        compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _one_line(exc)
    return None


def _python_parse(text: str, path: str):
    """(Python's ast, None) or (None, what Python's parser says: flake8's E999)."""
    try:
        return compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True), None
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return None, _one_line(exc)


# Python's parser of a 60,000-line file peaks at about 130 times the file's size in memory it
# frees when done; glibc keeps most of it in its heap, where the analysis's own objects (Python
# allocates them elsewhere) cannot reuse it, so the process would hold both at once.
_HUGE_SOURCE = 1 << 20


def _return_freed_memory() -> None:
    """Hand the parser's freed heap back to the system (glibc's ``malloc_trim``), where it
    exists; elsewhere nothing happens."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError, ImportError, TypeError):   # no glibc (macOS, musl, Windows)
        return
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)


def _is_relevant(text: str, settings: Settings) -> bool:
    """Whether the engine will parse this file (the same cheap text test it uses)."""
    from .precheck import might_have_findings

    return might_have_findings(text, tuple(name.rsplit(".", 1)[-1] for name in settings.wrappers))


def check_text(path: str, text: str, options: RunOptions, result: FileResult, project=None) -> None:
    """Analyse (and maybe fix) one decoded source; fill ``result``. ``project``: the project
    model shared by the files of one batch (its caches), or None for a fresh one."""
    from . import engine
    from .engine import analyze_source, fix_source
    from .findings import UnparsableSource

    fix_failed = getattr(engine, "FixFailed", ())  # parsed fine, but no safe fix could be made

    if file_is_exempt(text):  # "# flake8: noqa" skips the whole file, as in flake8
        return
    select, ignore = options.select, options.ignore

    tree = None

    def analyze() -> List[Finding]:
        return analyze_source(text, path, options.settings, honour_noqa=True,
                              select=select, ignore=ignore, tree=tree, project=project)

    # The command has no E999: a file that matters but that Python cannot parse is a
    # BNU900 (libcst accepts some such files, e.g. 500 nested parentheses). Python's tree
    # also lets the engine skip files that mention batch norm only in comments and strings.
    if _is_relevant(text, options.settings):
        # A module an earlier file of the batch imported with this very text is parsed already.
        known = project.known_tree(path, text) if project is not None else None
        tree, problem = (known, None) if known is not None else _python_parse(text, path)
        if problem is not None:
            result.reports = _parse_error(path, problem, options)
            return
        if len(text) >= _HUGE_SOURCE:
            _return_freed_memory()
    try:
        if options.fix or options.diff:
            fixed = fix_source(text, path, options.settings, unsafe=options.unsafe,
                               select=select, ignore=ignore, tree=tree, project=project)
        else:
            findings = analyze()
    except UnparsableSource as exc:
        original_problem = _compile_error(text, path)
        if isinstance(exc, fix_failed) and original_problem is None:
            # The file is fine but its fix could not be made safely: keep the file,
            # report its findings, and say why it was not fixed.
            result.notes.append(f"{path}: not fixed: {_one_line(exc)}")
            try:
                result.reports = _reports(path, text, analyze())
            except UnparsableSource as again:
                result.reports = _parse_error(path, str(again), options)
            return
        # Python's own reason when Python rejects the file too: it names the real
        # problem, where libcst or the fixer's compile check names a symptom.
        result.reports = _parse_error(path, original_problem or str(exc), options)
        return
    except Exception as exc:  # noqa: BLE001 - an engine bug must cost one file, not the run
        reason = f"could not analyse this file: {_describe(exc)}"
        finding = Finding(line=1, column=0, code=PARSE_ERROR, message=f"{PARSE_ERROR} {reason}")
        result.reports = [Report(path, finding, None)] if _wanted(PARSE_ERROR, options) else []
        # An engine bug is not the file's fault: it also makes the run exit 2, so a broken
        # install does not pass for a finding.
        result.errors.append(f"{path}: internal error: {_describe(exc)}")
        return
    if not (options.fix or options.diff):
        result.reports = _reports(path, text, findings, options)
        result.safe_fixable = sum(f.fix_safety == SAFE for f in findings)
        result.unsafe_fixable = sum(f.fix_safety == UNSAFE for f in findings)
        return
    if fixed.source != text:
        problem = _compile_error(fixed.source, path)
        if problem is not None:  # the fixer broke valid code: keep the file, say so
            result.errors.append(f"{path}: not fixed: the fixed source does not compile ({problem})")
            result.reports = _reports(path, text, analyze())
            return
        result.new_text = fixed.source
        if options.diff:
            result.diff = unified_diff(path, text, fixed.source)
    result.fixed = fixed.fixed
    result.unsafe_fixable = fixed.unsafe_fixable
    result.reports = _reports(path, fixed.source, fixed.remaining)
