"""UDF signatures: Python annotations -> ibis types, and the typed stand-in ibis builds on.

The notebook's function body is never executed by nb2jvm: expressions that call a UDF are built
on a stand-in with the same name and typed signature, and the body goes to the UDF translator.
"""

from __future__ import annotations

import inspect
import re

import ibis
import ibis.expr.datatypes as dt

from ..ir import cellast as A

# The one decorator that makes a function a UDF (the front end refuses any other).
UDF_DECORATOR = "ibis.udf.scalar.python"

SCALAR_TYPES = {
    "int": dt.int64, "float": dt.float64, "str": dt.string, "bool": dt.boolean,
    "date": dt.date, "datetime.date": dt.date,
    "datetime": dt.timestamp, "datetime.datetime": dt.timestamp,
}
_OPTIONAL = (re.compile(r"^(?:typing\.)?Optional\[(.+)\]$"), re.compile(r"^(.+?)\s*\|\s*None$"),
             re.compile(r"^None\s*\|\s*(.+)$"))


class UdfTypeError(ValueError):
    """An annotation outside the UDF type subset."""


def to_dtype(annotation: str) -> dt.DataType:
    """``int``, ``float``, ``str``, ``bool``, ``datetime.date``, ``datetime.datetime``, and
    ``Optional[X]`` / ``X | None`` of those."""
    text = annotation.strip()
    for pattern in _OPTIONAL:
        match = pattern.match(text)
        if match:
            return to_dtype(match.group(1)).copy(nullable=True)
    if text in SCALAR_TYPES:
        return SCALAR_TYPES[text]
    raise UdfTypeError(f"type '{annotation}' is not supported in a UDF signature (supported: "
                       "int, float, str, bool, datetime.date, datetime.datetime, Optional[...])")


def is_udf(fn: A.FunctionDef) -> bool:
    return UDF_DECORATOR in fn.decorators


def stub(fn: A.FunctionDef, source=None):
    """An ibis scalar Python UDF with ``fn``'s name and typed signature and no body;
    ``source`` (a :class:`transpiler.udf.udf_source.UdfSource`) travels with it to the translator."""
    params = [to_dtype(t) for _, t in fn.params]
    returns = to_dtype(fn.returns)

    def body(*args):
        # Only the notebook's engine calls this, in `verify`: the checked body, sandboxed.
        from .udf_source import python_callable

        if source is None:
            raise RuntimeError(f"the body of UDF '{fn.name}' is not executed by nb2jvm")
        return python_callable(source)(*args)

    body.__name__ = fn.name
    body.__qualname__ = fn.name
    body.__module__ = "nb2jvm_udfs"
    body.__nb2jvm__ = source
    body.__signature__ = inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name, _ in fn.params])
    return ibis.udf.scalar.python(body, name=fn.name, signature=(tuple(params), returns))
