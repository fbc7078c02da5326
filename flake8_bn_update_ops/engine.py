"""The one analysis core every front end calls.

source text -> pre-check -> Python's ``ast`` (flake8's own tree when it gives one) -> index
(one walk) -> model (the resolver's answers) -> the selected rules -> findings with fix plans.
libcst is imported, and a file parsed with it, only when a fix is to be applied to that file.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Collection, List, Optional, Sequence, Tuple

from .findings import SAFE, UNSAFE, Finding, UnparsableSource
from .precheck import might_have_findings, tree_might_have_findings
from .settings import DEFAULT_SETTINGS, Settings

MAX_FIX_ROUNDS = 5


@dataclass
class FixResult:
    source: str                 # the fixed source (== input when nothing changed)
    fixed: int                  # how many fixes were applied (a chain such as BNU002 -> BNU001 counts both)
    remaining: List[Finding]    # findings left after fixing (noqa'd ones excluded)
    unsafe_fixable: int         # how many of ``remaining`` an --unsafe-fixes run would fix


class FixFailed(UnparsableSource):
    """A fix could not be made safely; the source is left as it was."""


def analyze_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
                   *, honour_noqa: bool = False, select: Optional[Sequence[str]] = None,
                   ignore: Optional[Sequence[str]] = None, tree=None, project=None) -> List[Finding]:
    """Findings for one module, sorted by position. Raises UnparsableSource.

    ``tree``: Python's ``ast`` of the same source when the caller has it (flake8 does).
    ``project``: the ``core.project.Project`` whose caches this check may use (a front end's
    session); a fresh one when None."""
    if not might_have_findings(source, _extra_words(settings)):
        return []
    if tree is None and project is not None:
        tree = project.known_tree(filename, source)
    tree = _parse(source, filename) if tree is None else tree
    if not tree_might_have_findings(tree, _extra_words(settings)):
        return []
    findings = _findings(source, filename, settings, tree, project, select, ignore)
    return _noqa(findings, source) if honour_noqa else findings


def fix_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
               *, unsafe: bool = False, select: Optional[Sequence[str]] = None,
               ignore: Optional[Sequence[str]] = None, tree=None, project=None,
               only: Optional[Collection[Tuple[int, int, str]]] = None) -> FixResult:
    """Apply fixes until nothing changes (bounded). ``# noqa``'d findings are not fixed.

    ``only``: fix just the findings at these (line, 0-based column, code), in one round (an
    editor's quick fix); the rest are left as they are."""
    if not might_have_findings(source, _extra_words(settings)):
        return FixResult(source, 0, [], 0)
    allowed = (SAFE, UNSAFE) if unsafe else (SAFE,)
    findings = analyze_source(source, filename, settings, honour_noqa=True, select=select, ignore=ignore,
                              tree=tree, project=project)
    if not any(_applicable(finding, allowed, only) for finding in findings):
        return FixResult(source, 0, findings, _unsafe_fixable(findings, unsafe))
    from .fixes.apply import FixNotApplicable, apply_plans, parse_module
    from .fixes.roundtrip import NotRestorable, protect

    current, restore = protect(source)
    if current != source:
        findings = analyze_source(current, filename, settings, honour_noqa=True, select=select, ignore=ignore,
                                  project=project)
    try:
        module = parse_module(current)
    except UnparsableSource as error:
        # Python parses it (detection ran), libcst does not: only the fix is refused.
        raise FixFailed(str(error)) from None
    applied = 0
    rounds = 1 if only is not None else MAX_FIX_ROUNDS
    for _ in range(rounds):
        plans = [finding.fix for finding in findings if _applicable(finding, allowed, only)]
        if not plans:
            break
        try:
            candidate = apply_plans(module, plans, settings).code
        except FixNotApplicable as error:
            raise FixFailed(f"{error}; file left unchanged") from None
        except RecursionError:
            raise FixFailed("too deeply nested to fix; file left unchanged") from None
        if candidate == current:
            break
        try:
            compile(candidate, filename, "exec", dont_inherit=True)
            module = parse_module(candidate)
        except (SyntaxError, ValueError, UnparsableSource) as error:
            # A fix must never damage a file: keep the last good source.
            raise FixFailed(f"a fix produced code that does not compile ({_one_line(error)}); "
                            "file left unchanged") from None
        applied += len(plans)
        current = candidate
        findings = analyze_source(current, filename, settings, honour_noqa=True, select=select, ignore=ignore,
                                  project=project)
    try:
        fixed_source = restore(current)
    except NotRestorable as error:
        raise FixFailed(f"{error}; file left unchanged") from None
    if fixed_source != current:
        findings = analyze_source(fixed_source, filename, settings, honour_noqa=True, select=select,
                                  ignore=ignore, project=project)
    return FixResult(fixed_source, applied, findings, _unsafe_fixable(findings, unsafe))


def _applicable(finding: Finding, allowed, only) -> bool:
    if finding.fix is None or finding.fix_safety not in allowed:
        return False
    return only is None or (finding.line, finding.column, finding.code) in only


def _unsafe_fixable(findings, unsafe: bool) -> int:
    return 0 if unsafe else sum(1 for finding in findings if finding.fix_safety == UNSAFE)


def _extra_words(settings: Settings) -> Tuple[str, ...]:
    return tuple(name.rsplit(".", 1)[-1] for name in settings.wrappers)


def _one_line(error) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _parse(source: str, filename: str):
    try:
        return ast.parse(source, filename)
    except SyntaxError as error:
        raise UnparsableSource(f"{error.msg} (line {error.lineno})" if error.lineno else error.msg) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise UnparsableSource(_one_line(error)) from None


def selected_rules(select=None, ignore=None):
    """The rule units that run: ``--select``/``--ignore`` decide which rules run, not only which
    findings print."""
    from .rules import all_rules

    chosen = []
    for rule in all_rules():
        if select and not rule.code.startswith(tuple(select)):
            continue
        if ignore and rule.code.startswith(tuple(ignore)):
            continue
        chosen.append(rule)
    return chosen


def _findings(source, filename, settings, tree, project, select, ignore) -> List[Finding]:
    from .core.model import build_model
    from .core.project import Project
    from .core.resolver import Resolver
    from .core.source import SourceText

    rules = selected_rules(select, ignore)
    if not rules:
        return []
    if project is None:
        project = Project(settings)
    project.begin_check()
    text = SourceText(source)
    index = project.index_source(filename, source, tree)
    resolver = Resolver(project, settings)
    try:
        model = build_model(index, resolver, settings, text)
        reports = []
        seen = set()
        for rule in rules:
            for report in rule.check(model):
                key = (id(report.node), report.code)
                if key not in seen:
                    seen.add(key)
                    reports.append(report)
    except RecursionError:
        raise UnparsableSource("too deeply nested to analyse") from None
    finally:
        resolver.close()
        model = None
    findings = []
    general = {rule.code: rule.no_fix for rule in rules}
    for report in reports:
        line, column, end_line, end_column = text.span(report.node)
        safety = getattr(report.fix, "safety", None) if report.fix is not None else None
        no_fix = None if report.fix is not None else report.no_fix or general[report.code]
        findings.append(Finding(line, column, report.code, report.message, safety, end_line, end_column,
                                report.fix, no_fix))
    findings.sort(key=lambda finding: finding.sort_key)
    project.end_check(index)
    return findings


def _noqa(findings: List[Finding], source: str) -> List[Finding]:
    if findings and "noqa" in source.lower():
        from .noqa import drop_suppressed

        return drop_suppressed(findings, source)
    return findings
