"""The UDF language as tables: types, builtins, ``math`` and ``str`` methods, and their Scala.

Each entry maps a Python call with typed arguments to a result type and a Scala template over
the runtime library (``nb2jvm.runtime.Py``/``PyStr``/``PyFormat``), which carries Python's
semantics.  ``{0}`` is the receiver (methods) and ``{1}``, ``{2}``, ... the arguments.  What is
not in a table is refused by the translator with the name of the call.
"""

from __future__ import annotations

# Python annotation -> UDF type; Optional[...] is accepted in signatures (NULL never reaches the
# body: the notebook's engine skips the call and returns NULL, see udf_scala).
TYPES = {"int": "int", "float": "float", "str": "str", "bool": "bool",
         "datetime.date": "date", "date": "date",
         "datetime.datetime": "datetime", "datetime": "datetime"}
# A date is a Long of days since 1970-01-01, a datetime and a timedelta Longs of microseconds
# (runtime PyDate); Spark passes them as such (unix_date/unix_micros), see spark_compiler.
TEMPORAL = ("date", "datetime", "timedelta")

SCALA = {"int": "Long", "float": "Double", "str": "String", "bool": "Boolean",
         "list[str]": "Array[String]", "list[int]": "Array[Long]", "list[float]": "Array[Double]",
         "date": "Long", "datetime": "Long", "timedelta": "Long", "match": "PyMatch",
         "pattern": "java.util.regex.Pattern",
         "set[str]": "java.util.Set[String]", "set[int]": "java.util.Set[java.lang.Long]"}
BOXED = {"int": "java.lang.Long", "float": "java.lang.Double", "str": "String",
         "bool": "java.lang.Boolean", "date": "java.lang.Long", "datetime": "java.lang.Long"}
UNBOX = {"int": "{}.longValue", "float": "{}.doubleValue", "str": "{}",
         "bool": "{}.booleanValue", "date": "{}.longValue", "datetime": "{}.longValue"}
BOX = {"int": "java.lang.Long.valueOf({})", "float": "java.lang.Double.valueOf({})",
       "str": "{}", "bool": "java.lang.Boolean.valueOf({})",
       "date": "java.lang.Long.valueOf({})", "datetime": "java.lang.Long.valueOf({})"}
# What a parameter or result is in SQL (manifest) and what the JVM function takes/returns.
SPARK_TYPE = {"int": "bigint", "float": "double", "str": "string", "bool": "boolean",
              "date": "date", "datetime": "timestamp"}
JVM_TYPE = {**SPARK_TYPE, "date": "bigint", "datetime": "bigint"}
# Python's range check on what the notebook's engine passes in (DuckDB refuses other years).
ARG_CHECK = {"date": "PyDate.dateArg({})", "datetime": "PyDate.datetimeArg({})"}
DEFAULT = {"int": "0L", "float": "0.0", "str": '""', "bool": "false",
           "list[str]": "new Array[String](0)", "list[int]": "new Array[Long](0)",
           "list[float]": "new Array[Double](0)", "date": "0L", "datetime": "0L",
           "timedelta": "0L", "match": "null", "pattern": "null",
           "set[str]": "null", "set[int]": "null"}
TRUTHY = {"int": "({} != 0L)", "float": "({} != 0.0)", "str": "!{}.isEmpty", "bool": "{}",
          "list[str]": "({}.length != 0)", "list[int]": "({}.length != 0)",
          "list[float]": "({}.length != 0)", "date": "PyDate.truthy({})",
          "datetime": "PyDate.truthy({})", "timedelta": "({} != 0L)",
          "match": "({} != null)", "pattern": "({} != null)",  # re's; a None match is null
          "set[str]": "!{}.isEmpty", "set[int]": "!{}.isEmpty"}
TO_STR = {"int": "Py.str({})", "float": "Py.str({})", "bool": "Py.str({})", "str": "{}",
          "date": "PyDate.isoformat({})", "datetime": "PyDate.datetimeStr({})",
          "timedelta": "PyDate.deltaStr({})"}

