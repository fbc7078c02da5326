"""TensorFlow judges the checker and the fixer on generated training programs.

Each program (``generator.generate(seed)``) is run by real TensorFlow (``runner.run_programs``), which
says whether every batch-norm layer's moving mean moved (``trains``), none did (``frozen``) or some did
(``partial``).  Then:

* every frozen or partial program gets a finding from ``analyze_source``;
* no training program gets BNU001, BNU004, BNU005 or BNU006;
* after the real ``python -m flake8_bn_update_ops --fix --unsafe-fixes`` over the programs, every
  frozen/partial program for which the rule catalogue defines a fix trains, no training program
  stops training, every changed file compiles, and no fixable finding is left.

``BNU_DIFF_PROGRAMS`` sets the number of programs (default 300); ``BNU_DIFF_SEED`` the first seed.
The agreement table (handling form x flag kind: TensorFlow's verdict against the checker's finding)
is printed to the terminal, uncaptured, so the CI log shows it.
"""
from __future__ import annotations

import collections
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.tf

_HERE = Path(__file__).resolve().parent


def _load(name: str):
    # Loaded under a unique name: tests/ puts several folders on sys.path, and a plain
    # ``import generator`` could pick up someone else's module.
    spec = importlib.util.spec_from_file_location(f"bnu_differential_{name}", _HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = _load("generator")
runner = _load("runner")

UPDATE_OP_CODES = {"BNU001", "BNU004", "BNU005", "BNU006"}
N_PROGRAMS = int(os.environ.get("BNU_DIFF_PROGRAMS", "300"))
FIRST_SEED = int(os.environ.get("BNU_DIFF_SEED", "0"))


def _tensorflow_missing() -> str:
    for module in ("tensorflow", "tf_keras", "numpy"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (the tox 'tf' env installs it)"
    return ""


class Case:
    def __init__(self, seed: int, program, path: Path):
        self.seed = seed
        self.program = program
        self.meta = program.meta
        self.path = path
        self.id = path.stem
        self.verdict = None           # runner.Verdict before fixing
        self.findings = []            # analyze_source before fixing
        self.fixed_source = None      # after the command, if it changed the file
        self.after = None             # runner.Verdict after fixing (changed files only)
        self.findings_after = []

    @property
    def codes(self):
        return sorted({f.code for f in self.findings})

    @property
    def verdict_after(self) -> str:
        return self.after.verdict if self.after is not None else self.verdict.verdict

    def describe(self) -> str:
        m = self.meta
        return (f"{self.path} seed={self.seed} handling={m['handling']} flag={m['flag']} api={m['bn_api']} "
                f"structure={m['structure']} imports={m['imports']} train_form={m['train_form']}: "
                f"TF {self.verdict.verdict} {self.verdict.layers}; findings "
                f"{[(f.code, f.line, f.column + 1) for f in self.findings]}")


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    reason = _tensorflow_missing()
    if reason:
        pytest.skip(reason)
    from flake8_bn_update_ops.engine import analyze_source

    root = tmp_path_factory.mktemp("differential")
    programs_dir = root / "programs"
    programs_dir.mkdir()
    result = []
    for seed in range(FIRST_SEED, FIRST_SEED + N_PROGRAMS):
        program = generator.generate(seed)
        path = programs_dir / f"train_{seed:05d}.py"
        path.write_text(program.source, encoding="utf-8")
        result.append(Case(seed, program, path))

    verdicts = runner.run_programs([(c.id, c.program.source, str(c.path)) for c in result])
    for case in result:
        case.verdict = verdicts[case.id]
        case.findings = analyze_source(case.program.source, filename=str(case.path))

    # The real command, on the real files, the way a user runs it.
    fixed_dir = root / "fixed"
    fixed_dir.mkdir()
    for case in result:
        (fixed_dir / case.path.name).write_text(case.program.source, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--fix", "--unsafe-fixes",
                           str(fixed_dir)], capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    for case in result:
        text = (fixed_dir / case.path.name).read_text(encoding="utf-8")
        if text != case.program.source:
            case.fixed_source = text
            case.fixed_path = fixed_dir / case.path.name
    changed = [c for c in result if c.fixed_source is not None]
    compiled = []
    for case in changed:
        try:
            compile(case.fixed_source, str(case.fixed_path), "exec")
            compiled.append(case)
        except SyntaxError as exc:
            case.compile_error = exc
    after = runner.run_programs([(c.id, c.fixed_source, str(c.fixed_path)) for c in compiled])
    for case in compiled:
        case.after = after[case.id]
        case.findings_after = analyze_source(case.fixed_source, filename=str(case.fixed_path))
    _print_table(result)
    return result


def _print_table(cases) -> None:
    rows = collections.defaultdict(collections.Counter)
    for case in cases:
        key = (case.meta["handling"], case.meta["flag"])
        cell = rows[key]
        verdict = case.verdict.verdict
        cell["n"] += 1
        cell[verdict] += 1
        if verdict == "trains":
            cell["trains_alarm"] += bool(UPDATE_OP_CODES & set(case.codes))
        elif verdict in ("frozen", "partial"):
            cell[verdict + "_found"] += bool(case.findings)
            if case.meta["fix_defined"]:
                cell["fixable"] += 1
                cell["fixed"] += case.verdict_after == "trains"
    header = (f"{'handling':<17}{'flag':<15}{'n':>4}  {'trains(alarm)':>13}  {'frozen(found)':>13}  "
              f"{'partial(found)':>14}  {'fix->trains':>11}  {'error':>5}")
    lines = ["", "Differential agreement: TensorFlow's verdict vs the checker's finding "
             f"({len(cases)} programs, seeds {FIRST_SEED}..{FIRST_SEED + len(cases) - 1})", header,
             "-" * len(header)]
    totals = collections.Counter()
    for (handling, flag), c in sorted(rows.items()):
        totals.update(c)
        lines.append(
            f"{handling:<17}{flag:<15}{c['n']:>4}  {c['trains']:>6}({c['trains_alarm']:>3})   "
            f"{c['frozen']:>6}({c['frozen_found']:>3})   {c['partial']:>7}({c['partial_found']:>3})   "
            f"{c['fixed']:>5}/{c['fixable']:<4}  {c['error']:>5}")
    c = totals
    lines.append("-" * len(header))
    lines.append(
        f"{'total':<32}{c['n']:>4}  {c['trains']:>6}({c['trains_alarm']:>3})   "
        f"{c['frozen']:>6}({c['frozen_found']:>3})   {c['partial']:>7}({c['partial_found']:>3})   "
        f"{c['fixed']:>5}/{c['fixable']:<4}  {c['error']:>5}")
    lines.append("trains(alarm): programs that train / of them flagged BNU001/4/5/6 (want 0); "
                 "frozen/partial(found): of them with any finding (want all); fix->trains: "
                 "fixable per the rules / now train (want all)")
    _print_table.text = "\n".join(lines)


def _fail_with(problems) -> None:
    if problems:
        pytest.fail(f"{len(problems)} disagreement(s):\n" + "\n".join(problems[:40]))


def test_agreement_table_covers_every_handling_form(cases, capsys):
    with capsys.disabled():
        print(_print_table.text)
    seen = {c.meta["handling"] for c in cases}
    flags = {c.meta["flag"] for c in cases}
    # generate() cycles through handling forms, then flag kinds: 160 seeds hold every pair.
    if len(cases) >= len(generator.HANDLINGS) * len(generator.FLAGS):
        pairs = {(c.meta["handling"], c.meta["flag"]) for c in cases}
        assert len(pairs) == len(generator.HANDLINGS) * len(generator.FLAGS)
    elif len(cases) >= len(generator.HANDLINGS):
        assert seen == set(generator.HANDLINGS)
    verdicts = collections.Counter(c.verdict.verdict for c in cases)
    # TensorFlow must have produced both outcomes, or the judge judged nothing.
    assert verdicts["trains"] and verdicts["frozen"], verdicts


def test_generated_programs_run_without_error(cases):
    _fail_with([f"{c.describe()}\n{c.verdict.error}" for c in cases if c.verdict.verdict == "error"])


def test_every_frozen_or_partial_program_gets_a_finding(cases):
    _fail_with([c.describe() for c in cases
                if c.verdict.verdict in ("frozen", "partial") and not c.findings])


def test_no_training_program_gets_an_update_op_finding(cases):
    _fail_with([c.describe() for c in cases
                if c.verdict.verdict == "trains" and UPDATE_OP_CODES & set(c.codes)])


def test_every_changed_file_compiles(cases):
    _fail_with([f"{c.describe()}: {c.compile_error}" for c in cases if hasattr(c, "compile_error")])


def test_fixed_programs_run_without_error(cases):
    _fail_with([f"{c.describe()}\nafter the fix:\n{c.after.error}" for c in cases
                if c.after is not None and c.after.verdict == "error"])


def test_fix_makes_every_fixable_program_train(cases):
    _fail_with([f"{c.describe()}; after the fix: {c.verdict_after} "
                f"{c.after.layers if c.after else '(file unchanged)'}"
                for c in cases
                if c.verdict.verdict in ("frozen", "partial") and c.meta["fix_defined"]
                and c.verdict_after != "trains"])


def test_fix_never_stops_a_program_training(cases):
    _fail_with([f"{c.describe()}; after the fix: {c.verdict_after} {c.after.layers}"
                for c in cases
                if c.verdict.verdict == "trains" and c.after is not None and c.verdict_after != "trains"])


def test_checker_is_silent_for_the_fixed_codes(cases):
    problems = []
    for case in cases:
        if case.fixed_source is None:
            continue
        left = [f for f in case.findings_after if f.fix_safety is not None]
        fixed_codes = {f.code for f in case.findings if f.fix_safety is not None}
        unfixable_before = collections.Counter(f.code for f in case.findings if f.fix_safety is None)
        after = collections.Counter(f.code for f in case.findings_after)
        again = [code for code in fixed_codes if after[code] > unfixable_before[code]]
        if left or again:
            problems.append(f"{case.describe()}; after the fix: "
                            f"{[(f.code, f.line, f.column + 1, f.fix_safety) for f in case.findings_after]}")
    _fail_with(problems)
