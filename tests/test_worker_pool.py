"""Findings cross the command's process pool, with their fix plans (plain data)."""
from __future__ import annotations

import pickle
import subprocess
import sys

from flake8_bn_update_ops.engine import analyze_source

SOURCE = "import tensorflow as tf\n\n\ndef f(x, training):\n    return tf.layers.batch_normalization(x)\n"


def test_a_finding_with_a_fix_pickles_with_its_plan():
    (finding,) = analyze_source(SOURCE)
    assert finding.fix is not None
    copy = pickle.loads(pickle.dumps(finding))
    assert copy == finding and copy.fix == finding.fix and copy.fix_safety == "safe"


def test_several_fixable_files_through_the_pool(tmp_path):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(SOURCE)
    result = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--jobs", "2", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("BNU003") == 3
