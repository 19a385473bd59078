"""Keeping the layout of an edited expression: a fix must not turn a call written one argument per line into one
long line, nor grow a line past the limit (the longest line the file already has, or the configured
max-line-length when that is more).

Two moves, on the fixed libcst node, both black's: a dict the fix built (``data={...}``) that sits on a line of its
own in a call written one argument per line gets one entry per line, with a trailing comma; a fixed expression
with a line over the limit gets its outermost call's arguments one per line, then such dicts too. When that is not
enough the fix is not made (``None``)."""
from __future__ import annotations

import libcst as cst

INDENT = "    "


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _break(indent: str, keep=None) -> cst.ParenthesizedWhitespace:
    """A line break, then ``indent``; the comment (and blank lines) of the whitespace it replaces are kept."""
    kept = keep if isinstance(keep, cst.ParenthesizedWhitespace) else None
    return cst.ParenthesizedWhitespace(first_line=kept.first_line if kept else cst.TrailingWhitespace(),
                                       empty_lines=kept.empty_lines if kept else [], indent=False,
                                       last_line=cst.SimpleWhitespace(indent))


def _breaks(whitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace)


def _own_line_indent(call: cst.Call, index: int) -> str | None:
    """The indentation of argument ``index`` when it starts a line, else None."""
    before = call.whitespace_before_args if index == 0 else call.args[index - 1].comma
    whitespace = before if index == 0 else (before.whitespace_after if isinstance(before, cst.Comma) else None)
    return whitespace.last_line.value if _breaks(whitespace) else None


def one_per_line(call: cst.Call) -> bool:
    """Whether the call's arguments after the first line are each on a line of their own (two or more)."""
    own = [_own_line_indent(call, i) is not None for i in range(len(call.args))]
    return sum(own) >= 2 and all(own[own.index(True):])


def explode_dict(node: cst.Dict, indent: str) -> cst.Dict:
    """``{a: 1, b: 2}`` as one entry per line under ``indent`` (the line the dict opens on), trailing comma."""
    inner = indent + INDENT
    last = len(node.elements) - 1

    def comma(element, i):
        before = element.comma.whitespace_after if isinstance(element.comma, cst.Comma) else None
        return cst.Comma(whitespace_after=_break(inner if i < last else indent, before))

    elements = [e.with_changes(comma=comma(e, i)) for i, e in enumerate(node.elements)]
    return node.with_changes(elements=elements, lbrace=cst.LeftCurlyBrace(whitespace_after=_break(inner)),
                             rbrace=cst.RightCurlyBrace(whitespace_before=cst.SimpleWhitespace("")))


def split_call(node: cst.Call, indent: str, one_per_line: bool) -> cst.Call:
    """Black's layouts: the arguments on one line of their own under ``indent`` + 4, ``)`` under ``indent``; or
    (``one_per_line``) each argument on its own line, with a trailing comma."""
    inner = indent + INDENT
    last = len(node.args) - 1
    between = cst.Comma(whitespace_after=_break(inner)) if one_per_line else cst.Comma(cst.SimpleWhitespace(""),
                                                                                          cst.SimpleWhitespace(" "))
    args = [a.with_changes(comma=between if i < last else (cst.Comma() if one_per_line else cst.MaybeSentinel.DEFAULT),
                           whitespace_after_arg=_break(indent) if i == last else cst.SimpleWhitespace(""))
            for i, a in enumerate(node.args)]
    return node.with_changes(args=args, whitespace_before_args=_break(inner))


def _new_dicts_on_own_lines(call: cst.Call, original: str) -> cst.Call:
    """The call with each dict the fix made (its text is not in the original) that starts a line of its own
    exploded."""
    args = list(call.args)
    for index, arg in enumerate(args):
        own = _own_line_indent(call, index)
        if isinstance(arg.value, cst.Dict) and len(arg.value.elements) > 1 and _code(arg.value) not in original \
                and own is not None:
            args[index] = arg.with_changes(value=explode_dict(arg.value, own))
    return call.with_changes(args=args)


class _NewDicts(cst.CSTTransformer):
    def __init__(self, original: str):
        super().__init__()
        self.original = original

    def leave_Call(self, original_node, updated_node):
        return _new_dicts_on_own_lines(updated_node, self.original)


class _Calls(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node):
        self.calls.append(node)


def _had_one_per_line(original: cst.BaseExpression) -> bool:
    """Whether the original expression has a call written one argument per line."""
    visitor = _Calls()
    original.visit(visitor)
    return any(one_per_line(call) for call in visitor.calls)


def _outermost_call(node: cst.BaseExpression) -> cst.Call | None:
    return node if isinstance(node, cst.Call) and node.args else None


def fits(text: str, prefix: int, suffix: int, limit: int | None) -> bool:
    """Whether every line of ``text``, placed after ``prefix`` characters and before ``suffix`` ones on its
    first and last lines, is at most ``limit`` long."""
    if limit is None:
        return True
    lines = text.split("\n")
    lengths = [len(line) for line in lines]
    lengths[0] += prefix
    lengths[-1] += suffix
    return max(lengths) <= limit


def relayout(original: str, before: cst.BaseExpression, node: cst.BaseExpression, indent: str, prefix: int,
             suffix: int, limit: int | None) -> cst.BaseExpression | None:
    """The fixed node (``before``: the original, ``original``: its text) laid out as the original was, within the
    limit; None when it cannot be."""
    if "\n" in original and _had_one_per_line(before):
        node = node.visit(_NewDicts(original))
    if fits(_code(node), prefix, suffix, limit):
        return node
    call = _outermost_call(node)
    if call is None or _own_line_indent(call, 0) is not None:  # nothing to split, or split already
        return None
    for layout in (split_call(call, indent, False), split_call(call, indent, True)):
        for candidate in (layout, _new_dicts_on_own_lines(layout, original)):
            if fits(_code(candidate), prefix, suffix, limit):
                return candidate
    return None

