"""Hostile notebooks: what the security review did, as regression tests (docs/security.md).

Execution attacks write a canary file if they succeed; each test asserts the canary is absent
and that the input got a diagnostic with exit 2. Each wall is also tested with the walls before
it planted away (monkeypatched off), so that one wall's failure is caught by the next.
"""

from __future__ import annotations

import json

import pytest

from transpiler.frontend import parse as parse_mod
from transpiler.ir import pyast
from transpiler.frontend import reading
from transpiler.udf import sandbox

from .conftest import write_notebook

UDF_HEAD = "%%export\nimport ibis\nimport datetime\n\n@ibis.udf.scalar.python\n"
TABLE = 't = ibis.memtable({"a": [1, 2, 3]})\nout = t.mutate(b=f(t.a))\n'


def _attack(canary) -> str:
    return f'datetime.sys.modules["os"].system("touch {canary}")'


def _hidden_by_cr(canary) -> str:
    """A statement after a lone CR in a comment: a new line for CPython, comment for lark."""
    return (UDF_HEAD + "def f(x: int) -> int:\n"
            f"    y = x  # note\r    {_attack(canary)}\n    return y\n\n" + TABLE)


def _form_feed_block(canary=None) -> str:
    """A form feed in indentation: CPython resets its column count there, lark does not, so the
    two see `return 99` in different blocks."""
    return (UDF_HEAD + "def f(x: int) -> int:\n    if x == 2:\n        y = 0\n"
            "        \f    return 99\n    return 0\n\n" + TABLE)


@pytest.mark.parametrize("command", ["check", "build"])
def test_cr_in_a_comment_hides_no_statement(cli, tmp_path, command):
    canary = tmp_path / "CANARY"
    nb = write_notebook(tmp_path / "nb.ipynb", [_hidden_by_cr(canary)])
    extra = ["-o", tmp_path / "out"] if command == "build" else []
    code, _, err = cli(command, nb, *extra)
    assert not canary.exists()
    assert code == 2 and "E104" in err and "CARRIAGE RETURN" in err and "Traceback" not in err
    assert "cell 1" in err or "nb.ipynb" in err
    assert not (tmp_path / "out").exists()


def test_form_feed_in_indentation_is_refused(cli, tmp_path):
    nb = write_notebook(tmp_path / "nb.ipynb", [_form_feed_block()])
    code, _, err = cli("check", nb)
    assert code == 2 and "E104" in err and "FORM FEED" in err


@pytest.mark.parametrize("source", [_hidden_by_cr, _form_feed_block])
def test_second_wall_python_and_lark_must_agree(cli, tmp_path, monkeypatch, source):
    """With the character check planted away, the node-for-node comparison of the two readings
    still refuses both attacks."""
    monkeypatch.setattr(reading, "suspicious", lambda lines: [])
    canary = tmp_path / "CANARY"
    nb = write_notebook(tmp_path / "nb.ipynb", [source(canary)])
    code, _, err = cli("build", nb, "-o", tmp_path / "out")
    assert not canary.exists()
    assert code == 2 and "E105" in err and "read function 'f' differently" in err


def test_third_wall_the_notebook_side_runs_the_checked_ast(cli, tmp_path, monkeypatch):
    """With both parse-time walls planted away, `build` computes its golden rows from the AST
    the translator saw: the hidden statement never runs."""
    monkeypatch.setattr(reading, "suspicious", lambda lines: [])
    monkeypatch.setattr(pyast, "canonical", lambda node: "same")
    canary = tmp_path / "CANARY"
    nb = write_notebook(tmp_path / "nb.ipynb", [_hidden_by_cr(canary)])
    code, _, err = cli("build", nb, "-o", tmp_path / "out", "-q")
    assert not canary.exists()
    assert code == 0, err


@pytest.mark.parametrize("char", ["\r", "\x0c", "\x0b", "\x00", "\x1c", "\x85", "\u2028",
                                  "\u2029", "\u202e", "\u2066", "\ufeff", "\x7f"])
@pytest.mark.parametrize("where", ["comment", "indent", "between"])
def test_odd_characters_outside_strings_are_refused(char, where):
    line = {"comment": f"x = 1  # a{char}b", "indent": f"    {char}x = 1",
            "between": f"x = 1 {char}+ 2"}[where]
    found = reading.suspicious(["y = 0", line])
    assert [(s.line, s.char) for s in found] == [(2, char)]


@pytest.mark.parametrize("char", ["\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\x00"])
def test_odd_characters_inside_string_literals_are_kept(char):
    assert reading.suspicious([f'x = "a{char}b"', f"y = '''{char}'''"]) == []


@pytest.mark.parametrize("char", ["\r", "\u202e", "\ud800"])
def test_cr_bidi_and_surrogates_are_refused_even_in_strings(char):
    assert [s.char for s in reading.suspicious([f'x = "a{char}b"'])] == [char]


