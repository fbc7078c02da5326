"""How the command prints findings: text, json, github and sarif.

Every format receives the same ``ShownFinding`` records; none of them looks at the engine.
Columns: ``Finding.column`` is 0-based; every format prints it 1-based, as flake8 does.
In a notebook a finding is placed by code cell (counted from 1 among code cells) and line within
that cell, as nbqa prints flake8's: ``train.ipynb:cell_4:12:5: BNU001 ...``. The GitHub and SARIF
formats, whose consumers open the file itself, point at the line of the ``.ipynb`` file that holds
that source line and carry the cell position beside it.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Callable, Dict, Iterable, List, Optional
from urllib.parse import quote

from .. import __version__
from ..findings import Finding

FORMATS = ("text", "json", "github", "sarif")
# No site publishes this project's documentation and it has no release, so a finding links to its
# code's section of the generated docs page by a path relative to this project's repository, and
# the help text names the command that prints the same section wherever the package is installed.
DOCS_PAGE = "docs/codes.md"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# What SARIF consumers show beside each alert comes from the rule units; BNU900 is the front
# ends' own code (nothing was checked), so it is described here.
BNU900_DOC = ("Could not analyse this file",
              "The file could not be parsed or analysed, so none of its batch-norm problems are reported. "
              "The message gives the reason.")


# One severity per code for every format that has severities: a finding is a warning (the code
# runs, with a wrong result: the user decides), BNU900 an error (the file was not checked at all).
# SARIF's ``level`` and GitHub's workflow command use the same word for both.
PARSE_ERROR_CODE = "BNU900"


def severity(code: str) -> str:
    """``"error"`` or ``"warning"``: SARIF's level and GitHub's annotation command."""
    return "error" if code == PARSE_ERROR_CODE else "warning"


def rule_docs() -> Dict[str, "tuple[str, str]"]:
    """code -> (short description, full text), from the rule units."""
    from ..rules import all_rules

    docs = {rule.code: (rule.title[:1].upper() + rule.title[1:], f"{rule.effect} Fix ({rule.fix_safety}): {rule.fix}")
            for rule in all_rules()}
    docs["BNU900"] = BNU900_DOC
    return docs


def help_uri(code: str) -> str:
    """The code's section of the docs page, relative to this project's repository."""
    return f"{DOCS_PAGE}#{code.lower()}"


def explain_command(code: str) -> str:
    return f"python -m flake8_bn_update_ops --explain {code}"


@dataclass(frozen=True)
class ShownFinding:
    """One finding in one file, as the command shows it (the rule units' ``rules.Report`` is what a
    check yields, before it is placed in a file)."""

    path: str                   # as the user named it (stdin: the --stdin-filename)
    finding: Finding            # in a notebook: line and end_line within the cell
    source_line: Optional[str]  # the physical line, for --show-source
    cell: Optional[int] = None  # notebooks: the code cell, counted from 1 among code cells
    file_line: Optional[int] = None     # notebooks: where that source line sits in the .ipynb file
    file_column: Optional[int] = None   # (1-based), for consumers that open the file itself
    fixable: bool = False       # `--fix` (with --unsafe-fixes when given) would fix it: ruff's [*]

    @property
    def place(self) -> str:
        """``path:line:col`` or, in a notebook, ``path:cell_N:line:col`` (1-based column)."""
        f = self.finding
        cell = f"cell_{self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{f.line}:{f.column + 1}"

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def message(self) -> str:
        # flake8 prints the code once; the message text already starts with it.
        text = self.finding.message
        return text[len(self.code):].lstrip() if text.startswith(self.code) else text


def _caret(report: ShownFinding) -> str:
    line = (report.source_line or "").rstrip("\r\n")
    indent = "".join(c if c.isspace() else " " for c in line[:report.finding.column])
    return f"{line}\n{indent}^"


@dataclass(frozen=True)
class TextStyle:
    """How the command's text output looks; the defaults are flake8's plain lines."""

    color: bool = False        # ANSI colours, flake8's palette: bold path, bold red code
    docs_url: bool = False     # append each code's documentation link (--show-docs-url)
    fix_marker: bool = False   # ruff's "[*]" on findings that --fix would fix


BOLD, RED, CYAN, RESET = "\033[1m", "\033[31m", "\033[36m", "\033[m"


def _text_line(report: ShownFinding, style: TextStyle) -> str:
    f = report.finding
    marker = "[*] " if style.fix_marker and report.fixable else ""
    url = f" ({help_uri(report.code)})" if style.docs_url else ""
    if not style.color:
        return f"{report.place}: {report.code} {marker}{report.message}{url}"
    colon = f"{CYAN}:{RESET}"
    cell = f"cell_{report.cell}{colon}" if report.cell is not None else ""
    marker = f"{CYAN}{marker}{RESET}" if marker else ""
    return (f"{BOLD}{report.path}{RESET}{colon}{cell}{f.line}{colon}{f.column + 1}{colon} "
            f"{BOLD}{RED}{report.code}{RESET} {marker}{report.message}{url}")


def format_text(reports: Iterable[ShownFinding], show_source: bool = False, style: TextStyle = TextStyle()) -> str:
    lines = []
    for report in reports:
        lines.append(_text_line(report, style))
        if show_source and report.source_line is not None:
            lines.append(_caret(report))
    return "".join(line + "\n" for line in lines)


def statistics(reports: Iterable[ShownFinding]) -> str:
    """flake8's ``--statistics``: per code, the count and the first message, in code order."""
    reports = list(reports)
    counts = Counter(report.code for report in reports)
    first: Dict[str, str] = {}
    for report in reports:
        first.setdefault(report.code, report.message)
    return "".join(f"{counts[code]:<5} {code} {first[code]}\n" for code in sorted(counts))