SCALA["list[bool]"], DEFAULT["list[bool]"] = "Array[Boolean]", "new Array[Boolean](0)"
TRUTHY["list[bool]"] = "({}.length != 0)"
# dict locals (udf_dicts): a java.util.Map of boxed keys and values, null before assignment
for _k in ("str", "int"):
    for _v in ("str", "int", "float", "bool"):
        _t = f"dict[{_k},{_v}]"
        SCALA[_t] = f"java.util.Map[{BOXED[_k]}, {BOXED[_v]}]"
        DEFAULT[_t] = "null"
        TRUTHY[_t] = "!{}.isEmpty"

# The exact variant of a UDF (udf_scala's ``wide``): an int is a java.math.BigInteger (runtime
# PyBig), taken on the rows where the fast variant's longs left 64 bits.
WIDE_SCALA = {**SCALA, "int": "java.math.BigInteger"}
WIDE_DEFAULT = {**DEFAULT, "int": "PyBig.ZERO"}
WIDE_TRUTHY = {**TRUTHY, "int": "({}.signum != 0)"}
WIDE_TO_STR = {**TO_STR, "int": "PyBig.str({})"}

# (argument types, result type, Scala template); "num" = int or float (ints widen to float).
Sig = tuple[tuple[str, ...], str, str]

MATH: dict[str, tuple[Sig, ...]] = {
    "sqrt": ((("float",), "float", "Py.sqrt({1})"),),
    "log": ((("float",), "float", "Py.log({1})"),
            (("float", "float"), "float", "Py.log({1}, {2})")),
    "log10": ((("float",), "float", "Py.log10({1})"),),
    "log2": ((("float",), "float", "Py.log2({1})"),),
    "log1p": ((("float",), "float", "Py.log1p({1})"),),
    "exp": ((("float",), "float", "Py.exp({1})"),),
    "floor": ((("int",), "int", "{1}"), (("float",), "int", "Py.floor({1})")),
    "ceil": ((("int",), "int", "{1}"), (("float",), "int", "Py.ceil({1})")),
    "trunc": ((("int",), "int", "{1}"), (("float",), "int", "Py.trunc({1})")),
    "fabs": ((("float",), "float", "Py.fabs({1})"),),
    "pow": ((("float", "float"), "float", "Py.mathPow({1}, {2})"),),
    "fmod": ((("float", "float"), "float", "Py.fmod({1}, {2})"),),
    "isnan": ((("float",), "bool", "Py.isnan({1})"),),
    "isinf": ((("float",), "bool", "Py.isinf({1})"),),
    "isfinite": ((("float",), "bool", "Py.isfinite({1})"),),
    "copysign": ((("float", "float"), "float", "java.lang.Math.copySign({1}, {2})"),),
    # trigonometric, hyperbolic, angular: fdlibm (StrictMath) where CPython calls the C
    # library; both are within an ulp of the exact value (verify's float tolerance), with
    # CPython's domain and range errors (runtime Py.math1)
    **{name: ((("float",), "float", f"Py.{name}({{1}})"),) for name in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
        "atanh", "expm1", "exp2", "cbrt", "radians", "degrees")},
    "atan2": ((("float", "float"), "float", "Py.atan2({1}, {2})"),),
    "hypot": ((("float", "float"), "float", "Py.hypot({1}, {2})"),),
    "remainder": ((("float", "float"), "float", "Py.remainder({1}, {2})"),),
    "isclose": ((("float", "float"), "bool", "Py.isclose({1}, {2})"),),
    "nextafter": ((("float", "float"), "float", "java.lang.Math.nextAfter({1}, {2})"),),
    "ulp": ((("float",), "float", "java.lang.Math.ulp({1})"),),
    "gcd": ((("int", "int"), "int", "Py.gcd({1}, {2})"),),
    "factorial": ((("int",), "int", "Py.factorial({1})"),),
    "comb": ((("int", "int"), "int", "Py.comb({1}, {2})"),),
    "perm": ((("int",), "int", "Py.factorial({1})"), (("int", "int"), "int", "Py.perm({1}, {2})")),
    "lcm": ((("int", "int"), "int", "Py.lcm({1}, {2})"),),
    "ldexp": ((("float", "int"), "float", "Py.ldexp({1}, {2})"),),
    "isqrt": ((("int",), "int", "Py.isqrt({1})"),),
}
# unicodedata from the notebook's Python's tables (runtime PyUnicodedata; the JDK's Normalizer
# follows another Unicode version)
# math functions a UDF refuses, and why (the notebook's results come from code the JDK has no
# equal of; a port within a few ulps would not be Python's value)
MATH_REFUSED = {
    "gamma": "CPython computes it with its own Lanczos approximation, which the runtime does not "
             "carry",
    "lgamma": "CPython computes it with its own Lanczos approximation, which the runtime does not "
              "carry",
    "erf": "CPython calls the C library's erf, which the JDK lacks (a port would differ in the "
           "last bits)",
    "erfc": "CPython calls the C library's erfc, which the JDK lacks (a port would differ in the "
            "last bits)",
    "dist": "CPython's vector_norm keeps extra precision that the runtime does not reproduce",
}

