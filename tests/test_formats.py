"""Output formats, on Finding records (no engine needed) and checked against real consumers:
the official SARIF 2.1.0 schema, and the anchors of the README the help links point at."""
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from flake8_bn_update_ops.findings import SAFE, UNSAFE, Finding
from flake8_bn_update_ops.cli.formats import ShownFinding, TextStyle, help_uri, render, rule_docs
from flake8_bn_update_ops.rules import CODES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())

BNU001 = Finding(line=7, column=15, code="BNU001",
                 message="BNU001 opt.minimize(...) does not run the UPDATE_OPS: moving stats stay 0/1",
                 fix_safety=SAFE, end_line=7, end_column=29)
BNU002 = Finding(line=3, column=4, code="BNU002", message="BNU002 training=True hard-coded, 100%",
                 fix_safety=UNSAFE)
BNU900 = Finding(line=1, column=0, code="BNU900", message="BNU900 could not parse: bad: thing")


def _reports(path="pkg/train.py"):
    return [ShownFinding(path, BNU001, "    train_op = opt.minimize(loss)\n"),
            ShownFinding(path, BNU002, "\th = bn(x, training=True)\n"),
            ShownFinding("pkg/broken.py", BNU900, None)]


def test_text_is_flake8_style_with_one_based_columns():
    lines = render("text", _reports()).splitlines()
    assert lines[0] == ("pkg/train.py:7:16: BNU001 opt.minimize(...) does not run the UPDATE_OPS: "
                        "moving stats stay 0/1")
    assert lines[1].startswith("pkg/train.py:3:5: BNU002 training=True")
    assert lines[2] == "pkg/broken.py:1:1: BNU900 could not parse: bad: thing"


def test_show_source_puts_the_caret_under_the_column_keeping_tabs():
    out = render("text", _reports(), show_source=True).splitlines()
    assert out[1:3] == ["    train_op = opt.minimize(loss)", "               ^"]
    # flake8 keeps whitespace characters so the caret lines up under tabs too.
    assert out[4:6] == ["\th = bn(x, training=True)", "\t   ^"]
    assert out[6].startswith("pkg/broken.py:1:1")  # no source line known: no caret
    assert len(out) == 7


def test_json_is_a_documented_list_of_objects():
    records = json.loads(render("json", _reports()))
    assert records[0] == {
        "path": "pkg/train.py", "cell": None, "line": 7, "column": 16, "end_line": 7, "end_column": 30,
        "code": "BNU001",
        "message": "opt.minimize(...) does not run the UPDATE_OPS: moving stats stay 0/1",
        "fix_available": True, "fix_safety": "safe", "no_fix": None,
        "url": "docs/codes.md#bnu001",
    }
    assert records[1]["fix_safety"] == "unsafe" and records[1]["end_line"] is None
    assert records[2]["fix_available"] is False and records[2]["fix_safety"] is None
    assert json.loads(render("json", [])) == []


def test_github_annotations_escape_their_special_characters():
    lines = render("github", _reports("dir,x/a:b.py")).splitlines()
    assert lines[0] == ("::warning file=dir%2Cx/a%3Ab.py,line=7,col=16,endLine=7,endColumn=30,"
                        "title=BNU001::BNU001 opt.minimize(...) does not run the UPDATE_OPS: "
                        "moving stats stay 0/1")
    # In the message only %, CR and LF are special; 100% must not end the command.
    assert lines[1].endswith("::BNU002 training=True hard-coded, 100%25")
    assert len(lines) == 3 and lines[2].startswith("::error file=pkg/broken.py,line=1,")
    # "./" from a directory walk is dropped: GitHub matches file= against repository paths.
    assert render("github", _reports("./pkg/train.py")).startswith("::warning file=pkg/train.py,line=7,")


def test_sarif_validates_against_the_official_schema():
    log = json.loads(render("sarif", _reports()))
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CODES) + ["BNU900"]
    for rule in rules:
        # No helpUri: the schema asks for an absolute URI, and the project has no web address.
        assert "helpUri" not in rule
        assert rule["shortDescription"]["text"]
        for text in (rule["help"]["text"], rule["help"]["markdown"]):
            assert f"python -m flake8_bn_update_ops --explain {rule['id']}" in text
            assert f"docs/codes.md#{rule['id'].lower()}" in text
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "BNU001"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 16, "endLine": 7, "endColumn": 30}
    location = first["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "pkg/train.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_with_no_results_and_odd_paths_still_validates(tmp_path):
    outside = ShownFinding(str(tmp_path / "dir with space" / "m.py"), BNU002, None)
    for reports in ([], [outside]):
        log = json.loads(render("sarif", reports))
        jsonschema.Draft4Validator(SCHEMA).validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    if os.path.relpath(str(tmp_path), os.getcwd()).startswith(".."):
        assert uri.startswith("file:///") and "dir%20with%20space" in uri


def test_a_broken_sarif_log_is_rejected_by_the_schema():
    # The validation above means something only if the schema can say no.
    log = json.loads(render("sarif", _reports()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)


def _markdown_anchors(text):
    anchors = set(re.findall(r'<a\s+(?:id|name)="([^"]+)"', text))
    for heading in re.findall(r"^#+\s+(.*?)\s*$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_every_help_link_is_an_anchor_of_the_docs_page():
    for code in rule_docs():
        page, anchor = help_uri(code).split("#")
        assert page == "docs/codes.md" and (ROOT / page).exists()
        assert anchor in _markdown_anchors((ROOT / page).read_text(encoding="utf-8")), code


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_no_format_carries_an_address_that_does_not_exist(fmt):
    """The project has no web site or release: no output may send a user to an invented URL."""
    out = render(fmt, _reports(), style=TextStyle(docs_url=True))
    assert fmt == "github" or "docs/codes.md#bnu001" in out   # GitHub annotations carry no link
    assert "github.com" not in out and "flake8-bn-update-ops/flake8-bn-update-ops" not in out
    if fmt == "sarif":
        driver = json.loads(out)["runs"][0]["tool"]["driver"]
        assert "informationUri" not in driver
