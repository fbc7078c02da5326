"""What flake8 and ruff users expect of the command (issue 18, items 3 and 4), through the real command."""
import json
import os
import pty
import subprocess
import sys
import textwrap

import pytest

from test_cli import BUGGY, BUGGY_POSITION, CLEAN, NESTED, finding_lines, run_cli, write

DOCS = "docs/codes.md#bnu001"   # relative to this repository: the project has no web address
ESC = "\x1b["

# BNU003 (safe fix: the function has an `is_training` parameter) and BNU002 (unsafe fix only).
TWO_CODES = textwrap.dedent("""\
    import tensorflow as tf

    def tower(x, is_training):
        h = tf.layers.batch_normalization(x)
        return tf.layers.batch_normalization(h, training=True)
""")


def run_env(cwd, env_extra, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(env_extra)
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=cwd,
                          capture_output=True, text=True, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# --------------------------------------------------------------------------- [*] and the summary

def test_fix_marker_only_on_findings_that_fix_would_fix(tmp_path):
    write(tmp_path, "tower.py", TWO_CODES)
    proc = run_cli(tmp_path, "tower.py")
    lines = finding_lines(proc.out)
    assert len(lines) == 2
    by_code = {line.split(": ")[1].split()[0]: line for line in lines}
    assert " BNU003 [*] " in by_code["BNU003"]          # safe fix: --fix applies it
    assert "[*]" not in by_code["BNU002"]               # unsafe only: --fix leaves it
    assert "1 fixable with --fix (marked [*])" in proc.err
    assert "1 more fixable with --unsafe-fixes" in proc.err
    # The marker tells the truth: --fix fixes the marked one and leaves the other.
    fix = run_cli(tmp_path, "--fix", "tower.py")
    assert "fixed 1, remaining 1" in fix.err
    assert [line.split(": ")[1].split()[0] for line in finding_lines(fix.out)] == ["BNU002"]
    assert "[*]" not in fix.out


def test_nested_train_op_is_unsafe_so_unmarked(tmp_path):
    write(tmp_path, "model.py", NESTED)
    proc = run_cli(tmp_path, "model.py")
    assert "[*]" not in proc.out and "1 more fixable with --unsafe-fixes" in proc.err


# --------------------------------------------------------------------------- colour

def test_no_colour_when_piped_colour_when_forced_and_no_color_wins(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    plain = run_env(tmp_path, {}, "train.py")
    assert ESC not in plain.stdout
    forced = run_env(tmp_path, {"FORCE_COLOR": "1"}, "train.py")
    assert f"{ESC}1mtrain.py{ESC}m" in forced.stdout and f"{ESC}1m{ESC}31mBNU001{ESC}m" in forced.stdout
    assert run_env(tmp_path, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, "train.py").stdout == plain.stdout
    assert ESC in run_env(tmp_path, {"NO_COLOR": "1"}, "--color", "always", "train.py").stdout
    assert ESC not in run_env(tmp_path, {"FORCE_COLOR": "1"}, "--color", "never", "train.py").stdout
    # Machine formats never carry colour.
    json.loads(run_env(tmp_path, {"FORCE_COLOR": "1"}, "--format", "json", "train.py").stdout)


def _run_on_a_terminal(cwd, env_extra, *args):
    """The command with its standard output on a real pseudo-terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(env_extra)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=cwd, env=env,
                            stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:   # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    code, out = _run_on_a_terminal(tmp_path, {}, "train.py")
    assert code == 1 and f"{ESC}31mBNU001" in out and f"{ESC}1mtrain.py" in out
    code, out = _run_on_a_terminal(tmp_path, {"NO_COLOR": "1"}, "train.py")
    assert code == 1 and ESC not in out and f"train.py:{BUGGY_POSITION}: BNU001" in out


# --------------------------------------------------------------------------- docs link

def test_docs_url_only_when_asked_in_text_always_in_json_and_sarif(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    assert DOCS not in run_cli(tmp_path, "train.py").out
    shown = finding_lines(run_cli(tmp_path, "--show-docs-url", "train.py").out)
    assert len(shown) == 1 and shown[0].endswith(f" ({DOCS})")
    assert json.loads(run_cli(tmp_path, "--format", "json", "train.py").out)[0]["url"] == DOCS
    sarif = json.loads(run_cli(tmp_path, "--format", "sarif", "train.py").out)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    result = sarif["runs"][0]["results"][0]
    assert DOCS in rules[result["ruleIndex"]]["help"]["text"]


# --------------------------------------------------------------------------- statistics, count, output file

def test_statistics_and_count_like_flake8(tmp_path):
    for name in ("a.py", "b.py"):
        write(tmp_path, name, BUGGY)
    write(tmp_path, "tower.py", TWO_CODES)
    proc = run_cli(tmp_path, "--statistics", "--count", "a.py", "b.py", "tower.py")
    lines = proc.out.splitlines()
    findings = finding_lines(proc.out)
    assert len(findings) == 4
    tail = lines[len(findings):]
    assert [line.split()[:2] for line in tail[:-1]] == [["2", "BNU001"], ["1", "BNU002"], ["1", "BNU003"]]
    assert tail[0].startswith("2     BNU001 `minimize` does not run")   # flake8's layout: count, code, message
    assert tail[-1] == "4"
    # flake8 prints the same shape for its own codes: compare the layout with the real thing.
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "BNU", "--statistics",
                             "--count", "a.py", "b.py", "tower.py"], cwd=tmp_path, capture_output=True, text=True)
    assert [line.split()[:2] for line in flake8.stdout.splitlines()[-4:-1]] == \
        [line.split()[:2] for line in tail[:-1]]
    assert flake8.stdout.splitlines()[-1] == "4"
    # With JSON, standard output stays one JSON document: the tallies go to standard error.
    as_json = run_cli(tmp_path, "--format", "json", "--count", "a.py")
    assert len(json.loads(as_json.out)) == 1 and as_json.err.startswith("1\n")


def test_output_file_receives_the_findings(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, "--output-file", "out/report.txt", "train.py")
    assert proc.returncode == 2 and "--output-file out/report.txt" in proc.err   # no such folder
    proc = run_cli(tmp_path, "--output-file", "report.txt", "--count", "--color", "always", "train.py")
    assert proc.returncode == 1 and proc.out == ""
    written = (tmp_path / "report.txt").read_text()
    assert "BNU001" in written and written.endswith("\n1\n") and ESC in written
    run_cli(tmp_path, "--output-file", "report.sarif", "--format", "sarif", "train.py")
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    proc = run_cli(tmp_path, "--output-file", "fix.diff", "--diff", "train.py")
    assert proc.out == "" and (tmp_path / "fix.diff").read_text().startswith("--- a/train.py\n")


# --------------------------------------------------------------------------- nothing to check

def test_a_path_without_python_files_is_a_warning_and_exit_2(tmp_path):
    write(tmp_path, "docs/index.md", "# docs\n")
    proc = run_cli(tmp_path, "docs")
    assert proc.returncode == 2
    assert "warning: no Python files or notebooks found in docs" in proc.err
    assert run_cli(tmp_path).returncode == 2   # the default "." holds nothing either
    write(tmp_path, "docs/conf.py", CLEAN)
    assert run_cli(tmp_path, "docs").returncode == 0
    # Files the user excluded are a deliberate choice (pre-commit passes them by name): not an error.
    write(tmp_path, "gen/model.py", BUGGY)
    proc = run_cli(tmp_path, "--extend-exclude", "gen/model.py", "gen/model.py")
    assert proc.returncode == 0 and "excluded" in proc.err


# --------------------------------------------------------------------------- interop

def test_stdin_display_name_is_flake8s_spelling(tmp_path):
    proc = run_cli(tmp_path, "-", "--stdin-display-name", "src/train.py", stdin=BUGGY.encode())
    assert finding_lines(proc.out)[0].startswith(f"src/train.py:{BUGGY_POSITION}: BNU001")
    # flake8 itself, given the same option, agrees.
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "BNU", "-",
                             "--stdin-display-name", "src/train.py"], cwd=tmp_path, input=BUGGY,
                            capture_output=True, text=True)
    assert flake8.stdout.startswith(f"src/train.py:{BUGGY_POSITION}: BNU001")


@pytest.mark.parametrize("name", ["setup.cfg", "tox.ini", ".flake8"])
def test_unknown_bn_key_in_flake8_config_is_one_line_in_both_tools(tmp_path, name):
    write(tmp_path, name, "[flake8]\nmax-line-length = 100\nbn_wrapers = mylib.bn:train\n")
    write(tmp_path, "train.py", BUGGY)
    command = run_cli(tmp_path, "train.py")
    assert command.returncode == 2
    assert command.err.strip() == (f"flake8-bn-update-ops: error: {tmp_path / name}: [flake8]: unknown key "
                                   f"'bn_wrapers' (known: bn-training-names, bn-wrappers, bn-train-op-helpers, "
                                   f"bn-cross-module)")
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "train.py"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert flake8.returncode != 0 and "Traceback" not in flake8.stderr
    assert f"{tmp_path / name}: [flake8]: unknown key 'bn_wrapers'" in flake8.stdout + flake8.stderr
    # Other plugins' keys stay theirs, as in flake8.
    write(tmp_path, name, "[flake8]\nmax-line-length = 100\nbugbear-opinion = 1\n")
    assert run_cli(tmp_path, "train.py").returncode == 1


def test_folder_walks_respect_gitignore_unless_told_not_to(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, ".gitignore", "env-py311/\n*_generated.py\n!keep_generated.py\n")
    write(tmp_path, "src/.gitignore", "scratch/\n")
    for name in ("src/train.py", "env-py311/lib/site.py", "src/model_generated.py", "src/keep_generated.py",
                 "src/scratch/try.py", "src/nb.ipynb"):
        write(tmp_path, name, BUGGY if name.endswith(".py") else "{}")

    def checked(*args):
        proc = run_cli(tmp_path, *args)
        return sorted({line.split(":")[0] for line in proc.out.splitlines() if ": BNU" in line})

    assert checked() == [os.path.join(".", "src", "keep_generated.py"), os.path.join(".", "src", "nb.ipynb"),
                         os.path.join(".", "src", "train.py")]
    # Walking a sub-folder still reads the .gitignore files above it, up to the repository root.
    assert checked("src") == [os.path.join("src", "keep_generated.py"), os.path.join("src", "nb.ipynb"),
                              os.path.join("src", "train.py")]
    # Named files are always checked.
    assert checked("src/model_generated.py", "env-py311/lib/site.py") == [
        "env-py311/lib/site.py", "src/model_generated.py"]
    assert len(checked("--no-respect-gitignore")) == 6


def test_a_folder_named_on_the_command_line_is_walked_even_if_a_gitignore_above_ignores_it(tmp_path):
    # ripgrep and ruff check what they are told to: `tool build/` walks build/ even where the
    # repository's .gitignore ignores it; rules inside it still apply.
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n")
    folder = tmp_path / "generated"
    folder.mkdir()
    write(folder, "train.py", BUGGY)
    write(folder, "skip_me.py", BUGGY)
    (folder / ".gitignore").write_text("skip_me.py\n")
    named = run_cli(tmp_path, "generated")
    assert finding_lines(named.out) and all(line.startswith("generated/train.py:") for line in finding_lines(named.out))
    walked = run_cli(tmp_path, ".")
    assert "generated" not in walked.out
