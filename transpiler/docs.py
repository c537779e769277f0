"""Generate docs/subset.md and docs/semantics.md from the subset and lowering tables and the
compiler's own rules (the single source of truth).

    python -m transpiler.docs            # rewrite both pages
    python -m transpiler.docs --check    # exit 1 if either page is stale
"""

from __future__ import annotations

import sys

from .lowering import spark_rules
from .frontend import subset
from .frontend.interpreter import SAFE_BUILTINS
from .common.paths import PACKAGE

DOC = PACKAGE.parent / "docs" / "subset.md"
SEMANTICS = PACKAGE.parent / "docs" / "semantics.md"


def _names(items) -> str:
    return ", ".join(f"`{n}`" for n in sorted(items))



def _sigs(table) -> list[str]:
    rows = []
    for name, sigs in sorted(table.items()):
        forms = "; ".join(f"({', '.join(p)}) -> {r}" for p, r, _ in sigs)
        rows.append(f"| `{name}` | {forms} |")
    return rows


def _re_section() -> list[str]:
    from .udf import pyregex, udf_regex

    return [
        "`re` (patterns are str known when the UDF is built: literals or the cell's str "
        "constants, translated then by "
        "`transpiler/udf/pyregex.py` from Python's own parse tree; runtime `PyRe.java`): "
        + ", ".join(f"`re.{n}({', '.join(p)})`" for n, p in udf_regex.FUNCTIONS.items())
        + " (keywords allowed; `flags` of "
        + ", ".join(f"`re.{n}`" for n in pyregex.FLAG_NAMES if n != "NOFLAG")
        + " joined with `|`); a compiled pattern (`re.compile` in the body, or the cell's "
        "`PAT = re.compile(...)` constant) has the same functions as methods (`PAT.search(s)`); "
        "a match is a value that is None or not (`if m:`, `m is None`) "
        "with " + ", ".join(f"`.{m}(g)`" for m in udf_regex.MATCH_METHODS)
        + " of a group (number or name) that takes part in every match. `\\w`, `\\d`, `\\s` "
        "are Python's (the notebook's Unicode tables); under IGNORECASE each literal and class is "
        "the set of characters Python's engine matches, spelled out; under ASCII `\\w`, `\\d`, "
        "`\\s` and `\\b` are the ASCII classes. `finditer` is what a loop or a comprehension "
        "runs over (each item a match). Refused with the reason: the flags "
        + ", ".join(v.split(" ")[0] for v in pyregex.REFUSED_FLAGS.values())
        + ", ASCII with IGNORECASE, conditionals `(?(1)...)`, a repetition of something that can match empty, "
        "nested repetitions that can split a string in several ways (exponential "
        "backtracking), a pattern that can match empty in `sub`/`findall`/`finditer`/`split`, "
        "`findall` with two or more groups, `split` with a group that may not take part, a "
        "function as the replacement, `pos`/`endpos`, a backreference under "
        "IGNORECASE or inside a lookbehind, reading a group inside a repetition other than `?`, "
        "a lazy or possessive one, an atomic group or a lookaround (Java keeps its "
        "span from an abandoned attempt: `(\\w)+b` on `abb`). On the JVM a call that reads more than "
        f"{pyregex.JVM_BUDGET:,} characters (polynomial backtracking on a long value) fails the row "
        "instead of running for minutes, and a stack overflow of Java's matcher (it recurses "
        "once per repetition of a group) fails it the same way.",
        "",
    ]


