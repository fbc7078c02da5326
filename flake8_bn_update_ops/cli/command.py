"""``python -m flake8_bn_update_ops``: check, fix and diff without flake8.

Exit status: 0 nothing left, 1 findings remain (or ``--diff`` would change something),
2 usage, configuration or I/O errors (reported after every other file is processed).
Findings go to standard output; errors and the summary line go to standard error.
"""
from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import os
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence

from .. import __version__
from .checking import (PARSE_ERROR, FileResult, RunOptions, describe_error, parse_error_reports,
                       check_text, choice_select_ignore, options_for_path)
from ..config import (PYPROJECT_TABLE, CodeChoice, ConfigError, FileConfig, build_settings, code_choice,
                      load_config, normalize_patterns, normalize_per_file_ignores, parse_bool,
                      parse_per_file_ignores, split_list)
from .fileio import DECODE, SourceFile, SourceFileError, decode_stdin, encode_source, read_source, write_source
from .formats import FORMATS, ShownFinding, TextStyle, render, statistics

PROGRAM = "flake8-bn-update-ops"
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__",
                   "node_modules", "build", "dist", "*.egg-info", ".ipynb_checkpoints")
# What a folder walk picks up (a file named on the command line is read whatever its name).
WALKED_SUFFIXES = (".py", ".ipynb")


class UsageError(Exception):
    """A wrong option or configuration value: one line, exit 2."""


class NothingToCheck(Exception):
    """The options ignore every code, as the user asked: one note, exit 0."""


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
    for_path = options_for_path(path, options)
    if for_path is None:    # per-file-ignores ignores every code here: not even read
        result.all_ignored = True
        return result
    options = for_path
    try:
        if options.add_noqa and path.endswith(".ipynb"):
            result.notes.append(f"{path}: --add-noqa does not edit notebooks; its findings are reported")
            options = dataclasses.replace(options, add_noqa=False)
        writes = (options.fix and not options.diff) or options.add_noqa
        try:
            source: SourceFile = read_source(path, keep_bytes=writes)
        except SourceFileError as exc:
            if exc.kind == DECODE:  # bad bytes: Python could not parse it either
                result.reports = parse_error_reports(path, str(exc), options, exc.line, exc.column)
            else:
                result.errors.append(f"{path}: {exc}")
            return result
        if path.endswith(".ipynb"):
            from ..notebooks.checking import check_notebook

            check_notebook(source, options, result)
        else:
            check_text(path, source.text, options, result, project)
        if writes and result.new_text is not None:
            try:
                _write_with_others(source, result.new_text, result.other_texts)
            except SourceFileError as exc:
                # Not written: report what is on disk (positions in the unwritten text, or its
                # findings alone, would describe a file that does not exist).
                on_disk = FileResult(path)
                check_text(path, source.text, dataclasses.replace(options, fix=False, diff=False, add_noqa=False),
                           on_disk, project)
                result.reports, result.fixed, result.noqa_added = on_disk.reports, 0, 0
                result.unsafe_fixable = on_disk.unsafe_fixable
                result.errors.append(f"{path}: {exc}")
        result.new_text = None  # written (or not wanted): do not ship it back to the parent
        result.other_texts = {}
    except Exception as exc:  # noqa: BLE001 - one line per file, the run goes on
        result.errors.append(f"{path}: internal error: {describe_error(exc)}")
    return result


def _write_with_others(source: SourceFile, text: str, others: dict) -> None:
    """Write a fixed file and the other modules its fixes edit, all or none: each other module
    must still hold the text the fix was made from; if any write fails, the modules already
    written get their old bytes back and the error is raised."""
    written = []
    try:
        for path, (before, after) in sorted(others.items()):
            other = read_source(path)
            if other.text != before:
                raise SourceFileError(f"{path} changed on disk since it was read; not written")
            write_source(other, after)
            written.append((other, after))
        if text != source.text:
            write_source(source, text)
    except SourceFileError:
        for other, after in reversed(written):
            try:
                write_source(dataclasses.replace(other, raw=encode_source(other, after)), other.text)
            except SourceFileError:
                pass
        raise


