"""The small, safe expression language of criteria formulas: parse once, evaluate two ways.

Grammar (lark, LALR): numbers, fact names, `+ - * /`, parentheses, comparisons
(`< <= > >= == !=`), `and`, `or`, `not`. Nothing else: no calls, no attributes, no Python
`eval`. A formula parses into a tree of tuples (`parse`); `evaluate` computes it for one unit
(floats, `None` for a missing value) and `evaluate_many` for many at once (numpy arrays, NaN
for missing). Both follow one rule, so they agree: a value is missing when a fact it reads is
missing or a division by zero occurs; `true` is 1 and `false` is 0; `and`/`or` read both sides.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np
from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr "or" and_expr -> or_
?and_expr: not_expr | and_expr "and" not_expr -> and_
?not_expr: comparison | "not" not_expr -> not_
?comparison: sum | sum COMP_OP sum -> compare
?sum: product | sum ADD_OP product -> binary
?product: unary | product MUL_OP unary -> binary
?unary: atom | "-" unary -> neg
?atom: NUMBER -> number
     | NAME -> name
     | "(" or_expr ")"
COMP_OP: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/"
NAME: /[a-z][a-z0-9_]*(\.[a-z0-9_]+)?/
NUMBER: /[0-9]+(\.[0-9]+)?/
%ignore /[ \t\r\n]+/
"""

# A tree is a tuple: ("num", x) · ("name", n) · ("neg", t) · ("not", t) · ("and", a, b)
# · ("or", a, b) · ("cmp", op, a, b) · ("bin", op, a, b).
Tree = tuple[Any, ...]

COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
MAX_LENGTH = 2000


class ParseError(ValueError):
    """A formula that does not parse: what was found and at which character (1-based)."""

    def __init__(self, found: str, position: int) -> None:
        super().__init__(found, position)
        self.found = found
        self.position = position

    def __str__(self) -> str:
        return f"{self.found!r} at {self.position}"


class _ToTree(Transformer):
    def number(self, items: list[Token]) -> Tree:
        return ("num", float(items[0]))

    def name(self, items: list[Token]) -> Tree:
        return ("name", str(items[0]))

    def neg(self, items: list[Tree]) -> Tree:
        return ("neg", items[0])

    def not_(self, items: list[Tree]) -> Tree:
        return ("not", items[0])

    def and_(self, items: list[Tree]) -> Tree:
        return ("and", items[0], items[1])

    def or_(self, items: list[Tree]) -> Tree:
        return ("or", items[0], items[1])

    def compare(self, items: list[Any]) -> Tree:
        return ("cmp", str(items[1]), items[0], items[2])

    def binary(self, items: list[Any]) -> Tree:
        return ("bin", str(items[1]), items[0], items[2])


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


@cache
def parse(formula: str) -> Tree:
    """Return the tree of `formula`, or raise ParseError with the offending text and position."""
    if len(formula) > MAX_LENGTH:
        raise ParseError(formula[MAX_LENGTH:][:10], MAX_LENGTH + 1)
    try:
        return _ToTree().transform(_parser().parse(formula))
    except UnexpectedCharacters as error:
        position = error.pos_in_stream or 0
        raise ParseError(formula[position : position + 1], error.column) from None
    except UnexpectedToken as error:
        token = error.token
        if token.type == "$END":
            raise ParseError("", len(formula) + 1) from None
        raise ParseError(str(token), token.column or 0) from None
    except UnexpectedInput as error:  # pragma: no cover - any other lark refusal
        raise ParseError("", getattr(error, "column", 0) or 0) from None


def names(tree: Tree) -> frozenset[str]:
    """Return the fact names a tree reads."""
    kind = tree[0]
    if kind == "name":
        return frozenset({tree[1]})
    if kind == "num":
        return frozenset()
    return frozenset().union(*(names(part) for part in tree[1:] if isinstance(part, tuple)))


def is_boolean(tree: Tree) -> bool:
    """Return whether a tree's value is a truth value (a comparison or a logical operator)."""
    return tree[0] in {"cmp", "and", "or", "not"}


# --- one unit -------------------------------------------------------------------------------


def evaluate(tree: Tree, facts: Mapping[str, float | None]) -> float | None:
    """Return the value of `tree` over one unit's facts; None when it is missing."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        value = facts.get(tree[1])
        return None if value is None or math.isnan(value) else float(value)
    if kind in {"neg", "not"}:
        inner = evaluate(tree[1], facts)
        if inner is None:
            return None
        return -inner if kind == "neg" else float(inner == 0)
    if kind in {"and", "or"}:
        left, right = evaluate(tree[1], facts), evaluate(tree[2], facts)
        if left is None or right is None:
            return None
        both = (left != 0) and (right != 0) if kind == "and" else (left != 0) or (right != 0)
        return float(both)
    op, left, right = tree[1], evaluate(tree[2], facts), evaluate(tree[3], facts)
    if left is None or right is None:
        return None
    if kind == "cmp":
        return float(COMPARISONS[op](left, right))
    if op == "/":
        return None if right == 0 else left / right
    return left + right if op == "+" else left - right if op == "-" else left * right


# --- many units -----------------------------------------------------------------------------


def evaluate_many(tree: Tree, facts: Mapping[str, np.ndarray], size: int) -> np.ndarray:
    """Return the values of `tree` for `size` units (float64, NaN where missing)."""
    kind = tree[0]
    if kind == "num":
        return np.full(size, tree[1], dtype=np.float64)
    if kind == "name":
        column = facts.get(tree[1])
        if column is None:
            return np.full(size, np.nan)
        return np.asarray(column, dtype=np.float64)
    if kind == "neg":
        return -evaluate_many(tree[1], facts, size)
    if kind == "not":
        inner = evaluate_many(tree[1], facts, size)
        return np.where(np.isnan(inner), np.nan, (inner == 0).astype(np.float64))
    left = evaluate_many(tree[2 if kind in {"cmp", "bin"} else 1], facts, size)
    right = evaluate_many(tree[3 if kind in {"cmp", "bin"} else 2], facts, size)
    missing = np.isnan(left) | np.isnan(right)
    if kind in {"and", "or"}:
        combine = np.logical_and if kind == "and" else np.logical_or
        result = combine(left != 0, right != 0).astype(np.float64)
    elif kind == "cmp":
        with np.errstate(invalid="ignore"):
            result = COMPARISONS[tree[1]](left, right).astype(np.float64)
    else:
        op = tree[1]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if op == "/":
                missing |= right == 0
                result = left / np.where(right == 0, 1.0, right)
            elif op == "+":
                result = left + right
            elif op == "-":
                result = left - right
            else:
                result = left * right
    result[missing] = np.nan
    return result