def _json_record(report: ShownFinding) -> dict:
    f = report.finding
    return {
        "path": report.path,
        "cell": report.cell,
        "line": f.line,
        "column": f.column + 1,
        "end_line": f.end_line,
        "end_column": None if f.end_column is None else f.end_column + 1,
        "code": report.code,
        "message": report.message,
        "fix_available": f.fix_safety is not None,
        "fix_safety": f.fix_safety,
        "no_fix": f.no_fix,
        "url": help_uri(report.code),
    }


def format_json(reports: Iterable[ShownFinding], show_source: bool = False, style: TextStyle = TextStyle()) -> str:
    return json.dumps([_json_record(r) for r in reports], indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub workflow commands: %, CR and LF must be escaped in the message...
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # ...and also , and : in property values such as file=.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(reports: Iterable[ShownFinding], show_source: bool = False, style: TextStyle = TextStyle()) -> str:
    lines = []
    for report in reports:
        f = report.finding
        # GitHub resolves file= against the repository root: "./pkg/x.py" would not match.
        path = report.path if os.path.isabs(report.path) else os.path.normpath(report.path)
        message = report.code + " " + report.message
        if report.cell is not None:
            # The annotation sits on the notebook file's own line; the message says the cell.
            properties = [f"file={_escape_property(path)}", f"line={report.file_line or 1}",
                          f"col={report.file_column or 1}"]
            message = f"cell_{report.cell}:{f.line}:{f.column + 1}: {message}"
        else:
            properties = [f"file={_escape_property(path)}", f"line={f.line}", f"col={f.column + 1}"]
            if f.end_line is not None:
                properties.append(f"endLine={f.end_line}")
            if f.end_column is not None and f.end_line == f.line:
                properties.append(f"endColumn={f.end_column + 1}")
        properties.append(f"title={_escape_property(report.code)}")
        lines.append(f"::{severity(report.code)} {','.join(properties)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def _sarif_rule(code: str, docs: Dict[str, "tuple[str, str]"]) -> dict:
    short, text = docs[code]
    return {
        "id": code,
        "name": "".join(word.capitalize() for word in short.replace("-", " ").split()
                        if word.isalnum()),
        "shortDescription": {"text": short},
        "fullDescription": {"text": text},
        # No helpUri: SARIF wants an absolute URI there, and there is none to give (see DOCS_PAGE).
        "help": {"text": f"{text} More: {explain_command(code)}, or {help_uri(code)} in the "
                         "flake8-bn-update-ops repository.",
                 "markdown": f"{text}\n\nMore: `{explain_command(code)}`, or `{help_uri(code)}` in the "
                             "flake8-bn-update-ops repository."},
        "defaultConfiguration": {"level": severity(code)},
    }


def _artifact_uri(path: str) -> "tuple[str, Optional[str]]":
    """A relative URI against %SRCROOT% (the working folder) when the path is inside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd()) if not path.startswith("<") else path
    if not relative.startswith(".."):
        return quote(relative.replace(os.sep, "/")), "%SRCROOT%"
    return "file://" + quote(absolute.replace(os.sep, "/")), None


def format_sarif(reports: Iterable[ShownFinding], show_source: bool = False, style: TextStyle = TextStyle()) -> str:
    docs = rule_docs()
    codes = list(docs)
    results = []
    for report in reports:
        f = report.finding
        uri, base = _artifact_uri(report.path)
        location = {"uri": uri}
        if base:
            location["uriBaseId"] = base
        if report.cell is not None:
            region = {"startLine": report.file_line or 1, "startColumn": report.file_column or 1}
        else:
            region = {"startLine": f.line, "startColumn": f.column + 1}
            if f.end_line is not None and f.end_column is not None:
                region.update(endLine=f.end_line, endColumn=f.end_column + 1)
        result = {
            "ruleId": report.code,
            "level": severity(report.code),
            "message": {"text": f"{report.code} {report.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        }
        if report.cell is not None:
            result["properties"] = {"cell": report.cell, "cellLine": f.line, "cellColumn": f.column + 1}
        if report.code in docs:
            result["ruleIndex"] = codes.index(report.code)
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flake8-bn-update-ops",
                "version": __version__,
                "rules": [_sarif_rule(code, docs) for code in codes],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {
                "uri": "file://" + quote(os.getcwd().replace(os.sep, "/").rstrip("/") + "/")}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


FORMATTERS: Mapping[str, Callable[..., str]] = MappingProxyType({
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
})


def render(name: str, reports: List[ShownFinding], show_source: bool = False, style: TextStyle = TextStyle()) -> str:
    return FORMATTERS[name](reports, show_source=show_source, style=style)
