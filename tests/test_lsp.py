"""Editors: a real python-lsp-server (pylsp) over stdio, as an editor drives it.

Diagnostics: pylsp's flake8 plugin runs ``flake8 -`` with ``--stdin-display-name <path>`` and the
unsaved buffer on standard input, so our codes come from the buffer, not the file on disk, and
their positions survive the trip to LSP's 0-based lines.

Quick fixes: our pylsp plugin (``flake8_bn_update_ops.editor.lsp``, found through pylsp's entry point)
answers ``textDocument/codeAction``. Each edit is applied here the way an editor applies it
(positions in UTF-16 code units) and compared with what the command's ``--fix`` writes for the
same buffer.
"""
from __future__ import annotations

import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from lsp_edits import apply_edits, utf16_position
from requires import require


PYLSP_MISSING = importlib.util.find_spec("pylsp") is None

READ_TIMEOUT = 60.0  # seconds for any one expected message: pylsp debounces, then starts flake8

BUGGY = '''\
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x)


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    optimizer = tf.train.AdamOptimizer(1e-3)
    train_op = optimizer.minimize(loss)
    return train_op
'''

FIXED = '''\
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x, training=training)


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    optimizer = tf.train.AdamOptimizer(1e-3)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.minimize(loss)
    return train_op
'''


def _position_of(source: str, needle: str) -> dict:
    """LSP position (0-based line and character) of the first occurrence of ``needle``."""
    for number, line in enumerate(source.splitlines()):
        if needle in line:
            return {"line": number, "character": line.index(needle)}
    raise AssertionError(f"{needle!r} not in source")


class LanguageServer:
    """A minimal LSP client: Content-Length framing over the server's stdio."""

    def __init__(self, cwd: Path):
        env = dict(os.environ)
        # pylsp starts `flake8` from PATH: make it the one of this interpreter, where we are installed.
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        self.proc = subprocess.Popen([sys.executable, "-m", "pylsp"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.stderr_chunks: list = []
        self._next_id = 0
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        stream = self.proc.stdout
        try:
            while True:
                headers = {}
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers["content-length"]))
                self.messages.put(json.loads(body.decode("utf-8")))
        finally:
            self.messages.put(None)  # end of stream

    def _read_stderr(self):
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self.stderr_chunks.append(chunk)

    def send(self, message: dict):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict) -> int:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self._next_id

    def notify(self, method: str, params: dict):
        self.send({"method": method, "params": params})

    def wait_for(self, predicate, what: str):
        """The first message satisfying ``predicate``; answers server requests on the way."""
        while True:
            try:
                message = self.messages.get(timeout=READ_TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no {what} within {READ_TIMEOUT}s; server stderr:\n"
                                     + self.stderr_text())
            if message is None:
                raise AssertionError(f"server closed its output before {what}; stderr:\n"
                                     + self.stderr_text())
            if "method" in message and "id" in message:  # a request from the server
                self.send({"id": message["id"], "result": None})
                continue
            if predicate(message):
                return message

    # -- the requests an editor makes ----------------------------------------------------------

    def initialize(self, root: Path, plugins: dict, capabilities: dict = None):
        init = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": capabilities or {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            "initializationOptions": {"pylsp": {"plugins": plugins}},
        })
        self.wait_for(lambda m: m.get("id") == init, "initialize response")
        self.notify("initialized", {})

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": version, "text": text}})
        return uri

    def change(self, uri: str, version: int, text: str):
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})

    def code_actions(self, uri: str, lsp_range: dict, diagnostics=(), only=None) -> list:
        """Our code actions (pylsp's other plugins may add theirs) for ``lsp_range``."""
        context = {"diagnostics": list(diagnostics)}
        if only is not None:
            context["only"] = list(only)
        sent = self.request("textDocument/codeAction",
                            {"textDocument": {"uri": uri}, "range": lsp_range, "context": context})
        answer = self.wait_for(lambda m: m.get("id") == sent, "code action response")
        assert "error" not in answer, answer
        return [action for action in answer["result"] or [] if action["title"].startswith("Fix ")]

    def stderr_text(self) -> str:
        return b"".join(self.stderr_chunks).decode(errors="replace")

    def close(self):
        try:
            if self.proc.poll() is None:
                shutdown = self.request("shutdown", {})
                self.wait_for(lambda m: m.get("id") == shutdown, "shutdown response")
                self.notify("exit", {})
                self.proc.wait(timeout=10)
        except Exception:
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def pylsp_installed():
    require(not PYLSP_MISSING, "python-lsp-server is not installed (pip install .[lsp]; tox installs it)")


