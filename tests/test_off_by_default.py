"""Codes under the precision/recall bar ship off by default, in flake8 and in the command, and
``--select BNU`` (or naming the code) turns them on, as flake8's own rule has it."""
from __future__ import annotations

import subprocess
import sys

from flake8_bn_update_ops.rules import CODES, DEFAULT_OFF

SOURCE = '''\
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8, momentum=0.9))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x in [torch.randn(16, 4)]:
    optimizer.zero_grad()
    model(x).sum().backward()
    optimizer.step()
with torch.no_grad():
    model(torch.randn(16, 4))
'''


def _codes(output: str) -> set:
    return {word for line in output.splitlines() for word in line.split() if word.startswith("BNU")}


def test_off_by_default_codes_are_registered_codes():
    assert set(DEFAULT_OFF) <= set(CODES)


def test_flake8_leaves_them_out_unless_selected(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE, encoding="utf-8")

    def flake8(*args):
        return subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args, "train.py"], cwd=tmp_path,
                              capture_output=True, text=True).stdout

    assert _codes(flake8()) & {"BNU104", "BNU101"} == {"BNU104"}
    assert {"BNU101", "BNU104"} <= _codes(flake8("--select", "BNU"))
    assert "BNU101" in _codes(flake8("--extend-select", "BNU101"))


def test_the_command_leaves_them_out_unless_selected(tmp_path):
    (tmp_path / "train.py").write_text(SOURCE, encoding="utf-8")

    def command(*args):
        return subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args, "train.py"],
                              cwd=tmp_path, capture_output=True, text=True).stdout

    assert _codes(command()) == {"BNU104"}
    assert _codes(command("--select", "BNU")) == {"BNU101", "BNU104"}
    assert _codes(command("--select", "BNU101")) == {"BNU101"}
