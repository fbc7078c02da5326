"""Run small TensorFlow scripts in one child Python process and collect what they print.

Importing TensorFlow costs about 1.5 s, so a test never starts one interpreter per script: it hands a
batch of scripts to one child process (this file, run as a program). In the child each script runs

* in a fresh graph (``reset_default_graph`` and Keras ``clear_session`` first) with its own globals,
  ``__name__ == "__main__"`` and ``__file__`` set, as if it had been started as ``python script.py``;
* with Python's ``random`` and NumPy's global generator seeded with 0 (tf_keras seeds its initializers
  from ``random``), so the numbers a script prints are the same on every run;
* with its standard output captured: every line that is a JSON object is a result, the objects are
  merged into ``ScriptResult.data`` (so a script prints ``{"moving_mean": [...]}``);
* under a per-script timeout (``SIGALRM``), and a whole-batch timeout in the parent as a backstop.

Eager and graph scripts cannot share a process: once a script calls
``tf.compat.v1.disable_eager_execution()`` every later script is in graph mode. ``run_scripts`` therefore
takes ``eager=True`` for TF2-eager scripts and runs them in a child of their own.

When TensorFlow is not importable the calling test is skipped with the reason, or fails under CI
(``run_tf_scripts``).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Union

# Lines the child writes for the parent start with this marker; anything else on the child's stdout
# (a library printing directly to the file descriptor) is ignored.
_RECORD = "@@TF-HARNESS@@ "

# TensorFlow and absl write these to stderr even with TF_CPP_MIN_LOG_LEVEL=2 (before absl logging is
# initialised), or they are deprecation warnings of the TF1 API the scripts use on purpose.
_NOISE = (
    "oneDNN custom operations",
    "All log messages before absl::InitializeLog()",
    "cpu_feature_guard",
    "This TensorFlow binary is optimized",
    "To enable the following instructions",
    "Could not find cuda drivers",
    "Unable to register cu",
    "TF-TRT Warning",
    "disable_resource_variables",
    "is deprecated",
    "Instructions for updating",
    "deprecation.py",
    "deprecation_wrapper",
    "UserWarning",
    "warnings.warn",
    "E0000 00:00",
    "W0000 00:00",
    "I0000 00:00",
)

ScriptSource = Union[str, Path]


@dataclass
class ScriptResult:
    name: str
    ok: bool                      # the script ran to its end without an exception or timeout
    data: Dict[str, object] = field(default_factory=dict)   # the merged JSON objects it printed
    stdout: str = ""              # everything it printed
    error: str = ""               # traceback (or the timeout / crash message) when not ok
    seconds: float = 0.0

    def describe(self) -> str:
        """One block for assertion messages: what the script printed and how it failed."""
        text = f"script {self.name!r}: ok={self.ok} data={json.dumps(self.data)}"
        if self.error:
            text += f"\n--- error ---\n{self.error}"
        if self.stdout and not self.data:
            text += f"\n--- stdout ---\n{self.stdout}"
        return text


# Before/after numbers the tests measured; conftest.py prints them in pytest's terminal summary, so
# the CI log shows them without ``-s``.
MEASUREMENTS: List[str] = []


def record(line: str) -> None:
    """Print a measured number now (``pytest -s``) and keep it for the end-of-run summary."""
    print(line)
    MEASUREMENTS.append(line.strip())


class TensorFlowMissing(Exception):
    """TensorFlow (or tf_keras, which tf.compat.v1.layers needs on TF >= 2.16) cannot be imported."""


def child_environment(keras3: bool = False) -> Dict[str, str]:
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["CUDA_VISIBLE_DEVICES"] = ""
    env["TF_ENABLE_ONEDNN_OPTS"] = "0"    # deterministic numbers, and one log line less
    env["PYTHONWARNINGS"] = "ignore"
    env["PYTHONUNBUFFERED"] = "1"
    # On TF >= 2.16 tf.compat.v1.layers needs tf_keras, selected before TensorFlow is imported.
    # TF 2.15 has no tf_keras and must not see the variable.
    if importlib.util.find_spec("tf_keras") is not None and not keras3:
        env["TF_USE_LEGACY_KERAS"] = "1"
    else:
        env.pop("TF_USE_LEGACY_KERAS", None)
    return env


def filter_noise(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines()
                     if line.strip() and not any(n in line for n in _NOISE))


def _load(source: ScriptSource) -> Dict[str, str]:
    if isinstance(source, Path):
        return {"source": source.read_text(encoding="utf-8"), "file": str(source)}
    return {"source": source, "file": "<script>"}


def run_scripts(scripts: Mapping[str, ScriptSource], *, eager: bool = False, keras3: bool = False,
                timeout: float = 60.0, python: Optional[str] = None) -> Dict[str, ScriptResult]:
    """Run every script in one child process; return their results by name.

    ``keras3=True`` runs them without ``TF_USE_LEGACY_KERAS`` (``import keras`` is Keras 3 there, and
    ``tf.compat.v1.layers`` is unavailable on TF >= 2.16).

    A script that raises or times out gets ``ok=False`` and its traceback; the others still run.
    Raises ``TensorFlowMissing`` when the child cannot import TensorFlow.
    """
    jobs = [{"name": name, **_load(src)} for name, src in scripts.items()]
    request = json.dumps({"eager": eager, "keras3": keras3, "timeout": timeout, "jobs": jobs})
    backstop = 30.0 + timeout * max(1, len(jobs))
    try:
        proc = subprocess.run([python or sys.executable, str(Path(__file__).resolve())],
                              input=request, capture_output=True, text=True,
                              env=child_environment(keras3), timeout=backstop)
        out, err, crashed = proc.stdout, proc.stderr, proc.returncode != 0
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        crashed = True
    results: Dict[str, ScriptResult] = {}
    for line in out.splitlines():
        if not line.startswith(_RECORD):
            continue
        record = json.loads(line[len(_RECORD):])
        if "import_error" in record:
            raise TensorFlowMissing(record["import_error"])
        results[record["name"]] = ScriptResult(**record)
    for job in jobs:   # scripts the child never reported on: it died (segfault, backstop timeout)
        if job["name"] not in results:
            reason = "child process died" if crashed else "no result reported"
            results[job["name"]] = ScriptResult(job["name"], False,
                                                error=f"{reason}; child stderr:\n{filter_noise(err)}")
    return results


def run_tf_scripts(scripts: Mapping[str, ScriptSource], **kwargs) -> Dict[str, ScriptResult]:
    """``run_scripts`` for a test: without a usable TensorFlow the test is skipped, or fails under CI
    (``requires.require``: ``.ci/run`` sets ``CI``, tox's ``tf`` env sets ``BNU_REQUIRE_TF``)."""
    from requires import require

    require(importlib.util.find_spec("tensorflow") is not None,
            "TensorFlow is not installed (pip install tensorflow-cpu==2.21.0 tf-keras --no-deps)")
    try:
        return run_scripts(scripts, **kwargs)
    except TensorFlowMissing as exc:
        require(False, f"TensorFlow cannot be imported here: {exc}")
        raise   # not reached: require(False, ...) always skips or fails


# ---------------------------------------------------------------------------------------------
# The child side.

def _emit(real_stdout, record: Dict[str, object]) -> None:
    real_stdout.write(_RECORD + json.dumps(record) + "\n")
    real_stdout.flush()


def _child_main() -> None:
    import contextlib
    import io
    import random
    import signal
    import time
    import traceback

    real_stdout = sys.stdout
    request = json.loads(sys.stdin.read())
    try:
        import tensorflow as tf
        import numpy
        if request["keras3"]:
            import keras
            if not keras.__version__.startswith("3."):
                raise ImportError(f"Keras 3 wanted, found keras {keras.__version__}")
            clear_session = keras.backend.clear_session
        else:
            if int(tf.__version__.split(".")[1]) >= 16 and tf.__version__.startswith("2."):
                import tf_keras  # noqa: F401  (tf.compat.v1.layers needs it on TF >= 2.16)
            clear_session = tf.compat.v1.keras.backend.clear_session
    except Exception as exc:  # noqa: BLE001  (any import failure means: no usable TensorFlow)
        _emit(real_stdout, {"import_error": f"{type(exc).__name__}: {exc}"})
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"script exceeded its {request['timeout']} s timeout")

    signal.signal(signal.SIGALRM, on_alarm)
    for job in request["jobs"]:
        captured = io.StringIO()
        record: Dict[str, object] = {"name": job["name"], "ok": False, "data": {}, "stdout": "",
                                     "error": "", "seconds": 0.0}
        start = time.perf_counter()
        try:
            clear_session()
            # tf_keras draws the seeds of unseeded initializers from Python's ``random`` (measured:
            # tf.set_random_seed alone leaves the kernels different on every run); seeding it here
            # makes every script's numbers reproducible and independent of the batch order.
            random.seed(0)
            numpy.random.seed(0)
            if not request["eager"]:
                tf.compat.v1.reset_default_graph()
            code = compile(job["source"], job["file"], "exec")
            namespace = {"__name__": "__main__", "__file__": job["file"], "__builtins__": __builtins__}
            signal.setitimer(signal.ITIMER_REAL, float(request["timeout"]))
            try:
                with contextlib.redirect_stdout(captured):
                    exec(code, namespace)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            record["ok"] = True
        except BaseException:  # noqa: BLE001  (SystemExit and timeouts are a failed script, not a failed batch)
            record["error"] = traceback.format_exc()
        record["seconds"] = round(time.perf_counter() - start, 3)
        record["stdout"] = captured.getvalue()
        data: Dict[str, object] = {}
        for line in record["stdout"].splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    data.update(value)
        record["data"] = data
        _emit(real_stdout, record)


if __name__ == "__main__":
    _child_main()
