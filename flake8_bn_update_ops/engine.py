"""The one analysis core every front end calls.

source text -> pre-check -> parse -> facts (one visitor pass) -> rules -> findings (with fixes).
libcst is imported here lazily, only for files that pass the text pre-check: flake8 imports
every plugin at start-up and ``import libcst`` costs more than a small flake8 run.
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from .findings import SAFE, UNSAFE, Finding, UnparsableSource
from .precheck import might_have_findings, tree_might_have_findings
from .settings import DEFAULT_SETTINGS, Settings

MAX_FIX_ROUNDS = 5
# The walk and libcst's code generation recurse once or twice per nesting level; real files
# stay far below this, and the 500-deep test input needs about 1,500 frames.
_RECURSION_LIMIT = 6000


@contextlib.contextmanager
def _deep_recursion():
    previous = sys.getrecursionlimit()
    if previous < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        yield
    finally:
        if previous < _RECURSION_LIMIT:
            sys.setrecursionlimit(previous)


@dataclass
class FixResult:
    source: str                 # the fixed source (== input when nothing changed)
    fixed: int                  # how many fixes were applied (a chain such as BNU002 -> BNU001 counts both)
    remaining: List[Finding]    # findings left after fixing (noqa'd ones excluded)
    unsafe_fixable: int         # how many of ``remaining`` an --unsafe-fixes run would fix


def analyze_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
                   *, honour_noqa: bool = False, select: Optional[Sequence[str]] = None,
                   ignore: Optional[Sequence[str]] = None, tree=None) -> List[Finding]:
    """Findings for one module, sorted by position. Raises UnparsableSource.

    ``tree``: Python's ``ast`` of the same source when the caller has it (flake8 does): it
    lets a file whose trigger words sit only in comments and strings skip the libcst parse."""
    if not might_have_findings(source, _extra_words(settings)):
        return []
    if tree is not None and not tree_might_have_findings(tree, _extra_words(settings)):
        return []
    with _deep_recursion():
        findings = _findings(None, filename, settings, source)
    return _filter(findings, source, honour_noqa, select, ignore)


def fix_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
               *, unsafe: bool = False, select: Optional[Sequence[str]] = None,
               ignore: Optional[Sequence[str]] = None, tree=None) -> FixResult:
    """Apply fixes until nothing changes (bounded). ``# noqa``'d findings are not fixed."""
    if not might_have_findings(source, _extra_words(settings)):
        return FixResult(source, 0, [], 0)
    if tree is not None and not tree_might_have_findings(tree, _extra_words(settings)):
        return FixResult(source, 0, [], 0)
    with _deep_recursion():
        return _fix(source, filename, settings, unsafe, select, ignore)


def _fix(source, filename, settings, unsafe, select, ignore) -> FixResult:
    from .fixes import apply_fixes
    from .roundtrip import NotRestorable, protect

    allowed = (SAFE, UNSAFE) if unsafe else (SAFE,)

    current, restore = protect(source)
    module = _parse(current)
    findings = _filter(_findings(module, filename, settings), current, True, select, ignore)
    if not any(finding.fix is not None and finding.fix_safety in allowed for finding in findings):
        return FixResult(source, 0, findings, _unsafe_fixable(findings, unsafe))
    try:
        if module.code != current:
            raise FixFailed("libcst does not reproduce this file byte for byte; it is left unchanged")
    except RecursionError:
        raise FixFailed("too deeply nested to fix; it is left unchanged") from None
    applied = 0
    for _ in range(MAX_FIX_ROUNDS):
        fixes = [finding.fix for finding in findings if finding.fix is not None and finding.fix_safety in allowed]
        if not fixes:
            break
        try:
            candidate = apply_fixes(module, fixes).code
        except RecursionError:
            raise FixFailed("too deeply nested to fix; it is left unchanged") from None
        if candidate == current:
            break
        try:
            compile(candidate, filename, "exec")
            module = _parse(candidate)
        except (SyntaxError, ValueError, UnparsableSource) as error:
            # A fix must never damage a file: keep the last good source.
            raise FixFailed(f"a fix produced code that does not compile ({error}); file left unchanged")
        applied += len(fixes)
        current = candidate
        findings = _filter(_findings(module, filename, settings), current, True, select, ignore)
    try:
        fixed_source = restore(current)
    except NotRestorable as error:
        raise FixFailed(f"{error}; file left unchanged") from None
    return FixResult(fixed_source, applied, findings, _unsafe_fixable(findings, unsafe))


