"""Run generated TF1-style training programs and let TensorFlow say whether batch norm trained.

Each worker is one Python process that imports TensorFlow once and then executes many programs,
each on a fresh default graph with TensorFlow's global v1/v2 toggles put back to the same state
(``disable_v2_behavior`` in one program must not change the next one).  A program does nothing
special for us: the worker wraps ``Session.close`` and, before any session of the program closes
(and for sessions still open when the program ends), reads every global variable whose name
contains ``moving_mean``.  One such variable is one batch-norm layer.

Verdicts:
  ``trains``  every layer's moving mean moved away from its initial zeros;
  ``frozen``  none did;
  ``partial`` some did;
  ``no_bn``   no session ever held a batch-norm layer (a program whose batch-norm builder is
              never called);
  ``error``   the program raised, timed out or crashed its worker (the traceback is kept: a
              generated program must never error).

Evaluation (``Verdict.evaluation``): the last run of that session that fetches no optimizer step and
no variable assignment is the program's evaluation run.  Before the session closes, the worker runs
it again with every moving mean shifted by a large offset (then puts them back): ``moving`` when the
fetched values change (inference normalizes with the moving statistics), ``batch`` when they do not
(it normalizes with the batch's own statistics), ``""`` when the program evaluates nothing.

TensorFlow 2.16 removed ``tf.estimator`` (and ``tensorflow-estimator`` 2.15 no longer imports on
2.21).  So that Estimator programs still run, the worker gives ``tf.estimator`` and
``tf.compat.v1.estimator`` a stand-in (``_estimator_stand_in``): ``Estimator(model_fn)`` calls
``model_fn`` with the features, labels and mode as the real one does (by parameter name), runs the
returned train op in a session of a fresh graph, checkpoints, and ``evaluate`` rebuilds the graph in
``EVAL`` mode, restores and runs the loss.  Only the driver is stood in for: the graph that decides
whether batch norm trains is the one the program's ``model_fn`` builds.

A program may span several files: it is then run from its folder as ``python train.py`` would
run it (the folder first on ``sys.path``), and every module imported from that folder is dropped
from ``sys.modules`` afterwards, so the next program imports its own ``models/net.py`` afresh.

Used as a library (``run_programs``) by the test; run as ``python runner.py --worker`` it is
the worker.  ``python runner.py prog.py folder/ ...`` runs files (a folder: its ``train.py``) and
prints their verdicts.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

# A moving mean starts at exactly 0.0; one update with momentum 0.99 moves it by 1% of a batch
# mean, and the programs' inputs have means of 1.5 or more.  Anything above this counts as moved.
MOVED_THRESHOLD = 1e-6

WORKER_ENV = {
    "TF_USE_LEGACY_KERAS": "1",      # tf.compat.v1.layers needs tf_keras on TF 2.16+
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "CUDA_VISIBLE_DEVICES": "",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
}


@dataclass
class Verdict:
    program_id: str
    verdict: str                          # trains | frozen | partial | no_bn | error
    layers: Dict[str, float] = field(default_factory=dict)   # moving_mean name -> max |value|
    error: str = ""
    seconds: float = 0.0
    evaluation: str = ""                  # moving | batch | not finite | "" (no evaluation run)


# --------------------------------------------------------------------------- parent side

class _Worker:
    """One worker process; replaced when it crashes or hangs."""

    def __init__(self, startup_timeout: float):
        self.startup_timeout = startup_timeout
        self.proc: Optional[subprocess.Popen] = None
        self.stderr_file = None
        self._start()

    def _start(self) -> None:
        env = dict(os.environ)
        env.update(WORKER_ENV)
        self.stderr_file = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr_file,
            env=env, bufsize=0,
        )
        line = self._read_line(self.startup_timeout)
        if not line or json.loads(line).get("ready") is not True:
            tail = self._stderr_tail()
            self.kill()
            raise RuntimeError(f"differential worker failed to start:\n{tail}")

    def _read_line(self, timeout: float) -> Optional[bytes]:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        chunks = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                return b""             # EOF: the worker died
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                return b"".join(chunks)

    def _stderr_tail(self, limit: int = 4000) -> str:
        try:
            self.stderr_file.seek(0, os.SEEK_END)
            size = self.stderr_file.tell()
            self.stderr_file.seek(max(0, size - limit))
            return self.stderr_file.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.stderr_file is not None:
            self.stderr_file.close()
            self.stderr_file = None

    def run(self, program_id: str, source: str, filename: str, timeout: float,
            root: Optional[str] = None) -> Verdict:
        assert self.proc is not None and self.proc.stdin is not None
        request = json.dumps({"id": program_id, "source": source, "filename": filename,
                              "root": root}) + "\n"
        started = time.monotonic()
        try:
            self.proc.stdin.write(request.encode("utf-8"))
            self.proc.stdin.flush()
            line = self._read_line(timeout)
        except (BrokenPipeError, OSError):
            line = b""
        if not line:
            hung = line is None
            tail = self._stderr_tail()
            self.kill()
            self._start()
            what = f"timed out after {timeout:.0f} s" if hung else "worker process died"
            return Verdict(program_id, "error", error=f"{what}\n--- worker stderr tail ---\n{tail}",
                           seconds=time.monotonic() - started)
        answer = json.loads(line)
        return Verdict(program_id, answer["verdict"], answer.get("layers", {}),
                       answer.get("error", ""), answer.get("seconds", 0.0), answer.get("evaluation", ""))


def run_programs(programs: Iterable[Sequence], *, workers: int = 2,
                 timeout: float = 90.0, startup_timeout: float = 180.0) -> Dict[str, Verdict]:
    """Run ``(program_id, source, filename)`` or ``(program_id, source, filename, root)`` items;
    return their verdicts by id.  ``root``: the program's folder (its other modules live there).

    ``workers`` processes run in parallel (the machine this was written for has 2 cores).
    """
    queue: List[Tuple[str, str, str, Optional[str]]] = [
        (item[0], item[1], item[2], item[3] if len(item) > 3 else None) for item in programs]
    queue.reverse()
    results: Dict[str, Verdict] = {}
    lock = threading.Lock()
    failures: List[BaseException] = []

    def drain() -> None:
        worker = None
        try:
            worker = _Worker(startup_timeout)
            while True:
                with lock:
                    if not queue:
                        return
                    program_id, source, filename, root = queue.pop()
                verdict = worker.run(program_id, source, filename, timeout, root)
                with lock:
                    results[program_id] = verdict
        except BaseException as exc:  # reported after join: a test must see it
            failures.append(exc)
        finally:
            if worker is not None:
                worker.kill()

    threads = [threading.Thread(target=drain, daemon=True) for _ in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if queue or failures and not results:
        raise failures[0] if failures else RuntimeError("differential workers stopped early")
    return results


# --------------------------------------------------------------------------- worker helpers

# Op types a run executes when it trains or assigns (optimizer steps, moving-average updates,
# initializers, global-step increments): a run with none of them in its fetches' inputs is an
# evaluation run.
_STATE_CHANGING_OP_PREFIXES = ("Apply", "ResourceApply", "SparseApply", "ResourceSparseApply", "Assign")
# How far the evaluation probe shifts every moving mean: far beyond any value the programs' data
# (means up to 5) gives them.
_PROBE_SHIFT = 1000.0


def _estimator_stand_in(tf):
    """``tf.estimator``'s driver, for TensorFlow versions that no longer have it (see the module doc)."""
    import collections
    import inspect
    import types

    v1 = tf.compat.v1

    class ModeKeys:
        TRAIN = "train"
        EVAL = "eval"
        PREDICT = "infer"

    spec_fields = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
                   "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
                   "prediction_hooks")

    class EstimatorSpec(collections.namedtuple("EstimatorSpec", spec_fields)):
        def __new__(cls, mode, **kwargs):
            unknown = set(kwargs) - set(spec_fields)
            if unknown:
                raise TypeError(f"EstimatorSpec got unexpected arguments {sorted(unknown)}")
            values = {name: kwargs.get(name) for name in spec_fields[1:]}
            return super().__new__(cls, mode, **values)

    class Estimator:
        def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
            self._model_fn = model_fn
            self._params = dict(params or {})
            self._config = config
            self._values = None            # the checkpoint: variable name -> value

        def _inputs(self, input_fn):
            result = input_fn()
            if isinstance(result, tf.data.Dataset):
                result = v1.data.make_one_shot_iterator(result).get_next()
            if isinstance(result, (tuple, list)) and len(result) == 2:
                return result[0], result[1]
            return result, None

        def _spec(self, input_fn, mode):
            v1.train.get_or_create_global_step()
            features, labels = self._inputs(input_fn)
            # as the real Estimator: features always, the others when model_fn names them
            names = inspect.signature(self._model_fn).parameters
            kwargs = {"features": features}
            for name, value in (("labels", labels), ("mode", mode), ("params", self._params),
                                ("config", self._config)):
                if name in names:
                    kwargs[name] = value
            return self._model_fn(**kwargs)

        def _restore(self, sess):
            sess.run(v1.global_variables_initializer())
            sess.run(v1.local_variables_initializer())
            for variable in v1.global_variables():
                if self._values and variable.op.name in self._values:
                    variable.load(self._values[variable.op.name], sess)

        def _save(self, sess):
            variables = v1.global_variables()
            self._values = dict(zip([v.op.name for v in variables], sess.run(variables)))

        def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
            graph = tf.Graph()
            with graph.as_default():
                spec = self._spec(input_fn, ModeKeys.TRAIN)
                with v1.Session(graph=graph) as sess:
                    self._restore(sess)
                    for _ in range(steps or max_steps or 1):
                        sess.run([spec.train_op, spec.loss])
                    self._save(sess)
            return self

        def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
            graph = tf.Graph()
            with graph.as_default():
                spec = self._spec(input_fn, ModeKeys.EVAL)
                with v1.Session(graph=graph) as sess:
                    self._restore(sess)
                    losses = [sess.run(spec.loss) for _ in range(steps or 1)]
            return {"loss": float(sum(losses) / len(losses))}

    return types.SimpleNamespace(Estimator=Estimator, EstimatorSpec=EstimatorSpec, ModeKeys=ModeKeys)


