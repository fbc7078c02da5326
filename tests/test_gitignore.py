"""The folder walk's ``.gitignore`` matching, held to git itself.

Each scenario is a small repository: random folders and files, random patterns (stars,
double stars, classes, negations, anchors, folder-only rules, escapes) in ``.gitignore``
files at two depths. What the command's walk checks must be exactly the ``.py`` files
that ``git ls-files --others --exclude-standard`` lists: git decides, not our reading of
its manual.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess

import pytest

from flake8_bn_update_ops.cli.command import iter_paths
from flake8_bn_update_ops.cli.gitignore import Patterns
from requires import require

require(shutil.which("git") is not None, "git is not on PATH")

FOLDERS = ["a", "b", "build", "src", "a/b", "src/a", "src/build", "b/c/d", "x.y", "lib/sub"]
FILES = ["m.py", "a.py", "b.py", "test_m.py", "m_gen.py", "#x.py", "x[1].py", " s.py", "ab.py", "!n.py"]
PATTERN_PARTS = [
    "*.py", "a", "b", "build", "build/", "/build", "src/*", "src/**", "**/a", "a/**/b.py", "**/b",
    "*_gen.py", "test_?.py", "[ab].py", "[!a].py", "[a-b]*.py", "\\#x.py", "x\\[1\\].py", "\\ s.py",
    "\\!n.py", "m.py ", "m.py\\ ", "lib/", "/a/b", "*/m.py", "**", "src/**/m.py", "?", "*.y",
    "# a comment", "", "b/c/", "b/**/m.py", "/*.py", "a/*", "[^a]b.py", "**/", "[",
]


def git_env(home) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home), GIT_CONFIG_NOSYSTEM="1")
    return env


def random_patterns(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 5)):
        part = rng.choice(PATTERN_PARTS)
        lines.append(("!" if rng.random() < 0.25 and part else "") + part)
    return "\n".join(lines) + "\n"


def make_scenario(root, rng: random.Random) -> None:
    for folder in rng.sample(FOLDERS, rng.randint(3, len(FOLDERS))):
        for name in rng.sample(FILES, rng.randint(1, 4)):
            path = root / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x = 1\n")
    (root / "top.py").write_text("x = 1\n")
    (root / ".gitignore").write_text(random_patterns(rng))
    folder = rng.choice(FOLDERS)
    if (root / folder).is_dir():
        (root / folder / ".gitignore").write_text(random_patterns(rng))


@pytest.mark.parametrize("seed", range(60))
def test_the_walk_checks_what_git_does_not_ignore(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / "repo"
    root.mkdir()
    env = git_env(tmp_path)
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    make_scenario(root, rng)
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "-z"], cwd=root, env=env,
                            check=True, capture_output=True).stdout.decode()
    expected = sorted(path for path in listed.split("\0") if path.endswith(".py"))
    walked = sorted(os.path.relpath(path, root).replace(os.sep, "/") for path in iter_paths([str(root)], []))
    patterns = {str(path.relative_to(root)): path.read_text() for path in root.rglob(".gitignore")}
    assert walked == expected, patterns


def test_patterns_read_as_git_writes_them():
    patterns = Patterns.from_lines(["*.py", "!keep.py", "build/", "/top.txt", "docs/**/draft.md", "\\#hash"])
    assert patterns.verdict("deep/x.py", False) is True
    assert patterns.verdict("deep/keep.py", False) is False      # re-included: the last match decides
    assert patterns.verdict("build", True) is True
    assert patterns.verdict("build", False) is None              # a folder-only rule skips a file
    assert patterns.verdict("top.txt", False) is True
    assert patterns.verdict("sub/top.txt", False) is None        # anchored to the ignore file's folder
    assert patterns.verdict("docs/draft.md", False) is True      # ``**/`` matches zero folders
    assert patterns.verdict("docs/a/b/draft.md", False) is True
    assert patterns.verdict("#hash", False) is True
    assert not Patterns.from_lines(["", "# only a comment", "   "])
