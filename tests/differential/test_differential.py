"""TensorFlow judges the checker and the fixer on generated training programs.

Each program (``generator.generate(seed)``: one file, or a folder whose model lives in a package
without ``__init__.py``) is run by real TensorFlow (``runner.run_programs``), which says whether every
batch-norm layer's moving mean moved (``trains``), none did (``frozen``) or some did (``partial``).
The checker and the fixer are the real command, run the way a user runs them: in the program's folder,
on the whole folder (``python -m flake8_bn_update_ops --format json .`` and ``--fix --unsafe-fixes .``).
Then:

* the generator's own reading of TensorFlow (``meta["expected"]``) matches TensorFlow;
* every frozen or partial program gets a finding; no training program gets BNU001, BNU004, BNU005
  or BNU006;
* after ``--fix --unsafe-fixes``, at least 97% of the frozen/partial programs for which RULES.md
  defines a fix (``meta["fix_defined"]``, decided by the generator from RULES.md's words before any
  fixer runs) train; no training program stops training; every changed file compiles; and no fixable
  finding is left.

The program-model forms of issue 24 and the flag homes of issue 25 (``forms.generate_form(seed)``) are
judged on two counts: TensorFlow's verdict and its evaluation (does the evaluation run normalize with
the moving statistics?). A *correct* program trains (or builds no batch norm) and evaluates with them.
For these forms the bar is higher: no correct program gets any finding; every wrong one gets one;
every wrong one whose fix RULES.md or issue 25 defines is correct after ``--fix --unsafe-fixes``
(100%, not 97%); and no correct program stops being correct.

``BNU_DIFF_PROGRAMS`` sets the number of programs (default 320: two cycles of the handling x flag
grid); ``BNU_DIFF_SEED`` the first seed.  ``BNU_DIFF_FORM_PROGRAMS`` sets the number of form programs
(default one of each form: 14; CI time), from seed ``BNU_DIFF_FORM_SEED`` (default 0).
``BNU_DIFF_REPORT=path`` writes every program's meta, verdicts and findings as JSON.  The agreement
tables (handling x flag, form, the Keras axes, and the forms: TensorFlow's verdict against the checker's
finding) are printed to the terminal, uncaptured, so the CI log shows them.

Without TensorFlow the test is skipped, except under CI (``CI`` set) or tox's ``tf`` environment
(``BNU_REQUIRE_TF=1``), where it fails: a green CI must mean it ran.
"""
from __future__ import annotations

import collections
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

import pytest

pytestmark = pytest.mark.tf

_HERE = Path(__file__).resolve().parent


def _load(name: str):
    # Loaded under a unique name: tests/ puts several folders on sys.path, and a plain
    # ``import generator`` could pick up someone else's module.
    spec = importlib.util.spec_from_file_location(f"bnu_differential_{name}", _HERE / f"{name}.py")
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


generator = _load("generator")
forms = _load("forms")
runner = _load("runner")

UPDATE_OP_CODES = {"BNU001", "BNU004", "BNU005", "BNU006"}
N_PROGRAMS = int(os.environ.get("BNU_DIFF_PROGRAMS", "320"))
FIRST_SEED = int(os.environ.get("BNU_DIFF_SEED", "0"))
N_FORM_PROGRAMS = int(os.environ.get("BNU_DIFF_FORM_PROGRAMS", str(len(forms.FORMS))))
FIRST_FORM_SEED = int(os.environ.get("BNU_DIFF_FORM_SEED", "0"))
FIX_RATE = 0.97


# What the forms found that the package does not do yet: (form, variant or None for every variant) -> what
# TensorFlow shows and the checker or fixer does, and the minimal program in open_repros/. The form tests
# hold each gap as it is, so a gap that closes fails them until its entry is removed here. (Empty since issue 24's
# four gaps closed: their programs are in repros/.)
KNOWN_GAPS: Dict[tuple, tuple] = {}


def known_gap(case) -> Optional[tuple]:
    meta = case.meta
    return KNOWN_GAPS.get((meta["form"], meta["variant"])) or KNOWN_GAPS.get((meta["form"], None))


def tf_correct(verdict) -> bool:
    """The layers train (or there are none) and evaluation normalizes with the moving statistics."""
    return verdict.verdict in ("trains", "no_bn") and verdict.evaluation in ("moving", "")