def _raw_notebook(path, sources: list) -> object:
    """A notebook file written as JSON by hand (nbformat cannot write what it would refuse)."""
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [],
              "execution_count": None, "source": s} for i, s in enumerate(sources)]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells}))
    return path


def test_lone_surrogate_in_a_cell_is_a_diagnostic(cli, tmp_path):
    nb = _raw_notebook(tmp_path / "nb.ipynb", ['%%export\nimport ibis\nt = ibis.memtable('
                                               '{"a": ["\ud800"]})\n'])
    code, _, err = cli("check", nb)
    assert code == 2 and "E104" in err and "U+D800" in err, err
    assert "INTERNAL" not in err and "Traceback" not in err


# ---- the sandbox around the notebook side of UDFs -------------------------------------------


def test_udf_namespace_exposes_no_module_internals():
    env = sandbox.namespace((("datetime", "module"), ("date", "date")))
    assert not hasattr(env["datetime"], "sys") and env["datetime"].date is env["date"]
    assert not hasattr(env["math"], "__loader__") and env["math"].sqrt(4.0) == 2.0
    assert set(env["__builtins__"]) == set(sandbox.BUILTINS)
    assert "__import__" not in env["__builtins__"] and "open" not in env["__builtins__"]


@pytest.mark.parametrize("body", [
    lambda: open("/etc/hostname").read(),
    lambda: __import__("os").system("true"),
    lambda: compile("1", "x", "eval"),
    lambda: __import__("socket").socket(),
])
def test_audit_hook_aborts_file_process_import_and_code_events(body):
    guarded = sandbox.guarded(body, "'probe'")
    with pytest.raises(sandbox.SandboxViolation):
        guarded()


def test_audit_hook_violation_cannot_be_swallowed():
    def swallow():
        try:
            open("/etc/hostname")
        except BaseException:  # noqa: BLE001 - the point of the test
            pass
        return 1

    with pytest.raises(sandbox.SandboxViolation, match="open"):
        sandbox.guarded(swallow, "'probe'")()


def test_audit_hook_is_inert_outside_udf_calls(tmp_path):
    sandbox.guarded(lambda: 1, "'probe'")()
    (tmp_path / "f").write_text("ok")  # the process itself is not restricted
    assert (tmp_path / "f").read_text() == "ok"


@pytest.mark.parametrize("src", [
    "x = a + b * c", "x = (a and b) and c or not d", "x = f'{a!r:>5}{b}' 'tail'",
    "x = [i for i in y if i > 1]", "x = {k: v for k, v in z}", "x = a[1:2:3]",
    "x = -a ** 2", "x = a if b else c", "x = a < b <= c != d", "x = lambda p, q: p",
    "x = {1, 2}", "x = (1,)", "x = {'a': 1}", "import ibis", "from ibis import _, udf",
])
def test_python_reading_round_trips_through_our_ast(src):
    """Our AST converted back to Python's equals Python's own parse (no false refusals)."""
    import ast

    from transpiler.ir.notebook import Cell, ExportMark

    cell = Cell(1, None, "%%export\n" + src, ExportMark((), 2))
    parsed, problems = parse_mod.parse_cell(cell, "nb.ipynb")
    assert problems == [] and parsed is not None
    assert pyast.agrees(list(parsed.body), ast.parse(src).body) is None


# ---- Spark's ${...} substitution -------------------------------------------------------------


@pytest.mark.jvm
def test_substitution_syntax_in_names_reaches_spark_unexpanded(jvm, tmp_path):
    """An input column (a data file's header), an output column and an input table named with
    `${env:...}` / `${system:...}`: the JVM's rows carry the names and values unexpanded."""
    import pyarrow as pa

    from .conftest import verify_cells

    table = pa.table({"id": [1, 2, 3], "a${env:HOME}": [10, 20, 30],
                      "s": ["${system:user.home}", "x", "${env:PATH}"]})
    verdicts = verify_cells(tmp_path, {"t": table}, [
        'f = t.select("id", "s", out=t["a${env:HOME}"] + 1)',
        'g = t.select("id", t.s.name("${env:HOME}"), t["a${env:HOME}"])',
    ])
    for name, verdict in verdicts.items():
        assert verdict.status == "conformant", (name, verdict.message)


def test_sql_text_carries_no_substitution_syntax():
    import ibis

    from transpiler.lowering.lower import to_spark_sql

    t = ibis.table({"a${env:HOME}": "int64", "b": "string"}, name="my tab${x}")
    sql = to_spark_sql(t.select(t["a${env:HOME}"].name("${system:user.home}"),
                                t.b.concat("${env:PATH}")))
    assert "${" not in sql and "IDENTIFIER(:nb2jvm_in_" in sql
