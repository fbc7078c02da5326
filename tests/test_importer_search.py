"""Findings must not depend on unrelated files in the working folder.

The working folder is an import root of every checked file, so its loose ``.py`` files are among
the places a module's importers are looked for (BNU003's Keras graph mode follows the call chain
into the importers). A temporary folder holding hundreds of stray scripts made findings appear
and disappear with whatever those scripts said. A file of a folder above the module now counts
only if it names the module by the dotted path that imports it from there; the module's own
folder and its neighbour above still count a file that names it by its file name alone.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NETWORK = ("import tensorflow as tf\n\n\n"
           "def build(x):\n"
           "    norm = tf.keras.layers.BatchNormalization()\n"
           "    return norm(x)\n")
# The repository's own caller trains eagerly: the Keras call is then not in graph mode.
EAGER_TRAIN = ("import tensorflow as tf\n\nfrom nets import network\n\n\n"
               "def main(x):\n"
               "    with tf.GradientTape() as tape:\n"
               "        y = network.build(x)\n"
               "    return tape.gradient(y, [x])\n")


def graph_script(import_line: str) -> str:
    """A TF1 script that runs the network in a Session (graph mode), importing it as told."""
    return ("import tensorflow as tf\n\n" + import_line + "\n\n"
            "saver = tf.compat.v1.train.Saver()\n"
            "with tf.compat.v1.Session() as sess:\n"
            "    sess.run(network.build(None))\n")


FINDING = "nets/network.py:6:12: BNU003 `norm` called without `training` in graph mode"


def make_tree(cwd: Path) -> None:
    nets = cwd / "repo" / "nets"
    nets.mkdir(parents=True)
    (nets / "network.py").write_text(NETWORK)
    (cwd / "repo" / "train.py").write_text(EAGER_TRAIN)


# Names the module by its file name, reads as relevant (a Saver) and runs a Session: had it been
# taken for an importer, the Keras call would be in graph mode.
NAMING_STRAY = graph_script("import network")
UNRELATED_STRAY = "import tensorflow as tf\n\nsaver = tf.compat.v1.train.Saver()\n"


def add_strays(cwd: Path, text: str = NAMING_STRAY, count: int = 300) -> None:
    for number in range(count):
        (cwd / f"stray_{number:03d}.py").write_text(text)


def run_both(cwd: Path) -> tuple:
    """(the command's findings, flake8's findings) for ``repo``, checked from ``cwd``."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    command = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "repo"],
                             cwd=cwd, capture_output=True, text=True, env=env)
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "BNU", "repo"],
                            cwd=cwd, capture_output=True, text=True, env=env)
    for result in (command, flake8):
        assert "Traceback" not in result.stderr, result.stderr
    return (sorted(line for line in command.stdout.splitlines() if "BNU" in line),
            sorted(line for line in flake8.stdout.splitlines() if "BNU" in line))


def test_stray_files_in_the_working_folder_change_no_finding(tmp_path):
    make_tree(tmp_path)
    without = run_both(tmp_path)
    assert without == ([], [])
    add_strays(tmp_path)
    assert run_both(tmp_path) == without


def test_a_real_importer_in_the_working_folder_still_counts(tmp_path):
    # Named to sort after 300 unrelated strays: a search capped at 200 files read in name order
    # read strays only and never reached it.
    make_tree(tmp_path)
    add_strays(tmp_path, UNRELATED_STRAY)
    (tmp_path / "zz_train.py").write_text(graph_script("from repo.nets import network"))
    command, flake8 = run_both(tmp_path)
    assert command == ["repo/" + FINDING + ": in graph mode the Keras learning phase defaults to 0: "
                       "the layer runs in inference mode and its moving statistics never update"]
    assert len(flake8) == 1 and flake8[0].startswith("repo/" + FINDING), flake8


def test_an_importer_above_the_module_that_names_it_by_file_name_counts(tmp_path):
    # The module's neighbour folder keeps the looser test: a script beside the package that puts
    # it on ``sys.path`` imports the module by its file name.
    make_tree(tmp_path)
    (tmp_path / "repo" / "run.py").write_text(graph_script("import sys\nsys.path.insert(0, 'nets')\nimport network"))
    command, flake8 = run_both(tmp_path)
    assert len(command) == 1 and command[0].startswith("repo/" + FINDING), command
    assert len(flake8) == 1 and flake8[0].startswith("repo/" + FINDING), flake8


def test_a_folder_two_above_counts_only_the_dotted_import(tmp_path):
    # ``outer/`` is two folders above ``outer/repo/nets/network.py``: ``import network`` there
    # imports no such module; ``from repo.nets import network`` does.
    outer = tmp_path / "outer"
    outer.mkdir()
    (tmp_path / "setup.cfg").write_text("")
    make_tree(outer)
    (outer / "by_name.py").write_text(graph_script("import network"))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))

    def findings():
        result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", str(outer / "repo")],
                                cwd="/", capture_output=True, text=True, env=env)
        assert "Traceback" not in result.stderr, result.stderr
        return [line for line in result.stdout.splitlines() if "BNU" in line]

    assert findings() == []
    (outer / "by_name.py").write_text(graph_script("from repo.nets import (\n    network,\n)"))
    found = findings()
    assert len(found) == 1 and found[0].startswith(str(outer / "repo") + "/" + FINDING), found


def test_the_working_folder_above_the_module_is_a_neighbour_only_as_a_projects_root(tmp_path):
    # Checked from a repository's root (a root marker), the module's folder is ``nets`` and the
    # script beside it that names the module by its file name is an importer; the same folder
    # with no marker is a scratch folder, whose loose files count only by the dotted import.
    repo = tmp_path / "repo"
    make_tree(tmp_path)
    (repo / "run.py").write_text(graph_script("import sys\nsys.path.insert(0, 'nets')\nimport network"))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))

    def findings():
        result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "nets/network.py"],
                                cwd=repo, capture_output=True, text=True, env=env)
        assert "Traceback" not in result.stderr, result.stderr
        return [line for line in result.stdout.splitlines() if "BNU" in line]

    assert findings() == []
    (repo / "setup.cfg").write_text("")
    found = findings()
    assert len(found) == 1 and found[0].startswith(FINDING), found
