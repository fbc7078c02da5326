"""The normalizer-fn fix (BNU003's flag given through ``normalizer_params``) keeps its lines within
the project's ``max-line-length`` (issue 25 item 3): a new dict entry goes under the first one
(PEP 8's visual indent) or, when that does not fit, the entries hang on the next line; a
``{**params, "is_training": flag}`` replacement hangs after its ``{``. Before, each was appended on
the same line (measured: 146 columns on a 120-column project).

The real command fixes a real project (its ``setup.cfg`` sets the length), then the real flake8
reads the same configuration and reports no E501 on the fixed file (nor any other E/W code in
flake8's default selection); the fixed file compiles, is silent for BNU003 and a second fix run
changes nothing.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from flake8 import defaults

SOURCE = textwrap.dedent("""\
    import tensorflow as tf
    import tensorflow.contrib.slim as slim

    BATCH_NORM_PARAMS = {"decay": 0.997, "epsilon": 1e-5, "scale": True}


    def network(images, is_training):
        with tf.variable_scope("a_fairly_long_scope_name_for_the_network"):
            net = slim.conv2d(images, 64, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params=BATCH_NORM_PARAMS)
            net = slim.conv2d(net, 64, [3, 3], normalizer_fn=slim.batch_norm, scope="conv2_with_a_long_name",
                              normalizer_params={"decay": 0.997, "epsilon": 1e-5, "scale": True, "center": True})
            net = slim.conv2d(net, 64, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={"decay": 0.997})
            net = slim.conv2d(net, 64, [3, 3], normalizer_fn=slim.batch_norm, scope="conv4", padding="SAME")
        return net
    """)

FIXED_AT_120 = textwrap.dedent("""\
    import tensorflow as tf
    import tensorflow.contrib.slim as slim

    BATCH_NORM_PARAMS = {"decay": 0.997, "epsilon": 1e-5, "scale": True}


    def network(images, is_training):
        with tf.variable_scope("a_fairly_long_scope_name_for_the_network"):
            net = slim.conv2d(images, 64, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={
                    **BATCH_NORM_PARAMS, "is_training": is_training})
            net = slim.conv2d(net, 64, [3, 3], normalizer_fn=slim.batch_norm, scope="conv2_with_a_long_name",
                              normalizer_params={"decay": 0.997, "epsilon": 1e-5, "scale": True, "center": True,
                                                 "is_training": is_training})
            net = slim.conv2d(net, 64, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={
                    "decay": 0.997, "is_training": is_training})
            net = slim.conv2d(net, 64, [3, 3], normalizer_fn=slim.batch_norm, scope="conv4", padding="SAME",
                              normalizer_params={"is_training": is_training})
        return net
    """)


def command(folder, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=folder,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return proc


def pycodestyle_codes(folder, name):
    """The real flake8 on the file, with the project's configuration and flake8's default ignores."""
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "E,W", "--extend-ignore",
                           ",".join(defaults.IGNORE), "--format", "%(row)d:%(code)s", name],
                          cwd=folder, capture_output=True, text=True)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout.split()


@pytest.mark.parametrize("limit", [120, 114])
def test_the_normalizer_params_fix_fits_the_projects_line_length(tmp_path, limit):
    assert max(len(line) for line in SOURCE.splitlines()) <= 114
    (tmp_path / "setup.cfg").write_text(f"[flake8]\nmax-line-length = {limit}\n", encoding="utf-8")
    path = tmp_path / "net.py"
    path.write_text(SOURCE, encoding="utf-8")
    assert pycodestyle_codes(tmp_path, "net.py") == []
    found = json.loads(command(tmp_path, "--format", "json", "net.py").stdout)
    assert [(record["line"], record["code"]) for record in found] == [(9, "BNU003"), (10, "BNU003"), (12, "BNU003"),
                                                                      (13, "BNU003")]
    command(tmp_path, "--fix", "--unsafe-fixes", "net.py")
    fixed = path.read_text(encoding="utf-8")
    if limit == 120:
        assert fixed == FIXED_AT_120
    assert fixed != SOURCE
    assert pycodestyle_codes(tmp_path, "net.py") == []
    assert max(len(line) for line in fixed.splitlines()) <= limit
    compile(fixed, "net.py", "exec")
    assert "BNU003" not in command(tmp_path, "net.py").stdout
    command(tmp_path, "--fix", "--unsafe-fixes", "net.py")
    assert path.read_text(encoding="utf-8") == fixed


def test_a_short_line_keeps_the_new_entry_on_it(tmp_path):
    # The look-alike that fits (124 columns of 130): the entry joins the dict on its line, as before.
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = 130\n", encoding="utf-8")
    path = tmp_path / "net.py"
    path.write_text(textwrap.dedent("""\
        import tensorflow.contrib.slim as slim


        def network(x, is_training):
            return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, normalizer_params={"decay": 0.9})
        """), encoding="utf-8")
    command(tmp_path, "--fix", "--unsafe-fixes", "net.py")
    assert path.read_text(encoding="utf-8").splitlines()[-1] == (
        '    return slim.conv2d(x, 8, 3, normalizer_fn=slim.batch_norm, '
        'normalizer_params={"decay": 0.9, "is_training": is_training})')
