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


def formula(text: str, **terms: sge.Expression) -> sge.Expression:
    """A Spark SQL expression written as text over named terms (each a sqlglot expression):
    arithmetic copied from an engine's source reads as it is written there."""
    import sqlglot as sg

    tree = sg.parse_one(text, read="spark")

    def substitute(node):
        if isinstance(node, sge.Column) and not node.table and node.name in terms:
            term = terms[node.name]
            return term.copy() if isinstance(term, (sge.Column, sge.Literal, sge.Paren, sge.Func,
                                                    sge.Cast)) else sge.paren(term.copy())
        return node

    return tree.transform(substitute, copy=False)


def finite(value: sge.Expression) -> sge.Expression:
    """Spark's test that a double is neither NaN nor infinite."""
    number = cast(value, "double")
    return formula("NOT (isnan(v) OR abs(v) = CAST('Infinity' AS DOUBLE))", v=number)


# A rule that combines several aggregates (a CASE over a count and a variance, say) marks the
# result as a composite and each aggregate in it as a part: Spark has no window over a CASE of
# aggregates, so AggregateRules.visit_WindowFunction windows the parts one by one.
def aggregate_part(node: sge.Expression) -> sge.Expression:
    """``node`` marked as an aggregate inside a composite rule."""
    node.meta["nb2jvm_aggregate"] = True
    return node


def composite(node: sge.Expression) -> sge.Expression:
    """``node`` marked as a composite of aggregate parts."""
    node.meta["nb2jvm_composite"] = True
    return node
