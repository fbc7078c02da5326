"""``python -m flake8_bn_update_ops``: check, fix and diff without flake8.

Exit status: 0 nothing left, 1 findings remain (or ``--diff`` would change something),
2 usage, configuration or I/O errors (reported after every other file is processed).
Findings go to standard output; errors and the summary line go to standard error.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence

from . import __version__
from .checking import (PARSE_ERROR, FileResult, RunOptions, _describe, _parse_error,  # noqa: F401
                       check_text, unified_diff)
from .config import (ConfigError, FileConfig, build_settings, load_config, merged_codes,
                     normalize_patterns, split_list)
from .fileio import DECODE, SourceFile, SourceFileError, decode_stdin, read_source, write_source
from .formats import FORMATS, Report, TextStyle, render, statistics

PROGRAM = "flake8-bn-update-ops"
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__",
                   "node_modules", "build", "dist", "*.egg-info", ".ipynb_checkpoints")
# What a folder walk picks up (a file named on the command line is read whatever its name).
WALKED_SUFFIXES = (".py", ".ipynb")


class UsageError(Exception):
    """A wrong option or configuration value: one line, exit 2."""


# ---------------------------------------------------------------------------- files

def _excluded(path: str, patterns: Sequence[str]) -> bool:
    """flake8's rule: the base name or the absolute path matches a glob."""
    basename = os.path.basename(path)
    if basename not in {".", ".."} and any(fnmatch.fnmatch(basename, p) for p in patterns):
        return True
    absolute = os.path.abspath(path)
    return any(fnmatch.fnmatch(absolute, p) for p in patterns)


@dataclass
class WalkCounts:
    """Files a walk skipped, so that "no files" can tell "nothing there" from "all skipped"."""

    excluded: int = 0


def iter_paths(arguments: Sequence[str], exclude: Sequence[str], respect_gitignore: bool = True,
               counts: Optional[WalkCounts] = None) -> Iterator[str]:
    """Files to check: explicit files as given, ``*.py`` and ``*.ipynb`` under directories, in order.

    Folder walks skip ``exclude`` and, unless told otherwise, what ``.gitignore`` ignores;
    a file named on the command line is skipped only by ``exclude`` (as in flake8)."""
    counts = counts if counts is not None else WalkCounts()
    for argument in arguments:
        if _excluded(argument, exclude):
            counts.excluded += 1
            continue
        if not os.path.isdir(argument):
            yield argument  # a missing or broken path is reported when read
            continue
        ignore = None
        if respect_gitignore:
            from .gitignore import GitIgnore

            ignore = GitIgnore(argument)

        def skipped(path: str, is_dir: bool) -> bool:
            return _excluded(path, exclude) or (ignore is not None and ignore.ignored(path, argument, is_dir))

        for root, folders, files in os.walk(argument):
            kept = []
            for folder in sorted(folders):
                if not skipped(os.path.join(root, folder), True):
                    kept.append(folder)
            folders[:] = kept
            for name in sorted(files):
                path = os.path.join(root, name)
                if not name.endswith(WALKED_SUFFIXES):
                    continue
                if skipped(path, False):
                    counts.excluded += 1
                else:
                    yield path


# ---------------------------------------------------------------------------- one file

def check_file(path: str, options: RunOptions, project=None) -> FileResult:
    """One file; never raises."""
    result = FileResult(path)
    try:
        try:
            source: SourceFile = read_source(path, keep_bytes=options.fix and not options.diff)
        except SourceFileError as exc:
            if exc.kind == DECODE:  # bad bytes: Python could not parse it either
                result.reports = _parse_error(path, str(exc), options)
            else:
                result.errors.append(f"{path}: {exc}")
            return result
        if path.endswith(".ipynb"):
            from .nbcheck import check_notebook

            check_notebook(source, options, result)
        else:
            check_text(path, source.text, options, result, project)
        if options.fix and not options.diff and result.new_text is not None:
            try:
                write_source(source, result.new_text)
            except SourceFileError as exc:
                result.errors.append(f"{path}: {exc}")
                result.fixed = 0
        result.new_text = None  # written (or not wanted): do not ship it back to the parent
    except Exception as exc:  # noqa: BLE001 - one line per file, the run goes on
        result.errors.append(f"{path}: internal error: {_describe(exc)}")
    return result


