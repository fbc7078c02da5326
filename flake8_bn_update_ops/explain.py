"""Each code's documentation, rendered from its rule unit: ``--explain``, ``--help`` and the README.

There is one text per code, the rule unit's (``rules/bnu00x.py``: title, run-time effect, flagged
and silent examples, fix and its safety). ``rule_markdown`` renders it; ``--explain`` prints that
rendering, and the README's code table and ``### BNU00x`` sections are the same rendering between
two markers, regenerated with ``python -m flake8_bn_update_ops.explain --readme`` (a test fails
when README.md is out of date). BNU900 is the front ends' own code, so its text lives here.
"""
from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path
from typing import List, Optional, Sequence

BEGIN = ("<!-- codes:begin: generated from flake8_bn_update_ops/rules/ by "
         "`python -m flake8_bn_update_ops.explain --readme`; edit the rule units, not this -->")
END = "<!-- codes:end -->"
WIDTH = 100

BNU900_TITLE = "the file could not be analysed"
BNU900_TEXT = (
    "In flake8, a file that Python parses but the analysis cannot handle gets one `BNU900` at 1:1 "
    "(`BNU900 could not analyse this file: <reason>`), so an internal failure never aborts flake8's "
    "run; syntax errors are left to flake8's own `E999`. The standalone command has no `E999`: a file "
    "(or notebook) that does not parse gets `BNU900 could not parse: <reason>`, counts as a finding, "
    "and is never written.")

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


def codes_table() -> str:
    from .rules import all_rules

    rows = ["| code | what is wrong | fix |", "|---|---|---|"]
    rows += [f"| [{rule.code}](#{rule.anchor}) | {rule.title} | {rule.fix_safety} |" for rule in all_rules()]
    rows.append(f"| [BNU900](#bnu900) | {BNU900_TITLE} | none |")
    return "\n".join(rows) + "\n"


def readme_codes() -> str:
    """Everything between the README's markers: the table, then one section per code."""
    from .rules import all_rules

    sections = [codes_table()] + [rule_markdown(rule) for rule in all_rules()] + [bnu900_markdown()]
    return "\n".join(sections)


def explain(code: str) -> Optional[str]:
    """``--explain CODE``: the code's section without its HTML anchor, or None for an unknown code."""
    from .formats import help_uri
    from .rules import rules_by_code

    code = code.strip().upper()
    if code == "BNU900":
        text = bnu900_markdown(anchor=False)
    else:
        rule = rules_by_code().get(code)
        if rule is None:
            return None
        text = rule_markdown(rule, anchor=False)
    return f"{text}\nDocumentation: {help_uri(code)}\n"


def codes_help() -> str:
    """The code list ``--help`` ends with."""
    from .rules import all_rules

    lines = ["codes (python -m flake8_bn_update_ops --explain CODE for the details):"]
    lines += [f"  {rule.code}  {rule.title}" for rule in all_rules()]
    lines.append(f"  BNU900  {BNU900_TITLE}")
    return "\n".join(lines)


def render_readme(text: str) -> str:
    """README text with the generated part replaced; ValueError when a marker is missing."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md lacks the markers {BEGIN!r} ... {END!r}")
    return text[:start + len(BEGIN)] + "\n" + readme_codes() + text[end:]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flake8_bn_update_ops.explain",
                                     description="Print a code's documentation, or regenerate README.md's.")
    parser.add_argument("code", nargs="?", help="a code such as BNU001")
    parser.add_argument("--readme", metavar="PATH", nargs="?", const="README.md",
                        help="rewrite the code sections of this README (default: README.md)")
    parser.add_argument("--check", action="store_true", help="with --readme: exit 1 if it is out of date")
    args = parser.parse_args(argv)
    if args.readme:
        path = Path(args.readme)
        old = path.read_text(encoding="utf-8")
        try:
            new = render_readme(old)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.check:
            if new != old:
                print(f"{path} is out of date: run python -m flake8_bn_update_ops.explain --readme",
                      file=sys.stderr)
                return 1
            return 0
        if new != old:
            path.write_text(new, encoding="utf-8")
            print(f"{path}: code sections regenerated", file=sys.stderr)
        return 0
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