def check_batch(paths: List[str], options: RunOptions) -> List[FileResult]:
    """The unit of work of a worker process: a few files of one folder, sharing one project
    model (whose caches live as long as the batch: no state outlives it)."""
    project = _new_project(options)
    return [check_file(path, options, project) for path in paths]


def _check_batch_task(task):
    return check_batch(*task)


def _new_project(options: RunOptions):
    from ..core.project import Project

    return Project(options.settings)


def check_stdin(display_name: str, options: RunOptions) -> "tuple[FileResult, Optional[bytes]]":
    """Standard input; with --fix also the bytes to write to standard output."""
    raw = sys.stdin.buffer.read()
    result = FileResult(display_name)
    for_path = options_for_path(display_name, options)
    if for_path is None:    # per-file-ignores ignores every code for this name
        result.all_ignored = True
        return result, (raw if options.fix and not options.diff else None)
    options = for_path
    try:
        text, encoding = decode_stdin(raw)
    except SourceFileError as exc:
        if exc.kind == DECODE:
            result.reports = parse_error_reports(display_name, str(exc), options, exc.line, exc.column)
        else:
            result.errors.append(str(exc))
        return result, (raw if options.fix and not options.diff else None)
    try:
        check_text(display_name, text, options, result)
    except Exception as exc:  # noqa: BLE001
        result.errors.append(f"{display_name}: internal error: {describe_error(exc)}")
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
    batches = _batches(paths, max(1, min(16, len(paths) // (jobs * 4))))
    with pool:
        for results in pool.map(_check_batch_task, [(batch, options) for batch in batches]):
            yield from results


def _batches(paths: List[str], size: int) -> List[List[str]]:
    """Consecutive runs of about ``size`` files that end, where they can, where the files' first
    folder below the arguments' common folder changes (one repository of a folder of
    repositories, ``src/`` beside ``scripts/``): each batch has one project model, and a module
    imported by files of two batches is parsed and indexed in both (measured on corpus A, 322
    files in batches of 16: 34 of 386 index builds were such repeats). A batch never grows past
    twice ``size``, so one large folder still spreads over the workers."""
    if len(paths) <= size:
        return [list(paths)]
    try:
        common = os.path.commonpath([os.path.abspath(path) for path in paths])
    except ValueError:      # paths on different drives
        common = ""

    def group(path: str) -> str:
        relative = os.path.relpath(os.path.abspath(path), common) if common else path
        head = relative.split(os.sep, 1)
        return head[0] if len(head) > 1 else ""

    batches: List[List[str]] = [[]]
    for path in paths:
        current = batches[-1]
        if len(current) >= 2 * size or (len(current) >= size and group(path) != group(current[-1])):
            current = []
            batches.append(current)
        current.append(path)
    return batches


def fix_files(paths: List[str], options: RunOptions, jobs: int) -> List[FileResult]:
    """``--fix`` over a tree: a fix in one module can make a finding (and its fix) in another
    (a hard-coded flag replaced in ``model.py`` turns on the update ops that ``train.py``
    must run), so the modules near a fixed one are fixed again until a round changes nothing,
    within the fix loop's one bound (``engine.MAX_FIX_ROUNDS``)."""
    from ..engine import MAX_FIX_ROUNDS

    results = list(run_files(paths, options, jobs))
    if not options.settings.cross_module:
        return results
    by_path = {result.path: result for result in results}
    fixed = [result.path for result in results if result.fixed]
    for _ in range(MAX_FIX_ROUNDS - 1):
        again_paths = _near_fixed(paths, fixed)
        if not again_paths:
            break
        again = list(run_files(again_paths, options, jobs))
        fixed = [later.path for later in again if later.fixed]
        if not fixed:
            break
        for later in again:
            result = by_path.get(later.path)
            if result is None:
                continue
            result.fixed += later.fixed
            result.reports = later.reports
            result.unsafe_fixable = later.unsafe_fixable
            result.errors += [error for error in later.errors if error not in result.errors]
            result.notes += [note for note in later.notes if note not in result.notes]
    return results


def _near_fixed(paths: List[str], fixed: List[str]) -> List[str]:
    """The files a fix in ``fixed`` can change the findings of, in ``paths``' order: those whose
    text names a fixed module (its importers: callers of its builders) and those a fixed module
    names (what it imports: a builder's findings follow its callers); a fixed file only for
    another fixed module. A module is named by its file name or, for a package's
    ``__init__.py``, its folder's name. Everything else was checked against the same
    neighbours and cannot change."""
    import re

    def module_name(path: str) -> str:
        stem = os.path.splitext(os.path.basename(path))[0]
        return os.path.basename(os.path.dirname(os.path.abspath(path))) if stem == "__init__" else stem

    def words(path: str) -> set:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return set(re.findall(r"\w+", handle.read()))
        except OSError:
            return set()

    if not fixed:
        return []
    # A fixed file reached its own fixed point: only another fixed module brings it back.
    named_by = {path: words(path) for path in fixed}
    names = {path: module_name(path) for path in fixed}
    chosen = []
    for path in paths:
        name = module_name(path)
        others = [other for other in fixed if other != path]
        text_words = named_by.get(path) or words(path)
        if any(name in named_by[other] for other in others) or any(names[other] in text_words for other in others):
            chosen.append(path)
    return chosen


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


_HOW_IT_READS = """\
Exit status: 0 nothing left, 1 findings remain (a file that names batch norm but does not
parse is one: BNU900 at the parser's position), 2 usage, configuration or I/O errors.
A file that names no batch-norm API is not parsed: the summary counts it as skipped.
Configuration: [flake8] of setup.cfg, tox.ini or .flake8 (the file flake8 reads) and
[tool.flake8-bn-update-ops] of pyproject.toml; select, extend-select, ignore, extend-ignore,
per-file-ignores and disable-noqa mean what they mean to flake8. A select that leaves no
BNU code (select = E,W,F) is an error: add extend-select = BNU. ruff's settings are not
read; the command names those that would matter."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m flake8_bn_update_ops",
        description="Find and fix batch-normalization statistics pitfalls (TensorFlow, PyTorch, Keras, Flax) "
                    "in Python files and Jupyter notebooks.\n\n" + _HOW_IT_READS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    add = parser.add_argument
    add("-h", "--help", action=_HelpWithCodes, help="show this help, with the list of codes, and exit")
    add("paths", nargs="*", metavar="PATH",
        help="files or folders to check (default: .): folders are searched for *.py and *.ipynb; "
             "- for standard input")
    add("--fix", action="store_true", help="apply safe fixes in place")
    add("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (with --fix or --diff); "
        "alone, mark them [*] as fixable, as ruff does")
    add("--diff", action="store_true", help="print a unified diff of the fixes; write nothing")
    add("--select", metavar="CODES", help="only report codes with these prefixes (comma separated); "
        "a prefix that matches none of this tool's codes is an error")
    add("--extend-select", metavar="CODES", help="add to the selected prefixes (as flake8: after a "
        "configuration's select = E,W,F, extend-select = BNU brings the BNU codes back)")
    add("--ignore", metavar="CODES", help="do not report codes with these prefixes")
    add("--extend-ignore", metavar="CODES", help="add to the ignored prefixes")
    add("--per-file-ignores", metavar="PAIRS", help="codes to ignore in some files, as flake8's "
        "per-file-ignores: 'GLOBS:CODES GLOBS:CODES' (the configuration's key is read too); a file "
        "whose every code is ignored is neither checked nor fixed")
    add("--disable-noqa", action="store_true", default=None,
        help='report findings on lines with "# noqa" too, as flake8 does (fixes still leave those lines alone)')
    add("--add-noqa", action="store_true", help='append "# noqa: CODE" to every line with a finding '
        "(merged into a \"# noqa: X\" comment already there), so that legacy code passes; notebooks "
        "are reported, not edited")
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
    for key in ("select", "extend-select", "ignore", "extend-ignore", "per-file-ignores", "disable-noqa",
                "exclude", "extend-exclude", "bn-training-names",
                "bn-wrappers", "bn-train-op-helpers", "bn-cross-module", "max-line-length"):
        given = getattr(args, key.replace("-", "_"))
        if given is not None:
            values[key], origins[key] = given, "command line"
            config.base_dirs[key] = os.getcwd()
    settings = build_settings(values, origins)
    choice = code_choice(values, origins)
    from ..rules import CODES   # the units' names: no rule module is imported for this

    known = CODES + (PARSE_ERROR,)
    for key in ("select", "extend-select"):
        # The command has only BNU codes: a prefix the command line names that matches none of
        # them would check nothing. (A configuration's E, W or F are flake8's: left alone.)
        if origins.get(key) == "command line":
            for prefix in split_list(values[key]):
                if not any(code.startswith(prefix) for code in known):
                    raise UsageError(f"--{key}: {prefix!r} matches none of this tool's codes "
                                     f"({', '.join(known)})")
    if not CodeChoice(choice.select, choice.extend_select).enabled(CODES):
        # select = E,W,F (a flake8 setup written before this plugin) deselects every BNU code:
        # a run of this command would check nothing and pass. That is an error, loud in
        # pre-commit too, naming the way out.
        raise UsageError(_nothing_selected(values, origins, ("select", "extend-select")))
    select, ignore = choice_select_ignore(choice, CODES)
    if not select:
        # Every code ignored on purpose (ignore = BNU): as asked, but said.
        every_key = ("select", "extend-select", "ignore", "extend-ignore")
        raise NothingToCheck(_nothing_selected(values, origins, every_key))
    per_file = ()
    if "per-file-ignores" in values:
        per_file = normalize_per_file_ignores(parse_per_file_ignores(
            values["per-file-ignores"], origins.get("per-file-ignores", "command line")))
    disable_noqa = False
    if "disable-noqa" in values:
        disable_noqa = parse_bool(values["disable-noqa"], origins.get("disable-noqa", "command line"),
                                  "disable-noqa")
    exclude = list(DEFAULT_EXCLUDE)
    if "exclude" in values:
        exclude = normalize_patterns(split_list(values["exclude"]), config.base_dirs["exclude"])
    if "extend-exclude" in values:
        exclude += normalize_patterns(split_list(values["extend-exclude"]),
                                      config.base_dirs["extend-exclude"])
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.add_noqa and (args.fix or args.diff):
        raise UsageError("--add-noqa cannot be combined with --fix or --diff (fix first, then add # noqa)")
    options = RunOptions(settings=settings, select=select, ignore=ignore, fix=args.fix,
                         unsafe=args.unsafe_fixes, diff=args.diff, per_file_ignores=per_file,
                         choice=choice, codes=CODES, disable_noqa=disable_noqa, add_noqa=args.add_noqa)
    return options, exclude


def _nothing_selected(values, origins, keys) -> str:
    """Why no code is left, naming the keys and files that say so (and, for a selection, the
    way out)."""
    said = "; ".join(f"{key} = {','.join(split_list(values[key]))} ({origins.get(key, 'command line')})"
                     for key in keys if key in values)
    if "ignore" in keys:
        return f"every BNU code is ignored ({said}); nothing was checked"
    return (f"no BNU code is selected ({said}), so nothing would be checked; flake8 reports none "
            f"either. Add extend-select = BNU to that configuration (flake8 then reports them too) "
            f"or pass --select BNU")


# ---------------------------------------------------------------------------- output

class Totals:
    def __init__(self) -> None:
        self.remaining = self.fixed = self.safe_fixable = self.unsafe_fixable = 0
        self.errors = 0
        self.diffs = 0
        self.files = 0
        self.prechecked_out = 0
        self.all_ignored = 0
        self.noqa_added = 0
        self.without_fix: Counter = Counter()   # why a remaining finding has no fix -> how many

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.without_fix.update(report.finding.no_fix or "no fix" for report in result.reports
                                if report.finding.fix_safety is None and report.code != PARSE_ERROR)
        self.prechecked_out += result.prechecked_out
        self.all_ignored += result.all_ignored
        self.noqa_added += result.noqa_added
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
        if options.add_noqa:
            parts.append(f"added {self.noqa_added} # noqa comment{'s' if self.noqa_added != 1 else ''}")
        if self.prechecked_out:
            parts.append(f"{_count(self.prechecked_out, 'file')} skipped by the pre-check: "
                         f"{'they name' if self.prechecked_out != 1 else 'it names'} no batch-norm API "
                         f"(not parsed)")
        if self.all_ignored:
            parts.append(f"{_count(self.all_ignored, 'file')} not checked: per-file-ignores ignores every code")
        if not (options.fix or options.diff) and options.unsafe and self.safe_fixable + self.unsafe_fixable:
            parts.append(f"{self.safe_fixable + self.unsafe_fixable} fixable with --fix --unsafe-fixes "
                         f"(marked [*]; {self.unsafe_fixable} of them unsafe)")
        elif not (options.fix or options.diff) and self.safe_fixable:
            parts.append(f"{self.safe_fixable} fixable with --fix (marked [*])")
        if not options.unsafe and self.unsafe_fixable:
            parts.append(f"{self.unsafe_fixable} more fixable with --unsafe-fixes")
        if self.without_fix:
            parts.append(f"{sum(self.without_fix.values())} without a fix")
        if self.errors:
            parts.append(f"{self.errors} error{'s' if self.errors != 1 else ''}")
        return f"{PROGRAM}: " + "; ".join(parts) + self._reasons()

    def _reasons(self, shown: int = 8) -> str:
        """Why findings have no fix, most common first, one line each."""
        ranked = self.without_fix.most_common()
        lines = [f"\n  {count} without a fix: {reason}" for reason, count in ranked[:shown]]
        if len(ranked) > shown:
            lines.append(f"\n  {sum(count for _, count in ranked[shown:])} without a fix for "
                         f"{len(ranked) - shown} other reasons")
        return "".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


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


def _say_ruff_settings_not_read() -> None:
    """One line when the project's ruff configuration holds settings a ruff user may expect
    this command to honour: it reads flake8's configuration and its own table only."""
    from ..config import find_ruff_config, ruff_keys_not_read

    path, table = find_ruff_config(os.getcwd())
    keys = ruff_keys_not_read(table) if path else []
    if keys:
        print(f"{PROGRAM}: note: {os.path.relpath(path)}: ruff's {', '.join(keys)} "
              f"{'is' if len(keys) == 1 else 'are'} not read by this command (nor by flake8); "
              f"set them in [flake8] or [tool.{PYPROJECT_TABLE}]", file=sys.stderr)


def _explain(code: str) -> int:
    from .explain import explain
    from ..rules import CODES

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
    except NothingToCheck as exc:
        print(f"{PROGRAM}: note: {exc}", file=sys.stderr)
        return 0
    if args.add_noqa and "-" in (args.paths or []):
        print(f"{PROGRAM}: error: --add-noqa edits files; it cannot read standard input", file=sys.stderr)
        return 2
    if not args.isolated:
        _say_ruff_settings_not_read()
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
    collected: List[ShownFinding] = []   # every report, for --statistics, --count and the whole-log formats
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
        print(f"{PROGRAM}: internal error: {describe_error(exc)}", file=sys.stderr)
        return 2
