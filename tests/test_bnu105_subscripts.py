"""BNU105 on subscripted receivers: a layer of a container (``model[0]``, ``nets[i]``) frozen by
``requires_grad`` alone is flagged as a named one is, and an ``.eval()``/``.train(False)`` of a
subscripted receiver keeps a freeze's statistics still as a named one's does. The real command,
on real files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])

HEAD = ("import torch\nfrom torch import nn\n\n"
        "model = nn.Sequential(nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8)), nn.Linear(8, 2))\n")
LOOP = ("for x in [torch.randn(2, 4)]:\n"
        "    optimizer.zero_grad()\n"
        "    model(x).sum().backward()\n"
        "    optimizer.step()\n")
NETS = ("import torch\nfrom torch import nn\n\n"
        "nets = [nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8)),\n"
        "        nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))]\n")
NETS_LOOP = ("for x in [torch.randn(2, 4)]:\n"
             "    optimizer.zero_grad()\n"
             "    (nets[0](x) + nets[1](x)).sum().backward()\n"
             "    optimizer.step()\n")

CASES = {
    # flagged: (source, [(line, column, key)])
    "element_of_a_sequential": (
        HEAD + "model[0].requires_grad_(False)\n"
        "optimizer = torch.optim.SGD(model[1].parameters(), lr=0.1)\nmodel.train()\n" + LOOP,
        [(5, 1, "model[0]")]),
    "parameters_of_a_list_element": (
        NETS + "for param in nets[0].parameters():\n    param.requires_grad = False\n"
        "optimizer = torch.optim.SGD(nets[1].parameters(), lr=0.1)\n" + NETS_LOOP,
        [(7, 5, "nets[0]")]),
    # An ``.eval()`` after training, undone by the ``.train()`` of the model before it: no freeze.
    "element_evaluated_only_after_training": (
        HEAD + "model[0].requires_grad_(False)\n"
        "optimizer = torch.optim.SGD(model[1].parameters(), lr=0.1)\nmodel.train()\n" + LOOP + "model[0].eval()\n",
        [(5, 1, "model[0]")]),
    # silent look-alikes
    "element_without_batch_norm": (
        HEAD + "model[1].requires_grad_(False)\n"
        "optimizer = torch.optim.SGD(model[0].parameters(), lr=0.1)\nmodel.train()\n" + LOOP,
        []),
    "element_evaluated_before_the_loop": (
        HEAD + "model[0].requires_grad_(False)\n"
        "optimizer = torch.optim.SGD(model[1].parameters(), lr=0.1)\nmodel.train()\nmodel[0].eval()\n" + LOOP,
        []),
    "list_elements_switched_off_by_index": (
        NETS + "for param in nets[0].parameters():\n    param.requires_grad = False\n"
        "optimizer = torch.optim.SGD(nets[1].parameters(), lr=0.1)\n"
        "for i in range(2):\n    nets[i].train(False)\n" + NETS_LOOP,
        []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bnu105_on_subscripted_receivers(tmp_path, name):
    source, expected = CASES[name]
    (tmp_path / "train.py").write_text(source)
    compile(source, "train.py", "exec")
    result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--select", "BNU105",
                             "train.py"], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=PACKAGE_ROOT))
    assert "Traceback" not in result.stderr, result.stderr
    found = [line.split(" contains batch norm")[0] for line in result.stdout.splitlines() if ": BNU105" in line]
    assert found == [f"train.py:{line}:{column}: BNU105 `{key}`" for line, column, key in expected]
