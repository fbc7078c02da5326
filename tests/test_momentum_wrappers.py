"""BNU203/BNU303 through the project's own batch-norm wrapper (torchreal: flaxmodels passes
``momentum=0.1`` to ``ops.batch_norm``, which hands it unchanged to ``flax.linen.BatchNorm``):
the finding sits on the argument the wrapper's call writes, in the module that writes it, and the
look-alikes stay silent: a momentum in Flax's meaning, a wrapper that converts PyTorch's meaning
(``1 - momentum``), a parameter rebound before use, and a wrapper around PyTorch's batch norm."""
from __future__ import annotations

import re
import subprocess
import sys

OPS = '''\
import flax.linen as nn
import torch.nn as torch_nn


def batch_norm(x, train, epsilon=1e-05, momentum=0.99):
    return nn.BatchNorm(use_running_average=not train, momentum=momentum, epsilon=epsilon)(x)


def converted_norm(x, train, momentum=0.1):
    return nn.BatchNorm(use_running_average=not train, momentum=1 - momentum)(x)


def rebound_norm(x, train, momentum=0.1):
    momentum = 1 - momentum
    return nn.BatchNorm(use_running_average=not train, momentum=momentum)(x)


def torch_norm(channels, momentum=0.1):
    return torch_nn.BatchNorm2d(channels, momentum=momentum)
'''

RESNET = '''\
import flax.linen as nn

from . import ops


class Block(nn.Module):
    @nn.compact
    def __call__(self, x, train=True):
        x = nn.Conv(64, (3, 3))(x)
        x = ops.batch_norm(x, train=train, epsilon=1e-05, momentum=0.1)
        x = ops.batch_norm(x, train, 1e-05, 0.1)
        x = ops.batch_norm(x, train=train, momentum=0.9)
        x = ops.batch_norm(x, train=train)
        x = ops.converted_norm(x, train=train, momentum=0.1)
        x = ops.rebound_norm(x, train=train, momentum=0.1)
        return x


norm = ops.torch_norm(64, momentum=0.1)
'''

_FOUND = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>BNU\d{3}) ", re.M)


def _flake8(folder, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args, "."], cwd=folder,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((m["path"].lstrip("./"), int(m["line"]), int(m["column"]), m["code"])
                  for m in _FOUND.finditer(proc.stdout)), proc.stdout


def _package(tmp_path):
    """The two modules as the package ``models``: its folder."""
    package = tmp_path / "models"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ops.py").write_text(OPS)
    (package / "resnet.py").write_text(RESNET)
    return package


def test_a_momentum_passed_through_a_wrapper_in_another_module_is_reported_where_it_is_written(tmp_path):
    _package(tmp_path)
    found, output = _flake8(tmp_path, "--select", "BNU303,BNU1")
    assert found == [("models/resnet.py", 10, 68, "BNU303"), ("models/resnet.py", 11, 45, "BNU303")]
    assert "reaches `momentum` of `flax.linen.BatchNorm` through `batch_norm`" in output
    # Off by default, as BNU303 itself.
    assert _flake8(tmp_path)[0] == []


def test_the_fix_writes_the_flax_meaning_at_the_wrappers_call(tmp_path):
    package = _package(tmp_path)
    command = [sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--select", "BNU303", "--fix",
               "--unsafe-fixes", "models"]
    subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    fixed = (package / "resnet.py").read_text()
    assert fixed == RESNET.replace("epsilon=1e-05, momentum=0.1)", "epsilon=1e-05, momentum=0.9)") \
        .replace("train, 1e-05, 0.1)", "train, 1e-05, 0.9)")
    assert (package / "ops.py").read_text() == OPS
    compile(fixed, "resnet.py", "exec")
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (package / "resnet.py").read_text() == fixed and "fixed 0" in again.stderr
