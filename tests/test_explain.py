"""``--explain``, ``--help`` and the README's code sections all come from the rule units (issue 18)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_bn_update_ops.explain import BEGIN, END, render_readme, rule_markdown
from flake8_bn_update_ops.rules import CODES, all_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = all_rules()


def run_cli(*args, cwd=ROOT):
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", *args], cwd=cwd,
                          capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _words(text):
    return " ".join(text.split())


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_explain_prints_the_rule_units_own_documentation(rule, tmp_path):
    proc = run_cli("--explain", rule.code.lower(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f"### {rule.code} {rule.title}\n")
    flat = _words(out)
    assert _words(rule.effect) in flat and _words(rule.fix) in flat
    assert f"Fix ({rule.fix_safety})" in out
    # Every flagged and silent example, with the test marker turned into the bare code.
    for source in rule.flagged + rule.silent:
        for line in source.strip("\n").splitlines():
            shown = re.sub(r"#\s*expect:.*$", f"# {rule.code}", line).rstrip()
            assert shown in out.splitlines(), (rule.code, shown)
    assert "# expect:" not in out
    assert out.rstrip().endswith(f"#{rule.code.lower()}")   # the documentation link


def test_explain_unknown_code_is_one_line_and_exit_2(tmp_path):
    proc = run_cli("--explain", "BNU042", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "unknown code 'BNU042'" in proc.stderr


def test_help_lists_every_code_with_its_title(tmp_path):
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for rule in RULES:
        assert re.search(rf"^\s+{rule.code}\s+{re.escape(rule.title)}$", proc.stdout, re.M), rule.code
    assert re.search(r"^\s+BNU900\s", proc.stdout, re.M)


def test_readme_code_sections_are_the_rendered_rule_units():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_readme(readme) == readme, \
        "README.md is out of date: run python -m flake8_bn_update_ops.explain --readme"
    generated = readme[readme.index(BEGIN):readme.index(END)]
    for rule in RULES:
        assert rule_markdown(rule) in generated
        assert f'<a id="{rule.code.lower()}"></a>' in generated   # SARIF help URIs point here
        assert f"| [{rule.code}](#{rule.code.lower()}) | {rule.title} | {rule.fix_safety} |" in generated
    assert [c for c in re.findall(r"^### (BNU\d{3})", generated, re.M)] == list(CODES) + ["BNU900"]


def test_readme_check_script_fails_on_a_stale_copy_and_regenerates_it(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = tmp_path / "README.md"
    stale.write_text(readme.replace(RULES[0].title, "something else", 1), encoding="utf-8")
    script = [sys.executable, "-m", "flake8_bn_update_ops.explain", "--readme", str(stale)]
    check = subprocess.run(script + ["--check"], capture_output=True, text=True)
    assert check.returncode == 1 and "out of date" in check.stderr
    assert subprocess.run(script, capture_output=True, text=True).returncode == 0
    assert stale.read_text(encoding="utf-8") == readme
    assert subprocess.run(script + ["--check"], capture_output=True, text=True).returncode == 0
