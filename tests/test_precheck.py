"""The cheap tests that let files skip the libcst parse, and the words they come from."""
from __future__ import annotations

import ast

from flake8_bn_update_ops import tf_api
from flake8_bn_update_ops.engine import analyze_source
from flake8_bn_update_ops.precheck import might_have_findings, tree_might_have_findings

BUGGY = ("import tensorflow as tf\n\n\ndef f(x, training, opt):\n"
         "    h = tf.layers.batch_normalization(x, training=training)\n"
         "    return opt.minimize(tf.reduce_mean(h))\n")


def test_trigger_words_come_from_the_tables():
    for table in (tf_api.BATCH_NORM_APIS, tf_api.UPDATE_RUNNING_HELPERS):
        for name in table:
            assert name.rsplit(".", 1)[-1] in tf_api.TRIGGER_WORDS
    assert tf_api.TRAIN_OP_METHODS <= tf_api.TRIGGER_WORDS


def test_text_check():
    assert might_have_findings(BUGGY)
    assert not might_have_findings("import os\nprint(os.getcwd())\n")
    assert might_have_findings("my_bn(x)\n", extra_words=("my_bn",))


def test_tree_check_ignores_comments_and_strings():
    talk = '"""We minimize the loss with batch_norm."""\n# tf.get_collection(tf.GraphKeys.UPDATE_OPS)\nx = 1\n'
    assert might_have_findings(talk)
    assert not tree_might_have_findings(ast.parse(talk))
    assert tree_might_have_findings(ast.parse(BUGGY))
    assert tree_might_have_findings(ast.parse("from tensorflow.contrib.layers import batch_norm\n"))
    assert tree_might_have_findings(ast.parse("k = 'update_ops'\n"))


def test_the_tree_check_does_not_change_findings():
    expected = analyze_source(BUGGY)
    assert [f.code for f in expected] == ["BNU001"]
    assert analyze_source(BUGGY, tree=ast.parse(BUGGY)) == expected


def test_pytorch_imports_pass_the_tree_test_and_other_frameworks_do_not():
    import ast

    from flake8_bn_update_ops.precheck import might_have_findings, tree_might_have_findings

    for source in ("from torch import nn\nmodel = nn.Linear(2, 2)\n",
                   "import torch.nn as nn\nmodel = nn.Linear(2, 2)\n",
                   "import torch\nimport timm\nmodel = timm.create_model('resnet50')\n"):
        assert might_have_findings(source) and tree_might_have_findings(ast.parse(source)), source
    # Mentioned only in a comment: the text test passes, the tree test does not.
    source = "import numpy as np  # works with torch tensors too\nx = np.zeros(3)\n"
    assert might_have_findings(source) and not tree_might_have_findings(ast.parse(source))
    assert not might_have_findings("import jax\nx = jax.numpy.zeros(3)\n")
