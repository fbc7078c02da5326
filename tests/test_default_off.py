"""Codes shipped off by default (``rules.DEFAULT_OFF``): silent in a plain flake8 or command run,
reported once a select names them (``--select BNU``, flake8's ``--extend-select``), and each such
unit says so, with its figures, in its own documentation."""
from __future__ import annotations

import subprocess
import sys

import pytest

from flake8_bn_update_ops.rules import CODES, DEFAULT_OFF, rules_by_code

SOURCE = "import keras\n\nnorm = keras.layers.BatchNormalization(momentum=0.1)\n"
FLAGGED = "example.py:3:49: BNU203"


def _run(args, cwd):
    result = subprocess.run([sys.executable, "-m", *args, "--isolated", "example.py"], cwd=cwd,
                            capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture()
def folder(tmp_path):
    (tmp_path / "example.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_default_off_codes_are_real_codes_documented_as_off():
    assert set(DEFAULT_OFF) <= set(CODES)
    for code in DEFAULT_OFF:
        assert "Off by default" in rules_by_code()[code].effect


@pytest.mark.parametrize("command", [["flake8"], ["flake8_bn_update_ops"]])
def test_a_plain_run_leaves_default_off_codes_out(folder, command):
    assert FLAGGED not in _run(command, folder)


@pytest.mark.parametrize("command,select", [
    (["flake8"], ["--select", "BNU"]),
    (["flake8"], ["--extend-select", "BNU2"]),
    (["flake8_bn_update_ops"], ["--select", "BNU"]),
    (["flake8_bn_update_ops"], ["--select", "BNU203"]),
])
def test_a_select_that_names_them_turns_them_on(folder, command, select):
    assert FLAGGED in _run(command + select, folder)
