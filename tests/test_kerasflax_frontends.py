"""The Keras/Flax codes through the other front ends, as the TF codes: a notebook checked and
fixed by the command (cell positions, unsafe fixes written back into the cells)."""
from __future__ import annotations

import json
import subprocess
import sys


def _notebook(path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# fine-tuning\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import keras\n", "norm = keras.layers.BatchNormalization(momentum=0.1)\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import flax.linen as nn\n", "bn = nn.BatchNorm(momentum=0.05)\n"]},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                    encoding="utf-8")


def _command(*args, cwd):
    return subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_notebook_cells_are_checked_and_fixed(tmp_path):
    _notebook(tmp_path / "train.ipynb")
    checked = _command("--select", "BNU", "train.ipynb", cwd=tmp_path)
    assert "Traceback" not in checked.stderr
    assert "train.ipynb:cell_1:2:49: BNU203" in checked.stdout
    assert "train.ipynb:cell_2:2:28: BNU303" in checked.stdout
    assert _command("train.ipynb", cwd=tmp_path).stdout == ""     # off by default
    fixed = _command("--select", "BNU", "--fix", "--unsafe-fixes", "train.ipynb", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    cells = json.loads((tmp_path / "train.ipynb").read_text(encoding="utf-8"))["cells"]
    assert cells[1]["source"][1] == "norm = keras.layers.BatchNormalization(momentum=0.9)\n"
    assert cells[2]["source"][1] == "bn = nn.BatchNorm(momentum=0.95)\n"
    assert _command("--select", "BNU", "train.ipynb", cwd=tmp_path).stdout == ""
