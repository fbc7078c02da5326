"""The flake8 plugin, through the real ``flake8`` executable on real files."""
import subprocess
import sys
import textwrap
from importlib.metadata import version

import pytest

BUGGY = textwrap.dedent("""\
    import tensorflow as tf

    def build(x, is_training):
        h = tf.layers.batch_normalization(x, training=is_training)
        loss = tf.reduce_mean(h)
        opt = tf.train.AdamOptimizer(1e-3)
        train_op = opt.minimize(loss)
        return train_op
""")
BUGGY_POSITION = "7:16"

# Python accepts this indentation (a tab then spaces, consistently), libcst's tokenizer
# does not: the plugin must say BNU900 once instead of crashing flake8.
LIBCST_REJECTS = (
    "import tensorflow as tf\n"
    "if x:\n"
    "    if y:\n"
    "\t    pass\n"
    "train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)\n"
)


def flake8(cwd, *args, stdin=None):
    proc = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def bnu_lines(text):
    return [line for line in text.splitlines() if ": BNU" in line]


def test_version_lists_the_plugin_with_its_distribution_version(tmp_path):
    proc = flake8(tmp_path, "--version")
    assert f"flake8-bn-update-ops: {version('flake8-bn-update-ops')}" in proc.stdout.replace("\n", " ")


def test_importing_the_plugin_does_not_import_libcst_or_the_engine():
    code = ("import sys, flake8_bn_update_ops.plugin; "
            "print(sorted(m for m in ('libcst', 'flake8_bn_update_ops.engine') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_flake8_on_code_without_tensorflow_never_imports_libcst(tmp_path):
    (tmp_path / "plain.py").write_text("import os\n\nprint(os.sep)\n")
    code = ("import sys\nfrom flake8.main.cli import main\nrc = main(['--jobs', '1', 'plain.py'])\n"
            "print('libcst' in sys.modules, rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "False 0", proc.stdout + proc.stderr


def test_flake8_reports_the_canonical_bug(tmp_path):
    (tmp_path / "train.py").write_text(BUGGY)
    proc = flake8(tmp_path, "--select", "BNU", "train.py")
    lines = bnu_lines(proc.stdout)
    assert len(lines) == 1 and lines[0].startswith(f"train.py:{BUGGY_POSITION}: BNU001 "), proc.stdout
    assert proc.returncode == 1


def test_plugin_is_on_by_default(tmp_path):
    (tmp_path / "train.py").write_text(BUGGY)
    assert bnu_lines(flake8(tmp_path, "train.py").stdout)


@pytest.mark.parametrize("comment, reported", [
    ("  # noqa: BNU001", False),
    ("  # noqa:BNU001,E501", False),
    ("  # noqa", False),
    ("  # noqa: BNU", False),
    ("  # NOQA : E501", False),
    ("  # noqa: E501", True),
    ("  # noqa: BNU002", True),
])
def test_noqa_through_flake8(tmp_path, comment, reported):
    source = BUGGY.replace("opt.minimize(loss)", "opt.minimize(loss)" + comment)
    (tmp_path / "train.py").write_text(source)
    lines = bnu_lines(flake8(tmp_path, "--select", "BNU", "train.py").stdout)
    assert bool(lines) is reported


def test_stdin_uses_the_display_name_and_the_unsaved_text(tmp_path):
    # An editor sends its buffer; the file on disk (here: clean) must not be read.
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text("x = 1\n")
    proc = flake8(tmp_path, "--select", "BNU", "-", "--stdin-display-name", "src/train.py",
                  stdin=BUGGY)
    lines = bnu_lines(proc.stdout)
    assert len(lines) == 1 and lines[0].startswith(f"src/train.py:{BUGGY_POSITION}: BNU001")


def test_file_libcst_rejects_is_checked_like_any_other(tmp_path):
    # Detection needs only what Python parses (RULES.md, BNU900): libcst's rejection of mixed
    # tabs and spaces costs such a file its fixes, never its findings.
    compile(LIBCST_REJECTS, "x.py", "exec")  # Python itself is fine with it
    (tmp_path / "mixed.py").write_text(LIBCST_REJECTS)
    proc = flake8(tmp_path, "--select", "BNU,E9", "mixed.py")
    assert "BNU900" not in proc.stdout and "E999" not in proc.stdout
    assert proc.returncode == 0, proc.stdout   # it builds no batch norm: nothing to report
    (tmp_path / "mixed_bn.py").write_text(LIBCST_REJECTS.replace(
        "if x:", "net = tf.layers.batch_normalization(images, training=is_training)\nif x:"))
    lines = bnu_lines(flake8(tmp_path, "--select", "BNU", "mixed_bn.py").stdout)
    assert [line.split(" ")[0] + " " + line.split(" ")[1] for line in lines] == ["mixed_bn.py:6:12: BNU001"], lines


def test_syntax_errors_are_left_to_flake8(tmp_path):
    (tmp_path / "py2.py").write_text("import tensorflow as tf\nprint 'x'\nopt.minimize(loss)\n")
    proc = flake8(tmp_path, "py2.py")
    assert "E999" in proc.stdout and not bnu_lines(proc.stdout)


def test_cross_module_switch_reaches_the_engine(tmp_path):
    # Batch norm built in a sibling module, trained here: only the cross-module
    # analysis can see it, so the option must change the outcome.
    (tmp_path / "ops.py").write_text(textwrap.dedent("""\
        import tensorflow as tf

        def conv_bn(x, is_training):
            return tf.layers.batch_normalization(x, training=is_training)
    """))
    (tmp_path / "train.py").write_text(textwrap.dedent("""\
        import tensorflow as tf
        from ops import conv_bn

        def build(x, is_training):
            loss = tf.reduce_mean(conv_bn(x, is_training))
            train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
            return train_op
    """))
    on = bnu_lines(flake8(tmp_path, "--select", "BNU", "train.py").stdout)
    off = bnu_lines(flake8(tmp_path, "--select", "BNU", "--bn-cross-module=no", "train.py").stdout)
    assert [line.split(": ")[1].split()[0] for line in on] == ["BNU001"]
    assert off == []
    (tmp_path / "setup.cfg").write_text("[flake8]\nbn-cross-module = no\n")
    assert bnu_lines(flake8(tmp_path, "--select", "BNU", "train.py").stdout) == []
