"""Jupyter notebooks through the real command, nbqa + flake8, and byte-exact round trips (issue 17).

Case notebooks (``tests/cases_notebooks/*.ipynb``) carry their expectations inline, in the cells:
``# expect: BNU001:12`` on the line the finding must be on, with its 1-based column within the
cell's line. Every other line must stay silent. Magics, shell escapes, help lines, empty cells,
markdown/raw cells and ``%%capture``/``%%time``/``%%bash`` cells sit between them: if anything
shifted a position, the markers would not match.
"""
import difflib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_bn_update_ops.notebooks.ipynb import mask
from flake8_bn_update_ops.rules import CODES
from requires import require

CASES = Path(__file__).resolve().parent / "cases_notebooks"
NOTEBOOKS = sorted(CASES.glob("*.ipynb"))
_EXPECT = re.compile(r"#\s*expect:\s*((?:BNU\d{3}:\d+[\s,]*)+)")


def run_cli(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=cwd, capture_output=True,
                          text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def code_cells(path):
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c["cell_type"] == "code"]


def expected(path):
    found = set()
    for number, source in enumerate(code_cells(path), start=1):
        for line_number, line in enumerate(source.splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                for item in re.findall(r"BNU\d{3}:\d+", match.group(1)):
                    code, column = item.split(":")
                    found.add((path.name, number, line_number, int(column), code))
    return found


def test_every_code_fires_in_a_notebook_at_its_cell_and_line(tmp_path):
    # --select BNU: the codes shipped off by default (rules.DEFAULT_OFF) too.
    proc = run_cli(CASES.parent, "--format", "json", "--isolated", "--select", "BNU", CASES.name)
    records = json.loads(proc.stdout)
    found = {(Path(r["path"]).name, r["cell"], r["line"], r["column"], r["code"]) for r in records}
    wanted = set().union(*(expected(path) for path in NOTEBOOKS))
    assert found == wanted
    assert {code for *_, code in wanted} == set(CODES)
    assert proc.returncode == 1


def test_text_format_is_nbqas_cell_format(tmp_path):
    proc = run_cli(CASES.parent, "--isolated", str(Path(CASES.name) / "bnu001_graph_training.ipynb"))
    line, = [line for line in proc.stdout.splitlines() if ": BNU" in line]
    assert line.startswith("cases_notebooks/bnu001_graph_training.ipynb:cell_6:7:12: BNU001 [*] `minimize`")


def test_nbqa_flake8_reports_the_same_findings_in_the_same_format():
    """The flake8 route users already have: ``nbqa flake8 --select BNU``, with this plugin installed."""
    require(importlib.util.find_spec("nbqa") is not None, "nbqa is not installed (tox installs it)")
    nbqa = subprocess.run([sys.executable, "-m", "nbqa", "flake8", CASES.name, "--select", "BNU", "--isolated"],
                          cwd=CASES.parent, capture_output=True, text=True)
    assert "Traceback" not in nbqa.stderr, nbqa.stderr
    ours = run_cli(CASES.parent, "--isolated", "--select", "BNU", CASES.name)

    def places(text):
        return sorted(re.sub(r" \[\*\]", "", line).split(" ", 2)[:2] for line in text.splitlines()
                      if ": BNU" in line)
    assert places(nbqa.stdout) == places(ours.stdout)
    assert len(places(ours.stdout)) == sum(len(expected(path)) for path in NOTEBOOKS)


def test_masking_keeps_every_other_line_and_column():
    source = ("%matplotlib inline\nimport os\nfiles = !ls\nif files:\n    !echo $files \\\n      more\n"
              "x = (1\n     % 2)\nos.path?\ndoc = '''\n!not a shell line\n'''\n")
    masked, lines = mask(source)
    compile(masked, "cell", "exec")
    before, after = source.splitlines(), masked.splitlines()
    assert len(before) == len(after)
    assert sorted(lines) == [0, 2, 4, 5, 8]
    for number, (old, new) in enumerate(zip(before, after)):
        if number not in lines:
            assert old == new
        else:
            assert new.strip() == "pass" and new[:len(new) - 4] == old[:len(new) - 4]   # its indentation kept
    assert mask("%%bash\n  echo hi\n")[0] == "pass\npass\n"
    assert mask("%%capture out\nimport os\n")[0] == "pass\nimport os\n"


# --------------------------------------------------------------------------- round trips

def _styles(source_nb):
    """The same notebook written the ways real tools write JSON."""
    data = json.loads(source_nb.read_text(encoding="utf-8"))
    yield "nbformat", source_nb.read_text(encoding="utf-8")
    yield "indent2-ascii", json.dumps(data, indent=2, ensure_ascii=True) + "\n"
    yield "no-final-newline", json.dumps(data, indent=1, ensure_ascii=False)
    yield "crlf", (json.dumps(data, indent=1, ensure_ascii=False) + "\n").replace("\n", "\r\n")
    strings = json.loads(json.dumps(data))
    for cell in strings["cells"]:
        cell["source"] = "".join(cell["source"])
        cell["metadata"] = {"tags": ["ünïcode ✓"], "collapsed": False}
    yield "string-sources-unicode", json.dumps(strings, indent=4, ensure_ascii=False, sort_keys=True) + "\n"
    yield "compact", json.dumps(data, separators=(",", ":"))


ROUND_TRIP = [(path, style, text) for path in NOTEBOOKS for style, text in _styles(path)]


@pytest.mark.parametrize("path,style,text", ROUND_TRIP, ids=[f"{p.stem}-{s}" for p, s, _ in ROUND_TRIP])
def test_fix_changes_only_the_targeted_cells_source(tmp_path, path, style, text):
    target = tmp_path / path.name
    target.write_bytes(text.encode("utf-8"))
    before = json.loads(text)
    proc = run_cli(tmp_path, "--fix", "--unsafe-fixes", "--isolated", path.name)
    assert proc.returncode in (0, 1), proc.stderr
    raw = target.read_bytes()
    if "fixed 0," in proc.stderr:
        assert raw == text.encode("utf-8")
        return
    after = json.loads(raw)
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"])) if a != b]
    assert changed
    for index in changed:
        old, new = dict(before["cells"][index]), dict(after["cells"][index])
        assert type(old.pop("source")) is type(new.pop("source"))
        assert old == new    # outputs, execution count, metadata, id: untouched
    assert {k: v for k, v in before.items() if k != "cells"} == {k: v for k, v in after.items() if k != "cells"}
    # Byte level: the text outside the changed cells' source values is the original text.
    new_text = raw.decode("utf-8")
    matcher = difflib.SequenceMatcher(None, text, new_text, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for region in (text[i1:i2], new_text[j1:j2]):
                assert not any(key in region for key in ('"outputs"', '"execution_count"', '"metadata"',
                                                         '"cell_type"', '"id"', '"source"')), region
    # A second run has nothing left to fix and writes nothing.
    again = run_cli(tmp_path, "--fix", "--unsafe-fixes", "--isolated", path.name)
    assert "fixed 0," in again.stderr and target.read_bytes() == raw


@pytest.mark.parametrize("style", ["nbformat", "indent2-ascii", "crlf", "string-sources-unicode", "compact"])
def test_notebook_with_nothing_to_fix_is_byte_identical(tmp_path, style):
    text = dict(_styles(CASES / "silent_handled_and_noqa.ipynb"))[style]
    target = tmp_path / "clean.ipynb"
    target.write_bytes(text.encode("utf-8"))
    proc = run_cli(tmp_path, "--fix", "--unsafe-fixes", "--isolated", "clean.ipynb")
    assert proc.returncode == 0 and "fixed 0, remaining 0" in proc.stderr, proc.stdout + proc.stderr
    assert target.read_bytes() == text.encode("utf-8")


def test_diff_shows_each_changed_cell_and_writes_nothing(tmp_path):
    shutil.copy(CASES / "bnu002_bnu003_flags.ipynb", tmp_path)
    raw = (tmp_path / "bnu002_bnu003_flags.ipynb").read_bytes()
    proc = run_cli(tmp_path, "--diff", "--unsafe-fixes", "--isolated", "bnu002_bnu003_flags.ipynb")
    assert proc.returncode == 1 and (tmp_path / "bnu002_bnu003_flags.ipynb").read_bytes() == raw
    heads = [line for line in proc.stdout.splitlines() if line.startswith(("---", "+++"))]
    assert heads == ["--- a/bnu002_bnu003_flags.ipynb:cell_2", "+++ b/bnu002_bnu003_flags.ipynb:cell_2",
                     "--- a/bnu002_bnu003_flags.ipynb:cell_4", "+++ b/bnu002_bnu003_flags.ipynb:cell_4"]
    # The comment counts toward the line length (pycodestyle's E501): the keyword goes under x.
    assert "+    h = tf.layers.batch_normalization(x,\n" \
           "+                                      training=is_training)  # expect: BNU003:9" in proc.stdout
    assert "+    return tf.layers.batch_normalization(x, training=is_training)  # expect: BNU002:54" in proc.stdout


def test_fixes_in_different_cells_are_each_written_in_their_cell(tmp_path):
    shutil.copy(CASES / "bnu004_bnu005.ipynb", tmp_path)
    proc = run_cli(tmp_path, "--fix", "--isolated", "bnu004_bnu005.ipynb")
    assert proc.returncode == 0 and "fixed 2, remaining 0" in proc.stderr, proc.stderr
    cells = code_cells(tmp_path / "bnu004_bnu005.ipynb")
    assert "tf.get_collection_ref(tf.GraphKeys.UPDATE_OPS)" in cells[1]
    assert cells[3].splitlines()[-2:] == [
        "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):",
        "        return tf.train.AdamOptimizer(1e-3).minimize(loss)  # expect: BNU005:12"]


def _notebook(*sources):
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                  "source": source} for source in sources],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def test_a_fix_that_spans_cells_is_not_offered(tmp_path):
    # The wrap needs `tf`, which the notebook never imports: the import would go into the first cell,
    # among its imports, and the wrap into the second.
    text = _notebook("from tensorflow.compat.v1.layers import batch_normalization\n"
                     "from tensorflow.compat.v1.train import AdamOptimizer\nSTEPS = 10",
                     "def build(x, loss, is_training):\n    h = batch_normalization(x, training=is_training)\n"
                     "    return AdamOptimizer(1e-3).minimize(loss)")
    (tmp_path / "nb.ipynb").write_text(text)
    check = run_cli(tmp_path, "--isolated", "nb.ipynb")
    assert "[*]" not in check.stdout
    assert "BNU001 fixes not offered: the fix would also change cell 1, away from the finding" in check.stderr
    fix = run_cli(tmp_path, "--fix", "--isolated", "nb.ipynb")
    assert fix.returncode == 1 and "nb.ipynb:cell_2:3:12: BNU001" in fix.stdout
    assert "nb.ipynb: BNU001 not fixed: the fix would also change cell 1" in fix.stderr
    assert fix.stderr.count("\n") == 2 and (tmp_path / "nb.ipynb").read_text() == text
    # The same code as one .py file is fixed: the refusal is about cells, not the code.
    (tmp_path / "nb.py").write_text("".join(s + "\n" for s in code_cells(tmp_path / "nb.ipynb")))
    assert run_cli(tmp_path, "--fix", "--isolated", "nb.py").returncode == 0