def _unsafe_fixable(findings, unsafe: bool) -> int:
    return 0 if unsafe else sum(1 for finding in findings if finding.fix_safety == UNSAFE)


class FixFailed(UnparsableSource):
    """A fix would have produced broken code; the source is left as it was."""


def _extra_words(settings: Settings) -> Tuple[str, ...]:
    return tuple(name.rsplit(".", 1)[-1] for name in settings.wrappers)


def _parse(source: str):
    import libcst as cst

    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message = str(error).strip().splitlines()
        raise UnparsableSource(message[0] if message else "libcst could not parse this file") from None
    except RecursionError:
        raise UnparsableSource("too deeply nested for the parser") from None
    except Exception as error:  # noqa: BLE001 - the native parser raises assorted errors on odd input
        text = str(error).strip().splitlines()
        raise UnparsableSource(text[0] if text else type(error).__name__) from None


def analysis_of(source: str, filename: str, settings: Settings, module=None):
    """(module, analyzer, analysis) for a source: parsed (unless ``module`` is given) and
    analysed once. With cross-module analysis on, a recent analysis of the same file content
    is reused: a module is analysed for itself and again when an importer needs its summary."""
    from .analysis import Analyzer
    from .facts import collect
    from .project import external_index, recall_analysis, remember_analysis

    external = external_index(filename, settings)
    if module is None and external is not None:
        cached = recall_analysis(external.path, source, settings)
        if cached is not None:
            return cached
    fresh = module is None
    if fresh:
        module = _parse(source)
    try:
        with _deep_recursion():
            analyzer = Analyzer(collect(module), settings, external)
            analysis = analyzer.run()
    except RecursionError:
        raise UnparsableSource("too deeply nested to analyse") from None
    if fresh and external is not None:
        remember_analysis(external.path, source, settings, (module, analyzer, analysis))
    return module, analyzer, analysis


def _findings(module, filename: str, settings: Settings, source: Optional[str] = None) -> List[Finding]:
    """Findings with positions. Give ``module`` when fixes must refer to its nodes; give
    ``source`` (and no module) to let a cached analysis serve."""
    from .context import RuleContext
    from .positions import positions_of
    from .rules import all_rules

    module, analyzer, analysis = analysis_of(source, filename, settings, module)
    try:
        context = RuleContext(analyzer, analysis)
        reports = []
        seen = set()
        for rule in all_rules():
            for report in rule.check(context):
                key = (id(report.node), report.code)
                if key not in seen:
                    seen.add(key)
                    reports.append(report)
        places = positions_of(module, [report.node for report in reports])
    except RecursionError:
        raise UnparsableSource("too deeply nested to analyse") from None
    findings = []
    for report in reports:
        line, column, end_line, end_column = places.get(id(report.node), (1, 0, None, None))
        safety = getattr(report.fix, "safety", None) if report.fix is not None else None
        findings.append(Finding(line, column, report.code, report.message, safety, end_line, end_column,
                                report.fix))
    findings.sort(key=lambda finding: finding.sort_key)
    return findings


def _filter(findings: List[Finding], source: str, honour_noqa: bool, select, ignore) -> List[Finding]:
    if select:
        findings = [finding for finding in findings if finding.code.startswith(tuple(select))]
    if ignore:
        findings = [finding for finding in findings if not finding.code.startswith(tuple(ignore))]
    if honour_noqa and findings and "noqa" in source.lower():
        from .noqa import drop_suppressed

        findings = drop_suppressed(findings, source)
    return findings
