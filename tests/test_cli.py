"""``python -m flake8_bn_update_ops`` run for real in a subprocess, on real files."""
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema

BUGGY = textwrap.dedent("""\
    import tensorflow as tf

    def build(x, is_training):
        h = tf.layers.batch_normalization(x, training=is_training)
        loss = tf.reduce_mean(h)
        opt = tf.train.AdamOptimizer(1e-3)
        train_op = opt.minimize(loss)
        return train_op
""")
# Where BNU001 sits: line 7, at the ``o`` of ``opt.minimize`` (column 16, 1-based).
BUGGY_POSITION = "7:16"
WRAP = "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):"

# The train op is nested in a call: only the unsafe fix (hoist, then wrap) applies.
NESTED = textwrap.dedent("""\
    import tensorflow as tf

    def model_fn(features, labels, mode):
        h = tf.layers.batch_normalization(features, training=mode == tf.estimator.ModeKeys.TRAIN)
        loss = tf.reduce_mean(h)
        opt = tf.train.AdamOptimizer(1e-3)
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=opt.minimize(loss))
""")

CLEAN = "import os\n\nprint(os.getcwd())\n"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def run_cli(cwd, *args, stdin=None):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=cwd,
                          input=stdin, capture_output=True)
    proc.out = proc.stdout.decode("utf-8", "replace")
    proc.err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in proc.err, proc.err
    return proc


def finding_lines(text):
    return [line for line in text.splitlines() if ": BNU" in line]


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_reports_the_canonical_bug_flake8_style(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, "train.py")
    lines = finding_lines(proc.out)
    assert len(lines) == 1 and lines[0].startswith(f"train.py:{BUGGY_POSITION}: BNU001 "), proc.out
    assert proc.returncode == 1
    assert "fixed 0, remaining 1" in proc.err and "1 fixable with --fix" in proc.err


def test_clean_tree_exits_zero_and_says_so(tmp_path):
    write(tmp_path, "a.py", CLEAN)
    proc = run_cli(tmp_path)
    assert proc.returncode == 0 and proc.out == ""
    assert "fixed 0, remaining 0" in proc.err


def test_directory_walk_skips_vcs_venv_and_excluded_folders(tmp_path):
    for folder in ("pkg", "pkg/sub", ".git", ".venv", "venv", "build", "node_modules",
                   "thing.egg-info", "gen", ".tox", "__pycache__"):
        write(tmp_path, f"{folder}/train.py", BUGGY)
    write(tmp_path, "pkg/notes.txt", BUGGY)  # not *.py: not walked
    proc = run_cli(tmp_path, "--extend-exclude", "gen")
    paths = sorted(line.split(":")[0] for line in finding_lines(proc.out))
    assert paths == [os.path.join(".", "pkg", "sub", "train.py"), os.path.join(".", "pkg", "train.py")]
    # --exclude replaces the defaults: now build/ is checked and pkg/ is not.
    proc = run_cli(tmp_path, "--exclude", "pkg,.git,.venv,venv,node_modules,*.egg-info,gen,.tox,__pycache__")
    assert sorted(line.split(":")[0] for line in finding_lines(proc.out)) == [
        os.path.join(".", "build", "train.py")]
    # A path pattern (with a slash) is matched against the absolute path.
    proc = run_cli(tmp_path, "pkg", "--extend-exclude", "pkg/sub")
    assert [line.split(":")[0] for line in finding_lines(proc.out)] == [os.path.join("pkg", "train.py")]


def test_explicit_file_is_checked_whatever_its_extension(tmp_path):
    write(tmp_path, "script", BUGGY)
    proc = run_cli(tmp_path, "script")
    assert finding_lines(proc.out)[0].startswith(f"script:{BUGGY_POSITION}: BNU001")


def test_diff_shows_the_one_statement_wrap_and_writes_nothing(tmp_path):
    path = write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, "--diff", "train.py")
    assert proc.returncode == 1
    assert path.read_text() == BUGGY
    assert proc.out.startswith("--- a/train.py\n+++ b/train.py\n")
    diff_lines = proc.out.splitlines()
    added = [line[1:] for line in diff_lines if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff_lines if line.startswith("-") and not line.startswith("---")]
    assert removed == ["    train_op = opt.minimize(loss)"]
    assert added == [f"    {WRAP}", "        train_op = opt.minimize(loss)"]
    # The diff is a real patch: git applies it and the result is what --fix writes.
    patched = tmp_path / "patched"
    patched.mkdir()
    shutil.copy(path, patched / "train.py")
    subprocess.run(["git", "apply", "-p1", "-"], input=proc.stdout, cwd=patched, check=True)
    run_cli(tmp_path, "--fix", "train.py")
    assert (patched / "train.py").read_bytes() == path.read_bytes()