def test_findings_of_one_code_in_two_cells_are_each_fixed_in_their_cell(tmp_path):
    train = ("def train_{0}(loss):\n    optimizer = tf.train.AdamOptimizer(1e-3)\n"
             "    return optimizer.minimize(loss)")
    first = "import tensorflow as tf\n\ndef net(x, is_training):\n" \
            "    return tf.layers.batch_normalization(x, training=is_training)"
    text = _notebook(first, train.format("generator"), "%%time\nprint('between')", train.format("discriminator"))
    (tmp_path / "gan.ipynb").write_text(text)
    proc = run_cli(tmp_path, "--fix", "--isolated", "gan.ipynb")
    assert proc.returncode == 0 and "fixed 2, remaining 0" in proc.stderr, proc.stderr
    cells = code_cells(tmp_path / "gan.ipynb")
    for number in (1, 3):
        assert cells[number].splitlines()[-2:] == [
            "    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):",
            "        return optimizer.minimize(loss)"]
    assert cells[0] == first and cells[2] == "%%time\nprint('between')"


def test_code_by_code_writes_the_fixes_that_stay_in_their_cell_and_refuses_the_rest(tmp_path):
    # All fixes at once would span cells (BNU001's import goes to cell 1), so the codes are fixed
    # one by one: BNU002 and BNU003 each within their cell, BNU001 refused with its reason.
    imports = ("from tensorflow.compat.v1.layers import batch_normalization\n"
               "from tensorflow.compat.v1.train import AdamOptimizer\nSTEPS = 10")
    build = ("def build(x, loss, is_training):\n    h = batch_normalization(x, training=is_training)\n"
             "    return AdamOptimizer(1e-3).minimize(loss)")
    text = _notebook(imports, build, "def net3(x, is_training):\n    return batch_normalization(x)\n",
                     "def net4(x, is_training):\n    y = batch_normalization(x, training=True)\n    return y\n")
    (tmp_path / "nb.ipynb").write_text(text)
    proc = run_cli(tmp_path, "--fix", "--unsafe-fixes", "--isolated", "nb.ipynb")
    assert proc.returncode == 1 and proc.stdout.splitlines() == [
        "nb.ipynb:cell_2:3:12: BNU001 `minimize` does not run the tf.layers.batch_normalization update ops "
        "(UPDATE_OPS): the moving mean and variance never update, so inference normalizes with their "
        "initial 0 and 1"], proc.stdout + proc.stderr
    assert "nb.ipynb: BNU001 not fixed: the fix would also change cell 1" in proc.stderr
    assert "fixed 2, remaining 1" in proc.stderr
    assert code_cells(tmp_path / "nb.ipynb") == [
        imports, build, "def net3(x, is_training):\n    return batch_normalization(x, training=is_training)\n",
        "def net4(x, is_training):\n    y = batch_normalization(x, training=is_training)\n    return y\n"]
    again = run_cli(tmp_path, "--fix", "--unsafe-fixes", "--isolated", "nb.ipynb")
    assert "fixed 0, remaining 1" in again.stderr