UNICODEDATA: dict[str, tuple[Sig, ...]] = {
    "normalize": ((("str", "str"), "str", "PyUnicodedata.normalize({1}, {2})"),),
    "is_normalized": ((("str", "str"), "bool", "PyUnicodedata.isNormalized({1}, {2})"),),
    "category": ((("str",), "str", "PyUnicodedata.category({1})"),),
    "combining": ((("str",), "int", "PyUnicodedata.combining({1})"),),
}

# the str constants of `string` a body may read (frozen: the notebook's Python's values)
STRING_CONSTANTS = ("ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits",
                    "hexdigits", "octdigits", "punctuation", "printable", "whitespace")

MATH_CONSTANTS = {
    "pi": "java.lang.Math.PI", "e": "java.lang.Math.E", "tau": "(2.0 * java.lang.Math.PI)",
    "inf": "java.lang.Double.POSITIVE_INFINITY", "nan": "java.lang.Double.NaN",
}

STR_METHODS: dict[str, tuple[Sig, ...]] = {
    "lower": (((), "str", "PyStr.lower({0})"),),
    "upper": (((), "str", "PyStr.upper({0})"),),
    "casefold": (((), "str", "PyStr.casefold({0})"),),
    "strip": (((), "str", "PyStr.strip({0})"), (("str",), "str", "PyStr.strip({0}, {1})")),
    "lstrip": (((), "str", "PyStr.lstrip({0})"), (("str",), "str", "PyStr.lstrip({0}, {1})")),
    "rstrip": (((), "str", "PyStr.rstrip({0})"), (("str",), "str", "PyStr.rstrip({0}, {1})")),
    "split": (((), "list[str]", "PyStr.split({0})"),
              (("str",), "list[str]", "PyStr.split({0}, {1})"),
              (("str", "int"), "list[str]", "PyStr.split({0}, {1}, {2})")),
    "replace": ((("str", "str"), "str", "PyStr.replace({0}, {1}, {2})"),
                (("str", "str", "int"), "str", "PyStr.replace({0}, {1}, {2}, {3})")),
    "find": ((("str",), "int", "PyStr.find({0}, {1})"),
             (("str", "int"), "int", "PyStr.find({0}, {1}, {2})")),
    "rfind": ((("str",), "int", "PyStr.rfind({0}, {1})"),),
    "index": ((("str",), "int", "PyStr.index({0}, {1})"),),
    "count": ((("str",), "int", "PyStr.count({0}, {1})"),),
    "startswith": ((("str",), "bool", "PyStr.startswith({0}, {1})"),),
    "endswith": ((("str",), "bool", "PyStr.endswith({0}, {1})"),),
    "isdigit": (((), "bool", "PyStr.isdigit({0})"),),
    # a 3-tuple of str, indexed or unpacked (`head, _, tail = s.partition(":")`)
    "partition": ((("str",), "list[str]", "PyStr.partition({0}, {1})"),),
    "rpartition": ((("str",), "list[str]", "PyStr.rpartition({0}, {1})"),),
    "expandtabs": (((), "str", "PyStr.expandtabs({0})"),
                   (("int",), "str", "PyStr.expandtabs({0}, {1})")),
    "isprintable": (((), "bool", "PyStr.isprintable({0})"),),
    "isidentifier": (((), "bool", "PyStr.isidentifier({0})"),),
    "isdecimal": (((), "bool", "PyStr.isdecimal({0})"),),
    "isnumeric": (((), "bool", "PyStr.isnumeric({0})"),),
    "isalpha": (((), "bool", "PyStr.isalpha({0})"),),
    "isalnum": (((), "bool", "PyStr.isalnum({0})"),),
    "isspace": (((), "bool", "PyStr.isspace({0})"),),
    "islower": (((), "bool", "PyStr.islower({0})"),),
    "isupper": (((), "bool", "PyStr.isupper({0})"),),
    "zfill": ((("int",), "str", "PyStr.zfill({0}, {1})"),),
    "ljust": ((("int",), "str", 'PyStr.ljust({0}, {1}, " ")'),
              (("int", "str"), "str", "PyStr.ljust({0}, {1}, {2})")),
    "rjust": ((("int",), "str", 'PyStr.rjust({0}, {1}, " ")'),
              (("int", "str"), "str", "PyStr.rjust({0}, {1}, {2})")),
    "center": ((("int",), "str", 'PyStr.center({0}, {1}, " ")'),
               (("int", "str"), "str", "PyStr.center({0}, {1}, {2})")),
    "join": ((("list[str]",), "str", "PyStr.join({0}, {1})"),),
    "title": (((), "str", "PyStr.title({0})"),),
    "capitalize": (((), "str", "PyStr.capitalize({0})"),),
    "swapcase": (((), "str", "PyStr.swapcase({0})"),),
    "istitle": (((), "bool", "PyStr.istitle({0})"),),
    "isascii": (((), "bool", "PyStr.isascii({0})"),),
    "removeprefix": ((("str",), "str", "PyStr.removeprefix({0}, {1})"),),
    "removesuffix": ((("str",), "str", "PyStr.removesuffix({0}, {1})"),),
    "rindex": ((("str",), "int", "PyStr.rindex({0}, {1})"),),
    "splitlines": (((), "list[str]", "PyStr.splitlines({0})"),
                   (("bool",), "list[str]", "PyStr.splitlines({0}, {1})")),
    "rsplit": (((), "list[str]", "PyStr.split({0})"),
               (("str",), "list[str]", "PyStr.split({0}, {1})"),
               (("str", "int"), "list[str]", "PyStr.rsplit({0}, {1}, {2})")),
}

