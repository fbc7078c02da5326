"""``--explain``, ``--help`` and the README's code sections all come from the rule units (issue 18)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_bn_update_ops.cli.explain import BEGIN, END, codes_table, docs_page, render_readme, rule_markdown
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
    assert out.rstrip().splitlines()[-1].startswith(f"Documentation: docs/codes.md#{rule.code.lower()} ")


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


def test_docs_page_and_readme_table_are_the_rendered_rule_units():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert render_readme(readme) == readme and docs_page() == docs, \
        "README.md or docs/codes.md is out of date: run python -m flake8_bn_update_ops.cli.explain --readme"
    table = readme[readme.index(BEGIN) + len(BEGIN):readme.index(END)]
    assert table.strip() == codes_table("docs/codes.md").strip()
    for rule in RULES:
        assert rule_markdown(rule) in docs
        assert f'<a id="{rule.code.lower()}"></a>' in docs   # every finding's link points here
        assert f"| [{rule.code}](docs/codes.md#{rule.code.lower()}) | " in table
        assert table.count(f"| {rule.title} | {rule.fix_safety} |") == 1
    assert re.findall(r"^### (BNU\d{3})", docs, re.M) == list(CODES) + ["BNU900"]
    # The README keeps only the table: per-code detail lives in the docs page and --explain.
    assert "### BNU" not in readme and "Flagged (a comment marks each finding)" not in readme


def test_table_names_each_codes_framework_from_its_number():
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in codes_table().splitlines()[2:]}
    assert rows["[BNU001](#bnu001)"] == "TensorFlow" and rows["[BNU900](#bnu900)"] == "any"
    assert all(rows.values())


def test_readme_check_script_fails_on_a_stale_copy_and_regenerates_it(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    stale = tmp_path / "README.md"
    stale.write_text(readme.replace(RULES[0].title, "something else", 1), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "codes.md").write_text(docs.replace(RULES[-1].title, "nothing", 1), encoding="utf-8")
    script = [sys.executable, "-m", "flake8_bn_update_ops.cli.explain", "--readme", str(stale)]
    check = subprocess.run(script + ["--check"], capture_output=True, text=True)
    assert check.returncode == 1 and check.stderr.count("out of date") == 2
    assert "something else" in stale.read_text(encoding="utf-8")   # --check writes nothing
    assert subprocess.run(script, capture_output=True, text=True).returncode == 0
    assert stale.read_text(encoding="utf-8") == readme
    assert (tmp_path / "docs" / "codes.md").read_text(encoding="utf-8") == docs
    assert subprocess.run(script + ["--check"], capture_output=True, text=True).returncode == 0


def test_readme_script_on_a_file_without_markers_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "README.md").write_text("# nothing to see\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops.cli.explain", "--readme",
                           str(tmp_path / "README.md")], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "lacks the markers" in proc.stderr
    assert not (tmp_path / "docs").exists()