def test_noqa_in_a_cell_works_as_in_a_file(tmp_path):
    body = ("import tensorflow as tf\n\ndef build(x, loss, is_training):\n"
            "    h = tf.layers.batch_normalization(x, training=is_training)\n"
            "    return tf.train.AdamOptimizer(1e-3).minimize(loss)  # noqa: BNU001")
    text = _notebook("%matplotlib inline", body)
    (tmp_path / "nb.ipynb").write_text(text)
    assert run_cli(tmp_path, "--isolated", "nb.ipynb").returncode == 0
    assert run_cli(tmp_path, "--fix", "--isolated", "nb.ipynb").returncode == 0
    assert (tmp_path / "nb.ipynb").read_text() == text
    (tmp_path / "other.ipynb").write_text(_notebook("%matplotlib inline", body.replace("BNU001", "E501")))
    assert "other.ipynb:cell_2:5:12: BNU001" in run_cli(tmp_path, "--isolated", "other.ipynb").stdout


def test_cross_module_analysis_from_a_notebook_uses_its_folder(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "ops.py").write_text(
        "import tensorflow as tf\n\ndef conv_bn(x, is_training):\n"
        "    return tf.layers.batch_normalization(x, training=is_training)\n")
    (tmp_path / "proj" / "train.ipynb").write_text(_notebook(
        "import tensorflow as tf\nfrom ops import conv_bn",
        "def build(x, is_training):\n    loss = tf.reduce_mean(conv_bn(x, is_training))\n"
        "    return tf.train.AdamOptimizer(1e-3).minimize(loss)"))
    proc = run_cli(tmp_path, "--isolated", "proj/train.ipynb")
    assert "proj/train.ipynb:cell_2:3:12: BNU001" in proc.stdout
    assert run_cli(tmp_path, "--isolated", "--bn-cross-module", "no", "proj/train.ipynb").returncode == 0


