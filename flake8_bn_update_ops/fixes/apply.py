"""Apply fix plans as libcst transformations that touch only the nodes they target.

This is the only module that imports libcst, and only the statements a fix targets are parsed
with it (``fix_text``): each plan's region (``regions``: whole lines of the smallest statement
group holding its targets) becomes a small module of its own, behind a fixed preamble that
gives libcst the file's indentation unit, line ending and the region's own indentation; the
plans are applied there and the region's new text replaces its old lines. A fix thus costs
time in proportion to the statements it touches, not to the file. The whole module is parsed
only when a target has no such region.

Each plan names its targets by position (characters, from the ``ast`` analysis); libcst's
positions of the same nodes are the same ranges (both exclude the node's own parentheses), so
the target is found by position and node kind. libcst then re-renders keeping every untouched
byte: comments, quotes, blank lines, tabs, CRLF.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..findings import UnparsableSource
from .layout import break_call, line_width, leading, line_of, outer_brackets, width
from .plans import (AddDictEntry, AddParameter, ExtendVariables, InsertBefore, InsertKeyword, MoveStatement,
                    RenameAttribute, ReplaceExpression, WrapStatement)
from .regions import default_indent, default_newline, import_line, merge, region_of, split_lines

_SMALL_STATEMENTS = (cst.Assign, cst.AnnAssign, cst.Return, cst.Expr, cst.AugAssign)


class FixNotApplicable(Exception):
    """A plan's target is not where the plan says (the tree changed): nothing is written."""


def parse_module(source: str) -> cst.Module:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message = str(error).strip().splitlines()
        raise UnparsableSource("libcst cannot parse this file: " + (message[0] if message else "syntax error")) \
            from None
    except RecursionError:
        raise UnparsableSource("too deeply nested for libcst") from None
    except Exception as error:  # noqa: BLE001 - the native parser raises assorted errors on odd input
        text = str(error).strip().splitlines()
        raise UnparsableSource("libcst cannot parse this file: " + (text[0] if text else type(error).__name__)) \
            from None
    try:
        if module.code != source:
            raise UnparsableSource("libcst does not reproduce this file byte for byte")
    except RecursionError:
        raise UnparsableSource("too deeply nested for libcst") from None
    return module


def apply_plans(module: cst.Module, plans: Sequence[object], settings=None) -> cst.Module:
    """The plans applied to a whole module (imports they need added at its top)."""
    if not plans:
        return module
    located = _Located(module)
    applier = _FixApplier(located, plans, _max_line_length(settings))
    return located.module.visit(applier)


def fix_text(source: str, tree, plans: Sequence[object], settings=None) -> str:
    """``source`` with the plans applied, reading with libcst only the regions they target.

    ``tree`` is Python's ``ast`` of ``source``. Raises FixNotApplicable (a target is not where
    its plan says) and UnparsableSource (libcst cannot read or reproduce a region)."""
    if not plans:
        return source
    # A combined fix is placed edit by edit: a flag threaded from a builder to a run far below
    # is a few small regions, not the whole module between them (which libcst may not even
    # read: tabs and spaces mixed elsewhere in it). All or none is written still: any edit that
    # cannot be made raises before anything is returned.
    plans = [edit for plan in plans for edit in getattr(plan, "local_edits", lambda: (plan,))()]
    lines = split_lines(source)
    unit = default_indent(source)
    placed: List[Tuple[Tuple[int, int], object]] = []
    for plan in plans:
        region = region_of(tree, lines, _spans(plan)) if unit is not None else None
        if region is None:
            return apply_plans(parse_module(source), plans, settings).code
        placed.append((region, plan))
    newline = default_newline(source)
    edits: List[Tuple[int, int, str]] = []
    imports: List[Tuple[str, str]] = []
    for start, end in merge(region for region, _ in placed):
        inside = [plan for (first, last), plan in placed if start <= first and last <= end]
        text, needed = _fix_region(lines, start, end, inside, unit, newline, settings)
        edits.append((start - 1, end, text))
        imports += [entry for entry in needed if entry not in imports]
    if imports:
        after = import_line(tree)
        if after is None or not lines[after - 1].endswith(("\n", "\r")):
            # No import or docstring to go after (or no line break to go after): libcst
            # places it in the whole module.
            return apply_plans(parse_module(source), plans, settings).code
        added = "".join(f"import {dotted} as {alias}{newline}" for dotted, alias in imports)
        edits.append((after, after, added))
    # Bottom up, so earlier line numbers stay true; at one line, a region's text before an
    # import inserted in front of it.
    for first, end, text in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        lines[first:end] = [text]
    return "".join(lines)