@pytest.fixture
def server(tmp_path, pylsp_installed):
    lsp = LanguageServer(tmp_path)
    try:
        yield lsp
    finally:
        lsp.close()


def _diagnostics_for(uri: str, version: int):
    def matches(message):
        return (message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == uri
                and message["params"].get("version") == version)
    return matches


def test_pylsp_publishes_bnu_diagnostics_and_clears_them_after_an_unsaved_fix(server, tmp_path):
    plugins = {
        "flake8": {"enabled": True},
        "pycodestyle": {"enabled": False},
        "pyflakes": {"enabled": False},
        "mccabe": {"enabled": False},
        "pydocstyle": {"enabled": False},
        "pylint": {"enabled": False},
    }
    init = server.request("initialize", {
        "processId": os.getpid(),
        "rootUri": tmp_path.as_uri(),
        "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
        "initializationOptions": {"pylsp": {"plugins": plugins}},
    })
    server.wait_for(lambda m: m.get("id") == init, "initialize response")
    server.notify("initialized", {})

    # The buggy module is on disk, as an editor would open it.
    path = tmp_path / "model.py"
    path.write_text(BUGGY)
    uri = path.as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": BUGGY}})
    published = server.wait_for(_diagnostics_for(uri, 1), "diagnostics for the opened file")
    ours = [d for d in published["params"]["diagnostics"] if str(d.get("code", "")).startswith("BNU")]
    print("published by pylsp:", json.dumps(ours, indent=2))

    by_code = {d["code"]: d for d in ours}
    assert set(by_code) == {"BNU001", "BNU003"}, (published, server.stderr_text())
    assert len(ours) == 2, ours
    for code, needle in (("BNU001", "optimizer.minimize"),
                         ("BNU003", "tf.layers.batch_normalization(x)")):
        diagnostic = by_code[code]
        assert diagnostic["source"] == "flake8"
        assert diagnostic["message"].startswith(code + " ")
        assert diagnostic["range"]["start"] == _position_of(BUGGY, needle), diagnostic
        assert diagnostic["range"]["end"]["line"] == diagnostic["range"]["start"]["line"]

    # An unsaved edit: the buffer is fixed, the file on disk is still buggy.
    server.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": FIXED}]})
    published = server.wait_for(_diagnostics_for(uri, 2), "diagnostics after the edit")
    ours = [d for d in published["params"]["diagnostics"] if str(d.get("code", "")).startswith("BNU")]
    assert ours == [], ours
    assert path.read_text() == BUGGY

    # And the bug coming back in the buffer brings its diagnostic back: the plugin keeps no stale state.
    server.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 3},
        "contentChanges": [{"text": BUGGY}]})
    published = server.wait_for(_diagnostics_for(uri, 3), "diagnostics after the bug returns")
    codes = sorted(d["code"] for d in published["params"]["diagnostics"]
                   if str(d.get("code", "")).startswith("BNU"))
    assert codes == ["BNU001", "BNU003"]


# ------------------------------------------------------------------------------- quick fixes

LINTERS_OFF = {name: {"enabled": False} for name in
               ("flake8", "pycodestyle", "pyflakes", "mccabe", "pydocstyle", "pylint", "autopep8", "yapf")}
FLAKE8_ON = {**LINTERS_OFF, "flake8": {"enabled": True}}

BNU001_TITLE = "Fix BNU001: run the update ops before `minimize`"
FIX_ALL_TITLE = "Fix all BNU findings in this file"

# The buffer holds BNU001 alone; the file on disk is an older version, three lines longer at the
# top, so an edit computed from the disk would land on the wrong lines.
ONE_BNU001 = '''\
import tensorflow as tf


def build(x, labels, training):
    net = tf.layers.batch_normalization(x, training=training)
    loss = tf.losses.mean_squared_error(labels, net)
    optimizer = tf.train.AdamOptimizer(1e-3)
    train_op = optimizer.minimize(loss)
    return train_op
'''
ON_DISK = '"""Model.\n\nAn older version.\n"""\n' + ONE_BNU001

