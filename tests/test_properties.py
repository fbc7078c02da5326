"""Property tests: the analysis never crashes, and every fix is sound.

(a) On any valid Python program (hypothesmith, from the grammar and from libcst's node types,
    alone and spliced into realistic TensorFlow code so that the text pre-check lets it through)
    the analysis raises nothing but ``UnparsableSource``, and a fix run never writes code that
    does not compile.
(b) On realistic TensorFlow training modules (tests/tf_snippets.py) every fix run, all codes at
    once and each code alone, writes code that compiles, is silent for the codes it fixed, keeps
    comments, ``# noqa`` lines, line endings and the indent unit, and is a fixed point.

Example counts stay moderate by default; set ``BNU_HYPOTHESIS_EXAMPLES`` for a larger run
(``BNU_HYPOTHESIS_EXAMPLES=2000 pytest tests/test_properties.py``).
"""
from __future__ import annotations

import importlib.util
import os
import warnings
from collections import Counter

import pytest

from requires import require

require(importlib.util.find_spec("hypothesis") and importlib.util.find_spec("hypothesmith"),
        "hypothesis and hypothesmith are not installed (pip install hypothesis hypothesmith)")

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from flake8_bn_update_ops.engine import analyze_source, fix_source  # noqa: E402
from flake8_bn_update_ops.findings import SAFE, UNSAFE, UnparsableSource  # noqa: E402

from tf_snippets import tf_programs  # noqa: E402

# The engine may compile generated nonsense such as `1()`: Python's SyntaxWarning is not ours.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

_LARGE = int(os.environ.get("BNU_HYPOTHESIS_EXAMPLES", "0") or 0)


def _settings(default_examples: int):
    # No deadline: generated programs vary a lot in size and CI machines are shared; a slow
    # example is not a failure. No example database: nothing written into the checkout.
    return settings(
        max_examples=_LARGE or default_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much, HealthCheck.large_base_example],
    )


def _compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning on generated nonsense like `1()`
            compile(source, "<generated>", "exec")
    except (SyntaxError, ValueError):  # ValueError: NUL bytes
        return False
    return True


def _key(finding):
    return (finding.line, finding.column, finding.code)


def _check_findings_are_well_formed(source: str, findings) -> None:
    n_lines = max(1, len(source.splitlines()))
    for f in findings:
        assert f.code.startswith("BNU") and len(f.code) == 6, f
        assert f.message.startswith(f.code + " "), f
        assert "\n" not in f.message, f
        assert 1 <= f.line <= n_lines + 1 and f.column >= 0, f
        assert f.fix_safety in (None, SAFE, UNSAFE), f
    assert [_key(f) for f in findings] == sorted(_key(f) for f in findings), "findings must be sorted"


def _analysis_survives(source: str) -> None:
    try:
        findings = analyze_source(source)
    except UnparsableSource as error:
        assert "\n" not in str(error).strip(), "the reason must be one line"
        return
    _check_findings_are_well_formed(source, findings)
    result = fix_source(source, unsafe=True)  # analysed fine, so fixing must not raise either
    if result.source != source:
        assert _compiles(result.source), "a fix run wrote code that does not compile"
    else:
        assert result.fixed == 0


# --- (a) arbitrary valid programs -------------------------------------------------------------

@_settings(100)
@given(source=hypothesmith.from_grammar())
def test_analysis_never_raises_on_programs_from_the_grammar(source):
    _analysis_survives(source)


@_settings(40)
@given(source=hypothesmith.from_node())
def test_analysis_never_raises_on_programs_from_libcst_nodes(source):
    _analysis_survives(source)


def _indent(source: str, unit: str = "    ") -> str:
    return "".join(unit + line if line.strip() else line for line in source.splitlines(True))


@_settings(100)
@given(generated=st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()), tf_code=tf_programs(),
       where=st.sampled_from(["before", "after", "in_function", "in_class"]))
def test_analysis_never_raises_on_generated_code_spliced_into_tf_code(generated, tf_code, where):
    # Alone, almost no generated program passes the text pre-check: spliced into training
    # code, the visitor and the rules walk every construct the generator can produce.
    if not generated.endswith("\n"):
        generated += "\n"
    if where == "before":
        source = generated + "\n" + tf_code
    elif where == "after":
        source = tf_code + "\n" + generated
    else:
        header = "def generated(x, training):\n" if where == "in_function" else "class Generated(object):\n"
        source = tf_code + "\n" + header + _indent(generated) + "    pass\n"
    assume(_compiles(source))
    _analysis_survives(source)


