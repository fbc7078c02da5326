"""Code-action titles and text edits, in process (the real pylsp round trip is tests/test_lsp.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from lsp_edits import apply_edits

from flake8_bn_update_ops.engine import analyze_source
from flake8_bn_update_ops.editor.quickfix import fix_title, text_edits
from flake8_bn_update_ops.rules import all_rules

FIX_PAIRS = sorted((Path(__file__).parent / "fixes").glob("*.expected.py"))


def _examples_with_fixes():
    for rule in all_rules():
        for number, example in enumerate(rule.flagged):
            for finding in analyze_source(example, f"{rule.code.lower()}_{number}.py"):
                if finding.fix is not None:
                    yield finding, example


def test_every_fix_the_rule_examples_offer_has_a_title_from_its_phrase():
    fixable_codes = {rule.code for rule in all_rules() if rule.fix_safety != "none"}
    seen = set()
    for finding, example in _examples_with_fixes():
        title = fix_title(finding, example)
        seen.add(finding.code)
        assert title.startswith(f"Fix {finding.code}: "), title
        assert "apply its fix" not in title and "{" not in title, title   # the phrase table has it, filled
        assert title.endswith(" (unsafe)") == (finding.fix_safety == "unsafe"), title
    assert seen == fixable_codes   # every code with a fix is exercised by its own examples


@pytest.mark.parametrize("source, title", [
    ("import tensorflow as tf\n\n\ndef f(x, training, loss):\n"
     "    h = tf.layers.batch_normalization(x, training=training)\n"
     "    return tf.train.AdamOptimizer(1e-3).minimize(loss)\n",
     "Fix BNU001: run the update ops before `minimize`"),
    ("import tensorflow as tf\n\n\ndef f(x, training, loss, grads):\n"
     "    h = tf.layers.batch_normalization(x, training=training)\n"
     "    return tf.train.AdamOptimizer(1e-3).apply_gradients(\n        grads)\n",
     "Fix BNU001: run the update ops before `apply_gradients`"),
    ("import tensorflow as tf\n\n\ndef f(x, is_training):\n    return tf.layers.batch_normalization(x)\n",
     "Fix BNU003: pass `training=is_training`"),
])
def test_titles_name_what_the_fix_writes(source, title):
    (finding,) = [f for f in analyze_source(source, "m.py") if f.fix is not None]
    assert fix_title(finding, source) == title


def _variants(text: str):
    yield "lf", text
    yield "crlf", text.replace("\n", "\r\n")
    yield "cr", text.replace("\n", "\r")
    yield "no final newline", text.rstrip("\n")
    yield "non-ascii first", "# \U0001d6fc\u2028\u00e9\x0c\n" + text


@pytest.mark.parametrize("expected_path", FIX_PAIRS, ids=lambda p: p.name)
def test_text_edits_turn_the_old_text_into_the_new_one(expected_path):
    before = expected_path.with_name(expected_path.name.replace(".expected", "")).read_text(encoding="utf-8")
    after = expected_path.read_text(encoding="utf-8")
    for (name, old), (_, new) in zip(_variants(before), _variants(after)):
        edits = text_edits(old, new)
        assert apply_edits(old, edits) == new, name
        assert (edits == []) == (old == new), name


def test_an_edit_never_spans_unchanged_lines():
    old = "a\nb\nc\nd\ne\n"
    new = "a\nB\nc\nd\nE\nf\n"
    edits = text_edits(old, new)
    assert [(e["range"]["start"]["line"], e["range"]["end"]["line"], e["newText"]) for e in edits] == [
        (1, 2, "B\n"), (4, 5, "E\nf\n")]