def _udf_section() -> list[str]:
    from .udf import udf_tables as T
    from .udf.typed import EXCEPTIONS, RAISED

    return [
        "## UDFs (`@ibis.udf.scalar.python`), compiled to the JVM",
        "",
        "Grammar `grammar/udf.lark`; types checked from the annotations; translated to Scala "
        "by `transpiler/udf/udf_scala.py` with Python's semantics from the runtime library "
        "(`runtime-jvm/.../Py.java`, `PyStr.java`, `PyFormat.java`). Anything not listed is "
        "refused at transpile time with its line and column.",
        "",
        f"Types: {_names(T.TYPES)} and `Optional[...]` / `X | None` of those in signatures; "
        "`list[str]` (from `str.split`) and `timedelta` (from date arithmetic and "
        "`timedelta(...)`) for locals; sets of str or int as locals (`set()`, `set(x)`, "
        "`{a, b}`; `add`, `discard`, `remove`, `update`, `clear`, `in`, `len`, `sorted`; "
        "iterating one, which shows Python's hash order, and changing the cell's set are "
        "refused); dicts of str or int keys and str, int, float or bool values as locals "
        "(`{}`, `{k: v}`, `dict()`, `dict(d)`, `d.copy()`, `{k: v for ...}`; `d[k] = v`, "
        "`d[k] += v`, `get`, `pop`, `setdefault`, `update`, `clear`, `in`, `len`, loops over "
        "the dict, `keys()`, `values()`, `items()` in insertion order, `max(d, key=d.get)`; a "
        "loop raises RuntimeError where CPython's would when the dict grows; removing keys "
        "inside a loop over a dict and changing the cell's dict are refused); set "
        "comprehensions; lists of bool read by loops, comprehensions, indexing, `len`, `sum`, "
        "`any` and `all`.",
        "",
        "Statements: assignment (one type per variable) to a name or to an item of a dict or "
        "list local (`xs[i] = v`: IndexError beyond it), augmented assignment, `if/elif/else`, "
        "`for` over `range(...)`, a `str` or a `str.split()` list, `while`, `break`, "
        "`continue`, `pass`, `return`, nested and cell-level helper functions (typed), "
        "`try`/`except`/`else`/`finally` catching " + _names(EXCEPTIONS) + " (and a bare "
        "`except:`) where Python catches them, `raise` of " + _names(RAISED) + " (with one "
        "message) and a bare `raise` in a handler. "
        "Ints are Python's: a fast 64-bit path, and an exact variant (BigInteger, runtime "
        "`PyBig`) that runs the whole call again when an intermediate leaves 64 bits; the "
        "result must fit BIGINT, as in the notebook's engine. "
        "Comprehensions: a generator expression or list comprehension (`for` clauses over "
        "`range(...)`, a `str` or a list of `str`, with `if` conditions) as the argument of "
        "`str.join`, `sum`, `any`, `all`, `min`, `max`, `len`, `list`, run as loops that stop "
        "where Python stops; a list comprehension of `str` is a `list[str]` value. "
        "Expressions: arithmetic, comparisons (chained; int/float compared exactly), "
        "`and`/`or` (returning an operand), `not`, conditional expressions, `in`/`not in` on "
        "strings, literal tuples/lists/sets and split lists, `is None` (always False: NULL "
        "never reaches the body; a match of `re` may be None), indexing and slicing by code point, f-strings.",
        "",
        "| builtin | forms |", "|---|---|", *_sigs(T.BUILTINS),
        "| `bool`, `min`, `max` | any truthy value; two or more values of one type; `min`/`max` "
        "of one iterable of str or int items with `key=` (a helper, a builtin, `str.lower`) "
        "and `default=` |",
        "",
        "| `math.` | forms |", "|---|---|", *_sigs(T.MATH),
        f"| constants | {_names(T.MATH_CONSTANTS)} |",
        "",
        "| `str.` method | forms |", "|---|---|", *_sigs(T.STR_METHODS),
        "",
        "`s.translate(str.maketrans(x, y[, z]))` of str known when the UDF is built (literals, "
        "str constants of the cell, `+` and literal slices of them, and `string.` "
        + ", ".join(f"`{n}`" for n in T.STRING_CONSTANTS) + "): the table frozen.",
        "",
        "| `unicodedata.` | forms |", "|---|---|", *_sigs(T.UNICODEDATA),
        "",
        *_re_section(),
        "Dates and datetimes (naive, proleptic Gregorian, years 1 to 9999 as in Python) are "
        "days and microseconds since 1970-01-01 on the JVM (runtime `PyDate.java`); Spark "
        "passes them as `unix_date`/`unix_micros` under the UTC session time zone the "
        "runtime enforces. A date outside years 1..9999 fails the call with ValueError (the "
        "notebook's engine passes such a value to the UDF as a str). Constructors, by what "
        "the cell's `import datetime` / `from datetime import ...` binds (int arguments, "
        "keywords allowed): "
        + "; ".join(f"`{c}({', '.join(p)})`" for c, (p, _, _, _) in T.CONSTRUCTORS.items())
        + ".",
        "",
        "| attribute | of | gives |", "|---|---|---|",
        *(f"| `.{a}` | {t} | {r} |" for (t, a), (r, _) in sorted(T.ATTRIBUTES.items())),
        "",
        "| method | of | forms |", "|---|---|---|",
        *(f"| `.{m}` | {t} | " + "; ".join(f"({', '.join(p)}) -> {r}" for p, r, _ in sigs) + " |"
          for t, methods in T.TEMPORAL_METHODS.items() for m, sigs in sorted(methods.items())),
        "",
        "Operators: " + ", ".join(f"{a} {op} {b} -> {r}" for (a, op, b), (r, _) in
                                  T.TEMPORAL_BINOPS.items())
        + "; comparisons between two values of one of these types; `-`, `abs()`, `str()` of a "
        "timedelta; `min`/`max`, `str()` and f-strings (no format spec) of all three.",
        "",
        "f-string format specs: `[[fill]align][sign][0][width][,|_][.precision][type]` with "
        "the types " + ", ".join(f"{t}: {' '.join(sorted(c - {''}))}"
                                 for t, c in T.FORMAT_TYPES.items()) + ".",
        "",
    ]


