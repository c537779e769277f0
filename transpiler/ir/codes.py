"""Every diagnostic code nb2jvm emits, in one table: what it means and which family it is in.

One naming scheme: a family prefix and three digits. The families say where the problem is
found: ``NB`` the notebook file, ``E`` an exported cell (E1xx reading it, E2xx interpreting
it, E300 ibis), ``IN`` inputs and data files, ``L`` lowering to Spark, ``U`` UDF translation,
``W`` warnings, ``OUT``/``PUB``/``MAN``/``DIFF``/``CLI``/``RUN`` outputs, publishing, build
directories and commands, ``JDK``/``JVM``/``SCALA`` the toolchain. ``INTERNAL`` is a bug in
nb2jvm, never user input. ``tests/test_codes.py`` checks that every code in the sources is here
and that ``docs/codes.md`` (generated from this table) is current.
"""

from __future__ import annotations

FAMILIES = {
    "NB": "the notebook file", "E": "an exported cell", "IN": "inputs and data files",
    "L": "lowering to Spark SQL", "U": "Python UDFs", "W": "warnings",
    "OUT": "build outputs", "PUB": "publishing", "MAN": "manifests handed to a command",
    "DIFF": "diff", "CLI": "command-line use", "RUN": "run", "JDK": "the JDK",
    "JVM": "the JVM side", "SCALA": "the Scala compiler",
}

