"""Line and column of the few nodes that become findings.

libcst's PositionProvider computes a range for every node of the module (measured at about 3x
the parse). We render the module once with a codegen state that records only the requested
nodes' syntactic starts, and only for files that have findings.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterable, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState


class _AllFound(Exception):
    """Every requested node has its position: the rest of the module need not be rendered."""


class _RecordingState(CodegenState):
    def __init__(self, module: cst.Module, targets: Dict[int, None]):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.targets = targets
        self.line = 1
        self.column = 0
        self.found: Dict[int, Tuple[int, int, int, int]] = {}

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        self.line += value.count("\n") + value.count("\r") - value.count("\r\n")
        self.column = len(value) - max(value.rfind("\n"), value.rfind("\r")) - 1

    @contextmanager
    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        if id(node) not in self.targets:
            yield
            return
        start = (self.line, self.column)
        try:
            yield
        finally:
            if id(node) not in self.found:
                self.found[id(node)] = (start[0], start[1], self.line, self.column)
                if len(self.found) == len(self.targets):
                    raise _AllFound


def positions_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[int, Tuple[int, int, int, int]]:
    """id(node) -> (line, column, end_line, end_column); line 1-based, column 0-based characters."""
    targets = {id(node): None for node in nodes}
    if not targets:
        return {}
    state = _RecordingState(module, targets)
    try:
        module._codegen(state)
    except _AllFound:
        pass
    return state.found
