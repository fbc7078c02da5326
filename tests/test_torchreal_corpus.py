"""The PyTorch / Keras / Flax real-code corpus (benchmarks/torchreal, issue 27): labels and scorer.

The snapshots of third-party repositories are not part of the project, so the scorer is tested on a
snapshot written here (a .py file and a notebook), with the real flake8, the real command and the installed plugin.
"""
import csv
import importlib.util
import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

TORCHREAL = Path(__file__).resolve().parent.parent / "benchmarks" / "torchreal"
HEADER = "repo\tcommit\tpath\tline\tkind\tverdict\tjustification\n"


@pytest.fixture(scope="module")
def score():
    spec = importlib.util.spec_from_file_location("torchreal_score", TORCHREAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _raw_rows():
    with (TORCHREAL / "labels.tsv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_every_row_parses_with_a_valid_kind_and_verdict(score):
    rows = score.load_rows(TORCHREAL / "labels.tsv")
    assert len(rows) == len(_raw_rows()) >= 100
    bad = [r for r in rows if not re.fullmatch(r"[0-9a-f]{40}", r.commit)
           or not re.fullmatch(r"[\w.-]+/[\w.-]+", r.repo) or len(r.justification) < 20]
    assert bad == []
    assert {r.kind.removeprefix("ok_") for r in rows} <= set(score.FAMILY)


def test_the_corpus_has_forty_repositories_each_at_one_commit_and_listed_in_repos_md():
    commits = {}
    for r in _raw_rows():
        commits.setdefault(r["repo"], set()).add(r["commit"])
    assert len(commits) >= 40
    assert {repo: cs for repo, cs in commits.items() if len(cs) != 1} == {}
    repos_md = (TORCHREAL / "REPOS.md").read_text(encoding="utf-8")
    missing = [repo for repo, cs in commits.items() if repo not in repos_md or next(iter(cs)) not in repos_md]
    assert missing == []


def test_no_duplicate_rows_and_no_two_rows_label_the_same_line():
    rows = _raw_rows()
    assert len({tuple(r.values()) for r in rows}) == len(rows)
    keys = Counter((r["repo"], r["path"], r["line"]) for r in rows)
    assert [key for key, n in keys.items() if n > 1] == []


def test_every_kind_has_bug_rows_and_ok_look_alikes(score):
    verdicts = Counter((r["kind"].removeprefix("ok_"), r["verdict"]) for r in _raw_rows())
    for kind in score.FAMILY:
        assert verdicts[(kind, "OK")] >= 1, kind
    assert sum(n for (_, v), n in verdicts.items() if v == "BUG") >= 20


@pytest.mark.parametrize("line, problem", [
    ("o/r\t" + "a" * 40 + "\tm.py\t3\tok_eval_in_train_mode\tBUG\tno such pairing of kind and verdict", "ok_ prefix"),
    ("o/r\t" + "a" * 40 + "\tm.py\t3\teval_in_train_mode\tOK\tan OK row names its kind ok_<kind>", "ok_<kind>"),
    ("o/r\t" + "a" * 40 + "\tm.py\t3\tmissing_update_ops\tBUG\ta TF kind belongs to the other corpus", "bad kind"),
    ("o/r\t" + "a" * 40 + "\tnb.ipynb\t12\teval_in_train_mode\tBUG\tnotebook lines carry their cell", "cell_N:L"),
    ("o/r\t" + "a" * 40 + "\tm.py\tcell_1:2\teval_in_train_mode\tBUG\ta .py file has no cells", "positive"),
    ("o/r\t" + "a" * 40 + "\tm.py\t3\teval_in_train_mode\tBUG", "tab-separated"),
])
def test_malformed_rows_are_refused_with_their_line_number(score, tmp_path, line, problem):
    labels = tmp_path / "labels.tsv"
    labels.write_text(HEADER + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.tsv:2: .*" + re.escape(problem)):
        score.load_rows(labels)


def _row(score, line, kind, verdict, path="m.py", cell=None, justification="a justification long enough"):
    return score.Row("o/r", "0" * 40, path, cell, line, kind, verdict, justification)


def test_a_bug_is_caught_within_three_lines_by_its_framework_family_only(score):
    rows = [_row(score, 10, "eval_in_train_mode", "BUG"), _row(score, 40, "eval_in_train_mode", "BUG"),
            _row(score, 70, "flax_batch_stats_discarded", "BUG"), _row(score, 90, "momentum_inverted", "BUG"),
            _row(score, 110, "keras_finetune_training_missing", "BUG")]
    findings = [score.Finding("m.py", None, 13, "BNU101"),   # 3 lines after row 10: caught
                score.Finding("m.py", None, 44, "BNU101"),   # 4 lines after row 40: too far
                score.Finding("m.py", None, 70, "BNU201"),   # right line, Keras code for a Flax row
                score.Finding("m.py", None, 90, "BNU301"),   # momentum: any framework family
                score.Finding("m.py", None, 111, "BNU007")]  # Keras rows also accept BNU007
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert (tally.kinds["eval_in_train_mode"].caught, tally.kinds["eval_in_train_mode"].bugs) == (1, 2)
    assert [r.line for r in tally.misses] == [40, 70]
    assert tally.kinds["momentum_inverted"].caught == 1
    assert tally.kinds["keras_finetune_training_missing"].caught == 1
    assert sorted(tally.code_hits) == ["BNU007", "BNU101", "BNU301"]


def test_an_ok_row_is_charged_only_when_no_bug_row_is_as_near(score):
    rows = [_row(score, 10, "ok_eval_in_train_mode", "OK"), _row(score, 30, "ok_eval_in_train_mode", "OK"),
            _row(score, 31, "eval_in_train_mode", "BUG"), _row(score, 50, "ok_stats_dropped_by_averaging", "OK")]
    findings = [score.Finding("m.py", None, 12, "BNU102"),   # 2 lines from an OK row: a false alarm
                score.Finding("m.py", None, 31, "BNU101"),   # on the BUG row next to the OK row at 30: no alarm
                score.Finding("m.py", None, 50, "BNU301")]   # a Flax code on a PyTorch OK row: not charged
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert [row.line for row, _ in tally.alarms] == [10]
    assert tally.kinds["eval_in_train_mode"].false_alarms == 1
    assert tally.kinds["stats_dropped_by_averaging"].false_alarms == 0
    assert [r.line for r in tally.code_alarms["BNU102"]] == [10]
    assert tally.unlabelled == []


def test_per_code_recall_leaves_out_rows_another_framework_caught(score):
    # momentum_inverted spans the three frameworks: the Keras row BNU203 catches is not BNU104's to miss,
    # while the row nobody catches counts against both
    rows = [_row(score, 10, "momentum_inverted", "BUG"), _row(score, 30, "momentum_inverted", "BUG"),
            _row(score, 50, "momentum_inverted", "BUG"), _row(score, 70, "ok_momentum_inverted", "OK")]
    findings = [score.Finding("m.py", None, 10, "BNU104"), score.Finding("m.py", None, 30, "BNU203"),
                score.Finding("m.py", None, 71, "BNU104"), score.Finding("m.py", None, 200, "BNU003")]
    tally = score.Tally()
    score.judge(rows, findings, tally)
    figures = {f.code: f for f in score.per_code(tally)}
    assert (figures["BNU104"].caught, figures["BNU104"].pool, figures["BNU104"].alarms) == (1, 2, 1)
    assert (figures["BNU203"].caught, figures["BNU203"].pool, figures["BNU203"].alarms) == (1, 2, 0)
    assert (figures["BNU003"].pool, figures["BNU003"].unlabelled) == (0, 1)
    assert figures["BNU104"].precision == "1/2 (50%)" and figures["BNU203"].recall == "1/2 (50%)"
    assert not figures["BNU104"].meets(0.9, 0.8)
    assert figures["BNU203"].meets(0.9, 0.5) and not figures["BNU203"].meets(0.9, 0.8)


def test_tagged_rows_are_counted_apart(score):
    rows = [_row(score, 10, "eval_in_train_mode", "BUG", justification="[intentional] transductive by design"),
            _row(score, 30, "ok_eval_in_train_mode", "OK", justification="[harmless] nobody reads the stats")]
    findings = [score.Finding("m.py", None, 10, "BNU101"), score.Finding("m.py", None, 30, "BNU101")]
    tally = score.Tally()
    score.judge(rows, findings, tally)
    counts = tally.kinds["eval_in_train_mode"]
    assert (counts.bugs, counts.tagged_bugs, counts.tagged_caught) == (0, 1, 1)
    assert (counts.ok_rows, counts.false_alarms, counts.tagged_ok, counts.tagged_alarms) == (0, 0, 1, 1)
    assert tally.alarms == []


def test_notebook_rows_match_findings_of_their_own_cell_only(score):
    rows = [_row(score, 4, "eval_in_train_mode", "BUG", path="nb.ipynb", cell=3)]
    findings = [score.Finding("nb.ipynb", 2, 4, "BNU101"), score.Finding("nb.ipynb", 3, 9, "BNU101")]
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert [r.line for r in tally.misses] == [4]
    assert [(f.cell, f.line) for _, f in tally.unlabelled] == [(2, 4), (3, 9)]


def test_unsure_rows_are_not_scored_and_syntax_errors_are_counted(score):
    rows = [_row(score, 20, "frozen_bn_still_updating", "UNSURE")]
    findings = [score.Finding("m.py", None, 20, "BNU103"), score.Finding("m.py", None, 95, "E999")]
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert tally.kinds["frozen_bn_still_updating"].bugs == 0
    assert [row.line for row, _ in tally.unsure_hits] == [20]
    assert tally.syntax_errors == 1 and tally.unlabelled == []


SNAPSHOT_STEP = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization()])
optimizer = tf.keras.optimizers.Adam()


def train_step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def good_step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
'''


def _notebook(cells):
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                  "source": source.splitlines(keepends=True)} for source in cells],
                       "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5})


def test_the_scorer_runs_the_real_flake8_and_command_on_a_snapshot(score, tmp_path, capsys):
    flake8 = shutil.which("flake8", path=str(Path(sys.executable).parent))
    assert flake8, "flake8 must be installed beside this Python"
    snapshot = tmp_path / "snap" / "someone__demo"
    (snapshot / "pkg").mkdir(parents=True)
    (snapshot / "pkg" / "train.py").write_text(SNAPSHOT_STEP, encoding="utf-8")
    head, step = SNAPSHOT_STEP.split("\n\n\ndef train_step", 1)
    (snapshot / "demo.ipynb").write_text(_notebook([head, "def train_step" + step.split("\n\n\n")[0]]),
                                         encoding="utf-8")
    labels = tmp_path / "labels.tsv"
    commit = "a" * 40
    labels.write_text(HEADER
                      + f"someone/demo\t{commit}\tpkg/train.py\t9\tkeras_custom_loop_training_missing\tBUG\tno flag\n"
                      + f"someone/demo\t{commit}\tpkg/train.py\t16\tok_keras_custom_loop_training_missing\tOK\tflag\n"
                      + f"someone/demo\t{commit}\tdemo.ipynb\tcell_2:3\tkeras_custom_loop_training_missing\tBUG\tx\n",
                      encoding="utf-8")
    status = score.main(["--flake8", flake8, "--snapshots", str(tmp_path / "snap"), "--labels", str(labels)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "torchreal: caught 2/2 BUG rows, false alarms 0/1 OK rows, 0 unlabelled findings, 0 crashes" in out
    # the per-code table: recall, precision, then the counts behind them (caught, of, alarms, unlabelled)
    assert re.search(r"^  BNU007 +2/2 \(100%\) +2/2 \(100%\) +2 +2 +0 +0  keras_custom_loop_training_missing$", out,
                     re.MULTILINE)
    assert "1 repositories scored, 0 missing" in out

    # --save then --against: the same run has no changed row; relabelling the OK row as a BUG the finding
    # does not reach shows that row's change and BNU007's counts before and after
    saved = tmp_path / "before.json"
    assert score.main(["--flake8", flake8, "--snapshots", str(tmp_path / "snap"), "--labels", str(labels),
                       "--save", str(saved)]) == 0
    assert json.loads(saved.read_text(encoding="utf-8"))["rows"]["someone/demo pkg/train.py:16"] == "silent"
    capsys.readouterr()
    labels.write_text(labels.read_text(encoding="utf-8").replace(
        "16\tok_keras_custom_loop_training_missing\tOK", "16\tkeras_custom_loop_training_missing\tBUG"),
        encoding="utf-8")
    assert score.main(["--flake8", flake8, "--snapshots", str(tmp_path / "snap"), "--labels", str(labels),
                       "--against", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "  changed     someone/demo pkg/train.py:16: silent -> missed\n" in out
    assert "  BNU007  before caught 2/2, alarms 0, unlabelled 0; after caught 2/3, alarms 0, unlabelled 0\n" in out
    assert out.count("  changed ") == 1


def test_a_missing_snapshot_is_reported_and_fails(score, tmp_path, capsys):
    labels = tmp_path / "labels.tsv"
    labels.write_text(HEADER + f"someone/absent\t{'b' * 40}\tx.py\t1\tok_eval_in_train_mode\tOK\tnothing\n",
                      encoding="utf-8")
    flake8 = shutil.which("flake8", path=str(Path(sys.executable).parent))
    status = score.main(["--flake8", flake8, "--snapshots", str(tmp_path), "--labels", str(labels)])
    assert status == 1
    assert "no snapshot someone/absent" in capsys.readouterr().out


def test_fetch_list_names_each_repository_once_and_needs_no_flake8(score, capsys):
    status = score.main(["--fetch-list", "--flake8", "no-such-flake8-here"])
    lines = capsys.readouterr().out.split()
    assert status == 0
    assert len(lines) == len({r["repo"] for r in _raw_rows()})
    assert all(re.fullmatch(r"github:[\w.-]+/[\w.-]+@[0-9a-f]{40}", line) for line in lines)


def test_a_bad_labels_file_is_one_line_not_a_traceback(score, tmp_path, capsys):
    labels = tmp_path / "labels.tsv"
    labels.write_text("repo\tcommit\n", encoding="utf-8")
    assert score.main(["--fetch-list", "--labels", str(labels)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "header must be" in err