# --- (b) realistic TensorFlow code ------------------------------------------------------------

def _full_line_comments(source: str) -> Counter:
    return Counter(line.strip() for line in source.splitlines() if line.strip().startswith("#"))


def _noqa_lines(source: str) -> Counter:
    # A bare `# noqa` or one naming BNU001 suppresses every fix our grammar can attach to that line.
    return Counter(line.strip() for line in source.splitlines()
                   if line.rstrip().endswith(("# noqa", "# noqa: BNU001")))


def _check_layout_kept(original: str, fixed: str) -> None:
    missing = _full_line_comments(original) - _full_line_comments(fixed)
    assert not missing, f"comments lost by the fix: {missing}"
    missing = _noqa_lines(original) - Counter(line.strip() for line in fixed.splitlines())
    assert not missing, f"# noqa lines changed by the fix: {missing}"
    if "\r\n" in original and original.count("\n") == original.count("\r\n"):
        assert fixed.count("\n") == fixed.count("\r\n"), "a CRLF file got LF line endings"
    if "\r\n" not in original:
        assert "\r\n" not in fixed, "an LF file got CRLF line endings"
    for char, name in ((" ", "spaces"), ("\t", "tabs")):
        if not any(char in _leading_whitespace(line) for line in original.splitlines()):
            assert not any(char in _leading_whitespace(line) for line in fixed.splitlines()), \
                f"the fix indented with {name}, which the file never uses"


def _leading_whitespace(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))]


@_settings(100)
@given(source=tf_programs())
def test_fix_runs_compile_silence_what_they_fix_and_reach_a_fixed_point(source):
    assert _compiles(source), "the grammar must produce valid programs"
    before = analyze_source(source, honour_noqa=True)
    _check_findings_are_well_formed(source, before)

    for unsafe in (False, True):
        result = fix_source(source, unsafe=unsafe)
        assert _compiles(result.source), f"fix (unsafe={unsafe}) wrote code that does not compile"
        after = analyze_source(result.source, honour_noqa=True)
        assert [_key(f) for f in result.remaining] == [_key(f) for f in after], \
            "FixResult.remaining must be what a fresh analysis of the fixed source reports"
        applied = {SAFE, UNSAFE} if unsafe else {SAFE}
        left = [f for f in after if f.fix_safety in applied]
        assert not left, f"findings still offer a fix after the fix run: {left}"
        if unsafe:
            assert result.unsafe_fixable == 0
        assert (result.source != source) == (result.fixed > 0), (result.fixed, result.source == source)
        if not any(f.fix_safety in applied for f in before):
            assert result.source == source, "nothing was fixable, yet the source changed"
        again = fix_source(result.source, unsafe=unsafe)
        assert again.source == result.source, "a second fix run changed the code again"
        assert again.fixed == 0
        _check_layout_kept(source, result.source)


@_settings(60)
@given(source=tf_programs())
def test_each_code_fixed_alone_is_silenced_and_stable(source):
    before = analyze_source(source, honour_noqa=True)
    for code in sorted({f.code for f in before if f.fix_safety}):
        result = fix_source(source, unsafe=True, select=[code])
        assert _compiles(result.source), f"the {code} fix wrote code that does not compile"
        assert result.source != source and result.fixed > 0, f"a {code} fix was offered but not applied"
        after = analyze_source(result.source, honour_noqa=True, select=[code])
        assert all(f.code == code for f in after)
        assert not [f for f in after if f.fix_safety], f"{code} still offers a fix after its fix run"
        unfixable_before = sum(1 for f in before if f.code == code and f.fix_safety is None)
        assert len(after) <= unfixable_before, f"the {code} fix left {code} findings behind: {after}"
        assert fix_source(result.source, unsafe=True, select=[code]).source == result.source
        if code not in ("BNU002", "BNU003"):
            # A fix changes the statement it targets and nothing else, so findings of other codes
            # that offer no fix stay. (A flag fix legitimately changes which sites count.)
            others = Counter(f.code for f in before if f.code != code and f.fix_safety is None)
            others_after = Counter(f.code for f in analyze_source(result.source, honour_noqa=True)
                                   if f.code != code and f.fix_safety is None)
            assert not others - others_after, f"the {code} fix silenced other findings: {others - others_after}"
        _check_layout_kept(source, result.source)
