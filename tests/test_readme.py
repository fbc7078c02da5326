"""README.md, run as a user would run it: every command in it, through the real command, flake8,
nbqa, pre-commit and ruff, in a throw-away folder that holds the bundled example.

How each command is covered:
- a command that only reads or fixes code runs as written, in bash, with this interpreter's
  folder first on PATH (``python``, ``flake8`` and ``nbqa`` are this environment's);
- the output the README shows after a block is compared with what its first command prints;
- commands that install (``python -m venv``, ``pip install``, ``tox``) or run TensorFlow are
  checked here for their form (the versions the README pins are tox.ini's), and run for real in
  the ``slow`` and ``tf`` tests (tox's ``tf`` environment runs both markers); ``tox`` itself is
  what ``.ci/run`` runs, so it is checked for form only;
- configuration blocks (ini, toml, pre-commit and GitHub Actions YAML) are written to the files
  they belong in and run through the tool that reads them.
"""
from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List

import pytest

from requires import require

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = os.path.dirname(sys.executable)
PLACEHOLDER_CLONE = "/path/to/flake8-bn-update-ops"
PLACEHOLDER_REV = "0123456789abcdef0123456789abcdef01234567"
# The two commands CI and users rely on, verbatim (.ci/run quotes the second).
EXAMPLE_COMMAND = "python -m pip install . && python -m flake8 --select BNU examples/"
TEST_COMMAND = "python -m pip install tox && python -m tox"


@dataclass(frozen=True)
class Block:
    lang: str
    body: str
    start: int   # offset in README of the opening fence
    end: int     # offset just past the closing fence


def _blocks() -> List[Block]:
    """Fenced blocks, also those indented inside a list item (their indentation removed)."""
    found = []
    for match in re.finditer(r"^( *)```(\w*)\n(.*?)^\1```[ \t]*$", README, re.M | re.S):
        indent = len(match.group(1))
        body = "".join(line[indent:] for line in match.group(3).splitlines(keepends=True))
        found.append(Block(match.group(2), body, match.start(), match.end()))
    return found


BLOCKS = _blocks()


def _commands(block: Block) -> List[str]:
    return [line.strip() for line in block.body.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _inline_commands() -> List[str]:
    """Commands quoted in the prose: code spans that start with ``python -m`` or ``git``.

    HTML comments are for contributors (the generated table's marker names its generator, which
    test_explain.py runs), not commands for users."""
    prose = README
    for block in reversed(BLOCKS):
        prose = prose[:block.start] + prose[block.end:]
    prose = re.sub(r"<!--.*?-->", "", prose, flags=re.S)
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]
    return [span for span in spans if re.match(r"(python -m|git) ", span)]


CONSOLE = [command for block in BLOCKS if block.lang == "console" for command in _commands(block)]
INLINE = _inline_commands()


def _is_install(command: str) -> bool:
    return bool(re.search(r"\bpip install\b|\bpython -m venv\b|\bpython -m tox\b|\. \.venv/bin/activate", command))


def _needs_tensorflow(command: str) -> bool:
    return command.startswith("TF_USE_LEGACY_KERAS=")


def _runnable(command: str) -> str:
    """What of ``command`` runs here: ``install && run`` runs its second half (the package is installed)."""
    parts = [part.strip() for part in command.split("&&")]
    return " && ".join(part for part in parts if not _is_install(part))


def _output_after(block: Block) -> List[str]:
    """The lines of the ``text`` block that follows ``block`` (only "prints" between), if any."""
    later = [b for b in BLOCKS if b.start > block.end]
    if later and later[0].lang == "text" and README[block.end:later[0].start].strip() in ("", "prints"):
        return later[0].body.splitlines()
    return []


# --------------------------------------------------------------------------- the sandbox

BUGGY_NOTEBOOK_CELLS = [
    "%matplotlib inline\nimport tensorflow as tf",
    "def build(x, loss, training):\n    net = tf.layers.batch_normalization(x, training=training)\n"
    "    optimizer = tf.train.AdamOptimizer(1e-3)\n    return optimizer.minimize(loss)",
]

