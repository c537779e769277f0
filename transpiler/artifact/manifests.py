"""Reading a ``manifest.json`` that someone hands us (``publish``, ``run DIR``, ``diff``).

A build directory or a jar can be foreign, corrupt or hostile: its manifest is validated as data
before anything is taken from it, so a bad one is a diagnostic (MAN001, exit 2), never a
traceback, and no name in it can point outside the build (``"sql": "../../etc/passwd"``) or
outside a Maven repository (``"group_id": "../x"``).
"""

from __future__ import annotations

import json
import re

from ..common import escape
from ..ir.errors import InputError, Nb2jvmError, Span, error

_SQL_FILE = re.compile(r"[^/\\\x00-\x1f]{1,200}\.sql")
_MARKER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Bad(Exception):
    """What is wrong, as a path into the document."""


def _obj(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise _Bad(f"{where} is not an object")
    return value


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise _Bad(f"{where} is not a list")
    return value


def _str(value, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(f"{where} is not a non-empty string")
    return value


def _columns(value, where: str, typed: str) -> None:
    for k, col in enumerate(_list(value, where)):
        col = _obj(col, f"{where}[{k}]")
        _str(col.get("name"), f"{where}[{k}].name")
        _str(col.get(typed), f"{where}[{k}].{typed}")


def _sql_and_inputs(entry: dict, where: str) -> None:
    """A feature set's (or a variant's) SQL file name and declared inputs."""
    sql = _str(entry.get("sql"), f"{where}.sql")
    if not _SQL_FILE.fullmatch(sql) or ".." in sql:
        raise _Bad(f"{where}.sql is not a file name in sql/")
    for j, inp in enumerate(_list(entry.get("inputs"), f"{where}.inputs")):
        inp = _obj(inp, f"{where}.inputs[{j}]")
        _str(inp.get("name"), f"{where}.inputs[{j}].name")
        _columns(inp.get("columns"), f"{where}.inputs[{j}].columns", "spark_type")
        if "marker" in inp and not _MARKER.fullmatch(_str(inp["marker"], "marker")):
            raise _Bad(f"{where}.inputs[{j}].marker is not an identifier")


def validate(data) -> dict:
    """``data`` if it has the shape nb2jvm writes; raises ``_Bad`` naming the first problem."""
    man = _obj(data, "the document")
    art = _obj(man.get("artifact"), "artifact")
    coords = [_str(art.get(k), f"artifact.{k}") for k in ("group_id", "artifact_id", "version")]
    try:
        escape.maven_coordinates(*coords)
    except Nb2jvmError as exc:
        raise _Bad(exc.diagnostics[0].message) from None
    for k, fs in enumerate(_list(man.get("feature_sets"), "feature_sets")):
        fs = _obj(fs, f"feature_sets[{k}]")
        _str(fs.get("name"), f"feature_sets[{k}].name")
        _sql_and_inputs(fs, f"feature_sets[{k}]")
        _columns(fs.get("columns"), f"feature_sets[{k}].columns", "type")
        for j, var in enumerate(_list(fs.get("from_upstream", []),
                                      f"feature_sets[{k}].from_upstream")):
            where = f"feature_sets[{k}].from_upstream[{j}]"
            var = _obj(var, where)
            _sql_and_inputs(var, where)
            for u in _list(var.get("upstreams"), f"{where}.upstreams"):
                _str(u, f"{where}.upstreams")
        renamed = _obj(fs.get("renamed", {}), f"feature_sets[{k}].renamed")
        if not all(isinstance(a, str) and isinstance(b, str) and _MARKER.fullmatch(b)
                   for a, b in renamed.items()):
            raise _Bad(f"feature_sets[{k}].renamed maps to names that are not identifiers")
    for k, inp in enumerate(_list(man.get("inputs"), "inputs")):
        inp = _obj(inp, f"inputs[{k}]")
        _str(inp.get("name"), f"inputs[{k}].name")
        _columns(inp.get("columns"), f"inputs[{k}].columns", "spark_type")
    for k, udf in enumerate(_list(man.get("udfs", []), "udfs")):
        udf = _obj(udf, f"udfs[{k}]")
        for key in ("name", "sql_name", "mode"):
            _str(udf.get(key), f"udfs[{k}].{key}")
    return man


def parse(text: str | bytes, where: str) -> dict:
    """A manifest's text, parsed and validated; a bad one raises MAN001 naming ``where``."""
    try:
        return validate(json.loads(text))
    except (ValueError, UnicodeDecodeError, RecursionError, _Bad) as exc:
        reason = str(exc) if isinstance(exc, _Bad) else f"not JSON ({type(exc).__name__})"
        raise error("MAN001", f"{where} is not an nb2jvm manifest: {reason}", Span(where),
                    hint="pass a directory written by `nb2jvm build` (or its jar)",
                    cls=InputError) from None


def read(path) -> dict:
    """The validated manifest at ``path`` (a file)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise error("MAN001", f"cannot read {path}: {exc.strerror}", Span(str(path)),
                    cls=InputError) from None
    return parse(text, str(path))