def test_diff_on_clean_code_exits_zero(tmp_path):
    write(tmp_path, "a.py", CLEAN)
    proc = run_cli(tmp_path, "--diff", "a.py")
    assert proc.returncode == 0 and proc.out == ""


def test_fix_applies_the_safe_fix_then_a_second_run_changes_nothing(tmp_path):
    path = write(tmp_path, "train.py", BUGGY)
    os.chmod(path, 0o751)
    proc = run_cli(tmp_path, "--fix", "train.py")
    assert proc.returncode == 0, proc.out + proc.err
    assert "fixed 1, remaining 0" in proc.err
    fixed = path.read_text()
    assert f"    {WRAP}\n        train_op = opt.minimize(loss)\n" in fixed
    compile(fixed, "train.py", "exec")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o751
    again = run_cli(tmp_path, "--fix", "train.py")
    assert again.returncode == 0 and path.read_text() == fixed
    assert run_cli(tmp_path, "train.py").returncode == 0


def test_unsafe_fix_needs_the_flag_and_the_summary_says_so(tmp_path):
    path = write(tmp_path, "model.py", NESTED)
    proc = run_cli(tmp_path, "--fix", "model.py")
    assert proc.returncode == 1 and path.read_text() == NESTED
    assert "1 more fixable with --unsafe-fixes" in proc.err
    proc = run_cli(tmp_path, "--fix", "--unsafe-fixes", "model.py")
    assert proc.returncode == 0, proc.out + proc.err
    fixed = path.read_text()
    assert "control_dependencies" in fixed and "train_op=train_op" in fixed
    compile(fixed, "model.py", "exec")


