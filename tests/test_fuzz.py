"""Fuzzing (docs/security.md): random cell text with hostile characters through `check`, random
strings through every escaping rule. Seeded; ``NB2JVM_FUZZ_EXAMPLES`` sets the size (200)."""

from __future__ import annotations

import contextlib
import io
import os
import re

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from transpiler.common import escape

from .conftest import write_notebook

EXAMPLES = int(os.environ.get("NB2JVM_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

FRAGMENTS = [
    "x = ", "y = ", "t", "out = ", ".", "a", "mutate", "select", "(", ")", "[", "]", "'", '"',
    "#", " ", "\n", "    ", "\t", "1", "+", "**", "10", "*", "lambda v: ", ":", ",", "{", "}",
    "_", "_.", "columns", "format", "__class__", "import os", "\r", "\x0c", "\x0b", "\x00",
    "\u2028", "\u202e", "\ufeff", "\ud800", "${env:HOME}", "\\u0022", "f'{", "}'", "'''",
    "datetime.sys.modules['os'].system('touch {canary}')", "@ibis.udf.scalar.python\n",
    "def f(v: int) -> int:\n", "    return v\n", "ibis.memtable({'a': [1, 2]})", "range(10**9)",
    "'a' * 10**8", ".zfill(10**9)", "sum(", "if ", " else ", "not ", "and ",
]


def _check(path) -> tuple[int, str]:
    from transpiler.interfaces.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", str(path)])
    return code, err.getvalue()


@seed(20261201)
@FUZZ
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30))
def test_random_cells_end_in_a_result_or_a_diagnostic(tmp_path_factory, parts):
    folder = tmp_path_factory.mktemp("fuzz")
    canary = folder / "CANARY"
    body = "".join(parts).replace("{canary}", str(canary))
    source = "%%export\nimport ibis\nimport datetime\nfrom ibis import _\n" \
        "t = ibis.memtable({'a': [1, 2]})\n" + body + "\n"
    path = folder / "nb.ipynb"
    try:
        write_notebook(path, [source])
    except UnicodeEncodeError:  # nbformat cannot save a lone surrogate; the raw tests cover it
        return
    code, err = _check(path)
    assert code in (0, 2), err
    assert "INTERNAL" not in err and "Traceback" not in err, err
    assert not canary.exists()


_COMMENT_OK = re.compile(r"[ -~]*")


@seed(20261201)
@FUZZ
@given(text=st.text(alphabet=st.characters(codec=None), max_size=60))
def test_random_strings_through_every_escaping_rule(text):
    java = escape.java_string(text)
    assert java.isascii() and "\\u" not in java.replace("\\\\", "")
    assert "\n" not in java and "\r" not in java
    note = escape.comment(text)
    assert _COMMENT_OK.fullmatch(note) and "*/" not in note and "\\" not in note
    assert "@" not in note and "{" not in note and "\n" not in note
    name = escape.file_component(text)
    assert name and "/" not in name and ".." not in name and name.isascii()


# Expressions that parse: random compositions of literals, columns, operators and methods (some
# outside the subset, some huge), so the interpreter, the bounds and the lowering are reached.
_ATOMS = st.sampled_from([
    "1", "0", "-1", "2.5", "10**9", "'x'", "'${env:HOME}'", "'\\\\u0022'", "None", "True",
    "t.a", "_.a", "t.s", "t.columns", "ibis.literal(3)", "range(10**12)", "'a' * 1000",
    "math.pi", "datetime.date(2024, 2, 29)", "range(10**20)", "', '.join(t.a)",
    "'batch 20240101 of %s' % 'x'", "'%*d' % (10**9, 1)",
])
_METHODS = ["abs()", "cast('string')", "upper()", "length()", "zfill(10**9)", "format(_)",
            "__class__", "execute()", "isnull()", "fill_null(0)", "sum()", "lpad(5, 'x')",
            "replace('a', 'b' * 10**6)", "encode('rot13')", "columns", "split(',')"]


def _combine(children):
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", children,
                  st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "==", "<", "&", "|"]),
                  children),
        st.builds(lambda a, m: f"{a}.{m}", children, st.sampled_from(_METHODS)),
        st.builds(lambda a, w: f"f'{{{a}:>{w}}}'", children, st.sampled_from(["3", "10**9",
                                                                             "1000000000"])),
        st.builds(lambda a: f"[v for v in {a}]", children),
        st.builds(lambda a, b, c: f"ibis.ifelse({a}, {b}, {c})", children, children, children),
    )


@seed(20261201)
@FUZZ
@given(expr=st.recursive(_ATOMS, _combine, max_leaves=12))
def test_random_expressions_end_in_a_result_or_a_diagnostic(tmp_path_factory, expr):
    folder = tmp_path_factory.mktemp("fuzzx")
    source = ("%%export\nimport ibis\nimport math\nimport datetime\nfrom ibis import _\n"
              "t = ibis.memtable({'a': [1, 2], 's': ['x', 'y']})\n"
              f"out = t.mutate(b={expr})\n")
    path = write_notebook(folder / "nb.ipynb", [source])
    code, err = _check(path)
    assert code in (0, 2), err
    assert "INTERNAL" not in err and "Traceback" not in err, err
