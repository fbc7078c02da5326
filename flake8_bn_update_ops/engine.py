"""The one analysis core every front end calls.

source text -> pre-check -> Python's ``ast`` (flake8's own tree when it gives one) -> index
(one walk) -> facts (the resolver's answers) -> the selected rules -> findings with fix plans.
libcst is imported only when a fix is to be applied, and then parses only the statements the
fix touches (``fixes.regions``): a fix costs time in proportion to what it changes, plus the
analysis that finds the next round's fixes.
"""
from __future__ import annotations

import ast
from typing import Collection, FrozenSet, Iterable, List, Optional, Sequence, Tuple

from .findings import SAFE, UNSAFE, Finding, UnparsableSource, one_line
from .precheck import might_have_findings, tree_might_have_findings, wrapper_words
from .settings import DEFAULT_SETTINGS, Settings

MAX_FIX_ROUNDS = 5


class FixResult:
    """What ``fix_source`` did. ``remaining`` is computed when first read: an editor's quick
    fix needs only the fixed text, and the fix loop's last analysis is then never made."""

    def __init__(self, source: str, fixed: int, remaining, unsafe: bool, others=None, notes=()):
        self.source = source        # the fixed source (== input when nothing changed)
        self.others = others or {}  # path -> (text before, text after) of other modules a fix edits
        self.notes = list(notes)    # what the fixes made ask of their reader (``plans.Note``)
        self.fixed = fixed          # fixes applied (a chain such as BNU002 -> BNU001 counts both)
        self._remaining = remaining     # the findings, or a function that computes them
        self._unsafe = unsafe

    @property
    def remaining(self) -> List[Finding]:
        """Findings left after fixing (noqa'd ones excluded)."""
        if callable(self._remaining):
            self._remaining = self._remaining()
        return self._remaining

    @property
    def unsafe_fixable(self) -> int:
        """How many of ``remaining`` an --unsafe-fixes run would fix."""
        return _unsafe_fixable(self.remaining, self._unsafe)


class FixFailed(UnparsableSource):
    """A fix could not be made safely; the source is left as it was."""


def analyze_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
                   *, honour_noqa: bool = False, select: Optional[Sequence[str]] = None,
                   ignore: Optional[Sequence[str]] = None, tree=None, project=None) -> List[Finding]:
    """Findings for one module, sorted by position. Raises UnparsableSource.

    ``tree``: Python's ``ast`` of the same source when the caller has it (flake8 does).
    ``project``: the ``core.project.Project`` whose caches this check may use (a front end's
    session); a fresh one when None."""
    codes = selected_codes(select, ignore)
    if not might_have_findings(source, wrapper_words(settings), codes):
        return []
    if tree is None and project is not None:
        tree = project.known_tree(filename, source)
    tree = _parse(source, filename) if tree is None else tree
    if not tree_might_have_findings(tree, wrapper_words(settings), codes):
        return []
    findings = _findings(source, filename, settings, tree, project, select, ignore)
    return _noqa(findings, source) if honour_noqa else findings