def render() -> str:
    lines = [
        "# The exported-cell subset",
        "",
        "Generated by `python -m transpiler.docs` from `transpiler/frontend/subset.py` and "
        "`transpiler/lowering/spark_rules.py`; do not edit by hand (a test fails when this page is stale).",
        "",
        "## Statements and expressions",
        "",
        "The grammar is `grammar/cell.lark`: assignments to one name, `import ibis`, "
        "`from ibis import _`, and expressions with attribute access, calls (positional and "
        "keyword), subscripts and slices, literals (numbers, strings, bytes, None, booleans, "
        "lists, tuples, dicts, sets), arithmetic, comparison, boolean and `& | ~` operators, "
        "lambdas and conditional expressions. Names and attributes starting with `_` are refused "
        "(except the deferred `_`).",
        "",
        f"Builtins a cell may call: {_names(SAFE_BUILTINS)}.",
        "",
        "## ibis functions (`ibis.<name>`)",
        "",
        _names(subset.IBIS_FUNCTIONS),
        "",
        "## Table methods",
        "",
        _names(subset.TABLE_METHODS),
        "",
        "## Grouped-table methods",
        "",
        _names(subset.GROUPED_METHODS),
        "",
        "## Column and scalar methods",
        "",
        _names(subset.VALUE_METHODS),
        "",
        "## Methods of plain Python values (constants, lists of column names)",
        "",
        *(f"- `{t.__name__}`: {_names(m)}" for t, m in subset.PYTHON_METHODS.items()),
        "",
        "Ambient modules: `math` and `datetime` (allowlisted functions and constants), and "
        "`from datetime import date, datetime, timedelta, time`. Comprehensions and f-strings "
        "of plain values are evaluated while the cell is interpreted.",
        "",
        *_udf_section(),
        "## Refused, with the reason shown to the author",
        "",
        "| name | reason |",
        "|---|---|",
        *(f"| `{name}` | {reason} |" for name, reason in sorted(subset.REFUSED.items())),
        "",
        "## Lowering to Spark: which ibis operations keep the notebook's meaning",
        "",
        "A cell inside the subset can still build an operation that Spark would compute "
        "differently; such a feature set is refused at transpile time with the reason.",
        "",
        "### Conformant (each proven by `tests/test_differential.py`)",
        "",
        _names(c.__name__ for c in spark_rules.CONFORMANT_OPS),
        "",
        "### Conformant under a condition",
        "",
        "| operation | condition |",
        "|---|---|",
        *(f"| `{c.__name__}` | {' '.join((fn.__doc__ or '').split()) or fn.__name__} |"
          for c, fn in sorted(spark_rules.CHECKED_OPS.items(), key=lambda kv: kv[0].__name__)),
        "",
        "### Refused: measured divergences",
        "",
        "| operation | why |",
        "|---|---|",
        *(f"| `{c.__name__}` | {why} |"
          for c, why in sorted(spark_rules.REFUSED_OPS.items(), key=lambda kv: kv[0].__name__)),
        "",
        "Every other ibis operation is refused as \"no verified Spark lowering yet\".",
        "",
        *_coverage_section(),
    ]
    return "\n".join(lines)