# --------------------------------------------------------------------------- bad notebooks, other kernels

BAD = [
    ("bad-json", '{"cells": [', "not a notebook: invalid JSON"),
    ("no-cells", '{"metadata": {}, "nbformat": 4}', "not a notebook: no `cells` list"),
    ("nbformat-3", '{"worksheets": [{"cells": []}], "nbformat": 3}', "nbformat 3 notebooks are not supported"),
    ("numeric-source", '{"cells": [{"cell_type": "code", "source": 7}]}', "code cell 1: `source` is neither"),
    ("empty-file", "", "not a notebook: invalid JSON"),
]


@pytest.mark.parametrize("name,text,reason", BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
def test_an_invalid_notebook_is_one_line_and_never_written(tmp_path, name, text, reason, fix):
    path = tmp_path / "nb.ipynb"
    path.write_text(text)
    proc = run_cli(tmp_path, *(["--fix"] if fix else []), "nb.ipynb")
    lines = [line for line in proc.stdout.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("nb.ipynb:1:1: BNU900 could not parse: ") and reason in lines[0]
    assert proc.returncode == 1 and path.read_text() == text


def test_a_python_syntax_error_is_placed_in_its_cell(tmp_path):
    (tmp_path / "nb.ipynb").write_text(_notebook("import tensorflow as tf", "x = 1\nprint 'py2'\n",
                                                 "opt.minimize(loss)"))
    proc = run_cli(tmp_path, "nb.ipynb")
    assert proc.stdout.startswith("nb.ipynb:cell_2:2:")
    assert "BNU900 could not parse:" in proc.stdout and proc.returncode == 1


def test_another_kernel_language_is_skipped_with_a_note(tmp_path):
    data = json.loads(_notebook("library(tensorflow)\nopt$minimize(loss)"))
    data["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    text = json.dumps(data)
    (tmp_path / "nb.ipynb").write_text(text)
    proc = run_cli(tmp_path, "--fix", "nb.ipynb")
    assert proc.returncode == 0 and proc.stdout == ""
    assert "note: nb.ipynb: skipped: its kernel language is R, not Python" in proc.stderr
    assert (tmp_path / "nb.ipynb").read_text() == text


def test_folders_are_searched_for_notebooks_but_not_checkpoints(tmp_path):
    shutil.copy(CASES / "bnu007_gradient_tape.ipynb", tmp_path / "train.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    shutil.copy(CASES / "bnu007_gradient_tape.ipynb", tmp_path / ".ipynb_checkpoints" / "train-checkpoint.ipynb")
    proc = run_cli(tmp_path, "--isolated")
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["./train.ipynb"]


def test_sarif_and_github_point_into_the_notebook_file(tmp_path):
    shutil.copy(CASES / "bnu007_gradient_tape.ipynb", tmp_path / "train.ipynb")
    text = (tmp_path / "train.ipynb").read_text()
    sarif = json.loads(run_cli(tmp_path, "--isolated", "--format", "sarif", "train.ipynb").stdout)
    result, = sarif["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert result["properties"] == {"cell": 3, "cellLine": 4, "cellColumn": 31}
    file_line = text.splitlines()[region["startLine"] - 1]
    # The JSON line holding the cell's 4th line; the column lands on the `m` of `model(x)`.
    assert file_line.strip().startswith('"        loss = tf.reduce_mean(model(x))')
    assert file_line[region["startColumn"] - 1:].startswith("model(x)")
    github = run_cli(tmp_path, "--isolated", "--format", "github", "train.ipynb").stdout
    assert github.startswith(f"::warning file=train.ipynb,line={region['startLine']},col={region['startColumn']},"
                             f"title=BNU007::cell_3:4:31: BNU007 ")
