"""BNU102 and BNU106 point to a second call (the training step; the ``.train()`` that undoes a
freeze). A notebook's findings are placed by cell and line, but a message's text is not
translated: a module line number inside it would name no line the user sees. The messages name
that call by its text and the function it is in instead, the same in a notebook as in a .py file.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])

CELLS = [
    "import torch\nfrom torch import nn\n\nmodel = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\nmodel.train()",
    "def train():\n"
    "    for epoch in range(3):\n"
    "        for x in [torch.randn(16, 4)]:\n"
    "            optimizer.zero_grad()\n"
    "            model(x).sum().backward()\n"
    "            optimizer.step()\n"
    "        model.eval()\n"
    "        with torch.no_grad():\n"
    "            model(torch.randn(16, 4))",
    "def freeze_bn(net):\n    for m in net.modules():\n        if isinstance(m, nn.BatchNorm1d):\n            m.eval()",
    "small = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))\n"
    "small_optimizer = torch.optim.SGD(small.parameters(), lr=0.1)\nfreeze_bn(small)",
    "def fit():\n"
    "    for epoch in range(3):\n"
    "        small.train()\n"
    "        for x in [torch.randn(2, 4)]:\n"
    "            small_optimizer.zero_grad()\n"
    "            small(x).sum().backward()\n"
    "            small_optimizer.step()\n\n\n"
    "fit()",
]


def write_notebook(path: Path, cells) -> None:
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{number}", "metadata": {},
                           "outputs": [], "source": source} for number, source in enumerate(cells)],
                "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                             "language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, indent=1))


def check(cwd: Path, name: str) -> list:
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--select",
                             "BNU102,BNU106", name], cwd=cwd, capture_output=True, text=True, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stdout.splitlines() if ": BNU" in line]


def test_notebook_messages_name_the_other_call_not_a_module_line(tmp_path):
    write_notebook(tmp_path / "train.ipynb", CELLS)
    assert check(tmp_path, "train.ipynb") == [
        "train.ipynb:cell_2:7:9: BNU102 `model.eval()` reaches the training step `model(x).sum().backward()` in "
        "`train()` with no `.train()` in between: batch norm then trains on its running statistics and stops "
        "updating them",
        "train.ipynb:cell_4:3:1: BNU106 this puts `small`'s batch norm in eval mode to freeze it, and the "
        "`small.train()` in `fit()` puts it back in training mode before the next training step: its running "
        "statistics move again; re-freeze after every `.train()` (a `train` override)",
    ]


def test_the_same_cells_as_a_module_give_the_same_messages(tmp_path):
    # The .py file of the same code: its positions are the module's, its messages the notebook's.
    write_notebook(tmp_path / "train.ipynb", CELLS)
    (tmp_path / "train.py").write_text("\n".join(CELLS) + "\n")

    def messages(lines):
        return [re.sub(r"^\S+?:(cell_\d+:)?\d+:\d+: ", "", line) for line in lines]
    as_module = check(tmp_path, "train.py")
    assert [line.split(": BNU")[0] for line in as_module] == ["train.py:13:9", "train.py:22:1"]
    assert messages(as_module) == messages(check(tmp_path, "train.ipynb"))
    assert not any(re.search(r"\bline \d", line) for line in as_module)


def test_a_step_at_module_level_is_named_without_a_function(tmp_path):
    cells = [CELLS[0], CELLS[1].replace("def train():\n", "").replace("\n    ", "\n")[4:]]
    write_notebook(tmp_path / "loop.ipynb", cells)
    found = check(tmp_path, "loop.ipynb")
    assert len(found) == 1 and found[0].startswith(
        "loop.ipynb:cell_2:6:5: BNU102 `model.eval()` reaches the training step `model(x).sum().backward()` "
        "with no `.train()` in between"), found