# The BNU001 fix of a module without a usable ``tensorflow`` alias adds ``import tensorflow as tf``
# after the last top-level import (RULES.md): that line and the statement, nothing else.
NEEDS_IMPORT = '''\
"""Docstring stays first."""
from tensorflow.contrib.layers import batch_norm
import os


def train(x, is_training, optimizer):
    h = batch_norm(x, is_training=is_training)
    return optimizer.minimize(h)
'''

# BNU002's fix is unsafe (it replaces a literal with the function's flag).
HARD_CODED = '''\
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x, training=False)


def build(x, labels, training):
    loss = tf.losses.mean_squared_error(labels, tower(x, training))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op
'''

# BNU003 (safe), BNU002 (unsafe) and BNU001 (safe) in one buffer.
SEVERAL = '''\
import tensorflow as tf


def tower(x, training):
    return tf.layers.batch_normalization(x)


def head(x, training):
    return tf.layers.batch_normalization(x, training=False)


def build(x, labels, training):
    net = tf.layers.batch_normalization(tower(x, training), training=training)
    loss = tf.losses.mean_squared_error(labels, head(net, training))
    optimizer = tf.train.AdamOptimizer(1e-3)
    train_op = optimizer.minimize(loss)
    return train_op
'''

# Astral characters (two UTF-16 code units each) before BNU003's call on its line, a U+2028 in a
# comment (a line break for str.splitlines, not for Python or LSP), and BNU001 on the last line,
# which has no newline and ends in astral characters.
NON_ASCII = (
    'import tensorflow as tf\n'
    '# \u00dcn\u00efcode \U0001d6fc\u03b2\u2028\u03b3: one line for Python and for LSP\n'
    '\n'
    '\n'
    'def build(x, labels, training):\n'
    '    net = tf.layers.batch_normalization(x, training=training)\n'
    '    outputs = {"\U0001d6fc\U0001d6fd": tf.layers.batch_normalization(net)}\n'
    '    loss = tf.losses.mean_squared_error(labels, outputs["\U0001d6fc\U0001d6fd"])\n'
    '    optimizer = tf.train.AdamOptimizer(1e-3)\n'
    '    return optimizer.minimize(loss)  # \U0001d6fc\U0001d6fd: the last line, no newline'
)

# Python accepts the mixed tabs and spaces at the end; libcst's tokenizer does not, so the
# engine refuses the fix (FixFailed): BNU001 is still found (flake8 reports it), no action is offered.
# Python reads the mixed tabs, libcst does not; they sit in the statement the fix must rewrite
# (libcst reads only that statement: mixed tabs elsewhere in the file would not stop the fix).
LIBCST_REJECTS = ONE_BNU001.replace("    train_op = optimizer.minimize(loss)\n",
                                    "    if training: train_op = optimizer.minimize(loss)\n    else:\n\t    train_op = None\n")


def _cursor(position: dict) -> dict:
    return {"start": position, "end": position}


def _edits(action: dict, uri: str) -> list:
    edit = action["edit"]
    if "documentChanges" in edit:
        (change,) = edit["documentChanges"]
        assert change["textDocument"]["uri"] == uri
        return change["edits"]
    assert list(edit["changes"]) == [uri], edit
    return edit["changes"][uri]


def _command_fix(cwd: Path, path: Path, buffer: str, *options: str) -> str:
    """What ``python -m flake8_bn_update_ops --fix`` writes for this buffer."""
    proc = subprocess.run([sys.executable, "-m", "flake8_bn_update_ops", "--fix", *options,
                           "--stdin-filename", str(path), "-"],
                          cwd=cwd, input=buffer.encode("utf-8"), capture_output=True)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.stdout.decode("utf-8")


def _titles(actions: list) -> list:
    return [action["title"] for action in actions]


def _edited_lines(edits: list) -> set:
    """The 0-based lines of the original buffer an edit replaces (an insertion: its line)."""
    touched = set()
    for edit in edits:
        start, end = edit["range"]["start"]["line"], edit["range"]["end"]["line"]
        touched.update(range(start, max(end, start + 1)))
    return touched


def _assert_clean_stderr(server: LanguageServer):
    assert "Traceback" not in server.stderr_text(), server.stderr_text()