BUILTINS: dict[str, tuple[Sig, ...]] = {
    "repr": ((("str",), "str", "PyStr.repr({1})"), (("int",), "str", "Py.str({1})"),
             (("float",), "str", "Py.str({1})"), (("bool",), "str", "Py.str({1})")),
    "ascii": ((("str",), "str", "PyStr.ascii({1})"),),
    "len": ((("str",), "int", "PyStr.len({1})"), (("list[str]",), "int", "{1}.length.toLong")),
    "abs": ((("int",), "int", "Py.abs({1})"), (("float",), "float", "java.lang.Math.abs({1})"),
            (("timedelta",), "timedelta", "PyDate.absDelta({1})")),
    "round": ((("int",), "int", "{1}"), (("float",), "int", "Py.round({1})"),
              (("int", "int"), "int", "Py.round({1}, {2})"),
              (("float", "int"), "float", "Py.round({1}, {2})")),
    "int": ((("int",), "int", "{1}"), (("float",), "int", "Py.toInt({1})"),
            (("str",), "int", "Py.parseInt({1})"), (("bool",), "int", "(if ({1}) 1L else 0L)")),
    "float": ((("float",), "float", "{1}"), (("int",), "float", "Py.toFloat({1})"),
              (("str",), "float", "Py.parseFloat({1})"),
              (("bool",), "float", "(if ({1}) 1.0 else 0.0)")),
    "str": ((("str",), "str", "{1}"), (("int",), "str", "Py.str({1})"),
            (("float",), "str", "Py.str({1})"), (("bool",), "str", "Py.str({1})"),
            (("date",), "str", "PyDate.isoformat({1})"),
            (("datetime",), "str", "PyDate.datetimeStr({1})"),
            (("timedelta",), "str", "PyDate.deltaStr({1})")),
    "ord": ((("str",), "int", "Py.ord({1})"),),
    # pow(a, b) is a ** b; a negative int exponent of a non-literal is refused at run time
    # (TypeError), as for **
    "pow": ((("int", "int"), "int", "Py.pow({1}, {2})"),
            (("float", "float"), "float", "Py.pow({1}, {2})"),
            (("int", "int", "int"), "int", "Py.powmod({1}, {2}, {3})")),
    "chr": ((("int",), "str", "Py.chr({1})"),),
}
# bool(x) and min/max are typed by the translator (any type; variadic).

