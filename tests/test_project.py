"""Project-aware analysis: batch norm built in one module, trained in another.

Small real projects in temporary folders, analysed through the engine, the real flake8
executable and the real command (standard input with a file name included).
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_bn_update_ops.engine import analyze_source
from flake8_bn_update_ops.settings import Settings

TRAINER = """\
import tensorflow as tf
{imports}


def train(images, is_training):
    logits = {call}
    loss = tf.reduce_mean(logits)
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op
"""
BUILDER = """\
import tensorflow as tf


def conv_bn(x, is_training):
    x = tf.layers.conv2d(x, 8, 3)
    return tf.layers.batch_normalization(x, training=is_training)
"""


def write(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def codes(path: Path, **settings) -> list:
    source = path.read_text(encoding="utf-8")
    return [(finding.line, finding.code) for finding in analyze_source(source, str(path), Settings(**settings))]


def trainer(imports: str, call: str) -> str:
    return TRAINER.format(imports=imports, call=call)


def test_builder_in_a_sibling_module(tmp_path):
    write(tmp_path, {"ops.py": BUILDER, "train.py": trainer("from ops import conv_bn", "conv_bn(images, is_training)")})
    assert codes(tmp_path / "train.py") == [(8, "BNU001")]


def test_switch_off_cross_module(tmp_path):
    write(tmp_path, {"ops.py": BUILDER, "train.py": trainer("from ops import conv_bn", "conv_bn(images, is_training)")})
    assert codes(tmp_path / "train.py", cross_module=False) == []


def test_builder_in_a_package_imported_as_a_module(tmp_path):
    write(tmp_path, {"proj/__init__.py": "", "proj/nets/__init__.py": "", "proj/nets/resnet.py": BUILDER,
                     "proj/train.py": trainer("import proj.nets.resnet as resnet", "resnet.conv_bn(images, is_training)")})
    assert codes(tmp_path / "proj" / "train.py") == [(8, "BNU001")]


def test_submodule_imported_by_name_through_an_empty_package(tmp_path):
    model = "from nets import resnet\n\n\ndef net(x, is_training):\n    return resnet.conv_bn(x, is_training)\n"
    write(tmp_path, {"nets/__init__.py": "", "nets/resnet.py": BUILDER, "model.py": model,
                     "train.py": trainer("from model import net", "net(images, is_training)")})
    assert codes(tmp_path / "train.py") == [(8, "BNU001")]


def test_relative_import_in_a_package(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/layers.py": BUILDER,
                     "pkg/train.py": trainer("from .layers import conv_bn", "conv_bn(images, is_training)")})
    assert codes(tmp_path / "pkg" / "train.py") == [(8, "BNU001")]


def test_behind_a_star_import(tmp_path):
    write(tmp_path, {"utils.py": BUILDER, "train.py": trainer("from utils import *", "conv_bn(images, is_training)")})
    assert codes(tmp_path / "train.py") == [(8, "BNU001")]


def test_a_chain_of_two_imports(tmp_path):
    model = """\
    from ops import conv_bn


    class Net(object):
        def __call__(self, x, is_training):
            return conv_bn(conv_bn(x, is_training), is_training)
    """
    write(tmp_path, {"ops.py": BUILDER, "model.py": model,
                     "train.py": trainer("from model import Net", "Net()(images, is_training)")})
    assert codes(tmp_path / "train.py") == [(8, "BNU001")]


def test_an_import_cycle(tmp_path):
    a = BUILDER + "\n\nfrom b import helper\n"
    b = "from a import conv_bn\n\n\ndef helper(x, is_training):\n    return conv_bn(x, is_training)\n"
    write(tmp_path, {"a.py": a, "b.py": b, "train.py": trainer("from b import helper", "helper(images, is_training)")})
    assert codes(tmp_path / "train.py") == [(8, "BNU001")]


def test_handled_trainer_stays_silent(tmp_path):
    handled = TRAINER.replace("    train_op = tf.train", "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n        train_op = tf.train")
    write(tmp_path, {"ops.py": BUILDER,
                     "train.py": handled.format(imports="from ops import conv_bn", call="conv_bn(images, is_training)")})
    assert codes(tmp_path / "train.py") == []


def test_in_place_wrapper_class_makes_the_trainer_silent(tmp_path):
    dcgan_ops = """\
    import tensorflow as tf


    class batch_norm(object):
        def __init__(self, epsilon=1e-5, momentum=0.9, name="batch_norm"):
            self.epsilon = epsilon
            self.momentum = momentum
            self.name = name

        def __call__(self, x, train=True):
            return tf.contrib.layers.batch_norm(x, decay=self.momentum, updates_collections=None,
                                                epsilon=self.epsilon, scale=True, is_training=train,
                                                scope=self.name)
    """
    write(tmp_path, {"ops.py": dcgan_ops,
                     "train.py": trainer("from ops import batch_norm", "batch_norm(name='g_bn0')(images, is_training)")})
    assert codes(tmp_path / "train.py") == []


def test_exported_alias_makes_calls_direct_sites(tmp_path):
    write(tmp_path, {"layers.py": "import tensorflow as tf\nbatch_norm = tf.contrib.layers.batch_norm\n",
                     "train.py": trainer("from layers import batch_norm", "batch_norm(images)")})
    # the imported alias is contrib's batch_norm itself: missing is_training, and an unhandled train op
    assert codes(tmp_path / "train.py") == [(6, "BNU003"), (8, "BNU001")]


def test_wrapper_default_literal_is_reported_at_the_call(tmp_path):
    wrapper = """\
    import tensorflow as tf


    def bn(x, is_training=True, name=None):
        return tf.contrib.layers.batch_norm(x, is_training=is_training, scope=name)
    """
    write(tmp_path, {"ops.py": wrapper,
                     "train.py": trainer("from ops import bn", "bn(bn(images, is_training), name='b')")})
    assert codes(tmp_path / "train.py") == [(6, "BNU002"), (8, "BNU001")]


def test_standard_input_with_a_file_name_matches_the_file_run(tmp_path):
    write(tmp_path, {"ops.py": BUILDER, "train.py": trainer("from ops import conv_bn", "conv_bn(images, is_training)")})
    source = (tmp_path / "train.py").read_text()
    env = dict(os.environ)
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "BNU", "--stdin-display-name",
                             str(tmp_path / "train.py"), "-"], input=source, capture_output=True, text=True,
                            cwd="/", env=env)
    assert ":8:16: BNU001" in flake8.stdout, flake8.stdout + flake8.stderr
    command = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--stdin-filename",
                              str(tmp_path / "train.py"), "-"], input=source, capture_output=True, text=True,
                             cwd="/", env=env)
    assert ":8:16: BNU001" in command.stdout, command.stdout + command.stderr
    whole_tree = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", str(tmp_path)],
                                capture_output=True, text=True, cwd="/", env=env)
    assert whole_tree.stdout.count("BNU001") == 1 and "train.py:8:16: BNU001" in whole_tree.stdout


def test_importers_are_the_modules_that_name_it_as_a_word(tmp_path):
    """A network module's callers are looked for among the files that name it: as a whole word,
    so that ``model_fn`` or ``math_ops`` do not make a file an importer of ``model`` or ``ops``
    (each such file would be parsed for nothing)."""
    from flake8_bn_update_ops.core.project import Project

    # The folder is the project's root, as a repository's is: without a marker the root search
    # climbs into the temporary folder's parents and meets whatever other files lie there.
    (tmp_path / "setup.cfg").write_text("")
    (tmp_path / "model.py").write_text("import tensorflow.contrib.slim as slim\n\n\n"
                                       "def net(x):\n    return slim.batch_norm(x)\n")
    (tmp_path / "train.py").write_text("import model\nimport tensorflow.contrib.slim as slim\n\n\n"
                                       "def build(x, t):\n    with slim.arg_scope([slim.batch_norm], is_training=t):\n"
                                       "        return model.net(x)\n")
    (tmp_path / "estimator.py").write_text("import tensorflow.contrib.slim as slim\n\n\n"
                                           "def model_fn(x, t):\n"
                                           "    with slim.arg_scope([slim.batch_norm], is_training=t):\n"
                                           "        return slim.batch_norm(x)\n")
    (tmp_path / "loader.py").write_text('import importlib\n\nNET = importlib.import_module("model")\n'
                                        "arg_scope = None\n")
    project = Project(Settings())
    project.begin_check()
    index = project.load(str(tmp_path / "model.py"))
    found = sorted(os.path.basename(importer.path) for importer in project.importers_of(index, b"arg_scope"))
    assert found == ["loader.py", "train.py"]


def test_command_batches_end_where_a_repository_ends():
    # The command's workers get batches of neighbouring files, each batch with one project
    # model: a batch runs on to the end of its first folder below the arguments' common
    # folder (a repository of a folder of repositories), within twice its size.
    from flake8_bn_update_ops.cli.command import _batches

    paths = [os.path.join("repos", repo, name) for repo, count in (("a", 3), ("b", 3), ("c", 2))
             for name in [f"m{i}.py" for i in range(count)]]
    assert _batches(paths, 2) == [paths[0:3], paths[3:6], paths[6:8]]
    assert _batches(paths, 4) == [paths[0:6], paths[6:8]]
    flat = [f"m{i}.py" for i in range(9)]     # one folder: cut at twice the size
    assert _batches(flat, 2) == [flat[0:4], flat[4:8], flat[8:9]]
    assert _batches(paths[:2], 4) == [paths[:2]]


def test_command_with_workers_reports_what_one_process_reports(tmp_path):
    # A builder module imported by the trainer of its own repository, in a folder of several
    # repositories whose files do not divide into equal batches: every worker sees its
    # repository whole, so the findings do not depend on --jobs.
    for number in range(7):
        write(tmp_path / f"repo{number}", {
            "model.py": BUILDER,
            "train.py": TRAINER.format(imports="from model import conv_bn", call="conv_bn(images, is_training)"),
            "util.py": BUILDER.replace("conv_bn", "other_bn"),
        })
    runs = []
    for jobs in ("1", "2"):
        result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--jobs", jobs, "."],
                                cwd=tmp_path, capture_output=True, text=True)
        assert "Traceback" not in result.stderr, result.stderr
        runs.append(sorted(line for line in result.stdout.splitlines() if " BNU" in line))
    assert runs[0] == runs[1]
    assert sum("train.py" in line and "BNU001" in line for line in runs[0]) == 7


@pytest.mark.parametrize("folder, call, expected", [
    # tf.layers batch norm: its statistics are not trainable (unresolved, a positional flag is silent)
    ("../src", "inference(images, phase)", ["notebooks/infer.ipynb:cell_3:4:24: BNU008"]),
    # keeps them in the trainables: silent (unresolved, the network out of sight would be reported)
    ("../lib", "inference(images, is_training=phase)", []),
])
def test_notebook_imports_through_the_folder_it_puts_on_sys_path(tmp_path, folder, call, expected):
    # An inference notebook beside the sources: ``sys.path.insert(0, "../src")`` then
    # ``from net import inference`` reads src/net.py (RULES.md "Dynamic imports and import paths").
    import json

    write(tmp_path, {
        "src/net.py": BUILDER.replace("conv_bn(x, is_training)", "inference(x, is_training)"),
        "lib/net.py": BUILDER.replace("conv_bn(x, is_training)", "inference(x, is_training)").replace(
            "tf.layers.batch_normalization(x, training=is_training)",
            "tf.contrib.layers.batch_norm(x, is_training=is_training,\n"
            "                                        variables_collections=[tf.GraphKeys.TRAINABLE_VARIABLES])"),
    })
    cells = [f"import sys\nimport tensorflow as tf\nsys.path.insert(0, {folder!r})", "from net import inference",
             "images = tf.placeholder(tf.float32, [None, 8, 8, 3])\nphase = tf.placeholder(tf.bool, [])\n"
             f"logits = {call}\nsaver = tf.train.Saver(tf.trainable_variables())"]
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "infer.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": [], "execution_count": None}
                  for cell in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "notebooks/infer.ipynb"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    assert [line.split(" Saver")[0] for line in result.stdout.splitlines() if " BNU" in line] == expected
    assert result.returncode == (1 if expected else 0)
