"""Each code's documentation, rendered from its rule unit: ``--explain``, ``--help`` and the docs.

There is one text per code, the rule unit's (``rules/bnu*.py``: title, run-time effect, flagged
and silent examples, fix and its safety). ``rule_markdown`` renders it; ``--explain`` prints that
rendering; ``docs/codes.md`` is the table of codes followed by every rendering, and README.md
carries the same table between two markers. ``python -m flake8_bn_update_ops.cli.explain --readme``
regenerates both (a test fails when either is out of date). BNU900 is the front ends' own code,
so its text lives here.
"""
from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path
from types import MappingProxyType
from typing import List, Optional, Sequence

from .formats import DOCS_PAGE, help_uri

BEGIN = ("<!-- codes:begin: generated from flake8_bn_update_ops/rules/ by "
         "`python -m flake8_bn_update_ops.cli.explain --readme`; edit the rule units, not this -->")
END = "<!-- codes:end -->"
WIDTH = 100
DOCS_PATH = Path(DOCS_PAGE)   # relative to README.md, at the repository's root

# The hundreds digit of a code names the framework whose code its rule reads (issue 27's numbering).
FRAMEWORKS = MappingProxyType({
    "0": "TensorFlow",
    "1": "PyTorch",
    "2": "Keras",
    "3": "JAX / Flax",
    "9": "any",
})

BNU900_TITLE = "the file could not be analysed"
BNU900_TEXT = (
    "In flake8, a file that Python parses but the analysis cannot handle gets one `BNU900` at 1:1 "
    "(`BNU900 could not analyse this file: <reason>`), so an internal failure never aborts flake8's "
    "run; syntax errors are left to flake8's own `E999`. The standalone command has no `E999`: a file "
    "(or notebook) that could hold a finding and does not parse gets `BNU900 could not parse: <reason>` "
    "at the parser's error position, counts as a finding, and is never written. A file that names no "
    "batch-norm, train-op, collection or checkpoint API cannot hold a finding and is not parsed at all: "
    "the command's summary counts it as skipped.")

_EXPECT = re.compile(r"#\s*expect:\s*((?:BNU\d{3}:\d+[\s,]*)+)$")


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, break_long_words=False, break_on_hyphens=False)


def _example(source: str) -> str:
    """The example as a reader sees it: ``# expect: BNU001:12`` becomes ``# BNU001``."""
    def marker(match: "re.Match[str]") -> str:
        codes = re.findall(r"BNU\d{3}", match.group(1))
        return "# " + ", ".join(dict.fromkeys(codes))
    lines = [_EXPECT.sub(marker, line.rstrip()) for line in source.strip("\n").splitlines()]
    return "```python\n" + "\n".join(lines) + "\n```"


def rule_markdown(rule, anchor: bool = True) -> str:
    """One code's section: what goes wrong, flagged and silent examples, the fix and its safety."""
    parts: List[str] = []
    if anchor:
        parts.append(f'<a id="{rule.anchor}"></a>')
    parts.append(f"### {rule.code} {rule.title}\n")
    parts.append(_wrap(f"**What goes wrong at run time.** {rule.effect}") + "\n")
    parts.append("Flagged (a comment marks each finding):\n")
    parts.extend(_example(source) + "\n" for source in rule.flagged)
    parts.append("Silent (close look-alikes that are correct):\n")
    parts.extend(_example(source) + "\n" for source in rule.silent)
    parts.append(_wrap(f"**Fix ({rule.fix_safety}).** {rule.fix}"))
    return "\n".join(parts) + "\n"


def bnu900_markdown(anchor: bool = True) -> str:
    head = '<a id="bnu900"></a>\n' if anchor else ""
    return f"{head}### BNU900 {BNU900_TITLE}\n\n{_wrap(BNU900_TEXT)}\n"


def framework(code: str) -> str:
    return FRAMEWORKS.get(code[3:4], "")