_PREAMBLE = "if 1:{newline}{unit}pass{newline}"


def _fix_region(lines, start: int, end: int, plans, unit: str, newline: str, settings):
    """(new text of lines ``start``..``end``, imports the plans need). The region is parsed
    after a preamble: a block indented by the file's unit (libcst takes its default indent
    from the first block, and writes new blocks with it) and, for an indented region, an
    ``if 1:`` whose body the region is, at its own indentation (so columns stay the file's)."""
    text = "".join(lines[start - 1:end])
    preamble = _PREAMBLE.format(newline=newline, unit=unit)
    if leading(lines[start - 1]):
        preamble += "if 1:" + newline
    shift = preamble.count(newline) - (start - 1)
    try:
        module = parse_module(preamble + text)
    except UnparsableSource as error:
        # libcst's own position is in the region's module: name the file's lines instead.
        reason = re.sub(r"^libcst cannot parse this file: |^libcst | @ \d+:\d+", "", str(error))
        raise UnparsableSource(f"libcst cannot parse this file at lines {start}-{end}: {reason}") from None
    located = _Located(module)
    applier = _FixApplier(located, [_shifted(plan, shift) for plan in plans], _max_line_length(settings),
                          add_imports=False)
    code = located.module.visit(applier).code
    if not code.startswith(preamble):
        raise FixNotApplicable(f"a fix reached outside lines {start}-{end}")
    return code[len(preamble):], applier.imports


def _spans(plan) -> List[Optional[Tuple[int, int, int, int]]]:
    """Every position a plan reads or rewrites (its region must hold them all)."""
    return plan.spans()


def _shifted(plan, lines: int):
    """The plan with its positions moved ``lines`` lines (into the region's own module)."""
    return plan.shifted(lines)


def _max_line_length(settings) -> int:
    return getattr(settings, "max_line_length", None) or 79


class _Located:
    """libcst nodes by their position."""

    def __init__(self, module: cst.Module):
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = wrapper.module
        self.lines = re.split(r"\r\n|\r|\n", module.code)
        self.by_span: Dict[Tuple[int, int, int, int], List[cst.CSTNode]] = {}
        self.by_start: Dict[Tuple[int, int], List[cst.CSTNode]] = {}
        for node, where in wrapper.resolve(PositionProvider).items():
            key = (where.start.line, where.start.column, where.end.line, where.end.column)
            self.by_span.setdefault(key, []).append(node)
            self.by_start.setdefault(key[:2], []).append(node)

    def find(self, span, kinds) -> cst.CSTNode:
        for node in self.by_span.get(tuple(span), ()):
            if isinstance(node, kinds):
                return node
        raise FixNotApplicable(f"no {'/'.join(k.__name__ for k in kinds)} at line {span[0]}, column {span[1] + 1}")

    def find_whole_statement(self, start) -> cst.CSTNode:
        """The whole statement (a line of simple statements, or a compound one) that starts at
        ``start``: ``ast`` and libcst agree on where a statement starts, not always on where it
        ends."""
        for node in self.by_start.get(tuple(start), ()):
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return node
        raise FixNotApplicable(f"no statement at line {start[0]}, column {start[1] + 1}")


