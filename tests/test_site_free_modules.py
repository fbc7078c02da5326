"""Modules that can build no batch-norm site skip the reach walk (``core.facts.reach.may_build_sites``)
and importers that import no module of the project are not parsed (``Project.text_may_import_project``).

Both are shortcuts that must never change a finding: each test below is a module whose only way to
a batch-norm site is one of the paths the shortcut has to keep (a name given as a string, a dynamic
import, a ``--bn-wrappers`` function, an import of a project module), flagged exactly as before,
beside a look-alike that builds nothing and stays silent.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from flake8_bn_update_ops.core.project import Project
from flake8_bn_update_ops.engine import analyze_source
from flake8_bn_update_ops.settings import Settings

TRAIN = """\
import tensorflow as tf
{imports}


def train(images, is_training):
    {layer}
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


def project(root: Path, files: dict) -> None:
    (root / "setup.cfg").write_text("", encoding="utf-8")     # the project's root: nothing above it joins
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def findings(path: Path, **settings) -> list:
    source = path.read_text(encoding="utf-8")
    return [(finding.line, finding.column, finding.code)
            for finding in analyze_source(source, str(path), Settings(**settings))]


def train(imports: str = "", layer: str = "pass", call: str = "images") -> str:
    return TRAIN.format(imports=imports, layer=layer, call=call)


def test_an_api_named_by_a_string_is_still_a_site(tmp_path):
    # The module spells the API only in a string: getattr's attribute name.
    project(tmp_path, {"train.py": train(layer='norm = getattr(tf.layers, "batch_normalization")',
                                         call="norm(images, training=True)")})
    assert findings(tmp_path / "train.py") == [(7, 35, "BNU002")]


def test_another_api_named_by_a_string_builds_nothing(tmp_path):
    project(tmp_path, {"train.py": train(layer='dense = getattr(tf.layers, "dense")',
                                         call="dense(images, 10)")})
    assert findings(tmp_path / "train.py") == []


def test_a_builder_imported_dynamically_is_still_followed(tmp_path):
    project(tmp_path, {"ops.py": BUILDER,
                       "train.py": train("import importlib", 'ops = importlib.import_module("ops")',
                                         "ops.conv_bn(images, is_training)")})
    assert findings(tmp_path / "train.py") == [(9, 15, "BNU001")]


def test_a_library_imported_dynamically_builds_nothing(tmp_path):
    project(tmp_path, {"ops.py": BUILDER,
                       "train.py": train("import importlib", 'np = importlib.import_module("numpy")',
                                         "np.tanh(images)")})
    assert findings(tmp_path / "train.py") == []


def test_a_configured_wrapper_from_a_library_is_a_site(tmp_path):
    project(tmp_path, {"train.py": train("from mylib import norm", call="norm(images, training=True)")})
    assert findings(tmp_path / "train.py", wrappers={"mylib.norm": "training"}) == [(7, 35, "BNU002")]
    assert findings(tmp_path / "train.py") == []


def test_a_builder_imported_from_the_project_is_followed(tmp_path):
    # No batch-norm word in the trainer: the site is reached only through the project import.
    project(tmp_path, {"nets/ops.py": BUILDER,
                       "train.py": train("from nets import ops", call="ops.conv_bn(images, is_training)")})
    assert findings(tmp_path / "train.py") == [(9, 15, "BNU001")]


def test_a_library_function_of_the_same_shape_builds_nothing(tmp_path):
    project(tmp_path, {"train.py": train("from mylib import ops", call="ops.conv_bn(images, is_training)")})
    assert findings(tmp_path / "train.py") == []


def test_an_api_a_caller_hands_to_its_callee_is_still_a_site(tmp_path):
    # The callee spelling the API is a parameter's attribute: what it builds depends on the frame.
    project(tmp_path, {"train.py": """\
        import tensorflow as tf


        def block(x, layers, is_training):
            return layers.batch_normalization(x, training=is_training)


        def train(images, is_training):
            logits = block(images, tf.layers, is_training)
            loss = tf.reduce_mean(logits)
            return tf.train.AdamOptimizer(1e-3).minimize(loss)
        """})
    assert findings(tmp_path / "train.py") == [(11, 11, "BNU001")]


def test_a_library_function_named_like_batch_norm_builds_nothing(tmp_path):
    project(tmp_path, {"train.py": """\
        import tensorflow as tf


        def train(images, mean, variance):
            logits = tf.nn.batch_normalization(images, mean, variance, None, None, 1e-3)
            loss = tf.reduce_mean(logits)
            return tf.train.AdamOptimizer(1e-3).minimize(loss)
        """})
    assert findings(tmp_path / "train.py") == []


def imports_project(root: Path, name: str, text: str) -> bool:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Project(Settings()).text_may_import_project(str(path), path.read_bytes())


def test_what_reads_as_an_import_of_the_project(tmp_path):
    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    (tmp_path / "ops.py").write_text("", encoding="utf-8")
    (tmp_path / "nets").mkdir()
    assert imports_project(tmp_path, "a.py", "import ops\n")
    assert imports_project(tmp_path, "b.py", "import numpy as np, ops as o\n")
    assert imports_project(tmp_path, "c.py", "from nets.deep import build\n")     # a namespace package
    assert imports_project(tmp_path, "d.py", "from . import helpers\n")
    assert imports_project(tmp_path, "e.py", "import numpy, \\\n    helpers\n")
    assert imports_project(tmp_path, "f.py", "import sys\nsys.path.insert(0, 'lib')\nimport helpers\n")
    assert imports_project(tmp_path, "g.py", "import importlib\nmod = importlib.import_module(name)\n")
    assert imports_project(tmp_path, "pkg/__init__.py", "")
    assert imports_project(tmp_path, "h.py", "if True: import ops\n")


def test_what_reads_as_libraries_only(tmp_path):
    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    (tmp_path / "ops.py").write_text("", encoding="utf-8")
    assert not imports_project(tmp_path, "a.py", "import numpy as np\nimport tensorflow as tf\n")
    assert not imports_project(tmp_path, "b.py", "from tf_keras.src.optimizers import optimizer  # the ops\n")
    assert not imports_project(tmp_path, "c.py", "import helpers\n")     # not in the project, sys.path untouched
    assert not imports_project(tmp_path, "d.py", '"""Read ops.py before you import anything."""\nimport json\n')


def test_an_installed_package_follows_its_own_modules_not_its_neighbours(tmp_path):
    # A package checked where it is installed: the folder of installed distributions is an import
    # root of its files, yet the other distributions there are libraries, not its project.
    site = tmp_path / "lib" / "site-packages"
    project(tmp_path, {"lib/site-packages/mypkg/__init__.py": "", "lib/site-packages/mypkg/ops.py": BUILDER,
                       "lib/site-packages/otherlib.py": BUILDER,
                       "lib/site-packages/mypkg/train.py": train("from mypkg.ops import conv_bn",
                                                                 call="conv_bn(images, is_training)"),
                       "lib/site-packages/mypkg/train_other.py": train("from otherlib import conv_bn",
                                                                       call="conv_bn(images, is_training)")})
    assert findings(site / "mypkg" / "train.py") == [(9, 15, "BNU001")]
    assert findings(site / "mypkg" / "train_other.py") == []