def codes_table(page: str = "") -> str:
    """One row per code, each linked to its section of ``page`` (the docs page; "" on that page)."""
    from ..rules import all_rules

    def row(code: str, title: str, safety: str) -> str:
        return f"| [{code}]({page}#{code.lower()}) | {framework(code)} | {title} | {safety} |"

    rows = ["| code | framework | what is wrong | fix |", "|---|---|---|---|"]
    rows += [row(rule.code, rule.title, rule.fix_safety) for rule in all_rules()]
    rows.append(row("BNU900", BNU900_TITLE, "none"))
    return "\n".join(rows) + "\n"


DOCS_HEAD = """\
<!-- generated from flake8_bn_update_ops/rules/ by `python -m flake8_bn_update_ops.cli.explain --readme`;
edit the rule units, not this page -->
# Codes

Each code's contract: when it fires, the close look-alikes it leaves alone, and what its fix writes
and how safe that is. `python -m flake8_bn_update_ops --explain CODE` prints the same section.
Every example below is run by the tests: each flagged one must give exactly the finding its
comment marks, and each silent one none.

"""


def docs_page() -> str:
    """docs/codes.md: the table, then one section per code."""
    from ..rules import all_rules

    sections = [codes_table()] + [rule_markdown(rule) for rule in all_rules()] + [bnu900_markdown()]
    return DOCS_HEAD + "\n".join(sections)


def explain(code: str) -> Optional[str]:
    """``--explain CODE``: the code's section without its HTML anchor, or None for an unknown code."""
    from ..rules import rules_by_code

    code = code.strip().upper()
    if code == "BNU900":
        text = bnu900_markdown(anchor=False)
    else:
        rule = rules_by_code().get(code)
        if rule is None:
            return None
        text = rule_markdown(rule, anchor=False)
    return f"{text}\nDocumentation: {help_uri(code)} in the flake8-bn-update-ops repository.\n"


def codes_help() -> str:
    """The code list ``--help`` ends with."""
    from ..rules import all_rules

    lines = ["codes (python -m flake8_bn_update_ops --explain CODE for the details):"]
    lines += [f"  {rule.code}  {rule.title}" for rule in all_rules()]
    lines.append(f"  BNU900  {BNU900_TITLE}")
    return "\n".join(lines)


def render_readme(text: str) -> str:
    """README text with the generated table replaced; ValueError when a marker is missing."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md lacks the markers {BEGIN!r} ... {END!r}")
    return text[:start + len(BEGIN)] + "\n" + codes_table(DOCS_PAGE) + text[end:]


def _regenerate(path: Path, new: str, check: bool) -> bool:
    """Write ``new`` to ``path`` unless it is already there; True when it was out of date."""
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if new == old:
        return False
    if check:
        print(f"{path} is out of date: run python -m flake8_bn_update_ops.cli.explain --readme", file=sys.stderr)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8")
        print(f"{path}: regenerated", file=sys.stderr)
    return True


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flake8_bn_update_ops.cli.explain",
        description="Print a code's documentation, or regenerate README.md's code table and docs/codes.md.")
    parser.add_argument("code", nargs="?", help="a code such as BNU001")
    parser.add_argument("--readme", metavar="PATH", nargs="?", const="README.md",
                        help="rewrite the code table of this README (default: README.md) and docs/codes.md beside it")
    parser.add_argument("--check", action="store_true",
                        help="with --readme: write nothing, exit 1 if either is out of date")
    args = parser.parse_args(argv)
    if args.readme:
        readme = Path(args.readme)
        try:
            new_readme = render_readme(readme.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        stale = [_regenerate(readme, new_readme, args.check),
                 _regenerate(readme.parent / DOCS_PATH, docs_page(), args.check)]
        return 1 if args.check and any(stale) else 0
    if not args.code:
        parser.error("give a code or --readme")
    text = explain(args.code)
    if text is None:
        print(f"error: unknown code {args.code!r}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
