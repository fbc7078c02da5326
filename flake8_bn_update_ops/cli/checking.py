"""The command's work on one decoded source: analyse it, fix it, say what happened.

Shared by the command (``cli.command``) and its notebook support (``notebooks.checking``); no output happens here:
a ``FileResult`` carries the findings, the fixed text, the notes and the errors.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional

from ..config import CodeChoice, per_file_codes
from ..findings import SAFE, UNSAFE, Finding, one_line
from .formats import ShownFinding
from ..noqa import file_is_exempt, physical_lines
from ..settings import Settings

PARSE_ERROR = "BNU900"


@dataclass(frozen=True)
class RunOptions:
    """Everything a worker process needs to handle one file (picklable)."""

    settings: Settings
    select: Optional[tuple]     # what the engine runs: the chosen rule codes (None: all)
    ignore: Optional[tuple]     # ("BNU900",) when the user's ignore lists hide unparsable files
    fix: bool
    unsafe: bool
    diff: bool
    # flake8's per-file-ignores: (glob, codes) pairs, globs with a slash made absolute.
    per_file_ignores: tuple = ()
    choice: Optional[CodeChoice] = None     # select/ignore as given, for per-file decisions
    codes: tuple = ()                       # every rule code (from the registry)
    disable_noqa: bool = False              # flake8's --disable-noqa: "# noqa" hides nothing
    add_noqa: bool = False                  # ruff's --add-noqa: write "# noqa: CODE" on finding lines


@dataclass
class FileResult:
    path: str
    reports: List[ShownFinding] = field(default_factory=list)
    fixed: int = 0
    safe_fixable: int = 0       # only counted when not fixing
    unsafe_fixable: int = 0
    diff: str = ""
    errors: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # one-line remarks that are not errors (exit 0/1)
    new_text: Optional[str] = None  # the fixed source (stdin --fix writes it to stdout)
    prechecked_out: bool = False    # the text pre-check skipped it: no batch-norm name, not parsed
    all_ignored: bool = False       # per-file-ignores ignores every code here: not read
    noqa_added: int = 0             # --add-noqa: comments written or extended
    other_texts: dict = field(default_factory=dict)     # other modules a fix edits: path -> (before, after)


def choice_select_ignore(choice: CodeChoice, codes: Iterable[str]) -> "tuple[tuple, Optional[tuple]]":
    """(select, ignore) for the engine and ``is_wanted``: the chosen rule codes, and BNU900 hidden
    only when an ignore list names it (it says "nothing was checked here", so a ``select`` of
    some codes still shows it)."""
    explicit_ignore = tuple(choice.ignore or ()) + choice.extend_ignore
    hidden = PARSE_ERROR.startswith(explicit_ignore) and not choice.chosen(PARSE_ERROR) if explicit_ignore else False
    return choice.enabled(codes), ((PARSE_ERROR,) if hidden else None)


def options_for_path(path: str, options: RunOptions) -> Optional[RunOptions]:
    """``options`` for one file after per-file-ignores; None when every code is ignored there."""
    if not options.per_file_ignores or options.choice is None:
        return options
    extra = per_file_codes(path, options.per_file_ignores)
    if not extra:
        return options
    select, ignore = choice_select_ignore(options.choice.with_ignored(extra), options.codes)
    if not select:
        return None
    return dataclasses.replace(options, select=select, ignore=ignore)


def describe_error(exc: BaseException) -> str:
    """An unexpected exception as an internal-error line names it: its type, then its message."""
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def is_wanted(code: str, options: RunOptions) -> bool:
    """Whether a finding of ``code`` is reported under ``options``' select and ignore lists."""
    # BNU900 means "nothing was checked here": shown unless ignored, whatever --select says.
    if options.ignore and code.startswith(options.ignore):
        return False
    if code == PARSE_ERROR:
        return True
    return not options.select or code.startswith(options.select)


def parse_error_reports(path: str, reason: str, options: RunOptions, line: int = 1, column: int = 0,
                        source_line: Optional[str] = None) -> List[ShownFinding]:
    """BNU900 at ``line``/``column`` (0-based): where the parser stopped, when it says."""
    finding = Finding(line=line, column=column, code=PARSE_ERROR,
                      message=f"{PARSE_ERROR} could not parse: {one_line(reason)}")
    return [ShownFinding(path, finding, source_line)] if is_wanted(PARSE_ERROR, options) else []


@dataclass(frozen=True)
class SyntaxProblem:
    """What Python's parser says about a source it rejects, and where (column 0-based)."""

    reason: str
    line: int = 1
    column: int = 0


