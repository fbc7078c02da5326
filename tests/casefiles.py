"""Case files that read like user code and carry their expectations inline (after
flake8-bugbear's eval files).

A trailing ``# expect: BNU001:16`` names a finding's code and 1-based column on that line;
every line without one must stay silent. A line starting with ``# --- `` starts a new,
independent module: each section is analysed on its own (rules such as "a run anywhere in the
module" are module-wide), with the other sections blanked out so line numbers stay those of
the file.

Case projects (``tests/cases_projects/<name>/``) are small multi-file projects for what one
module cannot show (imports, namespace packages, builders and base classes in other modules).
Every ``.py`` file under a project folder is one module, annotated the same way; see
``test_case_projects.py`` for how they are judged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Set, Tuple

CASES_DIR = Path(__file__).parent / "cases"
# The other frameworks' cases, judged the same way: PyTorch (BNU1xx), Keras 3 / fine-tuning
# (BNU2xx) and Flax (BNU3xx).
FRAMEWORK_CASE_DIRS = tuple(Path(__file__).parent / name for name in ("cases_torch", "cases_keras3", "cases_flax"))
PROJECTS_DIR = Path(__file__).parent / "cases_projects"
_EXPECT = re.compile(r"#\s*expect:\s*((?:BNU\d{3}:\d+[\s,]*)+)")
_SECTION = re.compile(r"^# --- ")


@dataclass
class Section:
    file: Path
    index: int
    source: str                               # whole-file line numbering, other sections blank
    expected: Set[Tuple[int, int, str]]       # (line, 1-based column, code)

    @property
    def id(self) -> str:
        return f"{self.file.stem}[{self.index}]"


def load_sections(path: Path) -> List[Section]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [0] + [number for number, line in enumerate(lines) if _SECTION.match(line)]
    bounds = list(zip(starts, starts[1:] + [len(lines)]))
    sections = []
    for index, (start, end) in enumerate(bounds):
        padded = ["\n" if not (start <= number < end) else line for number, line in enumerate(lines)]
        expected = _expectations(lines, start, end)
        if any(line.strip() for line in lines[start:end]):
            sections.append(Section(path, index, "".join(padded), expected))
    return sections


def _expectations(lines: List[str], start: int, end: int) -> Set[Tuple[int, int, str]]:
    expected = set()
    for number in range(start, end):
        match = _EXPECT.search(lines[number])
        if match:
            for item in re.findall(r"BNU\d{3}:\d+", match.group(1)):
                code, column = item.split(":")
                expected.add((number + 1, int(column), code))
    return expected


def all_sections() -> List[Section]:
    sections = []
    for folder in (CASES_DIR,) + FRAMEWORK_CASE_DIRS:
        for path in sorted(folder.glob("*.py")):
            sections.extend(load_sections(path))
    return sections


@dataclass
class Project:
    root: Path
    expected: Dict[str, Set[Tuple[int, int, str]]]    # relative posix path -> (line, 1-based column, code)

    @property
    def id(self) -> str:
        return self.root.name


def load_project(root: Path) -> Project:
    expected = {}
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        expected[path.relative_to(root).as_posix()] = _expectations(lines, 0, len(lines))
    return Project(root, expected)


def all_projects() -> List[Project]:
    return [load_project(root) for root in sorted(PROJECTS_DIR.iterdir()) if root.is_dir()]
