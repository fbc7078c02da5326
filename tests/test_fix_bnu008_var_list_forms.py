"""BNU008's fix on every ``var_list`` form the checker flags (issue 25 item 3): a name bound to the
trainable variables, a comprehension, a helper's return value, ``list(...)`` of a tuple, a dict
comprehension. The moving statistics join the list at the Saver's own argument: a name bound to
the trainable variables is often the optimizer's ``var_list`` too, which must not get them (their
gradient through an inference branch would then move them).

Refused, each with its one-line reason: a tuple bound to a name and a set comprehension
(``+ [...]`` raises TypeError on them: measured with TensorFlow 2.21, ``{...} + []`` in a Saver
call: "unsupported operand type(s) for +: 'set' and 'list'"), and a generator, which the Saver
itself refuses ("Variables to save should be passed in a dict or a list", measured). Before, the
set got ``{...} + [...]``, and a generator made every fix of its file fail ("no BaseExpression").

Which collection holds the moving statistics (``global_variables()``, not
``MOVING_AVERAGE_VARIABLES`` nor ``model_variables()``), and that a Saver over the trainable
variables restores moving_mean 0.0: ``tests/tf/test_tf_facts.py``
(``test_tf_layers_moving_statistics_are_only_in_global_variables``,
``test_saver_over_trainable_variables_restores_moving_mean_0``).

Every case runs the real command on a real file.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAD = textwrap.dedent("""\
    import tensorflow as tf


    def network(images, is_training):
        return tf.layers.batch_normalization(images, training=is_training)


    def trainable():
        return tf.trainable_variables()


    """)
MOVING = '[v for v in tf.global_variables() if "moving_mean" in v.name or "moving_variance" in v.name]'
MOVING_DICT = ('{v.op.name: v for v in tf.global_variables() if "moving_mean" in v.name '
               'or "moving_variance" in v.name}')


def run(folder, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--isolated", "--max-line-length", "200",
                           *args], cwd=folder, capture_output=True, text=True)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return proc


def findings(folder, name="train.py"):
    return [(record["line"], record["column"], record["code"], record["fix_safety"], record["no_fix"])
            for record in json.loads(run(folder, "--format", "json", name).stdout)]


FIXED = [
    pytest.param(
        """\
        def make(loss):
            var_list = tf.trainable_variables()
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer().minimize(loss, var_list=var_list)
            return train_op, tf.train.Saver(var_list)
        """,
        f"""\
        def make(loss):
            var_list = tf.trainable_variables()
            with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
                train_op = tf.train.AdamOptimizer().minimize(loss, var_list=var_list)
            return train_op, tf.train.Saver(var_list + {MOVING})
        """, (16, 37), id="name_also_the_optimizer_var_list"),
    pytest.param(
        """\
        def make():
            var_list = [v for v in tf.trainable_variables() if "head" not in v.name]
            return tf.train.Saver(var_list=var_list, max_to_keep=3)
        """,
        f"""\
        def make():
            var_list = [v for v in tf.trainable_variables() if "head" not in v.name]
            return tf.train.Saver(var_list=var_list + {MOVING}, max_to_keep=3)
        """, (14, 36), id="name_bound_to_a_comprehension"),
    pytest.param(
        """\
        def make():
            return tf.train.Saver(trainable())
        """,
        f"""\
        def make():
            return tf.train.Saver(trainable() + {MOVING})
        """, (13, 27), id="a_helpers_return_value"),
    pytest.param(
        """\
        def make():
            return tf.train.Saver(list(tuple(tf.trainable_variables())))
        """,
        f"""\
        def make():
            return tf.train.Saver(list(tuple(tf.trainable_variables())) + {MOVING})
        """, (13, 27), id="list_of_a_tuple"),
    pytest.param(
        """\
        def make():
            names = {v.op.name: v for v in tf.trainable_variables()}
            return tf.train.Saver(names)
        """,
        f"""\
        def make():
            names = {{v.op.name: v for v in tf.trainable_variables()}}
            return tf.train.Saver({{**names, **{MOVING_DICT}}})
        """, (14, 27), id="name_bound_to_a_dict_comprehension"),
]


@pytest.mark.parametrize("body, expected, where", FIXED)
def test_every_flagged_var_list_form_gets_the_moving_statistics(tmp_path, body, expected, where):
    source, wanted = HEAD + textwrap.dedent(body), HEAD + textwrap.dedent(expected)
    path = tmp_path / "train.py"
    path.write_text(source, encoding="utf-8")
    assert findings(tmp_path) == [(*where, "BNU008", "unsafe", None)]
    run(tmp_path, "--fix", "train.py")
    assert path.read_text(encoding="utf-8") == source           # unsafe: not without --unsafe-fixes
    run(tmp_path, "--fix", "--unsafe-fixes", "train.py")
    fixed = path.read_text(encoding="utf-8")
    assert fixed == wanted
    compile(fixed, "train.py", "exec")
    assert findings(tmp_path) == []
    run(tmp_path, "--fix", "--unsafe-fixes", "train.py")
    assert path.read_text(encoding="utf-8") == fixed


REFUSED = [
    pytest.param(
        """\
        def make():
            variables = tuple(tf.trainable_variables())
            return tf.train.Saver(variables)
        """, (14, 27), "a tuple bound to a name: `+ [...]` would raise TypeError where the Saver gets it",
        id="tuple_bound_to_a_name"),
    pytest.param(
        """\
        def make():
            return tf.train.Saver({v for v in tf.trainable_variables()})
        """, (13, 27), "a set of variables: `+ [...]` would raise TypeError", id="set_comprehension"),
    pytest.param(
        """\
        def make():
            return tf.train.Saver((v for v in tf.trainable_variables()))
        """, (13, 27), "a generator of variables, which the Saver itself refuses (TypeError)", id="generator"),
]


@pytest.mark.parametrize("body, where, reason", REFUSED)
def test_a_var_list_the_fix_cannot_extend_is_refused_with_its_reason(tmp_path, body, where, reason):
    # A fixable Saver in the same file: a refusal must not stop the file's other fixes.
    fixable = "\n\ndef fixable():\n    return tf.train.Saver(tf.trainable_variables())\n"
    source = HEAD + textwrap.dedent(body) + fixable
    path = tmp_path / "train.py"
    path.write_text(source, encoding="utf-8")
    fixable_line = source.splitlines().index("def fixable():") + 2
    assert findings(tmp_path) == [(*where, "BNU008", None, reason), (fixable_line, 27, "BNU008", "unsafe", None)]
    fix_run = run(tmp_path, "--fix", "--unsafe-fixes", "train.py")
    assert reason in fix_run.stdout + fix_run.stderr
    fixed = path.read_text(encoding="utf-8")
    assert fixed == HEAD + textwrap.dedent(body) + fixable.replace(
        "Saver(tf.trainable_variables())", f"Saver(tf.trainable_variables() + {MOVING})")
    compile(fixed, "train.py", "exec")
    assert findings(tmp_path) == [(*where, "BNU008", None, reason)]