def check_batch(paths: List[str], options: RunOptions) -> List[FileResult]:
    """The unit of work of a worker process: a few files of one folder, sharing one project
    model (whose caches live as long as the batch: no state outlives it)."""
    project = _new_project(options)
    return [check_file(path, options, project) for path in paths]


def _check_batch_task(task):
    return check_batch(*task)


def _new_project(options: RunOptions):
    from .core.project import Project

    return Project(options.settings)


def check_stdin(display_name: str, options: RunOptions) -> "tuple[FileResult, Optional[bytes]]":
    """Standard input; with --fix also the bytes to write to standard output."""
    raw = sys.stdin.buffer.read()
    result = FileResult(display_name)
    try:
        text, encoding = decode_stdin(raw)
    except SourceFileError as exc:
        if exc.kind == DECODE:
            result.reports = _parse_error(display_name, str(exc), options)
        else:
            result.errors.append(str(exc))
        return result, (raw if options.fix and not options.diff else None)
    try:
        check_text(display_name, text, options, result)
    except Exception as exc:  # noqa: BLE001
        result.errors.append(f"{display_name}: internal error: {_describe(exc)}")
    if not options.fix or options.diff:
        return result, None
    if result.new_text is None:
        return result, raw  # unchanged: give back exactly the bytes received
    return result, result.new_text.encode(encoding)


