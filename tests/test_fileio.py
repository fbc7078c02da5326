"""Reading and writing source files byte-exactly, on real files."""
import os
import stat

import pytest

from flake8_bn_update_ops.cli.fileio import (DECODE, IO, SourceFileError, decode_stdin, read_source,
                                         write_source)


def _leftovers(folder):
    return [name for name in os.listdir(folder) if name.endswith(".bnu-tmp")]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_newlines_survive_a_rewrite_byte_for_byte(tmp_path, newline):
    path = tmp_path / "m.py"
    lines = ["# keep me", "x = 1", "y = 2", ""]
    path.write_bytes(newline.join(lines).encode())
    source = read_source(str(path))
    assert source.text == newline.join(lines)  # no translation on read
    write_source(source, source.text.replace("y = 2", "y = 3"))
    assert path.read_bytes() == newline.join(["# keep me", "x = 1", "y = 3", ""]).encode()


def test_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbfx = 'caf\xc3\xa9'\r\n")
    source = read_source(str(path))
    assert source.encoding == "utf-8-sig"
    assert source.text == "x = 'caf\u00e9'\r\n"
    write_source(source, source.text + "y = 1\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbfx = 'caf\xc3\xa9'\r\ny = 1\r\n"


def test_pep263_latin1_is_kept(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'Ren\xe9'\n")
    source = read_source(str(path))
    assert source.encoding == "iso-8859-1"
    assert "Ren\u00e9" in source.text
    write_source(source, source.text + "x = 1\n")
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\nname = 'Ren\xe9'\nx = 1\n"


def test_text_that_the_encoding_cannot_hold_is_refused(tmp_path):
    path = tmp_path / "latin.py"
    original = b"# coding: latin-1\nx = 1\n"
    path.write_bytes(original)
    source = read_source(str(path))
    with pytest.raises(SourceFileError, match="cannot be encoded"):
        write_source(source, source.text + "y = '\u20ac'\n")
    assert path.read_bytes() == original


def test_write_replaces_the_file_atomically_and_keeps_its_mode(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\n")
    os.chmod(path, 0o640)
    inode_before = os.stat(path).st_ino
    source = read_source(str(path))
    write_source(source, "x = 2\n")
    assert path.read_bytes() == b"x = 2\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    # A new inode means a rename over the old file, not an in-place rewrite that a
    # crash could leave half-written.
    assert os.stat(path).st_ino != inode_before
    assert _leftovers(tmp_path) == []


def test_a_file_changed_after_reading_is_not_written(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\n")
    source = read_source(str(path))
    path.write_bytes(b"x = 1\n# edited by the user meanwhile\n")
    with pytest.raises(SourceFileError, match="changed on disk") as info:
        write_source(source, "x = 2\n")
    assert info.value.kind == IO
    assert path.read_bytes() == b"x = 1\n# edited by the user meanwhile\n"
    assert _leftovers(tmp_path) == []


def test_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.py"
    target.write_bytes(b"x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target.name)
    source = read_source(str(link))
    write_source(source, "x = 2\n")
    assert link.is_symlink()
    assert os.readlink(link) == target.name
    assert target.read_bytes() == b"x = 2\n"


def test_read_only_file_is_not_written(tmp_path):
    path = tmp_path / "ro.py"
    path.write_bytes(b"x = 1\n")
    source = read_source(str(path))
    os.chmod(path, 0o444)
    try:
        with pytest.raises(SourceFileError, match="read-only"):
            write_source(source, "x = 2\n")
        assert path.read_bytes() == b"x = 1\n"
    finally:
        os.chmod(path, 0o644)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.symlink_to("missing-target.py"), "dangling symlink"),
    (lambda p: p.symlink_to(p.name), "symlink loop"),
    (lambda p: None, "no such file"),
], ids=["directory", "dangling", "loop", "missing"])
def test_unreadable_paths_give_one_line_reasons(tmp_path, make, message):
    path = tmp_path / "x.py"
    make(path)
    with pytest.raises(SourceFileError, match=message) as info:
        read_source(str(path))
    assert info.value.kind == IO
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("data, message", [
    (b"x = '\xff\xfe'\n", "cannot decode as utf-8: byte 0xff"),
    (b"x = 1\n\x00y = 2\n", r"NUL byte \(line 2\)"),
    (b"# coding: no-such-codec\nx = 1\n", "cannot detect the encoding"),
    (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "cannot detect the encoding"),
], ids=["undecodable", "nul", "unknown-codec", "bom-and-other-codec"])
def test_bad_bytes_are_decode_errors(tmp_path, data, message):
    path = tmp_path / "bad.py"
    path.write_bytes(data)
    with pytest.raises(SourceFileError, match=message) as info:
        read_source(str(path))
    assert info.value.kind == DECODE


def test_stdin_is_decoded_like_a_file():
    text, encoding = decode_stdin(b"# coding: latin-1\nx = '\xe9'\n")
    assert (text, encoding) == ("# coding: latin-1\nx = '\u00e9'\n", "iso-8859-1")
    with pytest.raises(SourceFileError, match="standard input: cannot decode"):
        decode_stdin(b"x = '\xff'\n")
