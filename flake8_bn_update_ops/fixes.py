"""Fixes as libcst transformations that touch only the node or statement they target.

A rule attaches one of these to its finding; ``apply_fixes`` runs any number of them in one
transformer pass over the module and re-renders it (libcst keeps every untouched byte:
comments, quotes, blank lines, tabs, CRLF).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .findings import SAFE


@dataclass(eq=False)
class ReplaceNode:
    """Rebuild one node from its updated form (a literal, a call's arguments, an attribute)."""

    target: cst.CSTNode
    build: Callable[[cst.CSTNode], cst.CSTNode]
    safety: str = SAFE


@dataclass(eq=False)
class WrapStatement:
    """Wrap the statement that builds a train op in ``with <dependency>:``.

    ``statement`` is the small statement (Assign, Return, Expr) whose whole value is the call;
    with ``hoist_name`` the call is nested deeper and is first hoisted into
    ``hoist_name = <call>`` inside the new block, just before the statement.
    """

    call: cst.Call
    statement: cst.BaseSmallStatement
    dependency: str
    safety: str = SAFE
    hoist_name: Optional[str] = None
    add_import: Optional[Tuple[str, str]] = None   # (module, alias): ``import module as alias``


Fix = object  # ReplaceNode | WrapStatement


def insert_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """Add ``keyword=value`` after the existing arguments and before any ``**``, in the call's
    own layout (one per line stays one per line)."""
    args = list(call.args)
    index = next((i for i, arg in enumerate(args) if arg.star == "**"), len(args))
    new_arg = cst.Arg(value=value, keyword=cst.Name(keyword),
                      equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                            whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return call.with_changes(args=[new_arg])
    previous = args[index - 1] if index > 0 else None
    if previous is None:  # only ``**kwargs``: go first
        args.insert(0, new_arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
        return call.with_changes(args=args)
    inner_comma = _inner_comma(call, args, index)
    if index < len(args):
        new_arg = new_arg.with_changes(comma=previous.comma if isinstance(previous.comma, cst.Comma) else inner_comma)
        args.insert(index, new_arg)
    else:
        # The last argument owns the whitespace before ``)``: it moves to the new last one.
        args[index - 1] = previous.with_changes(comma=inner_comma, whitespace_after_arg=cst.SimpleWhitespace(""))
        args.insert(index, new_arg.with_changes(comma=previous.comma,
                                                whitespace_after_arg=previous.whitespace_after_arg))
    return call.with_changes(args=args)


def _inner_comma(call: cst.Call, args: List[cst.Arg], index: int) -> cst.Comma:
    """The comma that separates two arguments in this call's layout."""
    for arg in args[:index - 1]:
        if isinstance(arg.comma, cst.Comma):
            return arg.comma
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=call.whitespace_before_args)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> cst.Module:
    if not fixes:
        return module
    return module.visit(_FixApplier(fixes))


class _FixApplier(cst.CSTTransformer):
    def __init__(self, fixes: Sequence[Fix]):
        super().__init__()
        self.replacements: Dict[int, Callable] = {}
        self.wraps: Dict[int, WrapStatement] = {}
        self.hoisted: Dict[int, cst.BaseExpression] = {}   # id(original call) -> updated call
        self.imports: List[Tuple[str, str]] = []
        for fix in fixes:
            if isinstance(fix, ReplaceNode):
                previous = self.replacements.get(id(fix.target))
                if previous is None:
                    self.replacements[id(fix.target)] = fix.build
            elif isinstance(fix, WrapStatement):
                if id(fix.statement) in self.wraps:
                    continue  # one wrap per statement a pass; the loop picks up the rest
                self.wraps[id(fix.statement)] = fix
                if fix.hoist_name is not None:
                    self.replacements.setdefault(id(fix.call), self._hoister(fix))
                if fix.add_import and fix.add_import not in self.imports:
                    self.imports.append(fix.add_import)

    def _hoister(self, fix: WrapStatement):
        def build(updated):
            self.hoisted[id(fix.call)] = updated
            return cst.Name(fix.hoist_name)
        return build

    def on_leave(self, original_node, updated_node):
        build = self.replacements.get(id(original_node))
        if build is not None:
            updated_node = build(updated_node)
        if isinstance(original_node, cst.IndentedBlock):
            return updated_node.with_changes(body=self._rewrite_body(original_node.body, updated_node.body))
        if isinstance(original_node, cst.Module):
            body = self._rewrite_body(original_node.body, updated_node.body)
            return self._add_imports(updated_node.with_changes(body=body))
        if isinstance(original_node, cst.SimpleStatementSuite) and any(
                id(statement) in self.wraps for statement in original_node.body):
            # ``if x: train_op = opt.minimize(loss)``: a one-line suite is split first.
            line = cst.SimpleStatementLine(body=list(updated_node.body),
                                           trailing_whitespace=updated_node.trailing_whitespace)
            original_line = cst.SimpleStatementLine(body=list(original_node.body))
            lines = self._rewrite_line(original_line, line)
            return cst.IndentedBlock(body=lines)
        return updated_node

    def _rewrite_body(self, originals, updated) -> List[cst.CSTNode]:
        body: List[cst.CSTNode] = []
        for original, new in zip(originals, updated):
            if isinstance(original, cst.SimpleStatementLine) and isinstance(new, cst.SimpleStatementLine) and any(
                    id(statement) in self.wraps for statement in original.body):
                body.extend(self._rewrite_line(original, new))
            else:
                body.append(new)
        return body

    def _rewrite_line(self, original: cst.SimpleStatementLine, new: cst.SimpleStatementLine) -> List[cst.CSTNode]:
        """Split a ``;``-joined line into one line per statement, then wrap the targets."""
        pieces = list(zip(original.body, new.body))
        lines: List[cst.CSTNode] = []
        for index, (original_statement, statement) in enumerate(pieces):
            last = index == len(pieces) - 1
            statement = statement.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            line = cst.SimpleStatementLine(
                body=[statement],
                leading_lines=new.leading_lines if index == 0 else (),
                trailing_whitespace=new.trailing_whitespace if last else cst.TrailingWhitespace())
            wrap = self.wraps.get(id(original_statement))
            if wrap is None:
                lines.append(line)
                continue
            dependency = cst.parse_expression(wrap.dependency)
            inner: List[cst.BaseStatement] = []
            if wrap.hoist_name is not None:
                hoisted = self.hoisted.get(id(wrap.call), wrap.call)
                inner.append(cst.SimpleStatementLine(body=[cst.Assign(
                    targets=[cst.AssignTarget(target=cst.Name(wrap.hoist_name))], value=hoisted)]))
                block = cst.With(items=[cst.WithItem(item=dependency)], body=cst.IndentedBlock(body=inner),
                                 leading_lines=line.leading_lines)
                lines.append(block)
                lines.append(line.with_changes(leading_lines=()))
            else:
                inner.append(line.with_changes(leading_lines=()))
                lines.append(cst.With(items=[cst.WithItem(item=dependency)], body=cst.IndentedBlock(body=inner),
                                      leading_lines=line.leading_lines))
        return lines

    def _add_imports(self, module: cst.Module) -> cst.Module:
        if not self.imports:
            return module
        body = list(module.body)
        position = 0
        for index, statement in enumerate(body):
            if isinstance(statement, cst.SimpleStatementLine) and all(
                    isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
                position = index + 1
            elif index == 0 and _is_docstring(statement):
                position = 1
        for dotted, alias in self.imports:
            statement = cst.parse_statement(f"import {dotted} as {alias}" + module.default_newline)
            body.insert(position, statement)
            position += 1
        return module.with_changes(body=body)


def _is_docstring(statement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))