def run_files(paths: List[str], options: RunOptions, jobs: int) -> Iterator[FileResult]:
    """Results in the order of ``paths``, streamed as workers finish them. Files go to the
    workers in batches of neighbours (a folder's files import each other), each batch with
    one project model."""
    if jobs <= 1 or len(paths) <= 1:
        project = _new_project(options)
        for path in paths:
            yield check_file(path, options, project)
        return
    try:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=min(jobs, len(paths)))
    except (OSError, ImportError, NotImplementedError):  # no process support here: stay serial
        yield from run_files(paths, options, 1)
        return
    size = max(1, min(16, len(paths) // (jobs * 4)))
    batches = [paths[start:start + size] for start in range(0, len(paths), size)]
    with pool:
        for results in pool.map(_check_batch_task, [(batch, options) for batch in batches]):
            yield from results


def fix_files(paths: List[str], options: RunOptions, jobs: int, rounds: int = 3) -> List[FileResult]:
    """``--fix`` over a tree: a fix in one module can make a finding (and its fix) in another
    (a hard-coded flag replaced in ``model.py`` turns on the update ops that ``train.py``
    must run), so the tree is fixed again until a round changes nothing (bounded)."""
    results = list(run_files(paths, options, jobs))
    if not options.settings.cross_module:
        return results
    for _ in range(rounds - 1):
        if not any(result.fixed for result in results):
            break
        again = {result.path: result for result in run_files(paths, options, jobs)}
        if not any(result.fixed for result in again.values()):
            break
        for result in results:
            later = again.get(result.path)
            if later is None:
                continue
            result.fixed += later.fixed
            result.reports = later.reports
            result.unsafe_fixable = later.unsafe_fixable
            result.errors += [error for error in later.errors if error not in result.errors]
            result.notes += [note for note in later.notes if note not in result.notes]
    return results


# ---------------------------------------------------------------------------- options

class _HelpWithCodes(argparse.Action):
    """``--help``, ending with the codes from the rule registry (read only when asked for)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .explain import codes_help

        parser.epilog = codes_help()
        parser.print_help()
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m flake8_bn_update_ops",
        description="Find and fix TensorFlow batch-normalization update-op pitfalls (BNU001-BNU008) "
                    "in Python files and Jupyter notebooks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    add = parser.add_argument
    add("-h", "--help", action=_HelpWithCodes, help="show this help, with the list of codes, and exit")
    add("paths", nargs="*", metavar="PATH",
        help="files or folders to check (default: .): folders are searched for *.py and *.ipynb; "
             "- for standard input")
    add("--fix", action="store_true", help="apply safe fixes in place")
    add("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (with --fix or --diff)")
    add("--diff", action="store_true", help="print a unified diff of the fixes; write nothing")
    add("--select", metavar="CODES", help="only report codes with these prefixes (comma separated)")
    add("--ignore", metavar="CODES", help="do not report codes with these prefixes")
    add("--extend-ignore", metavar="CODES", help="add to the ignored prefixes")
    add("--exclude", metavar="GLOBS", help="globs of paths to skip (replaces the defaults)")
    add("--extend-exclude", metavar="GLOBS", help="globs of paths to skip, beside the defaults")
    add("--jobs", "-j", type=int, metavar="N", help="processes (default: all cores; 1: no pool)")
    add("--stdin-filename", "--stdin-display-name", dest="stdin_filename", metavar="PATH",
        help="the file name standard input stands for (flake8's --stdin-display-name is the same)")
    add("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
        help="also walk into what .gitignore ignores (named files are always checked)")
    add("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add("--output-file", metavar="FILE", help="write the findings (or the diff) to FILE instead of standard output")
    add("--color", choices=("auto", "always", "never"), default="auto",
        help="colour text output: auto (default) on a terminal unless NO_COLOR is set (FORCE_COLOR forces it)")
    add("--show-docs-url", action="store_true", help="end each text finding with its documentation link")
    add("--statistics", action="store_true", help="count each code and show its first message, as flake8 does")
    add("--count", action="store_true", help="print the number of findings at the end, as flake8 does")
    add("--explain", metavar="CODE", help="print the documentation of one code (BNU001...) and exit")
    add("--show-source", action="store_true", help="show the offending line with a caret")
    add("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    add("--config", metavar="FILE", help="read options from this file (flake8 ini or pyproject.toml)")
    add("--isolated", action="store_true", help="ignore every configuration file")
    add("--bn-training-names", metavar="NAMES", help="extra training-flag parameter names")
    add("--bn-wrappers", metavar="NAME:FLAG", help="project batch-norm wrappers as dotted.name:flag")
    add("--bn-train-op-helpers", metavar="NAMES", help="extra helpers that already run the update ops")
    add("--bn-cross-module", metavar="yes|no", help="follow imports into the project's modules")
    add("--max-line-length", metavar="N", help="the longest line a fix may write (default: flake8's "
        "max-line-length from the configuration, else 79)")
    add("--version", action="version", version=f"{PROGRAM} {__version__}")
    return parser


def resolve_options(args: argparse.Namespace) -> "tuple[RunOptions, List[str]]":
    """Merge the configuration files with the command line; return the options and excludes."""
    config: FileConfig = load_config(args.config, isolated=args.isolated)
    values, origins = dict(config.values), dict(config.origins)
    for key in ("select", "ignore", "extend-ignore", "exclude", "extend-exclude", "bn-training-names",
                "bn-wrappers", "bn-train-op-helpers", "bn-cross-module", "max-line-length"):
        given = getattr(args, key.replace("-", "_"))
        if given is not None:
            values[key], origins[key] = given, "command line"
            config.base_dirs[key] = os.getcwd()
    settings = build_settings(values, origins)
    select = merged_codes(values, "select", "extend-select", origins)
    ignore = merged_codes(values, "ignore", "extend-ignore", origins)
    if not select:
        from .rules import with_default_ignore

        ignore = with_default_ignore(select, ignore)
    exclude = list(DEFAULT_EXCLUDE)
    if "exclude" in values:
        exclude = normalize_patterns(split_list(values["exclude"]), config.base_dirs["exclude"])
    if "extend-exclude" in values:
        exclude += normalize_patterns(split_list(values["extend-exclude"]),
                                      config.base_dirs["extend-exclude"])
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    options = RunOptions(settings=settings, select=select, ignore=ignore, fix=args.fix,
                         unsafe=args.unsafe_fixes, diff=args.diff)
    return options, exclude


# ---------------------------------------------------------------------------- output

class Totals:
    def __init__(self) -> None:
        self.remaining = self.fixed = self.safe_fixable = self.unsafe_fixable = 0
        self.errors = 0
        self.diffs = 0
        self.files = 0

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.remaining += len(result.reports)
        self.fixed += result.fixed
        self.safe_fixable += result.safe_fixable
        self.unsafe_fixable += result.unsafe_fixable
        self.errors += len(result.errors)
        self.diffs += bool(result.diff)

    def summary(self, options: RunOptions) -> str:
        verb = "would fix" if options.diff else "fixed"
        files = f"{self.files} file{'s' if self.files != 1 else ''}"
        parts = [f"{files}: {verb} {self.fixed}, remaining {self.remaining}"]
        if not (options.fix or options.diff) and self.safe_fixable:
            parts.append(f"{self.safe_fixable} fixable with --fix (marked [*])")
        if not options.unsafe and self.unsafe_fixable:
            parts.append(f"{self.unsafe_fixable} more fixable with --unsafe-fixes")
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        return f"{PROGRAM}: " + "; ".join(parts)


def _write(stream, text: str) -> None:
    if text:
        stream.write(text)
        stream.flush()


def use_color(choice: str, stream) -> bool:
    """--color, then NO_COLOR (https://no-color.org), then FORCE_COLOR, then: is it a terminal?"""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _explain(code: str) -> int:
    from .explain import explain
    from .rules import CODES

    text = explain(code)
    if text is None:
        print(f"{PROGRAM}: error: unknown code {code!r} (known: {', '.join(CODES)}, BNU900)", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def run(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.explain is not None:
        return _explain(args.explain)
    try:
        options, exclude = resolve_options(args)
    except (ConfigError, UsageError) as exc:
        print(f"{PROGRAM}: error: {exc}", file=sys.stderr)
        return 2
    output = None
    if args.output_file:
        try:
            output = open(args.output_file, "w", encoding="utf-8", newline="")
        except OSError as exc:
            print(f"{PROGRAM}: error: --output-file {args.output_file}: {exc.strerror}", file=sys.stderr)
            return 2
    try:
        return _run(args, options, exclude, output)
    finally:
        if output is not None:
            output.close()


def _run(args: argparse.Namespace, options: RunOptions, exclude: List[str], output) -> int:
    paths = args.paths or ["."]
    streaming = args.format in ("text", "github")
    collected: List[Report] = []   # every report, for --statistics, --count and the whole-log formats
    totals = Totals()
    report_stream = output if output is not None else sys.stdout
    style = TextStyle(color=use_color(args.color, report_stream), docs_url=args.show_docs_url,
                      fix_marker=not (options.fix or options.diff))

    def emit(result: FileResult, findings_stream) -> None:
        totals.add(result)
        for error in result.errors:
            print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        for note in result.notes:
            print(f"{PROGRAM}: note: {note}", file=sys.stderr)
        collected.extend(result.reports)
        if options.diff:
            _write(report_stream, result.diff)
            return
        if streaming:
            _write(findings_stream, render(args.format, result.reports, args.show_source, style))

    if "-" in paths:
        if len(paths) > 1:
            print(f"{PROGRAM}: error: - (standard input) cannot be mixed with paths", file=sys.stderr)
            return 2
        name = args.stdin_filename or "stdin"
        result, fixed_bytes = check_stdin(name, options)
        # With --fix the fixed source owns standard output; findings go to standard error.
        if fixed_bytes is not None and output is None:
            report_stream = sys.stderr
        emit(result, report_stream)
        if fixed_bytes is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(fixed_bytes)
            sys.stdout.buffer.flush()
    else:
        jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
        counts = WalkCounts()
        files = list(iter_paths(paths, exclude, args.respect_gitignore, counts))
        if not files:
            where = " ".join(paths)
            if counts.excluded:  # all excluded by the configuration: as asked, not an error
                print(f"{PROGRAM}: note: every file given is excluded ({where})", file=sys.stderr)
                return 0
            print(f"{PROGRAM}: warning: no Python files or notebooks found in {where} "
                  f"(folders are searched for *.py and *.ipynb)", file=sys.stderr)
            return 2
        if options.fix and not options.diff:
            results = fix_files(files, options, jobs)
        else:
            results = run_files(files, options, jobs)
        for result in results:
            emit(result, report_stream)
    if not streaming and not options.diff:
        _write(report_stream, render(args.format, collected, args.show_source, style))
    if args.statistics or args.count:
        # Beside text lines, where flake8 prints them; never inside a JSON or SARIF document.
        tail = report_stream if streaming or options.diff else sys.stderr
        if args.statistics:
            _write(tail, statistics(collected))
        if args.count:
            _write(tail, f"{len(collected)}\n")
    print(totals.summary(options), file=sys.stderr)
    if totals.errors:
        return 2
    if args.exit_zero:
        return 0
    if options.diff:
        return 1 if totals.diffs else 0
    return 1 if totals.remaining else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: never a traceback, whatever happens."""
    try:
        return run(argv)
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 2
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001
        print(f"{PROGRAM}: internal error: {_describe(exc)}", file=sys.stderr)
        return 2
