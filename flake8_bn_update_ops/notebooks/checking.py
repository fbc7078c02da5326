"""The command on a notebook: its code cells analysed (and fixed) as one module, reported by cell.

``notebook`` knows the format; this module runs the command's ordinary ``check_text`` on the
masked module and translates back: findings to ``cell_N:line:col``, a fixed module to the cells it
changed (only those cells' ``source`` is rewritten, and only when the fix stays within one cell),
``--diff`` to a diff per cell.
"""
from __future__ import annotations

import ast
import dataclasses
from typing import Dict, List, Optional

from ..engine import MAX_FIX_ROUNDS
from ..cli.fileio import SourceFile
from ..findings import UNSAFE, Finding, one_line
from ..cli.formats import ShownFinding
from .ipynb import (FixRefused, Notebook, NotebookError, cell_diff, is_python, parse, render_fix, split_module,
                    unmask)


def _place(report: ShownFinding, notebook: Notebook) -> ShownFinding:
    """A module-level report placed in its cell (line within the cell, the .ipynb file position)."""
    finding = report.finding
    cell, line = notebook.cell_of(finding.line)
    if cell is None:
        return report
    end_line: Optional[int] = None
    end_column = finding.end_column
    if finding.end_line is not None and cell.first_line <= finding.end_line < cell.first_line + cell.line_count:
        end_line = finding.end_line - cell.first_line + 1
    else:
        end_column = None
    placed = Finding(line, finding.column, finding.code, finding.message, finding.fix_safety, end_line, end_column)
    lines = cell.lines()
    file_line, file_column = notebook.file_position(cell, line, finding.column)
    return dataclasses.replace(report, finding=placed, source_line=lines[line - 1] if line <= len(lines) else None,
                               cell=cell.number, file_line=file_line, file_column=file_column)


def _syntax_error(path: str, notebook: Notebook, options, result) -> bool:
    """A notebook Python cannot parse: one BNU900 at the cell and line Python names."""
    from ..cli.checking import PARSE_ERROR, is_relevant, is_wanted

    if not is_relevant(notebook.module, options):
        return False
    try:
        compile(notebook.module, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return False
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None) or 1
        cell, cell_line = notebook.cell_of(line)
        reason = one_line(getattr(exc, "msg", None) or exc)
        column = max(0, (getattr(exc, "offset", None) or 1) - 1)
        finding = Finding(cell_line if cell else 1, column if cell else 0, PARSE_ERROR,
                          f"{PARSE_ERROR} could not parse: {reason}")
        report = ShownFinding(path, finding, None)
        if cell is not None:
            file_line, file_column = notebook.file_position(cell, cell_line, column)
            report = dataclasses.replace(report, cell=cell.number, source_line=cell.lines()[cell_line - 1]
                                         if cell_line <= len(cell.lines()) else None,
                                         file_line=file_line, file_column=file_column)
        result.reports = [report] if is_wanted(PARSE_ERROR, options) else []
        return True


def _fixed_notebook(notebook: Notebook, fixed_module: str, fixed_cells: set) -> "tuple[str, dict]":
    """The notebook's new JSON text and {cell number: new source}; FixRefused when it cannot be."""
    new_masked = split_module(notebook, fixed_module, fixed_cells)
    sources = {number: unmask(notebook.cells[number - 1], text) for number, text in new_masked.items()}
    text = render_fix(notebook, sources)
    # Proof before anything is written: read back, the notebook is the fixed module, cell for cell.
    try:
        again = parse(text)
    except NotebookError as exc:
        raise FixRefused(f"the rewritten notebook does not read back ({exc})") from None
    if again.module != fixed_module or len(again.cells) != len(notebook.cells):
        raise FixRefused("the rewritten notebook does not read back as the fixed code")
    return text, sources


@dataclasses.dataclass
class _NotebookFix:
    notebook: Notebook             # the notebook after the fixes that could be written
    text: Optional[str]            # its JSON text (None: nothing was fixed)
    fixed: int                     # fixes applied
    refused: Dict[str, str]        # code -> why its fixes cannot be written into this notebook


