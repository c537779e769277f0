"""The subset's example corpus: one construct per file.

* ``corpus/accept/NAME.py``: an exported cell over the declared table ``t``; it must transpile,
  and its Spark SQL must equal ``corpus/accept/NAME.sql`` (set ``NB2JVM_UPDATE_GOLDENS=1`` to
  rewrite the goldens, then review the diff).
* ``corpus/reject/NAME.py``: one violation; its first line says ``# expect: CODE at LINE:COL``
  (cell coordinates: line 1 is the %%export line) and optionally ``mentions 'text'``.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from transpiler.ir.errors import Nb2jvmError
from transpiler.pipeline import Options, transpile

from .conftest import write_notebook

CORPUS = Path(__file__).parent / "corpus"
DECLARE = ('%%export\nt = ibis.table({"id": "int64", "name": "string", "amount": "float64", '
           '"qty": "int64", "ts": "timestamp", "s": "string", "a": "int64"}, name="t")')
EXPECT = re.compile(r"^# expect: (?P<code>[A-Z]+\d+) at (?P<line>\d+):(?P<col>\d+)"
                    r"(?: mentions (?P<text>.+))?$")
UPDATE = os.environ.get("NB2JVM_UPDATE_GOLDENS") == "1"


def _cell(path: Path) -> str:
    text = path.read_text()
    return text if text.startswith("%%export") else "%%export\n" + text


def _notebook(tmp_path, path):
    return write_notebook(tmp_path / f"{path.stem}.ipynb", ["import ibis", DECLARE, _cell(path)])


ACCEPT = sorted((CORPUS / "accept").glob("*.py"))
REJECT = sorted((CORPUS / "reject").glob("*.py"))


@pytest.mark.parametrize("path", ACCEPT, ids=[p.stem for p in ACCEPT])
def test_accept(tmp_path, path):
    lowered = transpile(_notebook(tmp_path, path), Options())
    assert not lowered.refused, "\n".join(d.render() for d in lowered.diagnostics)
    mine = [lf for lf in lowered.lowered if lf.feature.cell.index == 3]
    assert mine, "the cell defines no feature set"
    text = "".join(f"-- feature set: {lf.name}\n{lf.sql};\n\n" for lf in mine)
    golden = path.with_suffix(".sql")
    if UPDATE:
        golden.write_text(text)
    assert golden.exists(), f"no golden {golden.name}: run with NB2JVM_UPDATE_GOLDENS=1"
    assert text == golden.read_text()


@pytest.mark.parametrize("path", REJECT, ids=[p.stem for p in REJECT])
def test_reject(tmp_path, path):
    match = EXPECT.match(path.read_text().splitlines()[0])
    assert match, f"{path.name}: first line must be '# expect: CODE at LINE:COL'"
    try:
        diagnostics = transpile(_notebook(tmp_path, path), Options()).diagnostics
    except Nb2jvmError as exc:
        diagnostics = exc.diagnostics
    assert diagnostics, "accepted, but the corpus says it must be refused"
    d = diagnostics[0]
    assert (d.code, d.span.cell, d.span.line, d.span.column) == (
        match["code"], 3, int(match["line"]), int(match["col"])), d.render()
    if match["text"]:
        assert ast.literal_eval(match["text"]) in d.message + (d.hint or "")
