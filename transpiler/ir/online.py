"""The online path's record: one feature set's row function, as the lowering compiled it from
the feature set's Spark SQL.  Records only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OnlineFeature:
    """A feature set's plain-Java row function: what it reads, what it returns, its body."""

    name: str
    input: str  # the input table it reads, one row at a time
    # (column, Spark type, Java local, the local's value from the API parameter p<i>)
    params: tuple[tuple[str, str, str, str], ...]
    outputs: tuple[tuple[str, str], ...]  # (column, Spark type) of the row it returns
    fields: tuple[str, ...]  # static final constants (literals, compiled patterns)
    body: tuple[str, ...]  # Java statements ending in `return new Object[] {...}`
