"""Editors: our codes reach a real language server (python-lsp-server) through its flake8 plugin.

pylsp runs ``flake8 -`` with ``--stdin-display-name <path>`` and the unsaved buffer on standard
input, so this proves the plugin analyses the buffer it is given (not the file on disk) and that
its positions survive the trip to LSP's 0-based lines.
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

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pylsp") is None,
                                reason="python-lsp-server is not installed in this environment")

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
def server(tmp_path):
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
