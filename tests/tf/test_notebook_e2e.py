"""End to end on real TensorFlow, in notebooks: run the buggy notebook headless, fix it with the real
command, run it again (issue 17).

``tests/tf/notebooks/`` holds two graph-mode notebooks with IPython syntax around the code (a shell
escape, a line magic, ``%%capture`` and ``%%time`` cells, a markdown cell): one whose train op forgets
``UPDATE_OPS`` (BNU001) and one whose model never passes ``training`` to batch norm (BNU003). Each is
executed with nbclient on an IPython kernel of this test's own interpreter; its last cell prints the
batch-norm moving mean after 20 training steps. Before the fix it is 0; after ``--fix`` it moves, and
the fixed notebook differs from the original only in the ``source`` of the one cell the fix targets.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import child_environment, record
from requires import require

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
MOVED = 0.05   # trained on features centred on 3.0, a moving mean that updates is far above this
KERNEL = "bnu-test-python"

CASES = [
    # notebook, code, where (cell:line:column), the cell the fix rewrites (index among all cells)
    ("bnu001_graph_training.ipynb", "BNU001", "cell_4:5:12", 4),
    ("bnu003_missing_training.ipynb", "BNU003", "cell_2:3:9", 2),
]


def use_this_interpreter(folder: Path, monkeypatch) -> None:
    """A kernel spec that runs ipykernel on this test's interpreter (not whatever `python3` kernel a
    Jupyter install on the machine points at), found first through JUPYTER_PATH."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "this interpreter", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(folder))
    for key, value in child_environment().items():   # TF_USE_LEGACY_KERAS, quiet logs, CPU only
        monkeypatch.setenv(key, value)


def execute(path: Path) -> dict:
    """Run every cell on a fresh kernel; the JSON the last cell printed."""
    # Imported here: this module is collected (and deselected) in the fast environment too,
    # which has no Jupyter.
    import nbclient
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=300,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    printed = "".join(output.get("text", "") for output in notebook.cells[-1].outputs
                      if output.get("output_type") == "stream")
    lines = [line for line in printed.splitlines() if line.startswith("{")]
    assert lines, f"the last cell printed no result: {printed!r}"
    return json.loads(lines[-1])


@pytest.mark.parametrize("name,code,where,cell_index", CASES, ids=[case[1] for case in CASES])
def test_notebook_trains_its_batch_norm_only_after_the_fix(tmp_path, monkeypatch, name, code, where, cell_index):
    for module in ("nbclient", "nbformat", "ipykernel"):
        require(importlib.util.find_spec(module) is not None, f"{module} is not installed (tox's tf env has it)")
    path = tmp_path / name
    shutil.copy(NOTEBOOKS / name, path)
    original = path.read_bytes()
    use_this_interpreter(tmp_path / "jupyter", monkeypatch)

    report = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", name], cwd=tmp_path,
                            capture_output=True, text=True)
    findings = [line for line in report.stdout.splitlines() if ": BNU" in line]
    assert findings and all(f": {code} " in line for line in findings), report.stdout + report.stderr
    assert findings[0].startswith(f"{name}:{where}: {code} [*] "), findings

    before = execute(path)
    assert path.read_bytes() == original   # executing a copy in memory; the file is untouched
    assert before["moving_mean_abs"] == 0.0, before

    fix = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--fix", "--isolated", name], cwd=tmp_path,
                         capture_output=True, text=True)
    assert fix.returncode == 0, fix.stdout + fix.stderr
    old, new = json.loads(original), json.loads(path.read_bytes())
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if a != b]
    assert changed == [cell_index]
    old["cells"][cell_index].pop("source"), new["cells"][cell_index].pop("source")
    assert old == new

    after = execute(path)
    record(f"notebook {name} ({code}): moving_mean_abs before fix {before['moving_mean_abs']:.4f}, "
           f"after fix {after['moving_mean_abs']:.4f}; moving mean after fix "
           f"{[round(v, 3) for v in after['moving_mean'][:4]]}...")
    assert after["moving_mean_abs"] > MOVED, after
    again = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", name], cwd=tmp_path,
                           capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == ""
