"""BNU004's read outside ``with G.as_default():`` (issue 25 item 3): the fix moves the read into
the block, just before the first statement that uses it; where moving it would change more than
the graph it reads, no fix, and the finding says why.

Every case runs the real command on a real file: ``--format json`` for the finding and its fix,
``--fix`` for the output, then the fixed file is compiled, checked again (silent) and fixed
again (unchanged). TensorFlow's verdict on the same form is in
``tests/differential/repros/fix_bnu004_read_outside_as_default.py`` (moving_mean 0.0 before the
fix, trained after; the ``get_collection_ref`` fix this form used to get left it at 0.0).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest


def run(folder, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", *args], cwd=folder,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return proc


def findings(folder, name):
    return [(record["line"], record["column"], record["code"], record["fix_safety"], record["no_fix"])
            for record in json.loads(run(folder, "--format", "json", name).stdout)]


def fixed(folder, name, source):
    path = folder / name
    path.write_text(source, encoding="utf-8")
    run(folder, "--fix", name)
    return path.read_text(encoding="utf-8")


# The comment right above the read moves with it.
MODULE_LEVEL = textwrap.dedent("""\
    import tensorflow.compat.v1 as tf

    graph = tf.Graph()
    # Collected before the graph exists.
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        is_training = tf.placeholder_with_default(False, [])
        h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
        loss = tf.reduce_mean(tf.square(h - 1.0))
        with tf.control_dependencies(update_ops):
            train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    """)

MODULE_LEVEL_FIXED = textwrap.dedent("""\
    import tensorflow.compat.v1 as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        is_training = tf.placeholder_with_default(False, [])
        h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
        loss = tf.reduce_mean(tf.square(h - 1.0))
        # Collected before the graph exists.
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
    """)

# In a function, the first use two blocks deep (a variable scope, then the dependency), and the
# read's own trailing comment travels with it.
IN_FUNCTION = textwrap.dedent("""\
    import tensorflow as tf


    def build(images, labels, is_training):
        graph = tf.Graph()
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # the batch-norm updates
        with graph.as_default():
            net = tf.layers.batch_normalization(images, training=is_training)
            loss = tf.losses.log_loss(labels, net)
            with tf.variable_scope("train"):
                optimizer = tf.train.AdamOptimizer()
                with tf.control_dependencies(update_ops):
                    train_op = optimizer.minimize(loss)
        return graph, train_op
    """)

IN_FUNCTION_FIXED = textwrap.dedent("""\
    import tensorflow as tf


    def build(images, labels, is_training):
        graph = tf.Graph()
        with graph.as_default():
            net = tf.layers.batch_normalization(images, training=is_training)
            loss = tf.losses.log_loss(labels, net)
            with tf.variable_scope("train"):
                optimizer = tf.train.AdamOptimizer()
                update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)  # the batch-norm updates
                with tf.control_dependencies(update_ops):
                    train_op = optimizer.minimize(loss)
        return graph, train_op
    """)


@pytest.mark.parametrize("source, expected, where", [
    (MODULE_LEVEL, MODULE_LEVEL_FIXED, (5, 14)),
    (IN_FUNCTION, IN_FUNCTION_FIXED, (6, 18)),
], ids=["module_level", "in_function"])
def test_a_read_outside_as_default_moves_into_the_block(tmp_path, source, expected, where):
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, "train.py") == [(*where, "BNU004", "safe", None)]
    after = fixed(tmp_path, "train.py", source)
    assert after == expected
    compile(after, "train.py", "exec")
    assert findings(tmp_path, "train.py") == []
    run(tmp_path, "--fix", "--unsafe-fixes", "train.py")
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == expected


def test_the_read_outside_the_graph_no_longer_gets_the_ref_fix(tmp_path):
    # get_collection_ref outside the block reads the default graph too (measured: moving_mean 0.0):
    # before the move existed, this finding offered it as a safe fix.
    source = fixed(tmp_path, "train.py", MODULE_LEVEL)
    assert "get_collection_ref" not in source
    ref = MODULE_LEVEL.replace("get_collection(", "get_collection_ref(")
    assert fixed(tmp_path, "ref.py", ref) == MODULE_LEVEL_FIXED.replace("get_collection(", "get_collection_ref(")


# The textbook classifier's form (seen in a widely read notebook, shared/real t31): the graph is
# built by a method called inside the block, and the list, read after the block, is fetched in a
# run of its own. The read moves to the end of the block, with its comment. Measured (TensorFlow
# 2.21, tests/differential/runner.py on this program with a five-batch ``fit``): moving_mean 0.0
# as written (the list is the default graph's, empty, so ``if update_ops:`` skips the run); 0.25
# after this fix alone. BNU001 is reported on ``minimize`` too (nothing runs the updates), and the
# move alone silences it: the separate run then fetches the graph's update ops.
TEXTBOOK = textwrap.dedent("""\
    import tensorflow.compat.v1 as tf


    class Classifier:
        def _build_graph(self):
            self._x = tf.placeholder(tf.float32, [None, 4])
            self._training = tf.placeholder_with_default(False, [])
            h = tf.layers.batch_normalization(tf.layers.dense(self._x, 8), training=self._training)
            loss = tf.reduce_mean(tf.square(h - 1.0))
            self._training_op = tf.train.AdamOptimizer(1e-2).minimize(loss)
            self._init = tf.global_variables_initializer()

        def fit(self, batches):
            self._graph = tf.Graph()
            with self._graph.as_default():
                self._build_graph()

            # extra ops for batch normalization
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

            self._session = tf.Session(graph=self._graph)
            with self._session.as_default() as sess:
                sess.run(self._init)
                for batch in batches:
                    feed = {self._x: batch, self._training: True}
                    sess.run(self._training_op, feed_dict=feed)
                    if update_ops:
                        sess.run(update_ops, feed_dict=feed)
            return self
    """)


def test_a_read_after_the_block_that_builds_the_graph_moves_to_its_end(tmp_path):
    (tmp_path / "model.py").write_text(TEXTBOOK, encoding="utf-8")
    assert findings(tmp_path, "model.py") == [(10, 29, "BNU001", "safe", None), (19, 22, "BNU004", "safe", None)]
    expected = TEXTBOOK.replace(
        "            self._build_graph()\n\n"
        "        # extra ops for batch normalization\n"
        "        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n\n",
        "            self._build_graph()\n"
        "            # extra ops for batch normalization\n"
        "            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n\n")
    assert expected != TEXTBOOK
    run(tmp_path, "--fix", "--select", "BNU004", "model.py")
    after = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert after == expected
    compile(after, "model.py", "exec")
    assert findings(tmp_path, "model.py") == []
    run(tmp_path, "--fix", "--unsafe-fixes", "model.py")
    assert (tmp_path / "model.py").read_text(encoding="utf-8") == expected


def test_a_read_after_one_of_two_blocks_of_the_graph_is_refused_with_its_reason(tmp_path):
    # Which block the list belongs at is no longer plain: the look-alike of the textbook form
    # with a second block for the same graph keeps the finding, without a fix.
    source = TEXTBOOK.replace(
        "            self._build_graph()\n",
        "            self._build_graph()\n"
        "        with self._graph.as_default():\n"
        "            self._saver = tf.train.Saver()\n")
    (tmp_path / "model.py").write_text(source, encoding="utf-8")
    reason = "the first use of `update_ops` is not inside a `with <graph>.as_default():` block"
    assert findings(tmp_path, "model.py") == [(10, 29, "BNU001", "safe", None), (21, 22, "BNU004", None, reason)]
    run(tmp_path, "--fix", "--select", "BNU004", "model.py")
    assert (tmp_path / "model.py").read_text(encoding="utf-8") == source


def _refused(name, body):
    """A flagged twin of IN_FUNCTION, as ``body`` (the function's statements) writes it."""
    source = "import tensorflow as tf\n\n\ndef build(images, labels, is_training, fresh):\n" + \
        textwrap.indent(textwrap.dedent(body), "    ")
    return pytest.param(source, name, id=name)


REFUSED = [
    _refused("used_after_the_block", """\
        graph = tf.Graph()
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with graph.as_default():
            net = tf.layers.batch_normalization(images, training=is_training)
            loss = tf.losses.log_loss(labels, net)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer().minimize(loss)
        return graph, train_op, update_ops
        """),
    _refused("used_in_a_nested_function", """\
        graph = tf.Graph()
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)

        def count():
            return len(update_ops)

        with graph.as_default():
            net = tf.layers.batch_normalization(images, training=is_training)
            loss = tf.losses.log_loss(labels, net)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer().minimize(loss)
        return graph, train_op, count
        """),
    _refused("layers_built_inside_the_dependency", """\
        graph = tf.Graph()
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with graph.as_default():
            with tf.control_dependencies(update_ops):
                net = tf.layers.batch_normalization(images, training=is_training)
                loss = tf.losses.log_loss(labels, net)
                train_op = tf.train.AdamOptimizer().minimize(loss)
        return graph, train_op
        """),
    _refused("first_use_in_a_loop", """\
        graph = tf.Graph()
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with graph.as_default():
            for tower in images:
                net = tf.layers.batch_normalization(tower, training=is_training)
                loss = tf.losses.log_loss(labels, net)
                with tf.control_dependencies(update_ops):
                    train_op = tf.train.AdamOptimizer().minimize(loss)
        return graph, train_op
        """),
    _refused("bound_twice", """\
        graph = tf.Graph()
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        if fresh:
            update_ops = []
        with graph.as_default():
            net = tf.layers.batch_normalization(images, training=is_training)
            loss = tf.losses.log_loss(labels, net)
            with tf.control_dependencies(update_ops):
                train_op = tf.train.AdamOptimizer().minimize(loss)
        return graph, train_op
        """),
]

REASONS = {
    "used_after_the_block": "`update_ops` is also used after the `with <graph>.as_default():` block",
    "used_in_a_nested_function": "`update_ops` is used in a nested function, which may run before the block",
    "layers_built_inside_the_dependency": "batch-norm layers are built after the first use of the list, too late "
                                          "for it",
    "first_use_in_a_loop": "the first use of `update_ops` is inside a `for` block in the block: moved there, the "
                           "read would run on every pass",
    "bound_twice": "`update_ops` is bound more than once",
}


@pytest.mark.parametrize("source, name", REFUSED)
def test_a_read_outside_as_default_that_cannot_simply_move_is_refused_with_its_reason(tmp_path, source, name):
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, "train.py") == [(6, 18, "BNU004", None, REASONS[name])]
    assert fixed(tmp_path, "train.py", source) == source
    fix_run = run(tmp_path, "--fix", "--unsafe-fixes", "train.py")
    assert REASONS[name] in fix_run.stdout + fix_run.stderr
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == source