def test_quick_fix_for_bnu001_edits_the_unsaved_buffer_as_the_command_fixes_it(server, tmp_path):
    server.initialize(tmp_path, FLAKE8_ON)
    path = tmp_path / "model.py"
    path.write_text(ON_DISK)
    uri = server.open(path, ONE_BNU001)
    published = server.wait_for(_diagnostics_for(uri, 1), "diagnostics for the opened file")
    (diagnostic,) = [d for d in published["params"]["diagnostics"] if d.get("code") == "BNU001"]

    # As an editor asks: the diagnostic's range, with the diagnostic in the context.
    actions = server.code_actions(uri, diagnostic["range"], diagnostics=[diagnostic])
    assert _titles(actions) == [BNU001_TITLE, FIX_ALL_TITLE], actions
    quick_fix, fix_all = actions
    assert quick_fix["kind"] == "quickfix"
    assert quick_fix["isPreferred"] is True
    assert quick_fix["diagnostics"] == [diagnostic]
    assert fix_all["isPreferred"] is False

    edits = _edits(quick_fix, uri)
    statement_line = utf16_position(ONE_BNU001, "train_op = optimizer.minimize")["line"]
    assert _edited_lines(edits) == {statement_line}, edits
    fixed = apply_edits(ONE_BNU001, edits)
    expected = _command_fix(tmp_path, path, ONE_BNU001)
    assert fixed != ONE_BNU001
    assert fixed == expected
    assert apply_edits(ONE_BNU001, _edits(fix_all, uri)) == expected   # BNU001 is the buffer's only finding
    assert path.read_text() == ON_DISK                            # an action writes nothing itself

    # The editor applies the edit: flake8's re-published diagnostics no longer hold BNU001,
    # and the same place offers nothing more.
    server.change(uri, 2, fixed)
    published = server.wait_for(_diagnostics_for(uri, 2), "diagnostics after applying the fix")
    assert [d for d in published["params"]["diagnostics"] if str(d.get("code", "")).startswith("BNU")] == []
    assert server.code_actions(uri, _cursor(utf16_position(fixed, "optimizer.minimize"))) == []
    _assert_clean_stderr(server)


def test_a_bnu001_fix_that_adds_the_import_touches_that_line_and_the_statement(server, tmp_path):
    # This editor takes versioned edits (documentChanges): it refuses one made for a stale buffer.
    server.initialize(tmp_path, LINTERS_OFF, capabilities={
        "workspace": {"workspaceEdit": {"documentChanges": True}}})
    path = tmp_path / "train.py"
    uri = server.open(path, NEEDS_IMPORT, version=7)
    actions = server.code_actions(uri, _cursor(utf16_position(NEEDS_IMPORT, "optimizer.minimize")))
    assert _titles(actions) == [BNU001_TITLE, FIX_ALL_TITLE], actions
    (change,) = actions[0]["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": 7}
    edits = _edits(actions[0], uri)
    import_line = utf16_position(NEEDS_IMPORT, "import os")["line"] + 1   # inserted after it
    statement_line = utf16_position(NEEDS_IMPORT, "return optimizer.minimize")["line"]
    assert len(edits) == 2, edits
    assert _edited_lines(edits) == {import_line, statement_line}, edits
    assert apply_edits(NEEDS_IMPORT, edits) == _command_fix(tmp_path, path, NEEDS_IMPORT)


def test_an_unsafe_fix_is_offered_only_as_unsafe_and_never_preferred(server, tmp_path):
    server.initialize(tmp_path, LINTERS_OFF)
    path = tmp_path / "tower.py"
    uri = server.open(path, HARD_CODED)
    actions = server.code_actions(uri, _cursor(utf16_position(HARD_CODED, "False")))
    # One action, and no "fix all": the safe fixes (--fix) would change nothing here.
    assert _titles(actions) == ["Fix BNU002: pass `training` instead of `False` (unsafe)"], actions
    (action,) = actions
    assert action["kind"] == "quickfix"
    assert action.get("isPreferred") is False
    assert apply_edits(HARD_CODED, _edits(action, uri)) == _command_fix(
        tmp_path, path, HARD_CODED, "--unsafe-fixes", "--select", "BNU002")


def test_nothing_is_offered_under_noqa(server, tmp_path):
    server.initialize(tmp_path, LINTERS_OFF)
    statement = "    train_op = optimizer.minimize(loss)"
    cases = {
        "noqa_code.py": ("  # noqa: BNU001", []),
        "noqa_bare.py": ("  # noqa", []),
        "noqa_other.py": ("  # noqa: E501", [BNU001_TITLE, FIX_ALL_TITLE]),   # another code's noqa
    }
    for name, (comment, expected) in cases.items():
        buffer = ONE_BNU001.replace(statement, statement + comment)
        uri = server.open(tmp_path / name, buffer)
        actions = server.code_actions(uri, _cursor(utf16_position(buffer, "optimizer.minimize")))
        assert _titles(actions) == expected, (name, actions)