# Fast templates whose exact variant computes on BigIntegers: (template, argument types) ->
# the template over PyBig.  Every other "int" argument of a template crosses as a machine
# integer (PyBig.index: Python's OverflowError beyond 64 bits) and an "int" result comes back
# with PyBig.of; a template "{1}" of an int is the int itself.
WIDE_TEMPLATES: dict[tuple[str, tuple[str, ...]], str] = {
    ("Py.floor({1})", ("float",)): "PyBig.floor({1})",
    ("Py.ceil({1})", ("float",)): "PyBig.ceil({1})",
    ("Py.trunc({1})", ("float",)): "PyBig.toInt({1})",
    ("Py.toInt({1})", ("float",)): "PyBig.toInt({1})",
    ("Py.round({1})", ("float",)): "PyBig.round({1})",
    ("Py.round({1}, {2})", ("int", "int")): "PyBig.round({1}, {2})",
    ("Py.abs({1})", ("int",)): "PyBig.abs({1})",
    ("Py.parseInt({1})", ("str",)): "PyBig.parseInt({1})",
    ("Py.toFloat({1})", ("int",)): "PyBig.toFloat({1})",
    ("(if ({1}) 1L else 0L)", ("bool",)): "PyBig.of({1})",
    ("Py.str({1})", ("int",)): "PyBig.str({1})",
    ("Py.gcd({1}, {2})", ("int", "int")): "PyBig.gcd({1}, {2})",
    ("Py.factorial({1})", ("int",)): "PyBig.factorial({1})",
    ("Py.comb({1}, {2})", ("int", "int")): "PyBig.comb({1}, {2})",
    ("Py.perm({1}, {2})", ("int", "int")): "PyBig.perm({1}, {2})",
    ("Py.lcm({1}, {2})", ("int", "int")): "PyBig.lcm({1}, {2})",
    ("Py.isqrt({1})", ("int",)): "PyBig.isqrt({1})",
    ("Py.pow({1}, {2})", ("int", "int")): "PyBig.pow({1}, {2})",
    ("Py.powmod({1}, {2}, {3})", ("int", "int", "int")): "PyBig.powmod({1}, {2}, {3})",
}

# f-string format types the runtime implements, per value type.
FORMAT_TYPES = {"int": set("cdbBoxX") | set("fFeEgG%") | {""}, "float": set("fFeEgG%") | {""},
                "str": {"s", ""}, "bool": set("cdbBoxX") | set("fFeEgG%") | {""}}

# ---- datetime.date / datetime.datetime / datetime.timedelta (runtime PyDate) ------------------

# (type, attribute) -> (result type, Scala template over the value {0}).
ATTRIBUTES: dict[tuple[str, str], tuple[str, str]] = {
    ("date", "year"): ("int", "PyDate.year({0})"),
    ("date", "month"): ("int", "PyDate.month({0})"),
    ("date", "day"): ("int", "PyDate.day({0})"),
    ("datetime", "year"): ("int", "PyDate.year(PyDate.dateOf({0}))"),
    ("datetime", "month"): ("int", "PyDate.month(PyDate.dateOf({0}))"),
    ("datetime", "day"): ("int", "PyDate.day(PyDate.dateOf({0}))"),
    ("datetime", "hour"): ("int", "PyDate.hour({0})"),
    ("datetime", "minute"): ("int", "PyDate.minute({0})"),
    ("datetime", "second"): ("int", "PyDate.second({0})"),
    ("datetime", "microsecond"): ("int", "PyDate.microsecond({0})"),
    ("timedelta", "days"): ("int", "PyDate.deltaDays({0})"),
    ("timedelta", "seconds"): ("int", "PyDate.deltaSeconds({0})"),
    ("timedelta", "microseconds"): ("int", "PyDate.deltaMicroseconds({0})"),
}

