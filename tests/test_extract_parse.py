"""Extraction of exported cells and the subset grammar, as tables of examples (the refused
constructs are files under tests/corpus/reject/, run by test_corpus.py)."""

from __future__ import annotations

import json

import pytest

from transpiler.ir.errors import InputError
from transpiler.frontend.extract import extract
from transpiler.frontend.parse import parse

from .conftest import write_notebook


def test_extracts_magic_tagged_and_named_exports(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb", [
        ("markdown", "# title"),
        "import ibis",
        "%%export\na = t.select('x')",
        ("code", "b = t.select('y')", ["export"]),
        "%%export a2 b2\na2 = t\nb2 = t\nc2 = t",
        "%%exportx\nnot_exported = 1",
    ])
    nb = extract(path)
    assert [(c.index, c.cell_id, c.export.names, c.export.first_body_line)
            for c in nb.exported] == [
        (3, "cell-3", (), 2), (4, "cell-4", (), 1), (5, "cell-5", ("a2", "b2"), 2)]


@pytest.mark.parametrize("content,code", [
    ("{not json", "NB002"),
    ('{"cells": [{"cell_type": "code", "source": "x"', "NB002"),
    ("[1, 2]", "NB002"),
    ('{"metadata": {}}', "NB002"),
], ids=["not-json", "truncated", "json-array", "no-cells"])
def test_bad_notebook_files(tmp_path, content, code):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        extract(path)
    assert info.value.diagnostics[0].code == code
    assert info.value.diagnostics[0].span.notebook == str(path)


def test_missing_notebook_and_no_exports(tmp_path):
    with pytest.raises(InputError) as info:
        extract(tmp_path / "absent.ipynb")
    assert info.value.diagnostics[0].code == "NB001"
    path = write_notebook(tmp_path / "plain.ipynb", ["x = 1"])
    with pytest.raises(InputError) as info:
        extract(path)
    assert info.value.diagnostics[0].code == "NB003"


def test_nbformat3_notebook_is_read(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "%%export\nf = t.select('a')", "language": "python",
         "outputs": []}]}]}
    path = tmp_path / "v3.ipynb"
    path.write_text(json.dumps(v3))
    assert [c.source for c in extract(path).exported] == ["%%export\nf = t.select('a')"]


# Cells inside the subset: the grammar accepts them (what they mean is tested elsewhere).
ACCEPTED = [
    "f = t.filter(_.a > 0)",
    "f = (t\n  .filter(_.a > 0)  # comment\n  .mutate(b=_.a * -2, c=lambda t: t.a + 1)\n)",
    "import ibis\nfrom ibis import _\nf = t",
    "f = t.select(['a', 'b'])[0:10]",
    "k = {'a': 1, 'b': [1, 2.5, None, True, False]}\nf = t",
    "f = t.mutate(x=ibis.ifelse(_.a > 1, 'x' 'y', b'z'))",
    "n = 3 if True else 4; f = t",
    "f = t.filter((_.a == 1) | ~(_.b != 2) & (_.c >= 0x10))",
    "s = {1, 2}\nt2 = (1,)\nt3 = ()\nf = t",
    "cols = [c for c in t.columns if c != 'id']\nf = t",
    "m = {f'{c}_x': i * 2 for i, c in enumerate(cols)}\ng = (c for c in cols)",
    "label = f'{name!r:>10} {{literal}} {1 + 2}'",
    "import math\nimport datetime\nfrom datetime import date\nfrom typing import Optional",
    "@ibis.udf.scalar.python\ndef bucket(x: float, s: str | None) -> int:\n"
    "    \"\"\"doc\"\"\"\n    if x > 1:\n        return 1\n    elif x < 0:\n        y = 2\n"
    "        y += 1\n        return y\n    else:\n        for c in s:\n            pass\n"
    "    while x > 0:\n        x -= 1\n        if x == 3:\n            break\n"
    "    return round(math.log1p(abs(x))) + len(f'{x:.2f}')\nf = t.mutate(b=bucket(_.a, _.s))",
    "def helper(x: int) -> int:\n    return x * 2",
]

def _notebook_with(tmp_path, body):
    return write_notebook(tmp_path / "n.ipynb", ["import ibis", f"%%export\n{body}"])


@pytest.mark.parametrize("body", ACCEPTED)
def test_accepted(tmp_path, body):
    parsed = parse(extract(_notebook_with(tmp_path, body)))
    assert parsed.cells[0].body


def test_all_cells_reported_in_one_run(tmp_path):
    path = write_notebook(tmp_path / "n.ipynb", ["%%export\nclass A: pass", "%%export\nx += 1",
                                                 "%%export\nf = t"])
    parsed = parse(extract(path))
    assert [(d.span.cell, d.code) for r in parsed.refused for d in r.diagnostics] == \
        [(1, "E101"), (2, "E101")]
    assert [c.cell.index for c in parsed.cells] == [3]  # the good cell is not held back


def test_every_parse_tree_node_becomes_an_ast_node(tmp_path):
    """No grammar rule may reach the evaluator untransformed."""
    from lark import Tree

    for body in ACCEPTED:
        parsed = parse(extract(_notebook_with(tmp_path, body)))
        for stmt in parsed.cells[0].body:
            assert "Tree(" not in repr(stmt) or isinstance(stmt.body if hasattr(stmt, "body")
                                                           else None, Tree), repr(stmt)
