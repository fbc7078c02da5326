"""The real-code benchmark (benchmarks/real): its labels are well-formed and its scorer counts what it says.

The snapshots of third-party repositories are not part of the project, so the scorer is tested on a
snapshot written here, with the real flake8 and the installed plugin.
"""
import csv
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parent.parent / "benchmarks" / "real"


@pytest.fixture(scope="module")
def score():
    spec = importlib.util.spec_from_file_location("real_score", REAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _rows():
    with (REAL / "labels.tsv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_labels_are_well_formed(score):
    rows = _rows()
    assert len(rows) >= 100
    assert list(rows[0]) == ["repo", "commit", "path", "line", "kind", "verdict", "justification"]
    bad = [r for r in rows if r["kind"] not in score.FAMILY or r["verdict"] not in ("BUG", "OK", "UNSURE")
           or not re.fullmatch(r"[0-9a-f]{40}", r["commit"]) or not r["line"].isdigit()
           or not re.fullmatch(r"[\w.-]+/[\w.-]+", r["repo"]) or len(r["justification"]) < 20]
    assert bad == []


def test_each_repository_is_labelled_at_one_commit_and_listed_in_repos_md():
    commits = {}
    for r in _rows():
        commits.setdefault(r["repo"], set()).add(r["commit"])
    assert len(commits) >= 20
    assert {repo: cs for repo, cs in commits.items() if len(cs) != 1} == {}
    repos_md = (REAL / "REPOS.md").read_text(encoding="utf-8")
    missing = [repo for repo, cs in commits.items() if repo not in repos_md or next(iter(cs)) not in repos_md]
    assert missing == []


def test_no_two_rows_label_the_same_line():
    keys = [(r["repo"], r["path"], r["line"]) for r in _rows()]
    assert len(keys) == len(set(keys))


def test_flake8_lines_are_parsed(score):
    found = score.parse_flake8_output(
        "./pkg/train.py:12:5: BNU001 train op does not run ...\n"
        "./a b/x.py:3:1: E999 SyntaxError: invalid syntax\n"
        "not a finding\n")
    assert found == [score.Finding("pkg/train.py", 12, "BNU001"), score.Finding("a b/x.py", 3, "E999")]


def _row(score, line, kind, verdict, path="m.py"):
    return score.Row("o/r", "0" * 40, path, line, kind, verdict, "a justification long enough")


def test_a_bug_is_caught_within_three_lines_by_its_family_only(score):
    rows = [_row(score, 10, "missing_update_ops", "BUG"), _row(score, 40, "missing_update_ops", "BUG"),
            _row(score, 70, "checkpoint_missing_moving_stats", "BUG")]
    findings = [score.Finding("m.py", 13, "BNU005"),   # 3 lines after row 10: caught
                score.Finding("m.py", 44, "BNU001"),   # 4 lines after row 40: too far
                score.Finding("m.py", 70, "BNU003")]   # right line, wrong family for row 70
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert (tally.caught, tally.bugs) == (1, 3)
    assert [r.line for r in tally.misses] == [40, 70]


def test_an_ok_row_is_a_false_alarm_only_for_its_family_within_two_lines(score):
    rows = [_row(score, 10, "ok_control_deps", "OK"), _row(score, 30, "ok_training_var", "OK"),
            _row(score, 50, "ok_checkpoint", "OK")]
    findings = [score.Finding("m.py", 12, "BNU001"),   # 2 lines from an ok_control_deps row: alarm
                score.Finding("m.py", 30, "BNU001"),   # BNU001 does not speak about a training flag
                score.Finding("m.py", 53, "BNU008")]   # 3 lines away: no alarm, but accounted for
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert (tally.false_alarms, tally.ok_rows) == (1, 3)
    assert [row.line for row, _ in tally.alarms] == [10]
    assert tally.unlabelled == []


def test_a_finding_on_an_adjacent_bug_row_is_not_charged_to_the_ok_row_beside_it(score):
    # the charging rule shared with benchmarks/torchreal (benchmarks/judging.py): a BNU001 one line from the
    # OK row catches the BUG row it sits on; a BNU001 between the two but nearer the OK row is charged
    rows = [_row(score, 10, "ok_control_deps", "OK"), _row(score, 11, "missing_update_ops", "BUG"),
            _row(score, 40, "ok_control_deps", "OK"), _row(score, 43, "missing_update_ops", "BUG")]
    findings = [score.Finding("m.py", 11, "BNU001"), score.Finding("m.py", 41, "BNU001")]
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert (tally.caught, tally.bugs) == (2, 2)
    assert [row.line for row, _ in tally.alarms] == [40]


def test_both_scorers_judge_with_the_one_shared_module(score):
    spec = importlib.util.spec_from_file_location("torchreal_score_shared", REAL.parent / "torchreal" / "score.py")
    torchreal = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = torchreal
    spec.loader.exec_module(torchreal)
    import judging

    assert score.judging is judging is torchreal.judging
    assert (score.CATCH_SPAN, score.ALARM_SPAN) == (judging.CATCH_SPAN, judging.ALARM_SPAN) == (3, 2)


def test_findings_far_from_every_row_are_unlabelled_and_other_bugs_are_not_scored(score):
    rows = [_row(score, 10, "other", "BUG"), _row(score, 20, "missing_training", "UNSURE")]
    findings = [score.Finding("m.py", 20, "BNU003"), score.Finding("m.py", 90, "BNU002"),
                score.Finding("n.py", 10, "BNU001"), score.Finding("m.py", 95, "E999")]
    tally = score.Tally()
    score.judge(rows, findings, tally)
    assert (tally.bugs, tally.ok_rows) == (0, 0)
    assert [row.line for row, _ in tally.beyond_rules] == [10]
    assert [row.line for row, _ in tally.unsure_hits] == [20]
    assert [(f.path, f.line) for _, f in tally.unlabelled] == [("m.py", 90), ("n.py", 10)]
    assert tally.syntax_errors == 1


def test_fetch_list_names_each_repository_once(score):
    rows = [_row(score, 1, "other", "OK"), _row(score, 5, "other", "OK"),
            score.Row("p/q", "1" * 40, "x.py", 1, "other", "OK", "j")]
    assert score.fetch_list(rows) == ["github:o/r@" + "0" * 40, "github:p/q@" + "1" * 40]


SNAPSHOT_TRAIN = '''\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
is_training = tf.placeholder(tf.bool)
h = tf.layers.batch_normalization(tf.layers.dense(x, 8), training=is_training)
loss = tf.reduce_mean(tf.square(h))
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
'''


def test_the_scorer_runs_the_real_flake8_on_a_snapshot(score, tmp_path, capsys):
    flake8 = shutil.which("flake8", path=str(Path(sys.executable).parent))
    assert flake8, "flake8 must be installed beside this Python"
    snapshot = tmp_path / "snap" / "someone__demo"
    (snapshot / "pkg").mkdir(parents=True)
    (snapshot / "pkg" / "train.py").write_text(SNAPSHOT_TRAIN, encoding="utf-8")
    labels = tmp_path / "labels.tsv"
    header = "repo\tcommit\tpath\tline\tkind\tverdict\tjustification\n"
    labels.write_text(header
                      + f"someone/demo\t{'a' * 40}\tpkg/train.py\t7\tmissing_update_ops\tBUG\tbare minimize\n"
                      + f"someone/demo\t{'a' * 40}\tpkg/train.py\t5\tok_training_var\tOK\tflag is a placeholder\n",
                      encoding="utf-8")
    status = score.main(["--flake8", flake8, "--snapshots", str(tmp_path / "snap"), "--labels", str(labels)])
    out = capsys.readouterr().out
    assert status == 0
    assert "caught 1/1 BUG rows, false alarms 0/1 OK rows, 0 unlabelled findings" in out
    assert "1 repositories scored, 0 missing" in out


def test_a_missing_snapshot_is_reported_and_fails(score, tmp_path, capsys):
    labels = tmp_path / "labels.tsv"
    labels.write_text("repo\tcommit\tpath\tline\tkind\tverdict\tjustification\n"
                      f"someone/absent\t{'b' * 40}\tx.py\t1\tother\tOK\tnothing here\n", encoding="utf-8")
    flake8 = shutil.which("flake8", path=str(Path(sys.executable).parent))
    status = score.main(["--flake8", flake8, "--snapshots", str(tmp_path), "--labels", str(labels)])
    out = capsys.readouterr().out
    assert status == 1
    assert "no snapshot someone/absent" in out


def test_fetch_list_needs_no_flake8(score, capsys):
    status = score.main(["--fetch-list", "--flake8", "no-such-flake8-here"])
    lines = capsys.readouterr().out.split()
    assert status == 0
    assert len(lines) == len({r["repo"] for r in _rows()})
    assert all(re.fullmatch(r"github:[\w.-]+/[\w.-]+@[0-9a-f]{40}", line) for line in lines)