# Methods per receiver type, as STR_METHODS.
TEMPORAL_METHODS: dict[str, dict[str, tuple[Sig, ...]]] = {
    "date": {
        "weekday": (((), "int", "PyDate.weekday({0})"),),
        "isoweekday": (((), "int", "(PyDate.weekday({0}) + 1L)"),),
        "toordinal": (((), "int", "PyDate.toordinal({0})"),),
        "isoformat": (((), "str", "PyDate.isoformat({0})"),),
    },
    "datetime": {
        "weekday": (((), "int", "PyDate.weekday(PyDate.dateOf({0}))"),),
        "isoweekday": (((), "int", "(PyDate.weekday(PyDate.dateOf({0})) + 1L)"),),
        "toordinal": (((), "int", "PyDate.toordinal(PyDate.dateOf({0}))"),),
        "isoformat": (((), "str", 'PyDate.isoformat({0}, "T")'),),
        "date": (((), "date", "PyDate.dateOf({0})"),),
    },
    "timedelta": {
        "total_seconds": (((), "float", "PyDate.totalSeconds({0})"),),
    },
}

# Constructors, by the class a name is bound to in the cell (`import datetime` or
# `from datetime import ...`): Python's positional parameter order, how many are required,
# the result type and the runtime call.  Arguments are ints (float arguments of timedelta are
# rounded by Python in ways the runtime does not reproduce: refused).
CONSTRUCTORS: dict[str, tuple[tuple[str, ...], int, str, str]] = {
    "date": (("year", "month", "day"), 3, "date", "PyDate.date({})"),
    "datetime": (("year", "month", "day", "hour", "minute", "second", "microsecond"), 3,
                 "datetime", "PyDate.datetime({})"),
    "timedelta": (("days", "seconds", "microseconds", "milliseconds", "minutes", "hours",
                   "weeks"), 0, "timedelta", "PyDate.timedelta({})"),
}

# (left type, operator, right type) -> (result type, Scala template over {0} and {1}).
TEMPORAL_BINOPS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("date", "-", "date"): ("timedelta", "PyDate.daysBetween({0}, {1})"),
    ("datetime", "-", "datetime"): ("timedelta", "({0} - {1})"),
    ("date", "+", "timedelta"): ("date", "PyDate.addDays({0}, {1})"),
    ("timedelta", "+", "date"): ("date", "PyDate.addDays({1}, {0})"),
    ("date", "-", "timedelta"): ("date", "PyDate.subDays({0}, {1})"),
    ("datetime", "+", "timedelta"): ("datetime", "PyDate.addMicros({0}, {1})"),
    ("timedelta", "+", "datetime"): ("datetime", "PyDate.addMicros({1}, {0})"),
    ("datetime", "-", "timedelta"): ("datetime", "PyDate.addMicros({0}, PyDate.negDelta({1}))"),
    ("timedelta", "+", "timedelta"): ("timedelta", "PyDate.addDelta({0}, {1})"),
    ("timedelta", "-", "timedelta"): ("timedelta", "PyDate.subDelta({0}, {1})"),
    ("timedelta", "*", "int"): ("timedelta", "PyDate.mulDelta({0}, {1})"),
    ("int", "*", "timedelta"): ("timedelta", "PyDate.mulDelta({1}, {0})"),
    ("timedelta", "//", "int"): ("timedelta", "PyDate.floordivDelta({0}, {1})"),
    ("timedelta", "//", "timedelta"): ("int", "Py.floordiv({0}, {1})"),
    ("timedelta", "/", "timedelta"): ("float", "Py.truediv({0}, {1})"),
    ("timedelta", "%", "timedelta"): ("timedelta", "Py.mod({0}, {1})"),
}
