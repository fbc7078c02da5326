"""Read a source file and write its fix back without damaging anything else.

The fixer's promise is that only the targeted statement changes. So a file is read as
bytes and decoded the way Python decodes source (BOM, PEP 263 coding line), with no
newline translation, and written back in the same encoding: CRLF, lone CR and a BOM
survive byte for byte. Every failure is a ``SourceFileError`` with a one-line message;
``kind`` says whether the bytes are bad (``"decode"``: not Python source, which the
command reports like a syntax error) or the file could not be read or written
(``"io"``).
"""
from __future__ import annotations

import errno
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass

DECODE = "decode"
IO = "io"


class SourceFileError(Exception):
    """A file could not be read, decoded or written; ``str()`` is one line."""

    def __init__(self, message: str, kind: str = IO, line: int = 1, column: int = 0):
        super().__init__(message)
        self.kind = kind
        self.line, self.column = line, column   # where the bad bytes are (column 0-based)


@dataclass(frozen=True)
class SourceFile:
    path: str        # as the user named it (what reports show)
    target: str      # the file really read: symlinks resolved, so writing keeps the link
    raw: bytes       # the exact bytes read, compared again before writing
    text: str        # decoded; BOM removed, newlines untouched
    encoding: str    # Python codec name; "utf-8-sig" when there was a BOM


def decode_source(raw: bytes) -> "tuple[str, str]":
    """Decode like the interpreter: BOM or PEP 263 line, else UTF-8. Returns (text, encoding)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in exc.msg:
            # an unknown codec in the coding line, or a BOM with another codec
            raise SourceFileError(f"cannot detect the encoding: {exc.msg}", DECODE) from None
        encoding = "utf-8"  # the first two lines are not UTF-8: say where, below
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode(encoding, errors="replace"))
        raise SourceFileError(
            f"cannot decode as {encoding}: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
            DECODE, raw.count(b"\n", 0, exc.start) + 1, column) from None
    if "\0" in text:
        # compile() refuses NUL bytes; libcst would not say so clearly.
        at = text.index("\0")
        line = text.count("\n", 0, at) + 1
        raise SourceFileError(f"contains a NUL byte (line {line}); not Python source", DECODE, line,
                              at - (text.rfind("\n", 0, at) + 1))
    return text, encoding


def _describe_os_error(path: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"dangling symlink (its target {os.readlink(path)!r} does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


def read_source(path: str, keep_bytes: bool = True) -> SourceFile:
    """Read and decode ``path``; raise ``SourceFileError`` with a one-line reason.

    ``keep_bytes=False``: a check that will not write the file back does not hold its bytes
    (``raw`` is empty) while the parser runs."""
    try:
        if os.path.isdir(path):
            raise SourceFileError("is a directory, not a Python file")
        target = os.path.realpath(path)
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SourceFileError(_describe_os_error(path, exc)) from None
    text, encoding = decode_source(raw)
    return SourceFile(path=path, target=target, raw=raw if keep_bytes else b"", text=text, encoding=encoding)


def decode_stdin(raw: bytes) -> "tuple[str, str]":
    """Standard input is decoded like a file (a coding line still counts)."""
    try:
        return decode_source(raw)
    except SourceFileError as exc:
        raise SourceFileError(f"standard input: {exc}", exc.kind, exc.line, exc.column) from None


def encode_source(source: SourceFile, text: str) -> bytes:
    try:
        return text.encode(source.encoding)
    except UnicodeEncodeError as exc:
        raise SourceFileError(
            f"the fixed text cannot be encoded as {source.encoding}: {exc.reason}") from None


def _is_read_only(mode: int) -> bool:
    # Permission bits, not os.access: root may write anything, but a file the user
    # made read-only is a file the user does not want changed.
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def write_source(source: SourceFile, text: str) -> None:
    """Replace the file's contents with ``text`` if it still holds ``source.raw``.

    The new bytes go to a temporary file in the same folder, which then replaces the
    target in one rename: a reader sees the old file or the new one, never half of
    one. The mode is kept; a symlink stays a symlink (its target is replaced).
    """
    data = encode_source(source, text)
    target = source.target
    try:
        status = os.stat(target)
        if _is_read_only(status.st_mode):
            raise SourceFileError("is read-only; not written")
        with open(target, "rb") as handle:
            current = handle.read()
    except OSError as exc:
        raise SourceFileError(_describe_os_error(target, exc)) from None
    if current != source.raw:
        raise SourceFileError("changed on disk since it was read; not written")
    folder, name = os.path.split(target)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".bnu-tmp")
    except OSError as exc:
        raise SourceFileError(f"cannot create a temporary file beside it: {_describe_os_error(folder, exc)}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if hasattr(os, "geteuid") and (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
            try:  # keep the owner when we may (root fixing someone else's tree)
                os.chown(temporary, status.st_uid, status.st_gid)
            except OSError:
                pass
        # Last look before the rename: another fixer may have written meanwhile.
        with open(target, "rb") as check:
            if check.read() != source.raw:
                raise SourceFileError("changed on disk since it was read; not written")
        os.replace(temporary, target)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise SourceFileError(_describe_os_error(target, exc)) from None
        raise
