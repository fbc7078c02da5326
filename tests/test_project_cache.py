"""What the project model keeps between checks (issue 23): a checked module is kept for the
importers checked after it only when the disk holds the text that was checked."""
from __future__ import annotations

from flake8_bn_update_ops.core.project import Project
from flake8_bn_update_ops.engine import analyze_source
from flake8_bn_update_ops.settings import Settings

MODEL = ("import tensorflow as tf\n\n\n"
         "def net(x):\n    return tf.layers.batch_normalization(x, training=True)\n")
TRAIN = ("import tensorflow as tf\nimport model\n\n"
         "loss = tf.reduce_mean(model.net(tf.zeros([1])))\n"
         "train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)\n")


def _checked_index(project, path, text):
    """Check ``text`` as ``path`` and return the index the check used."""
    seen = []
    original = project.index_source

    def recording(*args, **kwargs):
        seen.append(original(*args, **kwargs))
        return seen[-1]

    project.index_source = recording
    analyze_source(text, str(path), project.settings, project=project)
    del project.index_source
    return seen[0]


def test_a_checked_module_is_what_its_later_importers_read(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(TRAIN)
    project = Project(Settings())
    checked = _checked_index(project, tmp_path / "model.py", MODEL)
    project.begin_check()
    assert project.load(str(tmp_path / "model.py")) is checked
    assert project.known_tree(str(tmp_path / "model.py"), MODEL) is checked.tree
    # and the importer's findings are those of a fresh project
    fresh = analyze_source(TRAIN, str(tmp_path / "train.py"), Settings(), project=Project(Settings()))
    assert analyze_source(TRAIN, str(tmp_path / "train.py"), project.settings, project=project) == fresh


def test_an_edited_buffer_is_not_kept_as_the_module_on_disk(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    project = Project(Settings())
    buffer = MODEL.replace("training=True", "training=False")
    checked = _checked_index(project, tmp_path / "model.py", buffer)
    project.begin_check()
    loaded = project.load(str(tmp_path / "model.py"))
    assert loaded is not None and loaded is not checked
    assert "training=True" in MODEL and project.known_tree(str(tmp_path / "model.py"), buffer) is None


def test_an_imported_module_stays_kept_within_the_byte_bound_and_goes_beyond_it(tmp_path):
    """Kept trees are walked by every full garbage collection of the host process (flake8 checks
    hundreds of files between two analyses of a library's modules): a module larger than the
    byte bound is let go when the check that read it ends; a small one stays for the next."""
    from flake8_bn_update_ops.core import project as project_module

    model = ("import tensorflow as tf\n\n\n"
             "def net(x, is_training):\n    return tf.layers.batch_normalization(x, training=is_training)\n")
    train = ("import tensorflow as tf\nimport model\n\n\n"
             "def train(images, is_training):\n"
             "    loss = tf.reduce_mean(model.net(images, is_training))\n"
             "    return tf.train.AdamOptimizer(1e-3).minimize(loss)\n")
    helpers = "".join(f"\n\ndef helper_{n}(x):\n    return x + {n}\n" for n in range(5000))
    (tmp_path / "train.py").write_text(train)
    for text, kept in ((model, True), (model + helpers, False)):
        assert (len(text.encode()) > project_module._KEPT_BYTES) is not kept
        (tmp_path / "model.py").write_text(text)
        project = Project(Settings())
        findings = analyze_source(train, str(tmp_path / "train.py"), project.settings, project=project)
        assert [(f.line, f.column, f.code) for f in findings] == [(7, 11, "BNU001")]
        assert (project.known_tree(str(tmp_path / "model.py"), text) is not None) is kept