def test_fix_all_is_the_commands_fix_and_a_source_action(server, tmp_path):
    server.initialize(tmp_path, LINTERS_OFF)
    path = tmp_path / "several.py"
    uri = server.open(path, SEVERAL)
    expected = _command_fix(tmp_path, path, SEVERAL)
    assert expected != SEVERAL

    # On the BNU003 call: its quick fix, then "fix all" (safe fixes only, as --fix).
    actions = server.code_actions(uri, _cursor(utf16_position(SEVERAL, "tf.layers.batch_normalization(x)")))
    assert _titles(actions) == ["Fix BNU003: pass `training=training`", FIX_ALL_TITLE], actions
    assert actions[0]["isPreferred"] is True
    assert apply_edits(SEVERAL, _edits(actions[1], uri)) == expected
    assert apply_edits(SEVERAL, _edits(actions[0], uri)) == _command_fix(tmp_path, path, SEVERAL, "--select", "BNU003")

    # Away from any finding: nothing for the quick-fix menu, "fix all" for the source-action menu
    # (and for an editor's fix-on-save: VS Code's codeActionsOnSave asks for source.fixAll).
    first_line = _cursor({"line": 0, "character": 0})
    assert server.code_actions(uri, first_line) == []
    assert server.code_actions(uri, first_line, only=["quickfix"]) == []
    (source_action,) = server.code_actions(uri, first_line, only=["source.fixAll"])
    assert source_action["title"] == FIX_ALL_TITLE
    assert source_action["kind"].startswith("source.fixAll")
    assert apply_edits(SEVERAL, _edits(source_action, uri)) == expected


def test_positions_count_utf16_code_units_on_non_ascii_lines(server, tmp_path):
    server.initialize(tmp_path, LINTERS_OFF)
    path = tmp_path / "unicode_model.py"
    uri = server.open(path, NON_ASCII)
    bnu003_call = "tf.layers.batch_normalization(net)"

    # One UTF-16 unit before the call is before the finding (counted in characters, the two
    # astral characters before it would put that spot inside it).
    before = utf16_position(NON_ASCII, bnu003_call)
    before["character"] -= 1
    assert server.code_actions(uri, _cursor(before)) == []

    actions = server.code_actions(uri, _cursor(utf16_position(NON_ASCII, bnu003_call)))
    assert _titles(actions) == ["Fix BNU003: pass `training=training`", FIX_ALL_TITLE], actions
    assert apply_edits(NON_ASCII, _edits(actions[0], uri)) == _command_fix(
        tmp_path, path, NON_ASCII, "--select", "BNU003")
    assert apply_edits(NON_ASCII, _edits(actions[1], uri)) == _command_fix(tmp_path, path, NON_ASCII)

    # The last line: its edit ends at the end of the document, in UTF-16 units.
    actions = server.code_actions(uri, _cursor(utf16_position(NON_ASCII, "optimizer.minimize")))
    assert _titles(actions) == [BNU001_TITLE, FIX_ALL_TITLE], actions
    edits = _edits(actions[0], uri)
    last_line = NON_ASCII.count("\n")
    assert _edited_lines(edits) == {last_line}, edits
    fixed = apply_edits(NON_ASCII, edits)
    assert fixed == _command_fix(tmp_path, path, NON_ASCII, "--select", "BNU001")
    assert fixed.endswith("# \U0001d6fc\U0001d6fd: the last line, no newline")


def test_no_action_and_no_traceback_when_the_fix_cannot_be_made(server, tmp_path):
    server.initialize(tmp_path, LINTERS_OFF)
    path = tmp_path / "broken.py"
    uri = server.open(path, LIBCST_REJECTS)
    at_the_train_op = _cursor(utf16_position(LIBCST_REJECTS, "optimizer.minimize"))
    assert server.code_actions(uri, at_the_train_op) == []
    assert server.code_actions(uri, _cursor({"line": 0, "character": 0}), only=["source.fixAll"]) == []
    # Half-typed code that does not parse: nothing either.
    half_typed = ONE_BNU001.replace("return train_op", "return train_op +")
    server.change(uri, 2, half_typed)
    assert server.code_actions(uri, at_the_train_op) == []
    # The server is still well: the buffer fixed up gets its action again.
    server.change(uri, 3, ONE_BNU001)
    assert _titles(server.code_actions(uri, at_the_train_op)) == [BNU001_TITLE, FIX_ALL_TITLE]
    _assert_clean_stderr(server)