# --------------------------------------------------------------------------- worker side

def _worker_main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)              # whatever the programs print goes to the worker's stderr
    sys.stdout = os.fdopen(1, "w", buffering=1)

    import builtins
    import importlib
    import traceback
    import warnings

    sys.dont_write_bytecode = True     # program folders stay as the test wrote them

    warnings.filterwarnings("ignore")
    import numpy as np
    import tensorflow as tf
    from tensorflow.python.client import session as session_lib
    from tensorflow.python.compat import v2_compat

    try:
        import tf_keras
    except ImportError:      # Keras programs will then error, and say why
        tf_keras = None

    tf.get_logger().setLevel("ERROR")
    tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
    tf.compat.v1.disable_eager_execution()
    for module in (tf, tf.compat.v1):
        if getattr(module, "estimator", None) is None:
            module.estimator = _estimator_stand_in(tf)

    opened: List = []
    # (session order, {name: max|mm|} or error, evaluation: moving | batch | "")
    snapshots: List[Tuple[int, object, str]] = []
    original_run = session_lib.BaseSession.run
    evaluation_cache: Dict[tuple, bool] = {}

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        result = original_run(self, fetches, feed_dict, options, run_metadata)
        runs = self.__dict__.setdefault("_bnu_runs", [])
        runs.append((fetches, dict(feed_dict) if feed_dict else None))
        if len(runs) > 64:
            del runs[:32]
        return result

    session_lib.BaseSession.run = run

    def is_evaluation(graph, fetches) -> bool:
        """No optimizer step and no assignment among the fetches' inputs."""
        leaves = [graph.as_graph_element(leaf, allow_tensor=True, allow_operation=True)
                  for leaf in tf.nest.flatten(fetches)]
        ops = [leaf.op if hasattr(leaf, "op") and not hasattr(leaf, "node_def") else leaf for leaf in leaves]
        key = (id(graph),) + tuple(op.name for op in ops)
        if key not in evaluation_cache:
            seen, stack, answer = set(), list(ops), True
            while stack:
                op = stack.pop()
                if op.name in seen:
                    continue
                seen.add(op.name)
                if op.type.startswith(_STATE_CHANGING_OP_PREFIXES):
                    answer = False
                    break
                stack.extend(t.op for t in op.inputs)
                stack.extend(op.control_inputs)
            evaluation_cache[key] = answer
        return evaluation_cache[key]

    def same_values(first, second) -> bool:
        for a, b in zip(tf.nest.flatten(first), tf.nest.flatten(second)):
            a, b = np.asarray(a), np.asarray(b)
            try:
                if not np.array_equal(a, b, equal_nan=True):
                    return False
            except TypeError:
                if not np.array_equal(a, b):
                    return False
        return True

    def evaluation_of(sess, variables, values) -> str:
        """Does the last evaluation run normalize with the moving means? (see the module doc)"""
        runs = sess.__dict__.get("_bnu_runs", [])
        for fetches, feed in reversed(runs):
            if not is_evaluation(sess.graph, fetches):
                continue
            before = original_run(sess, fetches, feed)
            if not all(np.all(np.isfinite(np.asarray(value))) for value in tf.nest.flatten(before)
                       if np.asarray(value).dtype.kind == "f"):
                return "not finite"      # a diverged run: the probe can tell nothing
            for variable, value in zip(variables, values):
                original_run(sess, variable.initializer, {variable.initializer.inputs[1]: value + _PROBE_SHIFT})
            shifted = original_run(sess, fetches, feed)
            for variable, value in zip(variables, values):
                original_run(sess, variable.initializer, {variable.initializer.inputs[1]: value})
            return "batch" if same_values(before, shifted) else "moving"
        return ""

    def snapshot(sess) -> None:
        if getattr(sess, "_bnu_snapshot_taken", False) or getattr(sess, "_closed", False):
            return
        sess._bnu_snapshot_taken = True
        try:
            graph = sess.graph
            variables = [v for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)
                         if "moving_mean" in v.op.name]
            if not variables:
                return
            values = original_run(sess, variables)
            layers = {v.op.name: float(np.max(np.abs(val))) if np.size(val) else 0.0
                      for v, val in zip(variables, values)}
            try:
                evaluation = evaluation_of(sess, variables, values)
            except Exception:    # kept visible: a probe that cannot run is a finding about the probe
                evaluation = "probe failed: " + traceback.format_exc(limit=3)
            snapshots.append((opened.index(sess) if sess in opened else -1, layers, evaluation))
        except Exception:       # an uninitialised variable, a closed graph...
            snapshots.append((-1, "reading moving means failed:\n" + traceback.format_exc(), ""))

    def patch_close(cls) -> None:
        original = cls.__dict__.get("close")
        if original is None:
            return

        def close(self, *args, **kwargs):
            snapshot(self)
            return original(self, *args, **kwargs)

        cls.close = close

    for cls in (session_lib.BaseSession, session_lib.Session, session_lib.InteractiveSession):
        patch_close(cls)

    original_init = session_lib.BaseSession.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        opened.append(self)

    session_lib.BaseSession.__init__ = init

    def reset_tf_state() -> None:
        # enable_v2_behavior() minus eager execution: every program starts from the state a fresh
        # `python prog.py` has once it calls disable_eager_execution(); a program that calls
        # disable_v2_behavior() switches the rest off for itself only.
        g = v2_compat.__dict__
        g["tf2"].enable()
        g["tensor_shape"].enable_v2_tensorshape()
        g["resource_variables_toggle"].enable_resource_variables()
        g["tensor"].enable_tensor_equality()
        g["control_flow_v2_toggles"].enable_control_flow_v2()
        for name in g["_DATA_V2_CALLBACKS"].list():
            g["_DATA_V2_CALLBACKS"].lookup(name)()
        tf.compat.v1.disable_eager_execution()
        if tf_keras is not None:
            tf_keras.backend.clear_session()
        tf.compat.v1.reset_default_graph()

    def under(path, root: str) -> bool:
        try:
            return os.path.commonpath([os.path.abspath(path), root]) == root
        except (TypeError, ValueError):
            return False

    def forget_modules(root: str) -> None:
        """Drop every module imported from ``root`` (namespace packages have no ``__file__``)."""
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            paths = list(getattr(module, "__path__", None) or [])
            if (file and under(file, root)) or any(under(p, root) for p in paths):
                del sys.modules[name]

    protocol.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        answer = {"id": request["id"]}
        opened.clear()
        snapshots.clear()
        root = os.path.abspath(request["root"]) if request.get("root") else None
        if root:
            sys.path.insert(0, root)
            importlib.invalidate_caches()
        try:
            reset_tf_state()
            code = compile(request["source"], request["filename"], "exec")
            namespace = {"__name__": "__main__", "__file__": request["filename"],
                         "__builtins__": builtins}
            exec(code, namespace)
            for sess in list(opened):
                snapshot(sess)
            errors = [s for _, s, _ in snapshots if isinstance(s, str)]
            layer_sets = [(s, e) for _, s, e in snapshots if isinstance(s, dict)]
            if not layer_sets:
                answer.update(verdict="error", error="\n".join(errors)) if errors else answer.update(
                    verdict="no_bn")
            else:
                layers, evaluation = layer_sets[-1]    # the last session that saw the batch-norm layers
                # NaN (a diverged run) still means the update ops ran
                moved = [not value <= MOVED_THRESHOLD for value in layers.values()]
                verdict = "trains" if all(moved) else "frozen" if not any(moved) else "partial"
                answer.update(verdict=verdict, layers=layers, evaluation=evaluation)
        except BaseException:
            answer.update(verdict="error", error=traceback.format_exc())
        finally:
            for sess in list(opened):
                try:
                    sess._bnu_snapshot_taken = True
                    sess.close()
                except Exception:
                    pass
            opened.clear()
            if root:
                forget_modules(root)
                while root in sys.path:
                    sys.path.remove(root)
        answer["seconds"] = time.monotonic() - started
        protocol.write(json.dumps(answer) + "\n")
        protocol.flush()


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--worker"]:
        _worker_main()
        return 0
    items = []
    for path in argv:
        main_file = os.path.join(path, "train.py") if os.path.isdir(path) else path
        with open(main_file, encoding="utf-8") as handle:
            items.append((path, handle.read(), os.path.abspath(main_file),
                          os.path.dirname(os.path.abspath(main_file))))
    for program_id, verdict in sorted(run_programs(items).items()):
        print(f"{program_id}: {verdict.verdict} evaluation={verdict.evaluation or '-'} {verdict.layers}")
        if verdict.error:
            print(verdict.error)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