def _syntax_problem(exc: BaseException, text: str) -> SyntaxProblem:
    """Python's message and position; a position past the end (an unclosed bracket at the end of
    the file) is moved to the end of the last line, where an editor can show it."""
    message = getattr(exc, "msg", None) if isinstance(exc, SyntaxError) else None
    if not message:
        return SyntaxProblem(one_line(exc))
    line = exc.lineno or 1
    column = max(0, (exc.offset or 1) - 1)
    lines = physical_lines(text)
    if lines and line > len(lines):
        line, column = len(lines), len(lines[-1].rstrip("\r\n"))
    return SyntaxProblem(one_line(message), max(1, line), column)


def _reports(path: str, text: str, findings: Iterable[Finding],
             options: Optional[RunOptions] = None) -> List[ShownFinding]:
    """Reports for ``findings``; with ``options`` (a checking run), each says whether --fix would fix it."""
    lines = physical_lines(text)
    fixable = (SAFE, UNSAFE) if options is not None and options.unsafe else (SAFE,)
    return [ShownFinding(path, f, lines[f.line - 1] if 0 < f.line <= len(lines) else None,
                         fixable=options is not None and f.fix_safety in fixable)
            for f in findings]


def _split_keeping_newlines(text: str) -> List[str]:
    # Only real newlines: str.splitlines would also split at form feeds.
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def diff_path(path: str) -> str:
    """The path a diff header names, as ``git diff`` writes it: relative to the current folder
    when inside it, no ``./`` or ``..`` steps, forward slashes (``a/./x.py`` makes ``git apply``
    fail)."""
    if path.startswith("<") or path in ("-", "stdin"):
        return path
    normal = os.path.normpath(path)
    if os.path.isabs(normal):
        relative = os.path.relpath(normal, os.getcwd())
        if not relative.startswith(os.pardir):
            normal = relative
    return normal.replace(os.sep, "/")


def unified_diff(path: str, before: str, after: str) -> str:
    out = []
    shown = diff_path(path)
    for line in difflib.unified_diff(_split_keeping_newlines(before), _split_keeping_newlines(after),
                                     fromfile=f"a/{shown}", tofile=f"b/{shown}"):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _compile_error(text: str, path: str) -> Optional["SyntaxProblem"]:
    """What Python's compiler (which also rejects what its parser takes, like a ``return``
    outside a function) says about ``text``, or None."""
    try:
        compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return _syntax_problem(exc, text)
    return None


def _problem_reports(path: str, text: str, problem: "SyntaxProblem", options: RunOptions) -> List[ShownFinding]:
    lines = physical_lines(text)
    source_line = lines[problem.line - 1] if problem.line <= len(lines) else None
    return parse_error_reports(path, problem.reason, options, problem.line, problem.column, source_line)


def _python_parse(text: str, path: str):
    """(Python's ast, None) or (None, the SyntaxProblem Python's parser names: flake8's E999)."""
    try:
        return compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True), None
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return None, _syntax_problem(exc, text)


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


def is_relevant(text: str, options: "RunOptions") -> bool:
    """Whether the engine will parse this file (the same cheap text test it uses, for the codes
    that run)."""
    from ..engine import selected_codes
    from ..precheck import might_have_findings, wrapper_words

    return might_have_findings(text, wrapper_words(options.settings), selected_codes(options.select, options.ignore))


