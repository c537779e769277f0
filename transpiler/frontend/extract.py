"""Stage 1, extract: a notebook file -> :class:`Notebook` (its code cells, exported ones marked).

>>> nb = extract(Path("notebooks/quickstart.ipynb"))  # doctest: +SKIP
>>> [c.index for c in nb.exported]                      # doctest: +SKIP
[6, 8]
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from ..ir.errors import InputError, Span, error
from ..ir.notebook import ExportMark, Cell, Notebook

EXPORT_MAGIC = re.compile(r"^%%export(?P<args>[ \t].*)?$")
EXPORT_TAG = "export"



def _export_mark(source: str, tags: list[str]) -> ExportMark | None:
    first, _, _ = source.partition("\n")
    match = EXPORT_MAGIC.match(first.rstrip())
    if match:
        args = (match.group("args") or "").split()
        names = tuple(a for a in args if not a.startswith("-"))
        unique = tuple(c for a in args if a.startswith("--unique=")
                       for c in a[len("--unique="):].split(",") if c)
        return ExportMark(names, 2, unique)
    if EXPORT_TAG in tags:
        return ExportMark((), 1)
    return None


def extract(path: Path) -> Notebook:
    """Read a notebook with nbformat and mark its exported cells; bad files become diagnostics."""
    shown = str(path)
    if not path.exists():
        raise error("NB001", f"notebook not found: {shown}", Span(shown),
                    hint="check the path; nb2jvm takes .ipynb files")
    if path.is_dir():
        raise error("NB001", f"expected a notebook file, got a directory: {shown}", Span(shown))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error("NB002", f"cannot read notebook: {exc}", Span(shown)) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = text.split("\n")
        src = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else None
        raise error("NB002", f"not a notebook: invalid JSON ({exc.msg})",
                    Span(shown, line=exc.lineno, column=exc.colno),
                    source_line=src[:200] if src is not None else None,
                    hint="the file may be truncated; re-save it from Jupyter") from None
    except RecursionError:  # arrays or objects nested thousands deep: no notebook is
        raise error("NB002", "not a notebook: the JSON nests too deeply", Span(shown)) from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise error("NB002", "not a notebook: the JSON has no 'cells'", Span(shown))
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises many types for malformed documents
        raise error("NB002", f"not a valid notebook: {str(exc).splitlines()[0]}",
                    Span(shown)) from None
    cells = []
    for index, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(x, str) for x in source):
            source = "".join(source)
        if isinstance(source, str):
            # Windows line ends: CPython reads CRLF as one newline, and so will the grammar; a
            # lone CR is left for the parse stage to refuse (E104)
            source = source.replace("\r\n", "\n")
        metadata = cell.get("metadata", {})
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else None
        outputs = cell.get("outputs", []) or []
        cell_id = cell.get("id")
        problem = ("its source is not text" if not isinstance(source, str) else
                   "its metadata.tags is not a list of strings"
                   if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)
                   else "its outputs are not a list of objects"
                   if not isinstance(outputs, list) or not all(isinstance(o, dict)
                                                               for o in outputs)
                   else "its id is not a string" if cell_id is not None
                   and not isinstance(cell_id, str) else None)
        if problem:
            raise error("NB002", f"not a valid notebook: cell {index}: {problem}",
                        Span(shown, cell=index), hint="re-save the notebook from Jupyter")
        cells.append(Cell(index, cell_id, source, _export_mark(source, tags), tuple(outputs)))
    notebook = Notebook(shown, path.resolve().parent, tuple(cells))
    if not notebook.exported:
        raise error("NB003", "the notebook has no exported cells", Span(shown),
                    hint="start a code cell with the line %%export (or tag it 'export')",
                    cls=InputError)
    return notebook
