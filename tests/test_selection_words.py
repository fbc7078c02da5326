"""Only the codes a run reports are checked (issue 23, benchmark B): the flake8 plugin asks
flake8's own select/ignore decision which BNU codes it will report, runs only their rules, and
lets a file pass the pre-check only on those codes' words. So ``trainable`` (BNU201's frozen
base, off by default) no longer makes every library module that freezes a layer worth
analysing, and ``--select E`` costs nothing. Each test fails if the words or the codes are
narrower than what flake8 reports: every flagged example of every rule unit is run through the
real flake8 executable, and what flake8 shows must be every marked finding whose code flake8's
documented decision selects."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from flake8_bn_update_ops.rules import CODES, DEFAULT_OFF, all_rules

_EXPECT = re.compile(r"#\s*expect:\s*((?:BNU\d{3}:\d+[\s,]*)+)")
_FOUND = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>BNU\d{3}) ", re.M)

# A Keras fine-tuning script whose only pre-check word is BNU201's ``trainable``: the frozen
# base is called without ``training=False`` and unfrozen later (BNU201, off by default).
FROZEN = '''\
import keras

base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
base.trainable = False
inputs = keras.Input((96, 96, 3))
outputs = keras.layers.Dense(2)(base(inputs))
model = keras.Model(inputs, outputs)
model.compile("sgd", "mse")
model.fit(images, targets, epochs=1)
base.trainable = True
model.compile("sgd", "mse")
model.fit(images, targets, epochs=1)
'''
FROZEN_FINDING = ("frozen.py", 6, 33, "BNU201")


def _flake8(folder, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args, "."], cwd=folder,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return {(m["file"].lstrip("./"), int(m["line"]), int(m["column"]), m["code"]) for m in _FOUND.finditer(proc.stdout)}


def _command(folder, *args):
    return subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args, "."], cwd=folder,
                          capture_output=True, text=True)


def _examples(folder):
    """Every flagged example of every rule unit as a file; the findings their markers expect."""
    expected = set()
    for rule in all_rules():
        for number, source in enumerate(rule.flagged):
            name = f"{rule.code.lower()}_{number}.py"
            (folder / name).write_text(source, encoding="utf-8")
            for line_number, line in enumerate(source.splitlines(), start=1):
                match = _EXPECT.search(line)
                for item in re.findall(r"BNU\d{3}:\d+", match.group(1)) if match else ():
                    code, column = item.split(":")
                    expected.add((name, line_number, int(column), code))
    return expected


def _flake8_selects(*args):
    """The codes flake8 reports under these options, from its own decision engine (the filter
    every plugin's findings pass through), asked through flake8's public legacy API."""
    from flake8.api import legacy
    from flake8.style_guide import Decision, DecisionEngine

    names = {"--select": "select", "--extend-select": "extend_select", "--ignore": "ignore",
             "--extend-ignore": "extend_ignore"}
    options = {names[flag]: value.split(",") for flag, value in zip(args[::2], args[1::2])}
    guide = legacy.get_style_guide(isolated=True, **options)
    decide = DecisionEngine(guide.options).decision_for
    return {code for code in CODES if decide(code) is Decision.Selected}


@pytest.mark.parametrize("options", [
    (),
    ("--extend-select", "BNU2"),
    ("--select", "BNU1,BNU3"),
    ("--select", "BNU", "--extend-ignore", "BNU0"),
    ("--ignore", "E501"),         # replaces flake8's default ignore list, DEFAULT_OFF included
], ids=["default", "extend-select-BNU2", "select-BNU1-BNU3", "select-BNU-ignore-BNU0", "ignore-E501"])
def test_flake8_shows_every_marked_finding_it_selects(tmp_path, options):
    expected = _examples(tmp_path)
    selected = _flake8_selects(*options)
    assert selected and {code for _, _, _, code in expected} == set(CODES)
    assert _flake8(tmp_path, *options) == {finding for finding in expected if finding[3] in selected}


def test_a_file_with_only_an_off_codes_word_is_checked_when_that_code_is_on(tmp_path):
    (tmp_path / "frozen.py").write_text(FROZEN, encoding="utf-8")
    assert "BNU201" in DEFAULT_OFF
    assert _flake8(tmp_path) == set()
    assert _flake8(tmp_path, "--extend-select", "BNU201") == {FROZEN_FINDING}
    assert _flake8(tmp_path, "--select", "BNU2") == {FROZEN_FINDING}
    assert _flake8(tmp_path, "--select", "BNU", "--extend-ignore", "BNU201") == set()


def test_the_command_skips_it_unparsed_unless_that_code_is_selected(tmp_path):
    (tmp_path / "frozen.py").write_text(FROZEN, encoding="utf-8")
    default = _command(tmp_path)
    assert default.returncode == 0 and default.stdout == ""
    assert "1 file skipped by the pre-check" in default.stderr
    selected = _command(tmp_path, "--select", "BNU201")
    assert "frozen.py:6:33: BNU201 " in selected.stdout and "skipped" not in selected.stderr