def test_select_ignore_and_exit_zero(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    assert run_cli(tmp_path, "--select", "BNU002", "train.py").returncode == 0
    assert run_cli(tmp_path, "--ignore", "BNU00", "train.py").returncode == 0
    assert run_cli(tmp_path, "--select", "BNU", "train.py").returncode == 1
    proc = run_cli(tmp_path, "--exit-zero", "train.py")
    assert proc.returncode == 0 and finding_lines(proc.out)
    proc = run_cli(tmp_path, "--select", "bnu", "train.py")
    assert proc.returncode == 2 and "code prefix" in proc.err


def test_noqa_is_honoured_when_checking_and_fixing(tmp_path):
    source = BUGGY.replace("opt.minimize(loss)", "opt.minimize(loss)  # noqa: BNU001")
    path = write(tmp_path, "train.py", source)
    assert run_cli(tmp_path, "train.py").returncode == 0
    assert run_cli(tmp_path, "--fix", "train.py").returncode == 0
    assert path.read_text() == source
    other = BUGGY.replace("opt.minimize(loss)", "opt.minimize(loss)  # noqa: E501")
    write(tmp_path, "other.py", other)
    assert run_cli(tmp_path, "other.py").returncode == 1
    write(tmp_path, "skipped.py", "# flake8: noqa\n" + BUGGY)
    assert run_cli(tmp_path, "skipped.py").returncode == 0


def test_jobs_give_the_same_output_in_the_same_order(tmp_path):
    for index in range(12):
        write(tmp_path, f"m{index:02d}.py", BUGGY if index % 3 else CLEAN)
    serial = run_cli(tmp_path, "--jobs", "1")
    parallel = run_cli(tmp_path, "--jobs", "2")
    default = run_cli(tmp_path)
    assert serial.out == parallel.out == default.out
    assert len(finding_lines(serial.out)) == 8
    assert serial.returncode == parallel.returncode == 1
    assert run_cli(tmp_path, "--jobs", "0").returncode == 2


def test_stdin_reports_under_the_given_file_name(tmp_path):
    proc = run_cli(tmp_path, "-", "--stdin-filename", "src/train.py", stdin=BUGGY.encode())
    assert finding_lines(proc.out)[0].startswith(f"src/train.py:{BUGGY_POSITION}: BNU001")
    assert proc.returncode == 1


def test_stdin_fix_writes_only_the_fixed_source_to_stdout(tmp_path):
    data = BUGGY.replace("\n", "\r\n").encode()
    proc = run_cli(tmp_path, "--fix", "-", "--stdin-filename", "train.py", stdin=data)
    assert proc.returncode == 0, proc.err
    fixed = proc.stdout.decode()
    assert WRAP in fixed and "\n" not in fixed.replace("\r\n", "")  # CRLF kept throughout
    compile(fixed, "train.py", "exec")
    assert "fixed 1, remaining 0" in proc.err
    # Nothing to fix: the bytes come back exactly as they went in.
    clean = b"\xef\xbb\xbf" + CLEAN.encode()
    proc = run_cli(tmp_path, "--fix", "-", stdin=clean)
    assert proc.stdout == clean and proc.returncode == 0
    # Findings that remain go to standard error, never into the source.
    proc = run_cli(tmp_path, "--fix", "-", stdin=NESTED.encode())
    assert proc.stdout.decode() == NESTED
    assert "BNU001" in proc.err and proc.returncode == 1


def test_output_formats_on_a_real_run(tmp_path):
    write(tmp_path, "train.py", BUGGY)
    records = json.loads(run_cli(tmp_path, "--format", "json", "train.py").out)
    assert [(r["path"], r["line"], r["column"], r["code"], r["fix_available"], r["fix_safety"])
            for r in records] == [("train.py", 7, 16, "BNU001", True, "safe")]
    github = run_cli(tmp_path, "--format", "github", "train.py").out.splitlines()
    assert len(github) == 1
    assert github[0].startswith("::warning file=train.py,line=7,col=16,") and "title=BNU001::BNU001 " in github[0]
    log = json.loads(run_cli(tmp_path, "--format", "sarif", "train.py").out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["BNU001"]
    shown = run_cli(tmp_path, "--show-source", "train.py").out.splitlines()
    assert shown[1:] == ["    train_op = opt.minimize(loss)", "               ^"]


def test_version_and_usage_errors(tmp_path):
    from flake8_bn_update_ops import __version__

    proc = run_cli(tmp_path, "--version")
    assert proc.returncode == 0 and __version__ in proc.out
    assert run_cli(tmp_path, "--no-such-option").returncode == 2
    assert run_cli(tmp_path, "--format", "xml").returncode == 2
    proc = run_cli(tmp_path, "--bn-cross-module", "perhaps", ".")
    assert proc.returncode == 2 and "command line: bn-cross-module" in proc.err


def test_unparsable_file_is_a_finding_and_never_written(tmp_path):
    source = "import tensorflow as tf\nopt = tf.train.AdamOptimizer()\nprint 'x'\ntrain_op = opt.minimize(loss)\n"
    path = write(tmp_path, "py2.py", source)
    write(tmp_path, "train.py", BUGGY)
    proc = run_cli(tmp_path, "--fix", ".")
    assert proc.returncode == 1
    lines = finding_lines(proc.out)
    assert len(lines) == 1 and lines[0].startswith(os.path.join(".", "py2.py") + ":3:1: BNU900 could not parse: Missing parentheses")
    assert path.read_text() == source
    assert WRAP in (tmp_path / "train.py").read_text()  # the other file was still fixed


def test_a_file_libcst_takes_but_python_rejects_is_never_written(tmp_path):
    # libcst parses this, Python does not ('return' outside a function): the fixed
    # source cannot compile either, so the file is a BNU900 and is left alone.
    source = BUGGY.replace("    return train_op\n", "") + "return None\n"
    source = source.replace("def build(x, is_training):\n", "if True:\n    x, is_training = 1, 2\n")
    path = write(tmp_path, "odd.py", source)
    proc = run_cli(tmp_path, "--fix", "odd.py")
    assert path.read_text() == source
    assert proc.returncode == 1
    assert finding_lines(proc.out) == ["odd.py:9:1: BNU900 could not parse: 'return' outside function"]


def test_config_from_pyproject_is_used(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.flake8-bn-update-ops]\nignore = ["BNU001"]\nextend-exclude = ["gen"]\n')
    write(tmp_path, "train.py", BUGGY)
    write(tmp_path, "gen/train.py", BUGGY)
    assert run_cli(tmp_path).returncode == 0
    proc = run_cli(tmp_path, "--isolated")
    assert proc.returncode == 1 and len(finding_lines(proc.out)) == 2


OPS = textwrap.dedent("""\
    import tensorflow as tf

    def conv_bn(x, is_training):
        return tf.layers.batch_normalization(x, training=is_training)
""")
TRAINER = textwrap.dedent("""\
    import tensorflow as tf
    from ops import conv_bn

    def build(x, is_training):
        loss = tf.reduce_mean(conv_bn(x, is_training))
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
        return train_op
""")


def test_cross_module_switch_and_stdin_file_name_reach_the_engine(tmp_path):
    write(tmp_path, "proj/ops.py", OPS)
    write(tmp_path, "proj/train.py", TRAINER)
    proj = tmp_path / "proj"
    on = finding_lines(run_cli(proj, "train.py").out)
    assert [line.split(": ")[1].split()[0] for line in on] == ["BNU001"]
    assert run_cli(proj, "--bn-cross-module", "no", "train.py").returncode == 0
    # Standard input with its file name sees the sibling module, as an editor needs.
    proc = run_cli(tmp_path, "-", "--stdin-filename", str(proj / "train.py"), stdin=TRAINER.encode())
    assert len(finding_lines(proc.out)) == 1
    write(tmp_path, "proj/setup.cfg", "[flake8]\nbn-cross-module = no\n")
    assert run_cli(proj, "train.py").returncode == 0