def insert_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression, continuation=None,
                   hang: bool = False) -> cst.Call:
    """Add ``keyword=value`` after the existing arguments and before any ``**``, in the call's
    own layout (one per line stays one per line); with ``continuation``, on a line of its own
    indented by that text (relative to the statement), so the line stays within its length.
    With ``hang``, the arguments first move to a line of their own after the opening bracket,
    indented by ``continuation`` (a hanging indent: pycodestyle's E128 forbids a continuation
    line that is neither under the first argument nor hanging); the keyword joins them there
    unless ``continuation`` is also needed for it (then it hangs at the same indent)."""
    if hang:
        call = insert_keyword(call, keyword, value, continuation[1])   # in the one-line layout
        return call.with_changes(whitespace_before_args=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), empty_lines=[], indent=True,
            last_line=cst.SimpleWhitespace(continuation[0])))
    if continuation is not None:
        call = insert_keyword(call, keyword, value)
        args = list(call.args)
        position = next(i for i, arg in enumerate(args) if arg.keyword is not None and arg.keyword.value == keyword)
        if position > 0:
            broken = cst.Comma(whitespace_after=cst.ParenthesizedWhitespace(
                first_line=cst.TrailingWhitespace(), empty_lines=[], indent=True,
                last_line=cst.SimpleWhitespace(continuation)))
            args[position - 1] = args[position - 1].with_changes(comma=broken)
        return call.with_changes(args=args)
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


def add_parameter(params: cst.Parameters, name: str, default: cst.BaseExpression) -> cst.Parameters:
    """``name=default`` after the other named parameters and before ``**kwargs`` (keyword-only
    after ``*args`` or a bare ``*``), keeping the parameters' own comma layout: the new one
    takes over the comma of the one it follows (a trailing comma or a line break stays where it
    was), and that one gets the layout's separator."""
    new = cst.Param(name=cst.Name(name), default=default,
                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                          whitespace_after=cst.SimpleWhitespace("")))
    keyword_only = isinstance(params.star_arg, (cst.Param, cst.ParamStar))
    field = "kwonly_params" if keyword_only else "params"
    ordered = [*params.posonly_params]
    if isinstance(params.posonly_ind, cst.ParamSlash):
        ordered.append(params.posonly_ind)
    ordered += params.params
    if keyword_only:
        ordered += [params.star_arg, *params.kwonly_params]
    added = [*getattr(params, field), new]
    if not ordered:
        return params.with_changes(**{field: added})
    previous = ordered[-1]
    separator = next((item.comma for item in ordered[:-1] if isinstance(item.comma, cst.Comma)),
                     cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    if isinstance(previous.comma, cst.Comma):
        added[-1] = new.with_changes(comma=previous.comma)
        changed = previous.with_changes(comma=separator)
    elif isinstance(previous, cst.Param):
        # The last parameter owns the whitespace before ``)``: it moves to the new last one.
        added[-1] = new.with_changes(whitespace_after_param=previous.whitespace_after_param)
        changed = previous.with_changes(comma=separator, whitespace_after_param=cst.SimpleWhitespace(""))
    else:
        return params.with_changes(**{field: added})
    changes = {field: added}
    if previous is params.star_arg:
        changes["star_arg"] = changed
    elif previous is params.posonly_ind:
        changes["posonly_ind"] = changed
    else:
        for container in ("posonly_params", "params", "kwonly_params"):
            items = list(changes.get(container, getattr(params, container)))
            if any(item is previous for item in items):
                changes[container] = [changed if item is previous else item for item in items]
    return params.with_changes(**changes)


def add_dict_entry(node: cst.Dict, key: cst.BaseExpression, value: cst.BaseExpression,
                   layout: Optional[Tuple[Optional[str], Optional[str]]] = None) -> cst.Dict:
    """``{a: 1}`` -> ``{a: 1, key: value}`` in the dict's own layout (as ``insert_keyword``).
    ``layout`` (for a one-line dict the entry would make too long) is (hang, own line): the
    entries move to a new line after ``{`` indented by ``hang``, and the new entry goes on a
    line of its own indented by ``own line`` (both whole indentations: the line of ``{`` may
    itself be a continuation line, deeper than its statement)."""
    entry = cst.DictElement(key=key, value=value)
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=[entry])
    if layout is not None:
        hang, own_line = layout
        node = add_dict_entry(node, key, value)
        if hang is not None:
            node = node.with_changes(lbrace=node.lbrace.with_changes(whitespace_after=_line_break(hang)))
        if own_line is not None:
            elements = list(node.elements)
            elements[-2] = elements[-2].with_changes(comma=cst.Comma(whitespace_after=_line_break(own_line)))
            node = node.with_changes(elements=elements)
        return node
    last = elements[-1]
    separator = next((item.comma for item in elements[:-1] if isinstance(item.comma, cst.Comma)), None)
    if separator is None:                       # one entry: the line break after ``{``, if any
        after_brace = node.lbrace.whitespace_after
        separator = cst.Comma(whitespace_after=after_brace if isinstance(after_brace, cst.ParenthesizedWhitespace)
                              else cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):       # a trailing comma (or the line break before ``}``)
        elements[-1] = last.with_changes(comma=separator)
        elements.append(entry.with_changes(comma=last.comma))
    else:
        elements[-1] = last.with_changes(comma=separator)
        elements.append(entry)
    return node.with_changes(elements=elements)