def _coverage_section() -> list[str]:
    """Every ibis operation class with its status (`nb2jvm ops` prints the same table)."""
    from .lowering import coverage

    rows = coverage.table()
    done, total = coverage.scalar_share(rows)
    rel_done, rel_total = coverage.relational_share(rows)
    counts = coverage.summary(rows)
    return [
        "## Every ibis operation",
        "",
        "Enumerated from the installed ibis (`nb2jvm ops [--format json]` prints this table). "
        "Statuses: `conformant` (ibis's Spark rule, proven by the differential tests), "
        "`emulated` (nb2jvm's own rule or runtime function gives DuckDB's result), `checked` "
        "(conformant under the stated condition), `refused` (a measured difference), "
        "`not-in-notebook-engine` (ibis's DuckDB backend cannot run it), `unverified` "
        "(refused at transpile time until proven).",
        "",
        f"Scalar operations the notebook's engine runs: {done} of {total} lowered "
        f"({100 * done // max(total, 1)}%). Relational, aggregate and window operations: "
        f"{rel_done} of {rel_total} ({100 * rel_done // max(rel_total, 1)}%).",
        "",
        "| kind | " + " | ".join(coverage.STATUSES) + " |",
        "|---|" + "---|" * len(coverage.STATUSES),
        *(f"| {kind} | " + " | ".join(str(c[s]) for s in coverage.STATUSES) + " |"
          for kind, c in sorted(counts.items())),
        "",
        "| operation | written as | family | status |",
        "|---|---|---|---|",
        *(f"| `{r.op}` | {r.spelling.replace('|', '&#124;')} | {r.family} | {r.status} |"
          for r in rows),
        "",
    ]


def _why(fn) -> str:
    """The comment lines that open a rule's body: why Spark needs it."""
    import inspect

    lines = inspect.getsource(fn).splitlines()[1:]
    text = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith('"""') or (not stripped.startswith("#") and text):
            break
        if stripped.startswith("#"):
            text.append(stripped.lstrip("# "))
    return " ".join(text) or (fn.__doc__ or "").strip().split("\n")[0]