def test_configuration_comes_from_the_documents_folder_and_pylsps_flake8_settings(server, tmp_path):
    # The server runs in tmp_path; the project, with its own setup.cfg, is a folder below.
    project = tmp_path / "project"
    project.mkdir()
    (project / "setup.cfg").write_text("[flake8]\nbn-training-names = phase_is_train\n")
    buffer = "import tensorflow as tf\n\n\ndef block(x, phase_is_train):\n    return tf.layers.batch_normalization(x)\n"
    server.initialize(tmp_path, LINTERS_OFF)
    path = project / "block.py"
    uri = server.open(path, buffer)
    actions = server.code_actions(uri, _cursor(utf16_position(buffer, "tf.layers")))
    # Without the configured name there is no fix at all; with it, an unsafe one.
    assert _titles(actions) == ["Fix BNU003: pass `training=phase_is_train` (unsafe)"], actions
    assert apply_edits(buffer, _edits(actions[0], uri)) == _command_fix(project, path, buffer, "--unsafe-fixes")

    # pylsp's own flake8 settings override the files, for its diagnostics and for our actions.
    server.notify("workspace/didChangeConfiguration", {"settings": {"pylsp": {"plugins": {
        **LINTERS_OFF, "flake8": {"enabled": False, "extendIgnore": ["BNU003"]}}}}})
    assert server.code_actions(uri, _cursor(utf16_position(buffer, "tf.layers"))) == []


def test_an_edit_to_an_imported_module_is_seen_by_the_next_action(server, tmp_path):
    """One analysis session per workspace, for the server's lifetime: its caches must see disk edits."""
    server.initialize(tmp_path, LINTERS_OFF)
    ops = tmp_path / "ops.py"
    ops.write_text("import tensorflow as tf\n\n\ndef conv_bn(x, is_training):\n    return tf.layers.conv2d(x, 8, 3)\n")
    trainer = '''\
import tensorflow as tf
from ops import conv_bn


def train(images, is_training):
    loss = tf.reduce_mean(conv_bn(images, is_training))
    train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
    return train_op
'''
    path = tmp_path / "train.py"
    uri = server.open(path, trainer)
    at_the_train_op = _cursor(utf16_position(trainer, ".minimize"))
    assert server.code_actions(uri, at_the_train_op) == []     # no batch norm anywhere yet

    # ops.py gains batch norm on disk (the trainer's buffer is unchanged).
    ops.write_text("import tensorflow as tf\n\n\ndef conv_bn(x, is_training):\n"
                   "    x = tf.layers.conv2d(x, 8, 3)\n"
                   "    return tf.layers.batch_normalization(x, training=is_training)\n")
    actions = server.code_actions(uri, at_the_train_op)
    assert _titles(actions) == [BNU001_TITLE, FIX_ALL_TITLE], actions
    assert apply_edits(trainer, _edits(actions[0], uri)) == _command_fix(tmp_path, path, trainer)


def test_pylsp_loads_the_plugin_without_the_analysis(pylsp_installed):
    """pylsp imports every plugin at start-up: ours must not bring libcst or the engine with it."""
    probe = ("import sys, flake8_bn_update_ops.editor.lsp\n"
             "print(sorted(m for m in sys.modules if m == 'libcst' or m.startswith(('libcst.', "
             "'flake8_bn_update_ops.engine', 'flake8_bn_update_ops.core', 'flake8_bn_update_ops.rules'))))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_plugin_is_turned_off_by_its_pylsp_setting(server, tmp_path):
    """README: ``"flake8_bn_update_ops": {"enabled": false}`` under ``plugins`` turns the actions off."""
    server.initialize(tmp_path, {**LINTERS_OFF, "flake8_bn_update_ops": {"enabled": False}})
    uri = server.open(tmp_path / "model.py", ONE_BNU001)
    assert server.code_actions(uri, _cursor(utf16_position(ONE_BNU001, "optimizer.minimize"))) == []