def check_text(path: str, text: str, options: RunOptions, result: FileResult, project=None) -> None:
    """Analyse (and maybe fix) one decoded source; fill ``result``. ``project``: the project
    model shared by the files of one batch (its caches), or None for a fresh one."""
    from .. import engine
    from ..engine import analyze_source, fix_source
    from ..findings import UnparsableSource

    fix_failed = getattr(engine, "FixFailed", ())  # parsed fine, but no safe fix could be made

    # "# flake8: noqa" skips the whole file, as in flake8 (unless --disable-noqa, as in flake8).
    if not options.disable_noqa and file_is_exempt(text):
        return
    select, ignore = options.select, options.ignore
    honour_noqa = not options.disable_noqa

    tree = None

    def analyze(source: str = text) -> List[Finding]:
        return analyze_source(source, path, options.settings, honour_noqa=honour_noqa,
                              select=select, ignore=ignore, tree=tree if source is text else None,
                              project=project)

    # The command has no E999: a file that matters but that Python cannot parse is a
    # BNU900 (libcst accepts some such files, e.g. 500 nested parentheses). Python's tree
    # also lets the engine skip files that mention batch norm only in comments and strings.
    if not is_relevant(text, options):
        # Not parsed at all: it names no batch-norm API, so it cannot hold a finding. The summary
        # counts such files, so that a clean exit is not mistaken for "parsed and checked".
        result.prechecked_out = True
        return
    # A module an earlier file of the batch imported with this very text is parsed already.
    known = project.known_tree(path, text) if project is not None else None
    tree, problem = (known, None) if known is not None else _python_parse(text, path)
    if problem is not None:
        result.reports = _problem_reports(path, text, problem, options)
        return
    if len(text) >= _HUGE_SOURCE:
        _return_freed_memory()
    try:
        if options.fix or options.diff:
            fixed = fix_source(text, path, options.settings, unsafe=options.unsafe,
                               select=select, ignore=ignore, tree=tree, project=project,
                               other_modules=project is not None)
        else:
            findings = analyze()
    except UnparsableSource as exc:
        original_problem = _compile_error(text, path)
        if isinstance(exc, fix_failed) and original_problem is None:
            # The file is fine but its fix could not be made safely: keep the file,
            # report its findings, and say why it was not fixed.
            result.notes.append(f"{path}: not fixed: {one_line(exc)}")
            try:
                result.reports = _reports(path, text, analyze())
            except UnparsableSource as again:
                result.reports = parse_error_reports(path, str(again), options)
            return
        # Python's own reason and place when Python rejects the file too: it names the real
        # problem, where libcst or the fixer's compile check names a symptom.
        if original_problem is not None:
            result.reports = _problem_reports(path, text, original_problem, options)
        else:
            result.reports = parse_error_reports(path, str(exc), options)
        return
    except Exception as exc:  # noqa: BLE001 - an engine bug must cost one file, not the run
        reason = f"could not analyse this file: {describe_error(exc)}"
        finding = Finding(line=1, column=0, code=PARSE_ERROR, message=f"{PARSE_ERROR} {reason}")
        result.reports = [ShownFinding(path, finding, None)] if is_wanted(PARSE_ERROR, options) else []
        # An engine bug is not the file's fault: it also makes the run exit 2, so a broken
        # install does not pass for a finding.
        result.errors.append(f"{path}: internal error: {describe_error(exc)}")
        return
    if options.add_noqa and findings:
        findings = _add_noqa(path, text, findings, result)
    if not (options.fix or options.diff):
        result.reports = _reports(path, text, findings, options)
        result.safe_fixable = sum(f.fix_safety == SAFE for f in findings)
        result.unsafe_fixable = sum(f.fix_safety == UNSAFE for f in findings)
        return
    if fixed.source != text:
        problem = _compile_error(fixed.source, path)
        if problem is not None:  # the fixer broke valid code: keep the file, say so
            result.errors.append(f"{path}: not fixed: the fixed source does not compile "
                                 f"({problem.reason}, line {problem.line})")
            result.reports = _reports(path, text, analyze())
            return
        result.new_text = fixed.source
        if options.diff:
            result.diff = unified_diff(path, text, fixed.source)
    if fixed.others:
        # A fix that threads a flag into the modules importing this one: written with it, all or
        # none (cli.check_file), and shown whole in the diff.
        result.other_texts = dict(fixed.others)
        if result.new_text is None:
            result.new_text = text
        if options.diff:
            result.diff += "".join(unified_diff(other, before, after)
                                   for other, (before, after) in sorted(fixed.others.items()))
    result.fixed = fixed.fixed
    result.notes += [f"{path}: {note}" for note in fixed.notes]
    remaining = fixed.remaining
    if options.disable_noqa:
        # Fixes leave "# noqa" lines alone (the user asked for them to be left); the report
        # still shows what "# noqa" hides, as flake8 --disable-noqa would.
        remaining = analyze(fixed.source)
    result.unsafe_fixable = 0 if options.unsafe else sum(f.fix_safety == UNSAFE for f in remaining)
    result.reports = _reports(path, fixed.source, remaining)


def _add_noqa(path: str, text: str, findings: List[Finding], result: FileResult) -> List[Finding]:
    """--add-noqa: the source with a "# noqa: CODE" comment for every finding, in ``result.new_text``;
    returns the findings still not hidden (to be reported)."""
    from ..noqa import add_noqa_comments, drop_suppressed

    new_text, written, refused = add_noqa_comments(text, findings)
    if refused:
        where = ", ".join(str(line) for line in refused)
        result.notes.append(f"{path}: no # noqa comment added at line {where}: flake8 would read "
                            f"another # noqa text there first")
    if written and new_text != text:
        problem = _compile_error(new_text, path)
        if problem is not None:     # never write a damaged file
            result.errors.append(f"{path}: not changed: the source with # noqa comments does not compile "
                                 f"({problem.reason}, line {problem.line})")
            return findings
        result.new_text = new_text
        result.noqa_added = written
        return drop_suppressed(findings, new_text)
    return findings