def fix_source(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS,
               *, unsafe: bool = False, select: Optional[Sequence[str]] = None,
               ignore: Optional[Sequence[str]] = None, tree=None, project=None,
               only: Optional[Collection[Tuple[int, int, str]]] = None,
               findings: Optional[List[Finding]] = None, other_modules: bool = False) -> FixResult:
    """Apply fixes until nothing changes (at most MAX_FIX_ROUNDS rounds). ``# noqa``'d
    findings are not fixed.

    ``only``: fix just the findings at these (line, 0-based column, code), in one round (an
    editor's quick fix); the rest are left as they are. ``findings``: what ``analyze_source``
    (with ``honour_noqa=True`` and the same options) reported for ``source``, when the caller
    has it: not computed again. ``other_modules``: fixes that also edit other modules of the
    project are made (their new texts in ``FixResult.others``; the caller writes them all or
    none); without it those fixes are left, as a single buffer cannot hold them."""
    if not might_have_findings(source, wrapper_words(settings), selected_codes(select, ignore)):
        return FixResult(source, 0, [], unsafe)
    allowed = (SAFE, UNSAFE) if unsafe else (SAFE,)
    if findings is None:
        findings = analyze_source(source, filename, settings, honour_noqa=True, select=select, ignore=ignore,
                                  tree=tree, project=project)
    if not any(_applicable(finding, allowed, only) for finding in findings):
        return FixResult(source, 0, findings, unsafe)
    from .fixes.apply import FixNotApplicable, fix_text
    from .fixes.other_modules import OtherModuleRefused, edit_other_modules, other_parts, without_other_parts
    from .fixes.roundtrip import NotRestorable, protect

    current, restore = protect(source)
    if current != source or tree is None:
        tree = _tree(project, filename, current)
    if current != source:
        findings = analyze_source(current, filename, settings, honour_noqa=True, select=select, ignore=ignore,
                                  tree=tree, project=project)
    applied = 0
    rounds = 1 if only is not None else MAX_FIX_ROUNDS
    analysed = True     # ``findings`` describe ``current``
    others: dict = {}
    notes: List[str] = []
    for round_number in range(rounds):
        plans = [finding.fix for finding in findings if _applicable(finding, allowed, only)]
        crossing = [plan for plan in plans if other_parts(plan)]
        if crossing:
            try:
                if not other_modules:
                    raise OtherModuleRefused("a single buffer is fixed")
                edit_other_modules(crossing, others, settings)
            except OtherModuleRefused:
                plans = [plan for plan in plans if not other_parts(plan)]
            plans = [without_other_parts(plan) for plan in plans]
        if not plans:
            break
        try:
            candidate = fix_text(current, tree, plans, settings)
        except FixNotApplicable as error:
            raise FixFailed(f"{error}; file left unchanged") from None
        except UnparsableSource as error:
            # Python parses it (detection ran), libcst does not: only the fix is refused.
            raise FixFailed(str(error)) from None
        except RecursionError:
            raise FixFailed("too deeply nested to fix; file left unchanged") from None
        if candidate == current:
            break
        try:
            tree = ast.parse(candidate, filename)
            compile(tree, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            # A fix must never damage a file: keep the last good source.
            raise FixFailed(f"a fix produced code that does not compile ({one_line(error)}); "
                            "file left unchanged") from None
        applied += len(plans)
        notes += [note for note in dict.fromkeys(note for plan in plans for note in plan.notes()) if note not in notes]
        current = candidate
        analysed = round_number + 1 < rounds
        if analysed:    # the next round's plans; after the last round, only if asked (``remaining``)
            findings = analyze_source(current, filename, settings, honour_noqa=True, select=select,
                                      ignore=ignore, tree=tree, project=project)
    try:
        fixed_source = restore(current)
    except NotRestorable as error:
        raise FixFailed(f"{error}; file left unchanged") from None
    if analysed and fixed_source == current:
        return FixResult(fixed_source, applied, findings, unsafe, others, notes)
    known_tree = tree if fixed_source == current else None

    def remaining() -> List[Finding]:
        return analyze_source(fixed_source, filename, settings, honour_noqa=True, select=select, ignore=ignore,
                              tree=known_tree, project=project)

    return FixResult(fixed_source, applied, remaining, unsafe, others, notes)


def only_these(findings: Iterable[Finding]) -> FrozenSet[Tuple[int, int, str]]:
    """The ``only=`` of ``fix_source`` that fixes exactly these findings (and nothing else): the
    constrained fix an editor's quick fix and a notebook's code-by-code fix both ask for."""
    return frozenset((finding.line, finding.column, finding.code) for finding in findings)


def _tree(project, filename: str, source: str):
    """Python's tree of a source this run already analysed (the project keeps it), else a new parse."""
    known = project.known_tree(filename, source) if project is not None else None
    return known if known is not None else _parse(source, filename)


def _applicable(finding: Finding, allowed, only) -> bool:
    if finding.fix is None or finding.fix_safety not in allowed:
        return False
    return only is None or (finding.line, finding.column, finding.code) in only


def _unsafe_fixable(findings, unsafe: bool) -> int:
    return 0 if unsafe else sum(1 for finding in findings if finding.fix_safety == UNSAFE)


def parse_tree(source: str, filename: str = "<stdin>", settings: Settings = DEFAULT_SETTINGS):
    """Python's tree of ``source`` (for ``tree=``), or UnparsableSource in one line; None when
    the pre-check shows the source can hold no finding (the analysis then parses nothing)."""
    if not might_have_findings(source, wrapper_words(settings)):
        return None
    return _parse(source, filename)


def _parse(source: str, filename: str):
    try:
        return ast.parse(source, filename)
    except SyntaxError as error:
        raise UnparsableSource(f"{error.msg} (line {error.lineno})" if error.lineno else error.msg) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise UnparsableSource(one_line(error)) from None


def selected_codes(select=None, ignore=None) -> Optional[Tuple[str, ...]]:
    """The codes of the rules ``selected_rules`` runs (None: every rule), for the pre-check's
    words; from the registry's list of codes, without importing the rule units."""
    if not select and not ignore:
        return None
    from .rules import CODES

    select, ignore = tuple(select or ()), tuple(ignore or ())
    return tuple(code for code in CODES
                 if (not select or code.startswith(select)) and not (ignore and code.startswith(ignore)))


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
    from .core.facts.build import build_facts
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
        facts = build_facts(index, resolver, settings, text)
        reports = []
        seen = set()
        for rule in rules:
            for report in rule.check(facts):
                key = (id(report.node), report.code)
                if key not in seen:
                    seen.add(key)
                    reports.append(report)
    except RecursionError:
        raise UnparsableSource("too deeply nested to analyse") from None
    finally:
        resolver.close()
        facts = None
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
