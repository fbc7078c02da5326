"""The flake8 adapter: a thin skin over the engine.

flake8 imports every installed plugin at start-up, even under ``--select E``, so this
module imports neither libcst nor the engine: ``run()`` does, once flake8 hands it a
file. An exception escaping a plugin aborts flake8 for every file and every plugin,
so ``run()`` turns any engine failure into one BNU900 finding.
"""
from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

from . import __version__
from .settings import DEFAULT_SETTINGS, Settings

_OPTIONS = (
    ("--bn-training-names", "bn-training-names", True,
     "extra parameter names that mean the batch-norm training flag (comma separated)"),
    ("--bn-wrappers", "bn-wrappers", True,
     "the project's own batch-norm wrappers as dotted.name:flag (comma separated)"),
    ("--bn-train-op-helpers", "bn-train-op-helpers", True,
     "extra helpers that already run the update ops, as dotted names (comma separated)"),
    ("--bn-cross-module", "bn-cross-module", False,
     "follow imports into the project's own modules: yes (default) or no"),
)


class BatchNormUpdateOpsChecker:
    name = "flake8-bn-update-ops"
    version = __version__

    # parse_options runs once per flake8 run (and again for each run in a long-lived editor
    # server): the settings and the project model (its caches) live exactly that long.
    settings: Settings = DEFAULT_SETTINGS
    project = None
    # The BNU codes flake8 reports under this run's select/ignore options: only their rules run,
    # and only their words make a file worth analysing. None: every rule runs.
    codes: Optional[Tuple[str, ...]] = None

    def __init__(self, tree, lines: List[str], filename: str) -> None:
        # ``tree`` is flake8's ast: detection runs on it, with no second parse.
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, parser) -> None:
        from .rules import DEFAULT_OFF

        # Off unless selected: flake8's explicit --select/--extend-select (even ``BNU``) wins.
        parser.extend_default_ignore(list(DEFAULT_OFF))
        for flag, _, is_list, help_text in _OPTIONS:
            parser.add_option(
                flag,
                default=None,
                parse_from_config=True,
                comma_separated_list=is_list,
                help=help_text,
            )

    @classmethod
    def parse_options(cls, options) -> None:
        from .config import ConfigError, build_settings, check_flake8_file, flake8_option_origin

        values = {}
        for flag, key, _, _ in _OPTIONS:
            value = getattr(options, flag[2:].replace("-", "_"), None)
            if value is not None:
                values[key] = value
        # flake8's own max-line-length: the lines a fix writes stay within it (one Settings, as
        # the command builds it from the same file).
        length = getattr(options, "max_line_length", None)
        if length is not None:
            values["max-line-length"] = length
        origins = {key: flake8_option_origin(options, key) for key in values}
        try:
            check_flake8_file(options)
            cls.settings = build_settings(values, origins)
            cls.codes = _reported_codes(options)
            cls.project = None    # a new run: a new project model, made on first use
        except ConfigError as exc:
            # flake8 prints an ExecutionError as one clean message, no traceback.
            from flake8.exceptions import ExecutionError

            raise ExecutionError(f"flake8-bn-update-ops: {exc}") from None

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        from .findings import one_line    # here, not at import: flake8 loads the plugin for every run

        cls = type(self)
        if cls.codes == ():
            return      # ``--select E,W`` or ``--extend-ignore BNU``: nothing of ours is reported
        source = "".join(self.lines)
        try:
            from .engine import analyze_source

            if cls.project is None or cls.project.settings is not cls.settings:
                from .core.project import Project

                cls.project = Project(cls.settings)
            findings = analyze_source(source, self.filename, self.settings, honour_noqa=False, tree=self.tree,
                                      project=cls.project, select=cls.codes)
        except Exception as exc:  # noqa: BLE001 - any engine failure must stay one finding
            reason = one_line(exc)
            yield 1, 0, f"BNU900 could not analyse this file: {reason}", type(self)
            return
        for finding in findings:
            yield finding.line, finding.column, one_line(finding.message), type(self)


def _reported_codes(options) -> Optional[Tuple[str, ...]]:
    """The codes flake8's own decision engine reports under ``options`` (select, extend-select,
    ignore, extend-ignore, the default ignore list with DEFAULT_OFF): per-file ignores and
    ``# noqa`` can only drop more. None when this flake8 cannot tell (every rule then runs, and
    flake8 drops what it does not report, as before)."""
    from .rules import CODES

    try:
        from flake8.style_guide import Decision, DecisionEngine

        decide = DecisionEngine(options).decision_for
        return tuple(code for code in CODES if decide(code) is Decision.Selected)
    except Exception:  # noqa: BLE001 - a flake8 without this engine: check everything
        return None