def _line_break(indentation: str) -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, then ``indentation`` as written (not added to the block's)."""
    return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), empty_lines=[], indent=False,
                                       last_line=cst.SimpleWhitespace(indentation))


def _inner_comma(call: cst.Call, args: List[cst.Arg], index: int) -> cst.Comma:
    """The comma that separates two arguments in this call's layout."""
    for arg in args[:index - 1]:
        if isinstance(arg.comma, cst.Comma):
            return arg.comma
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=call.whitespace_before_args)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


class _FixApplier(cst.CSTTransformer):
    def __init__(self, located: _Located, plans: Sequence[object], max_line_length: int, add_imports: bool = True):
        super().__init__()
        self.add_imports = add_imports
        self.max_line_length = max_line_length
        self.lines = located.lines
        self.unit = located.module.default_indent
        self.replacements: Dict[int, Callable] = {}
        self.wraps: Dict[int, WrapStatement] = {}
        self.hoisted: Dict[int, cst.BaseExpression] = {}   # id(original call) -> updated call
        self.hoist_calls: Dict[int, cst.Call] = {}
        self.imports: List[Tuple[str, str]] = []
        self.removals: set = set()     # id() of the blocks a plan deletes
        # id(whole statement) -> statements to put before it: new text, or a moved statement line
        self.inserts_before: Dict[int, List[object]] = {}
        self.inserts_after: Dict[int, List[cst.SimpleStatementLine]] = {}   # id(whole statement) -> moved lines
        self.moved_comments: Dict[int, int] = {}    # id(moved statement) -> its comment lines that move with it
        self._statement_lines: Dict[int, int] = {}
        self.located = located
        for plan in plans:
            apply = getattr(plan, "apply", None)
            if apply is None:
                raise FixNotApplicable(f"unknown fix {type(plan).__name__}")
            apply(self)

    # The editor's verbs: each plan class calls the one that makes its edit (``Plan.apply``).

    def add_dict_entry(self, plan: AddDictEntry) -> None:
        node = self.located.find(plan.target, (cst.Dict,))
        key, value = cst.parse_expression(plan.key), cst.parse_expression(plan.value)
        layout = self._entry_layout(plan)
        self._replace(node, lambda updated: add_dict_entry(updated, key, value, layout))

    def add_parameter(self, plan: AddParameter) -> None:
        node = self.located.find(plan.function, (cst.FunctionDef,))
        default = cst.parse_expression(plan.default)
        self._replace(node, lambda updated: updated.with_changes(
            params=add_parameter(updated.params, plan.name, default)))

    def replace_expression(self, plan: ReplaceExpression) -> None:
        node = self.located.find(plan.target, (cst.BaseExpression,))
        text = plan.text
        hang = self._replacement_hang(plan)
        if hang is None:
            self._replace(node, lambda updated: _keep_parentheses(updated, cst.parse_expression(text)))
            return
        # ``{**params, "is_training": flag}`` too long for its line: what is inside the brackets
        # goes on the next line, hanging (as ``break_call`` lays out a dependency).
        head, inner, close = outer_brackets(text)
        broken = cst.parse_expression(f"{head}\n{hang}{inner}{close}")
        self._replace(node, lambda updated: _keep_parentheses(updated, _absolute_breaks(broken, hang)))

    def insert_keyword(self, plan: InsertKeyword) -> None:
        node = self.located.find(plan.call, (cst.Call,))
        value = plan.value
        layout = self._keyword_continuation(plan)
        wrap_at, hang = layout if layout is not None else (None, False)
        self._replace(node, lambda updated: insert_keyword(updated, plan.keyword, cst.parse_expression(value),
                                                           wrap_at, hang))

    def rename_attribute(self, plan: RenameAttribute) -> None:
        node = self.located.find(plan.target, (cst.Attribute,))
        self._replace(node, lambda updated: updated.with_changes(attr=cst.Name(plan.attr)))

    def extend_variables(self, plan: ExtendVariables) -> None:
        node = self.located.find(plan.target, (cst.BaseExpression,))
        extra = cst.parse_expression(self._variables_layout(plan))
        if plan.shape == "list":
            self._replace(node, lambda updated: cst.BinaryOperation(left=updated, operator=cst.Add(), right=extra))
        else:
            self._replace(node, lambda updated: cst.Dict([cst.StarredDictElement(updated),
                                                          cst.StarredDictElement(extra)]))

    def insert_before(self, plan: InsertBefore) -> None:
        statement = self.located.find_whole_statement(plan.before)
        texts = self.inserts_before.setdefault(id(statement), [])
        if plan.text not in texts:
            texts.append(plan.text)

    def move_statement(self, plan: MoveStatement) -> None:
        moved = self.located.find_whole_statement(plan.statement[:2])
        if not isinstance(moved, cst.SimpleStatementLine) or len(moved.body) != 1:
            raise FixNotApplicable(f"no statement of its own at line {plan.statement[0]}")
        target = self.located.find_whole_statement(plan.to)
        self.removals.add(id(moved))
        # The line as written (its trailing comment too), with the comment lines right above it;
        # what is above a blank line stays (it is kept as a deleted block's comments are).
        leading_lines = list(moved.leading_lines)
        start = len(leading_lines)
        while start > 0 and leading_lines[start - 1].comment is not None:
            start -= 1
        self.moved_comments[id(moved)] = len(leading_lines) - start
        line = moved.with_changes(leading_lines=leading_lines[start:])
        inserts = self.inserts_after if plan.after else self.inserts_before
        inserts.setdefault(id(target), []).append(line)

    def wrap_statement(self, plan: WrapStatement) -> None:
        located = self.located
        if plan.replace is not None:
            node = located.find(plan.replace, (cst.BaseExpression,))
            line = line_of(self.lines, plan.replace[0])
            text = break_call(plan.replace_text, plan.replace[1], max(line_width(line) - plan.replace[3], 0),
                              self.max_line_length, leading(line), self.unit)
            self._replace(node, lambda updated: _keep_parentheses(updated, cst.parse_expression(text)))
            return
        statement = located.find(plan.statement, _SMALL_STATEMENTS)
        if id(statement) in self.wraps:
            return  # one wrap per statement a pass; the loop picks up the rest
        self.wraps[id(statement)] = plan
        self._statement_lines[id(statement)] = plan.statement[0]
        if plan.hoist_name is not None:
            call = located.find(plan.call, (cst.Call,))
            self.hoist_calls[id(statement)] = call
            self._replace(call, self._hoister(call, plan.hoist_name))
        if plan.add_import and plan.add_import not in self.imports:
            self.imports.append(plan.add_import)

    def _keyword_continuation(self, plan):
        """Where an inserted keyword goes when adding it to a one-line call would make the line
        too long: (continuation, hang) for ``insert_keyword``. Under the call's first argument
        (PEP 8's visual indent) when that fits; else the arguments hang on the next line,
        indented two units, with the keyword after them or, if still too long, on a line of its
        own at the same indent. None: on the same line."""
        line_number, column, end_line, end_column = plan.call
        line = line_of(self.lines, line_number)
        addition = len(f", {plan.keyword}={plan.value}")
        if line_number != end_line or line_width(line) + addition <= self.max_line_length:
            return None
        split = outer_brackets(line[column:end_column])
        indent = leading(line_of(self.lines, plan.statement_line or line_number))
        if split is None or not line.startswith(indent):
            return None
        paren = column + len(split[0])
        if "\t" not in self.unit and "\t" not in indent:
            visual = " " * max(paren - width(indent), len(self.unit))
            remainder = line_width(line) - end_column     # what follows the call's ``)``
            if width(indent) + len(visual) + addition - 2 + 1 + remainder <= self.max_line_length:
                return visual, False        # under the first argument (PEP 8's visual indent)
        hanging = self.unit * 2
        # The arguments and what follows the call's ``)`` move to the hanging line.
        moved = width(indent) + width(hanging) + len(split[1].strip()) + 1 + line_width(line) - end_column
        return (hanging, None if moved + addition <= self.max_line_length else hanging), True

    def _entry_layout(self, plan: AddDictEntry):
        """Where a new dict entry goes when adding it to a one-line dict would make the line too
        long: (hang, own line) for ``add_dict_entry``. Under the first entry (PEP 8's visual
        indent) when that fits; else every entry hangs on the next line, indented two units
        more than the line of ``{``, the new one after them or, if still too long, on a line of
        its own at the same indent. None: on the same line."""
        line_number, column, end_line, end_column = plan.target
        line = line_of(self.lines, line_number)
        entry = f"{plan.key}: {plan.value}"
        if line_number != end_line or line_width(line) + len(", ") + len(entry) <= self.max_line_length:
            return None
        indent = leading(line)
        remainder = line_width(line) - end_column + 1       # the ``}`` and what follows it
        first = line[column + 1:column + 2]
        if "\t" not in indent and "\t" not in self.unit and first.strip() and \
                column + 1 + len(entry) + remainder <= self.max_line_length:
            return None, " " * (column + 1)
        hang = indent + self.unit * 2
        inner = line[column + 1:end_column - 1].strip()
        moved = width(hang) + len(inner) + len(", ") + len(entry) + remainder
        return hang, (None if moved <= self.max_line_length else hang)

    def _replacement_hang(self, plan: ReplaceExpression) -> Optional[str]:
        """The indentation of the hanging line a one-line replacement ending in a bracket is
        broken to when it would make its line too long (two units more than the line); None
        when it fits or has no bracket to break in."""
        line_number, column, end_line, end_column = plan.target
        line = line_of(self.lines, line_number)
        if line_number != end_line or "\n" in plan.text or \
                line_width(line) - (end_column - column) + len(plan.text) <= self.max_line_length:
            return None
        split = outer_brackets(plan.text)
        if split is None or not split[1].strip():
            return None
        return leading(line) + self.unit * 2

    def _variables_layout(self, plan) -> str:
        """The moving statistics' list, broken inside its brackets when the line would be too
        long: ``[`` then one line for the loop and one for the condition."""
        line_number, column, end_line, end_column = plan.target
        line = line_of(self.lines, end_line)
        if line_width(line) + len(" + ") + len(plan.extra) <= self.max_line_length and plan.shape == "list":
            return plan.extra
        if plan.shape != "list" and line_width(line) + len(plan.extra) + 10 <= self.max_line_length:
            return plan.extra
        continuation = self.unit * 2
        opener, body, closer = plan.extra[0], plan.extra[1:-1], plan.extra[-1]
        loop, condition = body.split(" if ", 1)
        remainder = max(line_width(line) - end_column, 0)
        base = width(leading(line_of(self.lines, plan.statement_line or line_number))) + width(continuation)
        test = f"{continuation}if {condition}{closer}"
        if base + len(f"if {condition}{closer}") + remainder > self.max_line_length and " or " in condition:
            first, second = condition.split(" or ", 1)
            # ``or`` under the first operand (the visual indent of ``if (``: E127/E128).
            test = f"{continuation}if ({first}\n{continuation}    or {second}){closer}"
        return f"{opener}\n{continuation}{loop}\n{test}"

    def _replace(self, node, build) -> None:
        self.replacements.setdefault(id(node), build)

    def _hoister(self, call, name: str):
        def build(updated):
            self.hoisted[id(call)] = updated
            return cst.Name(name)
        return build

    def on_leave(self, original_node, updated_node):
        build = self.replacements.get(id(original_node))
        if build is not None:
            updated_node = build(updated_node)
        if isinstance(original_node, cst.IndentedBlock):
            return updated_node.with_changes(body=self._rewrite_body(original_node.body, updated_node.body))
        if isinstance(original_node, cst.Module):
            body = self._rewrite_body(original_node.body, updated_node.body)
            module = updated_node.with_changes(body=body)
            return self._add_imports(module) if self.add_imports else module
        if isinstance(original_node, cst.SimpleStatementSuite) and any(
                id(statement) in self.wraps for statement in original_node.body):
            # ``if x: train_op = opt.minimize(loss)``: a one-line suite is split first.
            line = cst.SimpleStatementLine(body=list(updated_node.body),
                                           trailing_whitespace=updated_node.trailing_whitespace)
            original_line = cst.SimpleStatementLine(body=list(original_node.body))
            return cst.IndentedBlock(body=self._rewrite_line(original_line, line))
        return updated_node

    def _rewrite_body(self, originals, updated) -> List[cst.CSTNode]:
        body: List[cst.CSTNode] = []
        kept_lines: List[cst.EmptyLine] = []     # a deleted block's comments and blank lines
        moved = False                            # the last statement deleted was moved elsewhere
        for original, new in zip(originals, updated):
            if id(original) in self.removals:
                # Its own lines go; the comments around them stay, as a deletion of those lines
                # leaves them: the ones above it and those at the end of its block.
                leading_lines = list(new.leading_lines)
                moved = id(original) in self.moved_comments
                kept_lines += leading_lines[:len(leading_lines) - self.moved_comments.get(id(original), 0)]
                kept_lines += list(getattr(new.body, "footer", ()))
                continue
            if kept_lines:
                following = list(new.leading_lines)
                if moved and following and following[0].comment is None and kept_lines[-1].comment is None:
                    kept_lines.pop()    # a moved statement between two blank lines leaves one
                new = new.with_changes(leading_lines=kept_lines + following)
                kept_lines = []
            inserted = self.inserts_before.get(id(original))
            if inserted:
                # The new statement takes over the comments and blank lines above the old one.
                for position, text in enumerate(inserted):
                    statement = text if isinstance(text, cst.CSTNode) else cst.parse_statement(text + "\n")
                    if position == 0:
                        # (a moved statement keeps its own comment lines, below the old one's)
                        statement = statement.with_changes(
                            leading_lines=list(new.leading_lines) + list(getattr(statement, "leading_lines", ())))
                    body.append(statement)
                new = new.with_changes(leading_lines=())
            if isinstance(original, cst.SimpleStatementLine) and isinstance(new, cst.SimpleStatementLine) and any(
                    id(statement) in self.wraps for statement in original.body):
                body.extend(self._rewrite_line(original, new))
            else:
                body.append(new)
            body.extend(self.inserts_after.get(id(original), ()))
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
            plan = self.wraps.get(id(original_statement))
            if plan is None:
                lines.append(line)
                continue
            statement_line = line_of(self.lines, self._statement_lines.get(id(original_statement), 0))
            indent = leading(statement_line)
            dependency = cst.parse_expression(break_call(
                plan.dependency, width(indent) + len("with "), len(":"), self.max_line_length, indent, self.unit))
            inner: List[cst.BaseStatement] = []
            if plan.hoist_name is not None:
                call = self.hoist_calls[id(original_statement)]
                hoisted = self.hoisted.get(id(call), call)
                inner.append(cst.SimpleStatementLine(body=[cst.Assign(
                    targets=[cst.AssignTarget(target=cst.Name(plan.hoist_name))], value=hoisted)]))
                lines.append(cst.With(items=[cst.WithItem(item=dependency)], body=cst.IndentedBlock(body=inner),
                                      leading_lines=line.leading_lines))
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


def _absolute_breaks(node: cst.BaseExpression, indentation: str) -> cst.BaseExpression:
    """``node`` (parsed from text broken after its opening bracket) with that break's
    indentation written as ``indentation``, not added to the block's."""
    if isinstance(node, cst.Dict):
        return node.with_changes(lbrace=node.lbrace.with_changes(whitespace_after=_line_break(indentation)))
    if isinstance(node, cst.Call):
        return node.with_changes(whitespace_before_args=_line_break(indentation))
    if isinstance(node, (cst.List, cst.Set)):
        bracket = "lbracket" if isinstance(node, cst.List) else "lbrace"
        return node.with_changes(**{bracket: getattr(node, bracket).with_changes(
            whitespace_after=_line_break(indentation))})
    return node


def _keep_parentheses(original: cst.BaseExpression, new: cst.BaseExpression) -> cst.BaseExpression:
    if getattr(original, "lpar", None) and hasattr(new, "lpar"):
        return new.with_changes(lpar=original.lpar, rpar=original.rpar)
    return new


def _is_docstring(statement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))
