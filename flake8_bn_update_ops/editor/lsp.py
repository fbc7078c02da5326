"""python-lsp-server plugin: BNU quick fixes as code actions (``pip install flake8-bn-update-ops[lsp]``).

pylsp finds it through its ``pylsp`` entry point and imports it at start-up, so this module
imports only pylsp's hook marker and our cheap configuration code; the engine (and libcst,
for a fix) load on the first code action. Diagnostics are not ours to publish here: pylsp's
flake8 plugin runs flake8, and with it our plugin, on the same unsaved buffer.

Caches: one ``core.project.Project`` per workspace (per distinct settings, normally one),
living as long as the workspace does; it re-validates every imported module by ``stat`` and
content digest on each check, so an edit to ``ops.py`` on disk is seen by the next action in
``train.py``. Nothing else is kept between requests.

Never print: standard output is the LSP channel. Failures are one line in pylsp's log.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref
from typing import Dict, List, Optional, Tuple

from pylsp import hookimpl

from ..config import ConfigError, build_settings, code_choice, load_config
from ..settings import Settings

log = logging.getLogger(__name__)

# pylsp names a plugin by its entry point: ``plugins.flake8_bn_update_ops.enabled`` turns it off.
PLUGIN = "flake8_bn_update_ops"
_MAX_PROJECTS = 4     # per workspace: one per distinct settings, the oldest dropped first

# pylsp's own flake8 settings (``plugins.flake8``) override the configuration files for the
# diagnostics it shows; the actions follow them, as the command line overrides the files.
_FLAKE8_OVERRIDES = (("select", "select"), ("extendSelect", "extend-select"),
                     ("ignore", "ignore"), ("extendIgnore", "extend-ignore"))


class _Session:
    """What one workspace keeps for its lifetime: its project models, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.projects: Dict[Settings, object] = {}

    def project(self, settings: Settings):
        from ..core.project import Project

        project = self.projects.pop(settings, None)
        if project is None:
            project = Project(settings)
            while len(self.projects) >= _MAX_PROJECTS:
                self.projects.pop(next(iter(self.projects)))
        self.projects[settings] = project     # most recently used last
        return project


_SESSIONS: "weakref.WeakKeyDictionary[object, _Session]" = weakref.WeakKeyDictionary()
_SESSIONS_LOCK = threading.Lock()


def _session(workspace) -> _Session:
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(workspace)
        if session is None:
            session = _SESSIONS[workspace] = _Session()
        return session


@hookimpl
def pylsp_settings(config):
    return {"plugins": {PLUGIN: {"enabled": True}}}


@hookimpl
def pylsp_code_actions(config, workspace, document, range, context):  # noqa: A002 - pylsp's name
    try:
        return _code_actions(config, workspace, document, range, context or {})
    except Exception as error:  # noqa: BLE001 - an editor request must never see a traceback
        log.warning("%s: no BNU code actions for %s: %s: %s", PLUGIN, getattr(document, "uri", "?"),
                    type(error).__name__, " ".join(str(error).split()))
        return []


@hookimpl
def pylsp_shutdown(config, workspace):
    with _SESSIONS_LOCK:
        _SESSIONS.pop(workspace, None)


def _code_actions(config, workspace, document, lsp_range, context) -> List[dict]:
    if document is None or getattr(document, "notebook_uri", None):
        return []      # a notebook cell: its fix may need the other cells (the command fixes notebooks)
    from .quickfix import Request, code_actions

    path = document.path
    try:
        settings, select, ignore = _options(config, workspace, path)
    except ConfigError as error:
        log.warning("%s: %s", PLUGIN, error)
        return []
    request = Request(uri=document.uri, path=path, source=document.source, range=lsp_range,
                      context=context, version=getattr(document, "version", None))
    session = _session(workspace)
    with session.lock:
        return code_actions(request, settings, project=session.project(settings), select=select,
                            ignore=ignore, versioned_edits=_versioned_edits(config, request))


def _options(config, workspace, path: str) -> Tuple[Settings, Optional[tuple], Optional[tuple]]:
    """The command's configuration, found from the document's folder, then pylsp's flake8 settings."""
    flake8 = config.plugin_settings("flake8", document_path=path) or {}
    explicit = flake8.get("config")
    if explicit:
        explicit = os.path.abspath(os.path.expanduser(os.path.expandvars(explicit)))
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        folder = getattr(workspace, "root_path", None) or os.getcwd()
    file_config = load_config(explicit, start=folder)
    values, origins = dict(file_config.values), dict(file_config.origins)
    for setting, key in _FLAKE8_OVERRIDES:
        given = flake8.get(setting)
        if given:
            values[key] = list(given) if isinstance(given, (list, tuple)) else given
            origins[key] = f"pylsp settings (plugins.flake8.{setting})"
    settings = build_settings(values, origins)
    # The codes flake8 and the command would report there, decided as they decide them.
    from ..rules import CODES

    return settings, code_choice(values, origins).enabled(CODES), None


def _versioned_edits(config, request) -> bool:
    """``documentChanges`` (the editor refuses a stale edit) when the client supports it."""
    capabilities = getattr(config, "capabilities", None) or {}
    workspace_edit = capabilities.get("workspace", {}).get("workspaceEdit", {})
    return bool(workspace_edit.get("documentChanges")) and request.version is not None