def _tensorflow_missing() -> str:
    for module in ("tensorflow", "tf_keras", "numpy"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (the tox 'tf' env installs it)"
    return ""


def _required() -> bool:
    """Under CI or tox's tf env a missing TensorFlow is a failure, not a skip."""
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("BNU_REQUIRE_TF", "") not in ("", "0")


class Found(NamedTuple):
    """One finding of the command's JSON output."""

    path: str          # relative to the program's folder
    line: int
    column: int        # 1-based, as printed
    code: str
    fix_safety: Optional[str]


class Case:
    def __init__(self, seed: int, program, folder: Path, main: Path, prefix: str = ""):
        self.seed = seed
        self.program = program
        self.meta = program.meta
        self.folder = folder          # where the command runs (a shared folder for one-file programs)
        self.main = main              # the script TensorFlow runs
        self.id = f"{prefix}{seed:05d}"
        self.form_program = bool(prefix)     # from forms.generate_form
        self.files = {main.name: main} if not program.multi_file else {
            rel: folder / rel for rel in program.files}
        self.verdict = None           # runner.Verdict before fixing
        self.findings: List[Found] = []
        self.fixed: Dict[str, str] = {}   # relative path -> fixed text, for the files the command changed
        self.compile_errors: List[str] = []
        self.after = None             # runner.Verdict after fixing (changed programs only)
        self.findings_after: List[Found] = []

    @property
    def codes(self):
        return sorted({f.code for f in self.findings})

    @property
    def verdict_after(self) -> str:
        return self.after.verdict if self.after is not None else self.verdict.verdict

    def describe(self) -> str:
        m = self.meta
        where = self.folder if self.program.multi_file else self.main
        if self.form_program:
            after = (f"; after the fix: TF {self.after.verdict} evaluation={self.after.evaluation or '-'} "
                     f"{[(f.path, f.code, f.line, f.column) for f in self.findings_after]}" if self.after else "")
            return (f"{where} form seed={self.seed} {m['family']}/{m['form']}/{m['variant']}: TF "
                    f"{self.verdict.verdict} evaluation={self.verdict.evaluation or '-'} {self.verdict.layers}; "
                    f"expected {m['expected']} evaluation={m['expected_evaluation'] or '-'}; findings "
                    f"{[(f.path, f.code, f.line, f.column) for f in self.findings]}{after}")
        keras = (f" kkind={m['kkind']} kstore={m['kstore']} lphase={m['lphase']}" if m["keras"] else
                 f" api={m['bn_api']}")
        return (f"{where} seed={self.seed} family={m['family']} form={m['form']} handling={m['handling']} "
                f"flag={m['flag']}{keras} structure={m['structure']} train_form={m['train_form']}: "
                f"TF {self.verdict.verdict} {self.verdict.layers}; findings "
                f"{[(f.path, f.code, f.line, f.column) for f in self.findings]}")


# --------------------------------------------------------------------------- the real command

def _command(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, (
        f"{args} in {cwd}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    return proc


def _check(folder: Path) -> Dict[str, List[Found]]:
    """The command's findings on a whole folder, by path relative to it."""
    proc = _command(["--format", "json", "."], folder)
    out: Dict[str, List[Found]] = collections.defaultdict(list)
    for record in json.loads(proc.stdout or "[]"):
        rel = os.path.normpath(os.path.relpath(os.path.join(folder, record["path"]), folder))
        out[rel].append(Found(rel, record["line"], record["column"], record["code"], record["fix_safety"]))
    return out


def _fix(folder: Path) -> None:
    _command(["--fix", "--unsafe-fixes", "."], folder)


def _findings_of(case: Case, found: Dict[str, List[Found]]) -> List[Found]:
    """A multi-file program owns its whole folder; a one-file program its own file."""
    if case.program.multi_file:
        return sorted(f for rel_findings in found.values() for f in rel_findings)
    return sorted(found.get(case.main.name, []))


def _run_command_everywhere(folders: List[Path], action) -> Dict[Path, object]:
    # the single-file folder is one big run; each multi-file folder is its own small run
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(folders, pool.map(action, folders)))


# --------------------------------------------------------------------------- the fixture

class _Clock:
    """Wall time per phase, printed under the tables (the test must stay within minutes)."""

    def __init__(self):
        self.start = self.last = time.monotonic()
        self.laps = []

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps.append((name, now - self.last))
        self.last = now

    def summary(self) -> str:
        laps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.laps)
        return f"time: {laps}; total {time.monotonic() - self.start:.0f} s"


def _write(case_root: Path, seed: int, program, prefix: str = "") -> Case:
    if program.multi_file:
        folder = case_root / f"{prefix or 'prog_'}{seed:05d}"
        for rel, text in program.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return Case(seed, program, folder, folder / program.main, prefix)
    folder = case_root / "single"
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / f"{prefix or 'train_'}{seed:05d}.py"
    main.write_text(program.source, encoding="utf-8")
    return Case(seed, program, folder, main, prefix)


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    reason = _tensorflow_missing()
    if reason:
        if _required():
            pytest.fail(f"{reason}: under CI and tox's tf env the differential test must run")
        pytest.skip(reason)

    clock = _Clock()
    root = tmp_path_factory.mktemp("differential")
    before_dir, fixed_dir = root / "programs", root / "fixed"
    result = [_write(before_dir, seed, generator.generate(seed))
              for seed in range(FIRST_SEED, FIRST_SEED + N_PROGRAMS)]
    result += [_write(before_dir, seed, forms.generate_form(seed), "form_")
               for seed in range(FIRST_FORM_SEED, FIRST_FORM_SEED + N_FORM_PROGRAMS)]
    shutil.copytree(before_dir, fixed_dir)
    folders = sorted({c.folder for c in result})

    clock.lap("generate")
    verdicts = runner.run_programs([(c.id, c.program.source, str(c.main), str(c.main.parent)) for c in result])
    clock.lap("TensorFlow before")
    checked = _run_command_everywhere(folders, _check)
    clock.lap("check")
    for case in result:
        case.verdict = verdicts[case.id]
        case.findings = _findings_of(case, checked[case.folder])

    fixed_folders = [fixed_dir / f.relative_to(before_dir) for f in folders]
    _run_command_everywhere(fixed_folders, _fix)
    clock.lap("fix")
    for case in result:
        case.fixed_folder = fixed_dir / case.folder.relative_to(before_dir)
        case.fixed_main = fixed_dir / case.main.relative_to(before_dir)
        for rel, path in case.files.items():
            fixed_path = fixed_dir / path.relative_to(before_dir)
            text = fixed_path.read_text(encoding="utf-8")
            if text != path.read_text(encoding="utf-8"):
                case.fixed[rel] = text
                try:
                    compile(text, str(fixed_path), "exec")
                except SyntaxError as exc:
                    case.compile_errors.append(f"{fixed_path}: {exc}")
    changed = [c for c in result if c.fixed and not c.compile_errors]
    after = runner.run_programs([(c.id, c.fixed_main.read_text(encoding="utf-8"), str(c.fixed_main),
                                  str(c.fixed_main.parent)) for c in changed])
    clock.lap(f"TensorFlow after ({len(changed)} changed)")
    changed_folders = sorted({c.fixed_folder for c in changed})
    checked_after = _run_command_everywhere(changed_folders, _check)
    clock.lap("check after")
    for case in changed:
        case.after = after[case.id]
        case.findings_after = _findings_of(case, checked_after[case.fixed_folder])
    _print_tables(result)
    _print_tables.text += "\n" + clock.summary()
    report = os.environ.get("BNU_DIFF_REPORT")
    if report:
        _write_report(result, Path(report))
    return result


# --------------------------------------------------------------------------- tables

def _cell(case, cell) -> None:
    verdict = case.verdict.verdict
    cell["n"] += 1
    cell[verdict] += 1
    cell["mispredicted"] += verdict != case.meta["expected"]
    if verdict == "trains":
        cell["trains_alarm"] += bool(UPDATE_OP_CODES & set(case.codes))
        cell["regressed"] += case.after is not None and case.verdict_after != "trains"
    elif verdict in ("frozen", "partial"):
        cell[verdict + "_found"] += bool(case.findings)
        if case.meta["fix_defined"]:
            cell["fixable"] += 1
            cell["fixed"] += case.verdict_after == "trains"


def _table(title: str, cases, key, headers) -> List[str]:
    rows = collections.defaultdict(collections.Counter)
    for case in cases:
        _cell(case, rows[key(case)])
    widths = [max([len(h)] + [len(str(k[i])) for k in rows]) + 2 for i, h in enumerate(headers)]
    head = "".join(h.ljust(w) for h, w in zip(headers, widths))
    header = (f"{head}{'n':>4}  {'trains(alarm)':>13}  {'frozen(found)':>13}  {'partial(found)':>14}  "
              f"{'fix->trains':>11}  {'regr':>4}  {'error':>5}  {'gen!=TF':>7}")
    lines = ["", title, header, "-" * len(header)]
    totals = collections.Counter()

    def line(label: str, c) -> str:
        return (f"{label}{c['n']:>4}  {c['trains']:>6}({c['trains_alarm']:>3})   "
                f"{c['frozen']:>6}({c['frozen_found']:>3})   {c['partial']:>7}({c['partial_found']:>3})   "
                f"{c['fixed']:>5}/{c['fixable']:<4}  {c['regressed']:>4}  {c['error']:>5}  {c['mispredicted']:>7}")

    for k, c in sorted(rows.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        totals.update(c)
        lines.append(line("".join(str(v).ljust(w) for v, w in zip(k, widths)), c))
    lines.append("-" * len(header))
    lines.append(line("total".ljust(sum(widths)), totals))
    return lines


def _forms_table(cases) -> List[str]:
    rows = collections.defaultdict(collections.Counter)
    for case in cases:
        m, c = case.meta, rows[(case.meta["family"], case.meta["form"])]
        before = case.verdict
        c["n"] += 1
        c["error"] += before.verdict == "error"
        c["mispredicted"] += (before.verdict, before.evaluation) != (m["expected"], m["expected_evaluation"])
        if before.verdict == "error":
            continue
        if tf_correct(before):
            c["correct"] += 1
            c["alarm"] += bool(case.findings)
            c["regressed"] += case.after is not None and not tf_correct(case.after)
            continue
        c["wrong"] += 1
        c["found"] += bool(case.findings)
        c[before.verdict] += before.verdict in ("frozen", "partial")
        c["evalbatch"] += before.evaluation == "batch"
        if m["fix_defined"]:
            c["fixable"] += 1
            c["fixed"] += case.after is not None and tf_correct(case.after)
        c["broken"] += bool(case.compile_errors)
    header = (f"{'family':<8}{'form':<24}{'n':>4}  {'correct(alarm)':>14}  {'wrong(found)':>12}  "
              f"{'frozen':>6}  {'partial':>7}  {'evalbatch':>9}  {'fix->correct':>12}  {'regr':>4}  "
              f"{'broken':>6}  {'error':>5}  {'gen!=TF':>7}")
    lines = ["", f"Program-model (issue 24) and flag-home (issue 25) forms: {len(cases)} programs, seeds "
             f"{FIRST_FORM_SEED}..{FIRST_FORM_SEED + len(cases) - 1}", header, "-" * len(header)]
    totals = collections.Counter()

    def line(label: str, c) -> str:
        return (f"{label}{c['n']:>4}  {c['correct']:>9}({c['alarm']:>3})  {c['wrong']:>7}({c['found']:>3})  "
                f"{c['frozen']:>6}  {c['partial']:>7}  {c['evalbatch']:>9}  {c['fixed']:>7}/{c['fixable']:<4}  "
                f"{c['regressed']:>4}  {c['broken']:>6}  {c['error']:>5}  {c['mispredicted']:>7}")

    order = {key: i for i, key in enumerate(forms.FORMS)}
    for key, c in sorted(rows.items(), key=lambda kv: order[kv[0]]):
        totals.update(c)
        lines.append(line(f"{key[0]:<8}{key[1]:<24}", c))
    lines.append("-" * len(header))
    lines.append(line(f"{'total':<32}", totals))
    lines.append("correct(alarm): programs that train (or build no batch norm) and evaluate with the moving "
                 "statistics / of them with any finding (want 0); wrong(found): the others / of them with a "
                 "finding (want all), split into frozen, partial and evalbatch (trains, but evaluation "
                 "normalizes with batch statistics); fix->correct: of the wrong programs with a defined fix, "
                 "those correct after --fix --unsafe-fixes (want all); regr: correct programs that are not "
                 "after the fix (want 0); broken: fixed files that do not compile (want 0)")
    return lines


def _print_tables(all_cases) -> None:
    cases = [c for c in all_cases if not c.form_program]
    seeds = f"{len(cases)} programs, seeds {FIRST_SEED}..{FIRST_SEED + len(cases) - 1}"
    lines = _table(f"Differential agreement by handling x flag: TensorFlow's verdict vs the checker's finding "
                   f"({seeds})", cases, lambda c: (c.meta["handling"], c.meta["flag"]), ["handling", "flag"])
    lines += _table("By form (family: layers = tf.layers in one file, keras = Keras in one file, multi = model "
                    "in a package without __init__.py)", cases,
                    lambda c: (c.meta["family"], c.meta["form"]), ["family", "form"])
    keras = [c for c in cases if c.meta["keras"]]
    if keras:
        lines += _table("Keras programs by model kind x where the model is stored x learning phase", keras,
                        lambda c: (c.meta["kkind"], c.meta["kstore"], c.meta["lphase"]),
                        ["kind", "stored", "learning phase"])
    lines.append("trains(alarm): programs that train / of them flagged BNU001/4/5/6 (want 0); "
                 "frozen/partial(found): of them with any finding (want all); fix->trains: of the frozen/partial "
                 "programs RULES.md defines a fix for, those that train after --fix --unsafe-fixes (want >= "
                 f"{FIX_RATE:.0%}); regr: training programs that stop training after the fix (want 0); "
                 "gen!=TF: the generator's reading of TensorFlow was wrong (want 0)")
    form_cases = [c for c in all_cases if c.form_program]
    if form_cases:
        lines += _forms_table(form_cases)
        lines.append("Known gaps (held as they are by the form tests):")
        lines += [f"  {form}/{variant or '*'}: {kind}: {text}" for (form, variant), (kind, text) in KNOWN_GAPS.items()]
    _print_tables.text = "\n".join(lines)


def _write_report(cases, path: Path) -> None:
    records = []
    for case in cases:
        records.append({
            "seed": case.seed, "id": case.id, "meta": case.meta, "verdict": case.verdict.verdict,
            "evaluation": case.verdict.evaluation, "layers": case.verdict.layers,
            "evaluation_after": case.after.evaluation if case.after else case.verdict.evaluation,
            "findings": [list(f) for f in case.findings], "fixed_files": sorted(case.fixed),
            "compile_errors": case.compile_errors,
            "verdict_after": case.verdict_after, "findings_after": [list(f) for f in case.findings_after],
            "error": case.verdict.error[-2000:], "error_after": case.after.error[-2000:] if case.after else "",
        })
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")


def _fail_with(problems) -> None:
    if problems:
        pytest.fail(f"{len(problems)} disagreement(s):\n" + "\n".join(problems[:40]))


# --------------------------------------------------------------------------- the assertions

def test_agreement_table_covers_every_handling_form(cases, capsys):
    with capsys.disabled():
        print(_print_tables.text)
    cases = [c for c in cases if not c.form_program]
    seen = {c.meta["handling"] for c in cases}
    # generate() cycles through handling forms, then flag kinds: 160 seeds hold every pair.
    if len(cases) >= len(generator.HANDLINGS) * len(generator.FLAGS):
        pairs = {(c.meta["handling"], c.meta["flag"]) for c in cases}
        assert len(pairs) == len(generator.HANDLINGS) * len(generator.FLAGS)
        assert {c.meta["form"] for c in cases} == set(generator.FORMS)
    elif len(cases) >= len(generator.HANDLINGS):
        assert seen == set(generator.HANDLINGS)
    verdicts = collections.Counter(c.verdict.verdict for c in cases)
    # TensorFlow must have produced both outcomes, or the judge judged nothing.
    assert verdicts["trains"] and verdicts["frozen"], verdicts


def test_generated_programs_run_without_error(cases):
    _fail_with([f"{c.describe()}\n{c.verdict.error}" for c in cases if c.verdict.verdict == "error"])


def test_generator_reads_tensorflow_right(cases):
    # The generator decides which programs have a defined fix from its reading of what each
    # program does; TensorFlow must agree with that reading, or the fix column measures nothing.
    _fail_with([f"{c.describe()}; generator expected {c.meta['expected']}" for c in cases
                if c.verdict.verdict != "error" and c.verdict.verdict != c.meta["expected"]])


def test_forms_read_tensorflow_right_on_evaluation_too(cases):
    variants = {form: [v[0] for v in forms.variants_of(family, form)] for family, form in forms.FORMS}
    for form, variant in KNOWN_GAPS:
        assert form in variants and (variant is None or variant in variants[form]), (form, variant)
    form_cases = [c for c in cases if c.form_program]
    assert len({(c.meta["family"], c.meta["form"]) for c in form_cases}) == min(len(form_cases), len(forms.FORMS))
    _fail_with([c.describe() for c in form_cases
                if c.verdict.verdict != "error" and c.verdict.evaluation != c.meta["expected_evaluation"]])


def _held_to_gaps(failing, *kinds: str) -> List[str]:
    """The failing cases that are not known gaps of these kinds, and the known gaps of these kinds that
    no longer fail."""
    problems = []
    for case, fails in failing:
        gap = known_gap(case)
        if gap and gap[0] in kinds:
            if not fails:
                problems.append(f"{case.describe()}: known gap closed, remove it from KNOWN_GAPS: {gap[1]}")
        elif fails:
            problems.append(case.describe())
    return problems


def test_no_correct_form_program_gets_any_finding(cases):
    _fail_with(_held_to_gaps([(c, bool(c.findings)) for c in cases if c.form_program and tf_correct(c.verdict)],
                             "alarm"))


def test_every_wrong_form_program_gets_a_finding(cases):
    # frozen and partial ones are also checked below; this adds the ones that evaluate with batch statistics
    _fail_with(_held_to_gaps([(c, not c.findings) for c in cases if c.form_program and c.verdict.verdict != "error"
                              and not tf_correct(c.verdict)], "miss"))


def test_fix_makes_every_fixable_form_program_correct(cases):
    _fail_with(_held_to_gaps([(c, c.after is None or not tf_correct(c.after)) for c in cases
                              if c.form_program and c.verdict.verdict != "error" and not tf_correct(c.verdict)
                              and c.meta["fix_defined"]], "fix", "miss"))


def test_fix_keeps_every_correct_form_program_correct(cases):
    _fail_with([c.describe() for c in cases if c.form_program and tf_correct(c.verdict)
                and c.after is not None and not tf_correct(c.after)])


def test_every_frozen_or_partial_program_gets_a_finding(cases):
    # the forms: test_every_wrong_form_program_gets_a_finding, which holds their known gaps
    _fail_with([c.describe() for c in cases if not c.form_program
                and c.verdict.verdict in ("frozen", "partial") and not c.findings])


def test_no_training_program_gets_an_update_op_finding(cases):
    # the forms: test_no_correct_form_program_gets_any_finding, which holds their known gaps
    _fail_with([c.describe() for c in cases if not c.form_program
                and c.verdict.verdict == "trains" and UPDATE_OP_CODES & set(c.codes)])


def test_every_changed_file_compiles(cases):
    _fail_with([f"{c.describe()}: {'; '.join(c.compile_errors)}" for c in cases if c.compile_errors])


def test_fixed_programs_run_without_error(cases):
    _fail_with([f"{c.describe()}\nafter the fix:\n{c.after.error}" for c in cases
                if c.after is not None and c.after.verdict == "error"])


def test_fix_makes_the_fixable_programs_train(cases):
    fixable = [c for c in cases if not c.form_program and c.verdict.verdict in ("frozen", "partial")
               and c.meta["fix_defined"]]
    still = [c for c in fixable if c.verdict_after != "trains"]
    assert fixable, "no frozen or partial program has a fix RULES.md defines: the generator lost its point"
    rate = 1 - len(still) / len(fixable)
    if rate < FIX_RATE:
        _fail_with([f"{len(fixable) - len(still)}/{len(fixable)} = {rate:.1%} train after the fix "
                    f"(want >= {FIX_RATE:.0%})"] +
                   [f"{c.describe()}; defects {c.meta['defects']}; after the fix: {c.verdict_after} "
                    f"{c.after.layers if c.after else '(no file changed)'} "
                    f"{[(f.path, f.code, f.line, f.column) for f in c.findings_after]}" for c in still])


def test_fix_never_stops_a_program_training(cases):
    _fail_with([f"{c.describe()}; after the fix: {c.verdict_after} {c.after.layers}"
                for c in cases
                if c.verdict.verdict == "trains" and c.after is not None and c.verdict_after != "trains"])


def test_checker_is_silent_for_the_fixed_codes(cases):
    problems = []
    for case in cases:
        if not case.fixed or case.compile_errors:
            continue
        left = [f for f in case.findings_after if f.fix_safety is not None]
        fixed_codes = {f.code for f in case.findings if f.fix_safety is not None}
        unfixable_before = collections.Counter(f.code for f in case.findings if f.fix_safety is None)
        after = collections.Counter(f.code for f in case.findings_after)
        again = [code for code in fixed_codes if after[code] > unfixable_before[code]]
        if left or again:
            problems.append(f"{case.describe()}; after the fix: "
                            f"{[(f.path, f.code, f.line, f.column, f.fix_safety) for f in case.findings_after]}")
    _fail_with(problems)