def _fix(path: str, notebook: Notebook, options) -> _NotebookFix:
    """All fixes at once when they stay in one cell; otherwise code by code, each code's fixes
    written only when they stay in one cell (a model cell and a training cell are fixed both).

    Code by code is the engine's constrained fix (``fix_source`` with ``only=``, as an editor's
    quick fix): one analysis per round, and each code's findings fixed from it, not the whole
    command run again per code."""
    from .. import engine
    from ..cli.checking import FileResult, check_text
    from ..core.project import Project
    from ..findings import UnparsableSource

    whole = FileResult(path)
    check_text(path, notebook.module, dataclasses.replace(options, fix=True, diff=False), whole)
    if whole.new_text is None:
        return _NotebookFix(notebook, None, whole.fixed, {})
    allowed = ("safe", "unsafe") if options.unsafe else ("safe",)
    project = Project(options.settings)     # one session: a round's module is analysed once

    def analyze(module: str) -> List[Finding]:
        # What ``fix_source`` acts on: ``# noqa`` honoured, as every fix honours it.
        return engine.analyze_source(module, path, options.settings, honour_noqa=True, select=options.select,
                                     ignore=options.ignore, project=project)

    def fixable(findings: List[Finding], code: Optional[str] = None) -> List[Finding]:
        return [f for f in findings if f.fix is not None and f.fix_safety in allowed and code in (None, f.code)]

    def cells_of(module_notebook: Notebook, findings: List[Finding]) -> set:
        cells = (module_notebook.cell_of(finding.line)[0] for finding in findings)
        return {cell.number for cell in cells if cell is not None}

    findings = analyze(notebook.module)
    try:
        text, _ = _fixed_notebook(notebook, whole.new_text, cells_of(notebook, fixable(findings)))
        return _NotebookFix(parse(text), text, whole.fixed, {})
    except FixRefused:
        pass
    current, text, fixed, refused = notebook, None, 0, {}
    # The fix loop's one bound: a round writes each code's fixes in turn, one code at a time (so
    # a refusal costs only that code), and a fix can reveal another code for the next round.
    for _ in range(MAX_FIX_ROUNDS):
        codes = sorted({finding.code for finding in fixable(findings)} - set(refused))
        progress = False
        for code in codes:
            targets = fixable(findings, code)
            if not targets:
                continue    # an earlier code's fix this round took its findings away
            try:
                attempt = engine.fix_source(current.module, path, options.settings, unsafe=options.unsafe,
                                            select=options.select, ignore=options.ignore, project=project,
                                            only=engine.only_these(targets), findings=findings)
            except UnparsableSource:    # engine.FixFailed: this code's fix cannot be made safely
                attempt = None
            if attempt is None or attempt.source == current.module or not _compiles(attempt.source, path):
                refused[code] = "its fix could not be made"
                continue
            try:
                text, _ = _fixed_notebook(current, attempt.source, cells_of(current, targets))
            except FixRefused as exc:
                refused[code] = str(exc)
                continue
            current, fixed, progress = parse(text), fixed + attempt.fixed, True
            findings = attempt.remaining    # the written module's findings (it is the fixed module)
        if not progress:
            break
    return _NotebookFix(current, text, fixed, refused)


def _compiles(source: str, path: str) -> bool:
    """Whether Python compiles a fixed module (a fix never writes a notebook that would not run)."""
    try:
        compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _refusal_notes(path: str, refused: Dict[str, str], verb: str) -> List[str]:
    return [f"{path}: {code} {verb}: {reason}" for code, reason in sorted(refused.items())]


def check_notebook(source: SourceFile, options, result) -> None:
    """Fill ``result`` (a checking.FileResult) for one notebook; ``result.new_text`` is the new JSON text."""
    from ..cli.checking import FileResult, parse_error_reports, check_text, diff_path

    path = source.path
    try:
        notebook = parse(source.text)
    except NotebookError as exc:
        result.reports = parse_error_reports(path, str(exc), options)
        return
    if not is_python(notebook):
        result.notes.append(f"{path}: skipped: its kernel language is {notebook.language}, not Python")
        return
    if not notebook.cells or _syntax_error(path, notebook, options, result):
        return
    inner = FileResult(path)
    check_text(path, notebook.module, dataclasses.replace(options, fix=False, diff=False), inner)
    result.errors.extend(inner.errors)
    result.prechecked_out = inner.prechecked_out
    reports: List[ShownFinding] = inner.reports
    current = notebook
    if options.fix or options.diff:
        outcome = _fix(path, notebook, options)
        result.notes.extend(_refusal_notes(path, outcome.refused, "not fixed"))
        if outcome.text is not None:
            result.new_text = outcome.text
            current = outcome.notebook
            if options.diff:
                changed = {cell.number: new.source for cell, new in zip(notebook.cells, current.cells)
                           if cell.source != new.source}
                # Headers name the path as the .py diffs do (no ./), though cells are not git-applicable.
                result.diff = cell_diff(diff_path(path), notebook, changed)
        result.fixed = outcome.fixed
        after = FileResult(path)
        check_text(path, current.module, dataclasses.replace(options, fix=False, diff=False), after)
        reports = after.reports
        result.unsafe_fixable = 0 if options.unsafe else sum(r.finding.fix_safety == UNSAFE for r in reports)
        reports = [dataclasses.replace(r, fixable=False) for r in reports]
    else:
        result.safe_fixable, result.unsafe_fixable = inner.safe_fixable, inner.unsafe_fixable
        if result.safe_fixable:   # [*] promises what --fix will do: ask it
            refused = _fix(path, notebook, options).refused
            if refused:
                result.notes.extend(_refusal_notes(path, refused, "fixes not offered"))
                reports = [dataclasses.replace(r, fixable=r.fixable and r.code not in refused) for r in reports]
                result.safe_fixable = sum(r.fixable for r in reports)
    result.reports = [_place(report, current) for report in reports]