# A block whose training flag is called something no table knows: only configuration makes it fixable.
CUSTOM_FLAG = '''\
import tensorflow as tf


def block(x, in_training_mode):
    return tf.layers.batch_normalization(x)
'''


def _notebook() -> str:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{n}", "metadata": {}, "outputs": [],
              "source": source.splitlines(keepends=True)} for n, source in enumerate(BUGGY_NOTEBOOK_CELLS)]
    kernel = {"language": "python", "name": "python3", "display_name": "Python 3"}
    return json.dumps({"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1) + "\n"


@pytest.fixture
def sandbox(tmp_path):
    """A user's folder: the bundled example, a notebook with the same bug, nothing else."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "train.ipynb").write_text(_notebook(), encoding="utf-8")
    return tmp_path


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "FLAKE8", "PRE_COMMIT"))}
    env.update(PATH=BIN + os.pathsep + env.get("PATH", ""), NO_COLOR="1", **extra)
    env.pop("FORCE_COLOR", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def bash(command: str, cwd: Path, timeout: int = 300, **env) -> subprocess.CompletedProcess:
    proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=_env(**env), capture_output=True, text=True,
                          timeout=timeout)
    print(f"$ {command}\n-> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


# --------------------------------------------------------------------------- the README's shape

def test_readme_is_short_with_usage_on_the_first_screen():
    lines = README.splitlines()
    assert len(lines) < 400
    first_screen = "\n".join(lines[:40])
    assert EXAMPLE_COMMAND in first_screen and "python -m venv" in first_screen
    assert "python -m flake8_bn_update_ops" in "\n".join(lines[:50])


def test_readme_names_every_environment_the_test_command_builds():
    """The cost the README gives for the test command is the cost of tox.ini's env_list: a new
    environment there (say, for another framework) must be named, and its cost added, here."""
    env_list = re.search(r"^env_list\s*=\s*(.*)$", (ROOT / "tox.ini").read_text(encoding="utf-8"), re.M).group(1)
    contributing = README[README.index("## Contributing"):]
    for env in re.split(r"[,\s]+", env_list.strip()):
        assert f"`{env}`" in contributing, env


def test_readme_keeps_the_two_commands_ci_and_users_rely_on_verbatim():
    assert EXAMPLE_COMMAND in CONSOLE and TEST_COMMAND in CONSOLE
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_holds_no_development_notes_and_no_unverifiable_urls():
    for pattern in (r"\bFAIL\b", r"/work/", r"/root/", r"\bissue \d+", r"#\d{2,}\b",
                    r"github\.com/flake8-bn-update-ops", r"pip install flake8-bn-update-ops\b"):
        assert not re.search(pattern, README), pattern
    # Only the public projects it names are linked; this project has no web address.
    for url in re.findall(r"https?://[^\s)>\"']+", README):
        assert "flake8-bn-update-ops" not in url, url


def _anchors(markdown: str) -> set:
    anchors = set(re.findall(r'<a\s+id="([^"]+)"', markdown))
    for heading in re.findall(r"^#+\s+(.*?)\s*$", markdown, re.M):
        anchors.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", ["README.md", "CONTRIBUTING.md", "docs/codes.md", "docs/usage.md",
                                  "docs/performance.md"])
def test_relative_links_point_at_files_and_anchors_that_exist(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    prose = re.sub(r"`[^`]*`", "", re.sub(r"^```.*?^```", "", text, flags=re.M | re.S))
    links = re.findall(r"\]\(([^)\s]+)\)", prose)
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = (ROOT / page).parent / target if target else ROOT / page
        assert path.exists(), (page, link)
        if anchor:
            assert anchor in _anchors(path.read_text(encoding="utf-8")), (page, link)


def test_every_command_in_the_readme_is_covered_here():
    """Each command is run below, or is an install/TensorFlow command run by the slow and tf tests."""
    assert len(CONSOLE) >= 15 and INLINE
    for command in CONSOLE + INLINE:
        assert _runnable(command) or _is_install(command), command
        if _needs_tensorflow(command):
            assert command in TENSORFLOW_COMMANDS, command


# --------------------------------------------------------------------------- commands, as written

RUNNABLE = sorted({_runnable(c) for c in CONSOLE + INLINE if _runnable(c) and not _needs_tensorflow(c)})


@pytest.mark.parametrize("command", RUNNABLE)
def test_readme_command_runs_as_written(command, sandbox):
    if command.startswith("nbqa "):
        require(importlib.util.find_spec("nbqa") is not None, "nbqa is not installed in this environment")
    command = command.replace(PLACEHOLDER_CLONE, str(ROOT))
    proc = bash(command, sandbox)
    # The example and the notebook hold a bug: finding it is exit 1; --fix, --explain, --help, --version exit 0.
    assert proc.returncode in (0, 1), proc.stderr
    assert not re.search(r"^(error|usage):", proc.stderr, re.M)
    assert proc.stdout.strip() or proc.stderr.strip()
    if "--fix" in command.split() and " -" not in command:
        assert proc.returncode == 0
        fixed = (sandbox / "examples" / "train_classifier.py").read_text(encoding="utf-8")
        assert "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):" in fixed
    if "--add-noqa" in command.split():
        assert proc.returncode == 0
        marked = (sandbox / "examples" / "train_classifier.py").read_text(encoding="utf-8").splitlines()[40]
        assert marked.endswith("  # noqa: BNU001")
        assert bash(command.split("--add-noqa")[0] + "examples/", sandbox).returncode == 0   # now it passes
    if command.startswith("git "):
        assert re.fullmatch(r"[0-9a-f]{40}\n", proc.stdout)


def test_readme_outputs_are_what_the_commands_print(sandbox):
    shown = 0
    for block in BLOCKS:
        expected = _output_after(block) if block.lang == "console" else []
        if not expected:
            continue
        first = next(_runnable(c) for c in _commands(block) if _runnable(c))
        proc = bash(first, sandbox)
        printed = (proc.stdout + proc.stderr).splitlines()
        for line in expected:
            assert line in printed, (first, line)
        shown += 1
    assert shown >= 2


def test_the_documented_json_fields_are_the_ones_printed(sandbox):
    documented = re.search(r"JSON format is a list of `\{(.*?)\}`", " ".join(README.split())).group(1)
    keys = re.findall(r'"(\w+)"', documented)
    proc = bash("python -m flake8_bn_update_ops --format json examples/", sandbox)
    records = json.loads(proc.stdout)
    assert records and all(list(record) == keys for record in records)
    assert records[0]["url"] == "docs/codes.md#bnu001" and (ROOT / "docs" / "codes.md").exists()


def _help_options(argv: List[str]) -> set:
    out = subprocess.run(argv + ["--help"], capture_output=True, text=True, env=_env()).stdout
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", out))


@pytest.mark.parametrize("page", ["README.md", "docs/usage.md"])
def test_docs_name_only_options_that_exist_and_every_option_of_the_command(page):
    """What ``--help`` lists is what the README (and the detail page) describes, both ways."""
    command = _help_options([sys.executable, "-m", "flake8_bn_update_ops"])
    flake8 = _help_options([sys.executable, "-m", "flake8"])
    text = re.sub(r"<!--.*?-->", "", (ROOT / page).read_text(encoding="utf-8"), flags=re.S)
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", text))
    installers = {"--no-deps"}   # pip's
    assert not named - command - flake8 - installers, named - command - flake8 - installers
    assert not command - named - {"--help", "--version"}, command - named


# --------------------------------------------------------------------------- configuration blocks

def _block(lang: str, containing: str) -> str:
    bodies = [block.body for block in BLOCKS if block.lang == lang and containing in block.body]
    assert len(bodies) == 1, (lang, containing, bodies)
    return bodies[0]


def test_readme_flake8_configuration_is_read_by_flake8_and_the_command(sandbox):
    setup_cfg = _block("ini", "[flake8]")
    parsed = configparser.ConfigParser()
    parsed.read_string(setup_cfg)
    assert parsed["flake8"]["bn-training-names"] == "in_training_mode"
    (sandbox / "block.py").write_text(CUSTOM_FLAG, encoding="utf-8")
    before = bash("python -m flake8_bn_update_ops --diff --unsafe-fixes block.py", sandbox)
    assert before.stdout == ""   # no parameter is known to be the flag: nothing to fix
    (sandbox / "setup.cfg").write_text(setup_cfg, encoding="utf-8")
    after = bash("python -m flake8_bn_update_ops --diff --unsafe-fixes block.py", sandbox)
    assert "+    return tf.layers.batch_normalization(x, training=in_training_mode)" in after.stdout
    flake8 = bash("python -m flake8 block.py", sandbox)
    assert flake8.returncode == 1 and "block.py:5:12: BNU003" in flake8.stdout


def test_readme_pyproject_section_is_read_by_the_command(sandbox):
    (sandbox / "block.py").write_text(CUSTOM_FLAG, encoding="utf-8")
    (sandbox / "pyproject.toml").write_text(_block("toml", "[tool.flake8-bn-update-ops]"), encoding="utf-8")
    proc = bash("python -m flake8_bn_update_ops --diff --unsafe-fixes block.py", sandbox)
    assert "+    return tf.layers.batch_normalization(x, training=in_training_mode)" in proc.stdout


def test_readme_ruff_setting_keeps_the_noqa_comments(sandbox):
    """Without the README's setting ruff deletes `# noqa: BNU001, E501`; with it, the comment stays."""
    require(shutil.which("ruff", path=BIN) or importlib.util.find_spec("ruff"), "ruff is not installed")
    source = "import os\n\nx = os.sep  # noqa: BNU001, E501\n"
    ruff = f"{sys.executable} -m ruff check --no-cache --extend-select RUF100,RUF102 --fix train.py"
    (sandbox / "train.py").write_text(source, encoding="utf-8")
    bash(ruff + " --isolated", sandbox)
    assert "noqa" not in (sandbox / "train.py").read_text(encoding="utf-8")
    (sandbox / "train.py").write_text(source, encoding="utf-8")
    (sandbox / "pyproject.toml").write_text(_block("toml", "[tool.ruff.lint]"), encoding="utf-8")
    proc = bash(ruff, sandbox)
    assert proc.returncode == 0
    assert "# noqa: BNU001" in (sandbox / "train.py").read_text(encoding="utf-8")
    # RUF102: an unknown code in `# noqa` is reported, unless the setting declares it.
    (sandbox / "train.py").write_text("import os\n\nx = os.sep  # noqa: BNU001\n", encoding="utf-8")
    check = f"{sys.executable} -m ruff check --no-cache --extend-select RUF102 train.py"
    assert bash(check, sandbox).returncode == 0
    assert "RUF102" in bash(check + " --isolated", sandbox).stdout


def _git_sandbox(sandbox: Path, config: str) -> dict:
    env = dict(PRE_COMMIT_HOME=str(sandbox.parent / "pre-commit-home"), GIT_AUTHOR_NAME="test",
               GIT_AUTHOR_EMAIL="test@example.invalid", GIT_COMMITTER_NAME="test",
               GIT_COMMITTER_EMAIL="test@example.invalid", GIT_CONFIG_NOSYSTEM="1")
    (sandbox / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (sandbox / "broken.py").write_text("import tensorflow as tf\nprint 'py2'\n", encoding="utf-8")
    bash("git init -q . && git add .", sandbox, **env)
    return env


PRE_COMMIT_BLOCKS = [block.body for block in BLOCKS if block.lang == "yaml" and "repos:" in block.body]


@pytest.mark.parametrize("config", [b for b in PRE_COMMIT_BLOCKS if "repo: local" in b],
                         ids=lambda config: re.search(r"id: ([\w-]+)", config).group(1))
def test_readme_local_pre_commit_hooks_fail_a_buggy_project(config, sandbox):
    require(importlib.util.find_spec("pre_commit") is not None, "pre-commit is not installed")
    require(shutil.which("git"), "git is not on PATH")
    env = _git_sandbox(sandbox, config)
    proc = bash("python -m pre_commit run --all-files --color never", sandbox, **env)
    assert proc.returncode == 1
    if "entry: flake8\n" in config:
        # --select BNU,E9: the bug, and the file that does not parse (E999), which BNU alone would pass.
        assert "examples/train_classifier.py:41:16: BNU001" in proc.stdout and "broken.py:2:" in proc.stdout
        assert "E999" in proc.stdout
        # What the README warns of: without E9, the file that does not parse passes in silence.
        assert bash("python -m flake8 --select BNU broken.py", sandbox).returncode == 0
    else:
        assert "examples/train_classifier.py:41:16: BNU001" in proc.stdout
        assert "notebooks/train.ipynb:cell_2:4:12: BNU001" in proc.stdout


@pytest.mark.slow
def test_readme_pre_commit_hook_from_a_clone(sandbox):
    """pre-commit builds the hooks from this repository at a commit, as the README's `rev` block says."""
    require(importlib.util.find_spec("pre_commit") is not None, "pre-commit is not installed")
    require((ROOT / ".git").exists(), "not a git checkout")
    config, = [b for b in PRE_COMMIT_BLOCKS if PLACEHOLDER_REV in b]
    rev_command, = [c for c in INLINE if "rev-parse" in c]
    rev = bash(rev_command.replace(PLACEHOLDER_CLONE, str(ROOT)), sandbox).stdout.strip()
    env = _git_sandbox(sandbox, config.replace(PLACEHOLDER_CLONE, str(ROOT)).replace(PLACEHOLDER_REV, rev))
    (sandbox / "broken.py").unlink()
    bash("git add -A", sandbox, **env)
    proc = bash("python -m pre_commit run --all-files --color never", sandbox, timeout=900, **env)
    assert proc.returncode == 1
    assert "examples/train_classifier.py:41:16: BNU001" in proc.stdout   # the report hook
    assert "with tf.control_dependencies(" in (sandbox / "examples" / "train_classifier.py").read_text()


def test_readme_github_actions_steps(sandbox):
    steps = [b.body for b in BLOCKS if b.lang == "yaml" and "- run:" in b.body]
    assert len(steps) == 2
    annotations = bash(re.search(r"- run: (.*)", steps[0]).group(1), sandbox)
    assert annotations.returncode == 1
    assert re.search(r"^::(error|warning) file=examples/train_classifier.py,line=41,col=16,.*title=BNU001::",
                     annotations.stdout, re.M)
    sarif_step = re.search(r"- run: (.*)", steps[1]).group(1)
    assert bash(sarif_step, sandbox).returncode == 0   # --exit-zero: the upload step still runs
    uploaded = re.search(r"sarif_file: (\S+)", steps[1]).group(1)
    log = json.loads((sandbox / uploaded).read_text(encoding="utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["BNU001"]


# --------------------------------------------------------------------------- installs and TensorFlow

def _tox_pins() -> dict:
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    return dict(re.findall(r"\b(tensorflow-cpu|tf-keras)==([\w.]+)", tox))


TENSORFLOW_COMMANDS = [c for c in CONSOLE if _needs_tensorflow(c)]


def test_the_versions_the_readme_requires_are_the_packages():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    python = re.search(r'requires-python = ">=([\d.]+)"', pyproject).group(1)
    flake8 = re.search(r'"flake8>=([\d.]+)"', pyproject).group(1)
    assert f"Python {python} or newer; flake8 {flake8} or newer." in " ".join(README.split())


def test_install_commands_have_the_form_the_tests_run():
    installs = [c for c in CONSOLE + INLINE if _is_install(c)]
    assert "python -m venv .venv && . .venv/bin/activate" in installs
    assert EXAMPLE_COMMAND in installs and TEST_COMMAND in installs
    assert 'python -m pip install ".[lsp]"' in installs
    git_url, = [c for c in installs if "git+" in c]
    assert git_url == f'python -m pip install "git+file://{PLACEHOLDER_CLONE}"'
    # The TensorFlow the README tells users to install is the one the tf tests run on.
    tf_install, = [c for c in installs if "tensorflow" in c]
    pins = _tox_pins()
    assert tf_install == (f"python -m pip install tensorflow-cpu=={pins['tensorflow-cpu']} && "
                          f"python -m pip install --no-deps tf-keras=={pins['tf-keras']}")
    assert TENSORFLOW_COMMANDS == ["TF_USE_LEGACY_KERAS=1 python examples/train_classifier.py"]


@pytest.mark.slow
def test_readme_install_steps_in_a_new_virtual_environment(tmp_path):
    """The first block as written, in a copy of this tree: a new venv, pip install ., flake8 on the example;
    then the git-URL install into the same venv."""
    require(shutil.which("git"), "git is not on PATH")
    copy = tmp_path / "clone"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".tox", "build", "*.egg-info", "__pycache__",
                                                              ".git", "benchmarks"))
    first = next(b for b in BLOCKS if b.lang == "console")
    proc = bash(" && ".join(_commands(first)), copy, timeout=900)
    assert proc.returncode == 1   # the example's bug
    expected = _output_after(first)
    assert proc.stdout.splitlines()[-len(expected):] == expected   # after pip's own lines
    assert (copy / ".venv").is_dir()
    git_url, = [c for c in INLINE + CONSOLE if "git+file" in c]
    installed = bash(f". .venv/bin/activate && {git_url.replace(PLACEHOLDER_CLONE, str(ROOT))} && "
                     "python -m flake8 --version", copy, timeout=900)
    assert installed.returncode == 0 and "flake8-bn-update-ops" in installed.stdout


@pytest.mark.tf
def test_tf_layers_code_needs_legacy_keras_on_tensorflow_2_16_and_newer(sandbox):
    """The README's TensorFlow note: the example runs with TF_USE_LEGACY_KERAS=1, and fails without it."""
    require(importlib.util.find_spec("tensorflow") is not None, "TensorFlow is not installed")
    require(importlib.util.find_spec("tf_keras") is not None, "tf-keras is not installed")
    command, = TENSORFLOW_COMMANDS
    quiet = dict(TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
    ran = bash(command, sandbox, timeout=600, **quiet)
    assert ran.returncode == 0, ran.stderr
    without = subprocess.run(["bash", "-c", command.split(" ", 1)[1]], cwd=sandbox, capture_output=True, text=True,
                             env={k: v for k, v in _env(**quiet).items() if k != "TF_USE_LEGACY_KERAS"}, timeout=600)
    assert without.returncode != 0 and "not available with Keras 3" in without.stderr


def test_shell_words_are_balanced():
    """Every command parses as shell words (a stray quote would break a user's copy and paste)."""
    for command in CONSOLE + INLINE:
        shlex.split(command.replace("<", " "), comments=True)


def test_the_threaded_fix_shown_in_the_readme_is_what_the_fixer_writes():
    """README's Fix safety shows a threaded flag as a diff: those lines, in that order, are the
    fixer's own diff of the fix pair tests/fixes/bnu003_thread_flag.py."""
    import difflib

    from flake8_bn_update_ops.engine import fix_source

    pair = ROOT / "tests" / "fixes" / "bnu003_thread_flag.py"
    source = pair.read_text(encoding="utf-8")
    fixed = fix_source(source, str(pair), unsafe=True).source
    diff = [line.rstrip() for line in difflib.unified_diff(source.splitlines(), fixed.splitlines(), n=3, lineterm="")
            if not line.startswith(("---", "+++", "@@"))]
    shown = re.search(r"```diff\n(.*?)```", README, re.S).group(1).rstrip("\n").split("\n")
    assert "\n".join(line.rstrip() for line in shown) in "\n".join(diff)
