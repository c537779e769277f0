"""The UDF language as tables: types, builtins, ``math`` and ``str`` methods, and their Scala.

Each entry maps a Python call with typed arguments to a result type and a Scala template over
the runtime library (``nb2jvm.runtime.Py``/``PyStr``/``PyFormat``), which carries Python's
semantics.  ``{0}`` is the receiver (methods) and ``{1}``, ``{2}``, ... the arguments.  What is
not in a table is refused by the translator with the name of the call.
"""

from __future__ import annotations

# Python annotation -> UDF type; Optional[...] is accepted in signatures (NULL never reaches the
# body: the notebook's engine skips the call and returns NULL, see udf_scala).
TYPES = {"int": "int", "float": "float", "str": "str", "bool": "bool"}
REFUSED_TYPES = {
    "datetime.date": "date parameters are not compiled yet (the JVM's java.sql.Date and "
                     "Python's date differ on calendars before 1582; not verified)",
    "date": "date parameters are not compiled yet",
    "datetime.datetime": "datetime parameters are not compiled yet (time zones of "
                         "java.sql.Timestamp are not verified)",
    "datetime": "datetime parameters are not compiled yet",
}

SCALA = {"int": "Long", "float": "Double", "str": "String", "bool": "Boolean",
         "list[str]": "Array[String]"}
BOXED = {"int": "java.lang.Long", "float": "java.lang.Double", "str": "String",
         "bool": "java.lang.Boolean"}
UNBOX = {"int": "{}.longValue", "float": "{}.doubleValue", "str": "{}",
         "bool": "{}.booleanValue"}
BOX = {"int": "java.lang.Long.valueOf({})", "float": "java.lang.Double.valueOf({})",
       "str": "{}", "bool": "java.lang.Boolean.valueOf({})"}
SPARK_TYPE = {"int": "bigint", "float": "double", "str": "string", "bool": "boolean"}
DEFAULT = {"int": "0L", "float": "0.0", "str": '""', "bool": "false",
           "list[str]": "Array.empty[String]"}
TRUTHY = {"int": "({} != 0L)", "float": "({} != 0.0)", "str": "!{}.isEmpty", "bool": "{}",
          "list[str]": "({}.length != 0)"}
TO_STR = {"int": "Py.str({})", "float": "Py.str({})", "bool": "Py.str({})", "str": "{}"}

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
}
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
    "replace": ((("str", "str"), "str", "PyStr.replace({0}, {1}, {2})"),),
    "find": ((("str",), "int", "PyStr.find({0}, {1})"),
             (("str", "int"), "int", "PyStr.find({0}, {1}, {2})")),
    "rfind": ((("str",), "int", "PyStr.rfind({0}, {1})"),),
    "index": ((("str",), "int", "PyStr.index({0}, {1})"),),
    "count": ((("str",), "int", "PyStr.count({0}, {1})"),),
    "startswith": ((("str",), "bool", "PyStr.startswith({0}, {1})"),),
    "endswith": ((("str",), "bool", "PyStr.endswith({0}, {1})"),),
    "isdigit": (((), "bool", "PyStr.isdigit({0})"),),
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
}

BUILTINS: dict[str, tuple[Sig, ...]] = {
    "len": ((("str",), "int", "PyStr.len({1})"), (("list[str]",), "int", "{1}.length.toLong")),
    "abs": ((("int",), "int", "Py.abs({1})"), (("float",), "float", "java.lang.Math.abs({1})")),
    "round": ((("int",), "int", "{1}"), (("float",), "int", "Py.round({1})"),
              (("int", "int"), "int", "Py.round({1}, {2})"),
              (("float", "int"), "float", "Py.round({1}, {2})")),
    "int": ((("int",), "int", "{1}"), (("float",), "int", "Py.toInt({1})"),
            (("str",), "int", "Py.parseInt({1})"), (("bool",), "int", "(if ({1}) 1L else 0L)")),
    "float": ((("float",), "float", "{1}"), (("int",), "float", "Py.toFloat({1})"),
              (("str",), "float", "Py.parseFloat({1})"),
              (("bool",), "float", "(if ({1}) 1.0 else 0.0)")),
    "str": ((("str",), "str", "{1}"), (("int",), "str", "Py.str({1})"),
            (("float",), "str", "Py.str({1})"), (("bool",), "str", "Py.str({1})")),
    "ord": ((("str",), "int", "Py.ord({1})"),),
    "chr": ((("int",), "str", "Py.chr({1})"),),
}
# bool(x) and min/max are typed by the translator (any type; variadic).

# f-string format types the runtime implements, per value type.
FORMAT_TYPES = {"int": set("dbBoxX") | set("fFeE%") | {""}, "float": set("fFeE%") | {""},
                "str": {"s", ""}, "bool": set("dbBoxX") | set("fFeE%") | {""}}
