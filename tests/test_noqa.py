"""``# noqa`` must mean in the command exactly what it means in flake8.

The judge is the real flake8: a local probe plugin reports a few codes on every line,
flake8 applies its own noqa logic, and what it lets through must be exactly what
``noqa.is_suppressed`` lets through.
"""
import subprocess
import sys
import textwrap

import pytest

from flake8_bn_update_ops.findings import Finding
from flake8_bn_update_ops.noqa import (build_noqa_mapping, drop_suppressed, file_is_exempt,
                                       is_suppressed, physical_lines, suppressed)

PROBE_CODES = ("BNU001", "BNU005", "BNU900", "E501", "W605")

PROBE_PLUGIN = textwrap.dedent('''
    CODES = {codes!r}

    class Probe:
        name = "probe"
        version = "1"

        def __init__(self, tree, lines):
            self.count = len(lines)

        def run(self):
            for line in range(1, self.count + 1):
                for code in CODES:
                    yield line, 0, code + " probe", type(self)
''').format(codes=PROBE_CODES)

PROBE_CONFIG = textwrap.dedent("""
    [flake8:local-plugins]
    extension =
        XPR = probe_plugin:Probe
    paths = .
""")

TRICKY_LINES = textwrap.dedent('''\
    a = 1  # noqa
    b = 2  # noqa:BNU001
    c = 3  # noqa: BNU001,E501
    d = 4  # NOQA : E501
    e = 5  # noqa: BNU
    f = 6  # noqa: BNU00
    g = 7  # noqa:E501 BNU005
    h = 8  # noqa: bnu001
    i = 9  #noqa
    j = 10  # type: ignore # noqa: W605
    k = "# noqa: BNU001"
    s = """first
    second  # noqa: BNU005
    """  # noqa: E501
    t = (1,
         2)  # noqa: BNU001
    u = 1 + \\
        2  # noqa: BNU002
    v = 11  # noqa:,BNU001
    w = 12  # noqa:  BNU001
    x = 13  # NoQa:BNU9
    y = 14  # noqa : BNU001
    z = 15  # noqa:BNU001, E501 , W605
    \x0c
    after_form_feed = 16  # noqa: BNU005
    r = f"""{a}
    """  # noqa: BNU001
    last = 17
''')


def _flake8_survivors(tmp_path, data: bytes):
    (tmp_path / "probe_plugin.py").write_text(PROBE_PLUGIN)
    (tmp_path / ".flake8").write_text(PROBE_CONFIG)
    (tmp_path / "cases.py").write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", ",".join(PROBE_CODES), "cases.py"],
        cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    survivors = set()
    for line in proc.stdout.splitlines():
        if line.endswith(" probe"):
            _, row, _, rest = line.split(":", 3)
            survivors.add((int(row), rest.split()[0]))
    return survivors


def _our_survivors(data: bytes):
    source = data.decode("utf-8-sig")
    mapping = build_noqa_mapping(source)
    count = len(physical_lines(source))
    return {(line, code) for line in range(1, count + 1) for code in PROBE_CODES
            if not is_suppressed(mapping, line, code)}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
def test_same_findings_survive_as_in_real_flake8(tmp_path, newline, bom):
    data = bom + TRICKY_LINES.replace("\n", newline).encode()
    expected = _flake8_survivors(tmp_path, data)
    assert expected, "the probe plugin reported nothing: flake8 did not load it"
    assert _our_survivors(data) == expected


def test_file_level_exemption_matches_flake8(tmp_path):
    data = b"import os\n# flake8: noqa\nx = 1\n"
    assert _flake8_survivors(tmp_path, data) == set()
    assert file_is_exempt(data.decode())
    # flake8 only honours it on a line of its own (re.match), not after code.
    data = b"import os  # flake8: noqa\nx = 1\n"
    assert _flake8_survivors(tmp_path, data)
    assert not file_is_exempt(data.decode())


def test_suppressed_and_drop_keep_order_and_identity():
    source = "x = 1  # noqa: BNU001\ny = 2\nz = 3  # noqa\n"
    findings = [Finding(1, 0, "BNU001", "BNU001 a"), Finding(1, 4, "BNU002", "BNU002 b"),
                Finding(2, 0, "BNU001", "BNU001 c"), Finding(3, 0, "BNU008", "BNU008 d")]
    assert suppressed(findings, source) == {findings[0], findings[3]}
    assert drop_suppressed(findings, source) == [findings[1], findings[2]]


def test_multiline_string_maps_every_line_to_the_joined_text():
    source = 'call(x, """\ntext\n""")  # noqa: BNU003\n'
    mapping = build_noqa_mapping(source)
    assert is_suppressed(mapping, 1, "BNU003")
    assert is_suppressed(mapping, 2, "BNU003")
    assert not is_suppressed(mapping, 1, "BNU001")


def test_untokenizable_source_falls_back_to_the_physical_line():
    source = 'x = (1,\n  2  # noqa: BNU001\ny = """never closed\n'
    mapping = build_noqa_mapping(source)
    assert is_suppressed(mapping, 2, "BNU001")
    assert not is_suppressed(mapping, 1, "BNU001")


def test_form_feed_does_not_split_lines():
    # str.splitlines would count the form feed as a line break and shift line 3.
    source = "a = 1\n\x0cb = 2\nc = 3  # noqa\n"
    assert len(physical_lines(source)) == 3
    assert is_suppressed(build_noqa_mapping(source), 3, "BNU001")
