"""sqlglot building blocks shared by nb2jvm's Spark compiler rules."""

from __future__ import annotations

import sqlglot.expressions as sge

NULL = sge.Null()


def cast(expr: sge.Expression, to: str) -> sge.Expression:
    return sge.Cast(this=expr, to=sge.DataType.build(to))


def atom(expr: sge.Expression) -> sge.Expression:
    """Parenthesise a compound operand so that it stays one operand when embedded."""
    simple = (sge.Column, sge.Literal, sge.Cast, sge.Func, sge.Paren, sge.Null)
    return expr if isinstance(expr, simple) else sge.paren(expr)


def double(text: str) -> sge.Expression:
    return cast(sge.Literal.string(text), "double")
