"""The benchmark's corpus A generator (benchmarks/corpus.py): reproducible, realistic, valid.

The benchmark itself is not part of the test suite; its input is, because a generator that
drifts between runs or emits broken files would make every number it reports meaningless.
"""
import ast
import importlib.util
import re
from pathlib import Path

import pytest

CORPUS_PY = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py"


@pytest.fixture(scope="module")
def corpus():
    spec = importlib.util.spec_from_file_location("bench_corpus", CORPUS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files(corpus):
    return corpus.generate_corpus_a(seed=11, n_files=300)


def test_same_seed_gives_identical_files(corpus, files):
    again = corpus.generate_corpus_a(seed=11, n_files=300)
    assert list(again) == list(files)
    assert again == files


def test_another_seed_gives_another_corpus(corpus, files):
    other = corpus.generate_corpus_a(seed=12, n_files=300)
    assert other != files


def test_at_least_300_files_of_100_to_600_lines(files):
    assert len(files) >= 300
    sizes = {path: source.count("\n") for path, source in files.items()}
    out_of_bounds = {p: n for p, n in sizes.items() if not 100 <= n <= 600}
    assert not out_of_bounds


def test_every_file_compiles(files):
    for path, source in files.items():
        compile(source, path, "exec")


def test_every_file_mentions_batch_norm(files):
    pattern = re.compile(r"batch[ _-]?norm", re.IGNORECASE)
    assert [p for p, s in files.items() if not pattern.search(s)] == []


def _called_names(source):
    """Dotted names of every call's function and every imported name, from the AST (so a
    spelling in a comment or string does not count)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            names.add(ast.unparse(node.func))
        elif isinstance(node, ast.ImportFrom):
            names.update("%s.%s" % (node.module, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.keyword) and node.arg == "normalizer_fn":
            names.add("normalizer_fn=" + ast.unparse(node.value))
    return names


def test_covers_every_batch_norm_api_and_alias_form(files):
    seen = set()
    for source in files.values():
        seen |= _called_names(source)
    expected = {
        "tf.layers.batch_normalization",
        "tf1.layers.batch_normalization",                      # tf1 = tf.compat.v1
        "tensorflow.compat.v1",                                # import tensorflow.compat.v1 as tf
        "tf.contrib.layers.batch_norm",
        "tensorflow.contrib.layers.batch_norm",                # from ... import batch_norm
        "tensorflow.contrib.layers.python.layers.batch_norm",
        "tensorflow.contrib.layers.python.layers",             # ... import layers as tf_layers
        "tf_layers.batch_norm",
        "slim.batch_norm",
        "normalizer_fn=slim.batch_norm",
        "slim.arg_scope",
        "tf_slim",
        "tensorflow.contrib.slim",
        "functools.partial",
        "tf.keras.layers.BatchNormalization",
        "tf.train.Saver",
    }
    assert expected - seen == set()
    assert any(name.endswith("layers.BatchNormalization") and name.startswith(("tf.", "tf1."))
               for name in seen)
    text = "\n".join(files.values())
    for form in ("batch_norm = tf.contrib.layers", "class batch_norm(object)",
                 "def batch_norm(", "updates_collections=None", "'updates_collections': None",
                 "slim = tf.contrib.slim", "with tf.GradientTape() as tape"):
        assert form in text, form


def test_mixes_handled_and_unhandled_train_ops(files):
    text = "\n".join(files.values())
    for form in (".minimize(", ".apply_gradients(", ".compute_gradients(",
                 "create_train_op(", "EstimatorSpec(",
                 "control_dependencies(update_ops)", "tf.group(", "get_collection('update_ops')",
                 "control_dependencies(tf.trainable_variables())", "tf.identity("):
        assert form in text, form
    # Correct and buggy handling must both be frequent: a train op with no
    # control_dependencies/group/helper anywhere in its file is the classic bug.
    unhandled = [p for p, s in files.items()
                 if ".minimize(" in s and "control_dependencies" not in s
                 and "tf.group(" not in s and "updates_collections" not in s]
    handled = [p for p, s in files.items() if "control_dependencies(" in s]
    assert len(unhandled) >= 10 and len(handled) >= 30


def test_projects_import_their_own_batch_norm_builders(files):
    """Cross-module analysis needs imports between the corpus's own modules."""
    modules_by_dir = {}
    for path in files:
        folder, _, name = path.rpartition("/")
        modules_by_dir.setdefault(folder.split("/")[0], set()).add(name[:-3])
    local_imports = 0
    for path, source in files.items():
        project = path.split("/")[0]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                head = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                head = node.names[0].name.split(".")[0]
            else:
                continue
            if head in modules_by_dir[project] or head == "nets":
                local_imports += 1
    assert local_imports >= 50


def test_write_reuses_an_unchanged_corpus_and_rewrites_a_damaged_one(corpus, tmp_path):
    root = corpus.write_corpus_a(seed=3, n_files=20, root=tmp_path / "a")
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    expected = corpus.generate_corpus_a(seed=3, n_files=20)
    assert written == sorted(expected)
    first = sorted(expected)[0]
    (root / first).write_text("damaged\n")
    (root / ".complete").write_text("stale\n")
    corpus.write_corpus_a(seed=3, n_files=20, root=root)
    assert (root / first).read_text() == expected[first]
    mtime = (root / first).stat().st_mtime_ns
    corpus.write_corpus_a(seed=3, n_files=20, root=root)
    assert (root / first).stat().st_mtime_ns == mtime


def test_each_written_project_is_its_own_root_for_import_lookups(corpus, tmp_path):
    """A generated project's import roots stop at its own folder, as a real repository's stop
    at its ``.git``: lookups never climb out of the corpus into the repository that holds it
    (issue 23: they read ``benchmarks/*.py`` as every project's importers)."""
    import os

    from flake8_bn_update_ops.core.project import Project
    from flake8_bn_update_ops.settings import Settings

    root = corpus.write_corpus_a(seed=3, n_files=20, root=tmp_path / "a")
    projects = {p.relative_to(root).parts[0] for p in root.rglob("*.py")}
    assert projects and all((root / name / corpus.PROJECT_ROOT_MARKER).is_file() for name in projects)
    project = Project(Settings())
    for module in root.rglob("*.py"):
        own = str(root / module.relative_to(root).parts[0])
        roots = [r for r in project.roots(str(module)) if r != os.getcwd()]
        assert roots and all(r == own or r.startswith(own + os.sep) for r in roots), (module, roots)