CODES = {
    "NB001": "the notebook file is missing or is a directory",
    "NB002": "the file is not a readable, valid notebook (JSON, nbformat, cell fields)",
    "NB003": "the notebook has no exported cells",
    "E100": "Python cannot parse the cell (syntax error)",
    "E101": "a Python construct outside the subset (named in the author's words)",
    "E102": "the subset grammar refuses the cell (unexpected token or character)",
    "E103": "a malformed f-string field",
    "E104": "a character Python and the grammar could read differently (control, separator, "
            "bidi, surrogate)",
    "E105": "Python and the subset grammar read the cell differently",
    "E111": "a UDF signature outside the UDF types",
    "E200": "a node kind the interpreter does not evaluate",
    "E201": "a name, attribute, key or parameter starting with '_'",
    "E202": "a builtin that is never available (eval, open, print, ...)",
    "E203": "an undefined name or attribute (with a 'did you mean')",
    "E204": "attribute access on a value that has none in the subset",
    "E205": "an ibis name refused for a stated reason (I/O, queries, non-determinism, ...)",
    "E206": "an ibis or Python attribute outside the subset",
    "E207": "a lambda called with the wrong number of arguments",
    "E208": "calling a value that cannot be called in a cell",
    "E209": "an expression nested too deeply",
    "E210": "a constant or an evaluation beyond the static bounds (size, steps, time)",
    "E211": "Python truth of a column expression (`not`, `and`, `if`)",
    "E212": "`in`/`is` or a chained comparison on column expressions",
    "E213": "an import outside ibis, math, datetime, typing",
    "E214": "a reassigned name in an exported cell",
    "E215": "`%%export NAME` names a table the cell does not assign",
    "E216": "an exported name that is not a table",
    "E217": "the exported cells define no table",
    "E218": "built on a refused name (a statement, a cell outside the subset, an input without schema)",
    "E219": "a helper function called outside a UDF",
    "E220": "an f-string formatting a non-plain value, or an unknown conversion",
    "E221": "a comprehension over a column or a table",
    "E222": "unpacking the wrong number of values in a comprehension",
    "E223": "a constant or helper a UDF reads is bound again after the UDF's definition",
    "E300": "ibis rejected the expression (type or column errors)",
    "IN001": "an input table without a schema",
    "IN002": "a data file that does not exist",
    "IN003": "an unsupported data file type",
    "IN004": "a data file DuckDB cannot read",
    "IN005": "`--data NAME` for a table no exported cell uses",
    "IN006": "an input with a schema but no data, where rows are needed",
    "IN007": "an `ibis.table` declaration whose schema is not a literal",
    "IN008": "a data file outside the folders nb2jvm reads from",
    "IN009": "a data path with glob characters (DuckDB would read other files)",
    "IN010": "an input read from a file and then rebound by set-up code nb2jvm does not run",
    "IN011": "two inputs declared with one table name and different schemas",
    "L100": "an operation with no Spark lowering of the notebook's exact semantics",
    "L101": "the Spark SQL compiler failed on the feature set",
    "L102": "a struct field whose name Spark's ${...} substitution would expand",
    "L103": "a string with a lone surrogate, which no SQL text can carry",
    "L104": "an output column of a type the artifact cannot write (an interval, a time of day, JSON)",
    "U100": "a UDF construct outside the UDF subset",
    "U101": "a name a UDF may not use",
    "U102": "an attribute or function outside the UDF tables",
    "U110": "a UDF annotation outside the UDF types",
    "U120": "a condition of an unsupported type",
    "U121": "a variable assigned values of different types",
    "U122": "a return value of the wrong type",
    "U123": "an int literal of more than 4300 digits (CPython's own limit)",
    "U125": "a format spec or type outside the supported ones",
    "U126": "a list under two names or mutated while a loop runs over it",
    "U127": "a regular expression or replacement the JVM cannot run with Python's semantics",
    "W300": "rows may tie on an order key: an order-sensitive result may differ",
    "W301": "an as-of join on keys that may be NULL",
    "W302": "an array column whose element order is arbitrary (collect() without order_by)",
    "W400": "lowered only to show where Spark differs (--show-divergence)",
    "OUT001": "`-o` names an existing file",
    "OUT002": "`-o` names a non-empty folder that is not an nb2jvm build",
    "OUT003": "an output location that cannot be written",
    "OUT004": "a `--facade-class` that is not a Java class name, or a facade clash",
    "OUT005": "a feature-set name exported by two notebooks of one artifact",
    "OUT010": "a value XML cannot carry",
    "OUT011": "a value that would inject a JAR manifest header",
    "OUT012": "an invalid Maven coordinate",
    "PUB001": "not a complete nb2jvm build directory",
    "PUB002": "a release that is already published (releases are immutable)",
    "PUB003": "a repository that is not a local path or file:// URL, or not writable",
    "MAN001": "a foreign, corrupt or hostile manifest.json",
    "DIFF001": "not an nb2jvm build directory or artifact jar, or a corrupt one",
    "CLI001": "`run` of a folder that is not a build directory",
    "CLI002": "no feature set of that name",
    "CLI003": "a build directory run without `--data` for every input",
    "CLI004": "`--output` names a directory",
    "RUN001": "the feature set failed on Spark",
    "JDK001": "no JDK found",
    "JDK002": "a JDK that Spark does not run on",
    "JDK003": "pyspark (the Spark jars) is not installed",
    "JVM001": "javac failed on the runtime",
    "JVM002": "the JVM failed to start",
    "JVM004": "javac failed on a generated facade (a bug)",
    "JVM005": "javac failed on the compile server",
    "SCALA001": "a Scala or Spark jar missing from the pyspark wheel",
    "SCALA002": "scalac failed on generated Scala",
    "INTERNAL": "a bug in nb2jvm (rerun with --verbose for the trace)",
}


def family(code: str) -> str:
    """The family prefix of a code (``E210`` -> ``E``)."""
    return code.rstrip("0123456789")


def page() -> str:
    """docs/codes.md: every code with its family and meaning."""
    lines = ["# Diagnostic codes", "",
             "Generated from `transpiler/ir/codes.py` (a test fails when this page is stale). "
             "A code is a family prefix and three digits; `INTERNAL` is a bug in nb2jvm.", "",
             "| code | family | meaning |", "|---|---|---|"]
    for code in sorted(CODES, key=lambda c: (list(FAMILIES).index(family(c))
                                              if family(c) in FAMILIES else 99, c)):
        fam = FAMILIES.get(family(code), "internal")
        lines.append(f"| `{code}` | {fam} | {CODES[code]} |")
    return "\n".join(lines) + "\n"