def render_semantics() -> str:
    import ibis.expr.operations as ops

    from .lowering import determinism, lower, regex, spark_compiler
    from .jvm import spark as jvm
    from .udf import udfs

    classes = (spark_compiler.Nb2jvmSparkCompiler, *spark_compiler.RULES)
    rules = sorted({(name, fn) for cls in classes for name, fn in vars(cls).items()
                    if (name.startswith("visit_") or name == "_asof_link") and
                    getattr(fn, "__module__", "").startswith("transpiler.")},
                   key=lambda rule: (rule[0], rule[1].__qualname__))
    lines = [
        "# Semantics: the notebook is the reference",
        "",
        "Generated by `python -m transpiler.docs` from the compiler, the op tables and the "
        "runtime settings; do not edit by hand (a test fails when this page is stale).",
        "",
        "The notebook's engine (ibis 12 on DuckDB 1.4, pinned) defines what a feature set "
        "computes. Every difference between it and Spark 4 that nb2jvm knows of is handled by "
        "exactly one of: a rewrite rule in nb2jvm's Spark compiler (emulate), a condition "
        "checked per use (conformant only then), or a refusal at transpile time with the "
        "reason. Each rule is proven by the differential tests (`tests/test_differential.py`, "
        "`tests/test_asof.py`, `tests/test_udfs.py`, `tests/test_udf_dates.py`: DuckDB against "
        "the JVM on adversarial data).",
        "",
        "## Settings the lowering assumes",
        "",
        "Recorded in every manifest; the runtime runs every feature set in a session derived "
        "from the caller's with these settings (`newSession()`; the caller's own settings are "
        "never changed; `docs/artifact.md`).",
        "",
        *(f"- `{k}={v}`" for k, v in jvm.SPARK_CONF.items()),
        "",
        "ANSI mode makes overflow, invalid casts and division by zero raise (DuckDB raises on "
        "the first two; division is emulated below); UTC makes a naive timestamp's wall clock "
        "the same value on both engines.",
        "",
        "## Rewrite rules (emulate)",
        "",
        "| rule | why Spark needs it |",
        "|---|---|",
        *(f"| `{name}` ({fn.__qualname__.split('.')[0]}) | {_why(fn)} |" for name, fn in rules),
        f"| `{lower._no_substitution.__name__}` (SQL text) | {_why(lower._no_substitution)} |",
        f"| `{lower._qualify_as_subquery.__name__}` (SQL text) | "
        f"{_why(lower._qualify_as_subquery)} |",
        "",
        "Decided by context (`spark_rules.in_context`): "
        + " ".join(spark_rules.in_context.__doc__.split("\n\n", 1)[1].split()),
        "",
        "## Conformant only under a condition (checked per use)",
        "",
        "| operation | condition |",
        "|---|---|",
        *(f"| `{c.__name__}` | {' '.join((fn.__doc__ or '').split())} |"
          for c, fn in sorted(spark_rules.CHECKED_OPS.items(), key=lambda kv: kv[0].__name__)),
        "",
        "## Refused: measured divergences",
        "",
        "| operation | what differs |",
        "|---|---|",
        *(f"| `{c.__name__}` | {why} |"
          for c, why in sorted(spark_rules.REFUSED_OPS.items(), key=lambda kv: kv[0].__name__)),
        "",
        "Every ibis operation in none of these tables and not in the conformant list of "
        "[subset.md](subset.md) is refused as \"no verified Spark lowering yet\".",
        "",
        "## Regular expressions: RE2 patterns on java.util.regex",
        "",
        regex.__doc__.split("\n\n", 1)[1].strip(),
        "",
        "| RE2 (notebook) | Java (Spark) |",
        "|---|---|",
        "| `.` | `[^\\n]` |",
        "| `$` | `\\z` |",
        *(f"| `\\{e}` | `{java}` |".replace("|(?<!", "\\|(?<!") for e, java in sorted(regex._ESCAPES.items())
          if java != "\\" + e),
        *(f"| `[[:{name}:]]` | `[\\p{{{java}}}]` |" for name, java in sorted(regex._POSIX.items())),
        "",
        *(f"- refused: `\\{e}`: {why}" for e, why in sorted(regex._REFUSED_ESCAPES.items())),
        "- refused in `re_search`: " + " ".join(
            regex.check_search.__doc__.split(chr(10) * 2)[1].split()),
        "",
        "## Non-determinism is not conformance",
        "",
        " ".join(determinism.__doc__.split()),
        f"Order-sensitive window functions: "
        f"{', '.join(f'`{c.__name__}`' for c in determinism.ORDER_SENSITIVE_FUNCS)}; also "
        "`limit` after `order_by`, ROWS frames and as-of joins (right rows that tie on the "
        "keys and the `on` column).",
        "",
        "## Python UDFs",
        "",
        " ".join(udfs.__doc__.split("\n\n", 1)[1].split()),
        "Inside a body, Python's rules come from the runtime library (`Py`, `PyStr`, `PyFormat`, "
        "`PyDate`); see the UDF section of [subset.md](subset.md).",
        "",
    ]
    del ops
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    pages = {DOC: render(), SEMANTICS: render_semantics()}
    if "--check" in argv:
        stale = [p for p, text in pages.items()
                 if not p.exists() or p.read_text(encoding="utf-8") != text]
        for page in stale:
            print(f"{page} is stale: run python -m transpiler.docs", file=sys.stderr)
        return 1 if stale else 0
    for page, text in pages.items():
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
        print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
