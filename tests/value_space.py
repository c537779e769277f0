"""The adversarial value space of the generated differential tests, per type and per kind of
argument, and how rows are generated from it.

Each kind of argument has its own space, chosen where engines disagree:

* ``TEXT``: every Unicode whitespace class (ASCII controls, NEL, NBSP, the U+2000 block, line and
  paragraph separators, ideographic space) and the letters ``v`` and ``f`` (a mis-escaped ``\\v``
  or ``\\f`` turns into them), zero-width and BOM characters, combining marks, surrogate pairs
  and ZWJ sequences, case-mapping specials (``ß``, ``İ``, ``ı``, ``ǅ``, final ``Σ``, ligatures),
  LIKE metacharacters and backslashes, quotes and ``${...}``, digits of other scripts, the empty
  string, strings longer and shorter than every length argument, and NULL;
* ``PAD``: the empty pad, one character, several characters, non-ASCII and surrogate pairs, NULL;
* ``POSITION``: 0, ±1 … ±5, past both ends of every ``TEXT`` value, ±2^31, the ends of DuckDB's
  supported range (±2^32), NULL; ``FAILING_POSITION``: past that range and the int64 extremes,
  where the notebook's engine fails (so must Spark);
* ``WIDTH``: negative, 0, around the lengths of the ``TEXT`` values, up to 60, NULL (no
  width that would allocate gigabytes);
* ``FLOAT``: ±0.0, NaN, ±inf, subnormals, the largest double, values at .5, NULL;
* ``DATE`` and ``TIMESTAMP``: years 1 and 9999, 1969/1970, leap days, DST boundaries,
  microseconds, NULL.

Rows: row ``k`` takes, in argument position ``j``, value ``(k * STEP[j] + j) % len(space)`` of
that position's space, with steps that are coprime to every space's size, so every value appears
in every position, next to many different partners; ``seed`` adds reproducible random rows.
"""

from __future__ import annotations

import datetime as dt
import math
import random

TEXT = (
    None, "", " ", "a", "ab", "abc", "hello world", "x" * 40,
    "\t x \n", "\x0b", "v", "f", "vfv", "\x0bv\x0c", "\x0c", "\r\n", "\x1c\x1d\x1e\x1f",
    "\x85x\x85", "\xa0x\xa0", "\u1680", "\u2000x\u200a", "\u2028\u2029", "\u202f\u205f\u3000",
    "\u200bzw\u200b", "\ufeffbom",
    "e\u0301", "a\u0308\u0301z", "😀", "a😀b", "𝔘𝔫𝔦", "👨\u200d👩\u200d👧",
    "ß", "Straße", "İstanbul", "ı", "ǅ", "ΣΑΣ", "ﬁ", "ᾼ", "MiXeD", "ABC",
    "%", "_", "a%b", "a_b", "\\", "a\\b", "'", '"', "${x}",
    "0", "-1", "1e3", " 7 ", "١٢",
)
PAD = (None, "", "-", "xy", "é", "😀", "ab" * 5)
POSITION = (None, 0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 40, -40, 41, -41, 100, -100,
            2**31 - 1, -2**31, 2**32 - 2, -2**32 + 1)
# Positions that make the notebook's engine fail (DuckDB's substring range is [-2^32, 2^32 - 1],
# int64 overflow): each must fail on Spark too (tests/test_value_space.py)
FAILING_POSITION = (2**32, -2**32 - 100, 2**63 - 1, -2**63)
WIDTH = (None, -5, -1, 0, 1, 2, 3, 4, 5, 8, 11, 12, 40, 41, 60)
FLOAT = (None, 0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 2.5, math.nan, math.inf, -math.inf, 5e-324,
         2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1e16, -1e-7)
DATE = (None, dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1969, 12, 31),
        dt.date(1970, 1, 1), dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2000, 3, 1))
TIMESTAMP = (None, dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
             dt.datetime(1969, 12, 31, 23, 59, 59, 999999), dt.datetime(1970, 1, 1),
             dt.datetime(2024, 2, 29, 12, 30, 0, 1), dt.datetime(2026, 3, 29, 2, 30),
             dt.datetime(2026, 10, 25, 2, 30))

# Integers at the edges of every width and of every shift count (int32 and int64)
INTEGER = (None, 0, 1, -1, 2, 3, 31, 32, 33, 62, 63, 64, 65, -64, 2**31 - 1, -2**31, 2**62,
           2**63 - 1, -2**63)
# JSON texts DuckDB accepts, chosen where readers differ: trailing commas, NaN/Infinity in any
# case, -0, numbers at the uint64/int64 edges and beyond, subnormals and underflow, escapes and
# surrogate pairs, the NUL escape, keys that differ by case or a space, nesting, scalars at the
# top level, surrounding whitespace; FAILING_JSON: texts DuckDB refuses, or whose reading fails
# (so must Spark's)
JSON = (
    None, '{"a": 1, "b": "x", "c": [1, 2.5, null, true], "d": {"e": -0}}',
    '{"a": 1e3, "b": "\\u00e9\\n\\"q\\"", "c": [], "d": null}', '{"a": 2,}',
    '[1, "x", null, true, {"k": []},]', "[]", "{}", " 5 ", '"str"', "null", "true", "false",
    '{"a": NaN, "b": -Infinity, "c": inf, "d": -nan}',
    '{"a": -9223372036854775808, "b": 9223372036854775807}',
    '{"a": 123456789012345678901234567890, "b": 18446744073709551615}',
    '{"a": 1.7976931348623157e308, "b": 5e-324, "c": 1e-400}',
    '{"a": "\U0001f600", "b": "\\ud83d\\ude00", "c": [[1, [2, [3]]], {"a": {"a": 1}}]}',
    '{"A": 1, "a ": 2, "\u00e9": 3, "b": true, "c": false, "d": "true"}',
    '[0, -0, 0.0, -0.0, 1E2, 1e-2, 9223372036854775808]', '{"a": [1, 2, 3], "b": {"x": 1}}',
    '"\\u0000"', '  {"a"  :  "  " , "b":"\\/"}  \n', '{"b": "\\t\\b\\f\\r"}',
    "-1", "1.5", '"\\ud83d\\ude00"', '[{"a": 1}, {"a": "1"}, {"a": 1.0}]',
)
FAILING_JSON = ("", " ", "nul", "01", "+1", ".5", "1.", "'a'", '"a\nb"', '"\\ud800"',
                "[1,,2]", "[,]", '{"a" 1}', '{"a": 1} x', "\ufeff1", "infinit", "[1, 2")



def numeric_texts() -> list[str]:
    """Texts at the edges of DuckDB's casts to numbers and booleans: every combination of a
    sign, an integer part, a fraction, an exponent and what follows, plus the special words
    and the radix prefixes (about 9,000 texts)."""
    signs = ("", "+", "-", " ", "+-", "\t-")
    wholes = ("", "0", "1", "12", "1_0", "1__0", "00", "127", "128", "2147483648",
              "9223372036854775807", "9223372036854775808", "99999999999999999999")
    fractions = ("", ".", ".5", ".49", ".50", ".05", ".99", ".5_5", "._5", ".4999999999999999999999")
    exponents = ("", "e", "e1", "e-1", "E+2", "e1_0", "e-20", "e400", "e5.", "e32768", "e-2.")
    tails = ("", " ", "x", "\x0b")
    texts = [a + b + c + d + e for a in signs for b in wholes for c in fractions
             for d in exponents for e in tails]
    words = ("inf", "-Infinity", "NaN", "-nan", "+inf", "infinit", "0x10", "0X1f", "0x1_F",
             "0x_1", "0x", "-0x10", " 0x10", "0x10 ", "0b101", "0b102", "0o17", "1e5 x",
             "true", "True", "TRUE", "t", "f", "yes", "no", "y", "n", "on", "off", " true",
             "2", "-1", "", "  ", "\u0661", "\uff11", "1,000", "1d", "1f", "0x7fffffffffffffff",
             "0x8000000000000000", "1.5e-1", "1.55e1", "-1.55e1", "123.456e2", "1e-400",
             "4e-324", "1.7976931348623157e308", "1.7976931348623159e308", "3.4028235e38",
             "3.4028236e38", "1e39", "1.4e-45", "0.1", "-0")
    return texts + list(words)


SPACES = {"text": TEXT, "pad": PAD, "position": POSITION, "width": WIDTH, "float": FLOAT,
          "date": DATE, "timestamp": TIMESTAMP, "integer": INTEGER, "json": JSON}
# coprime to every space's size above (a prime larger than all of them)
STEPS = (1, 59, 61, 67, 71)


def rows(kinds: dict[str, str], count: int | None = None, seed: int = 0,
         extra: int = 0) -> dict[str, list]:
    """Columns (name -> values) over the spaces ``kinds`` names (column -> kind): ``count`` rows
    (default: enough for every value of the largest space in every position) plus ``extra``
    seeded random ones."""
    names = list(kinds)
    spaces = [SPACES[kinds[n]] for n in names]
    count = count or max(len(s) for s in spaces) * 3
    out = {n: [] for n in names}
    for k in range(count):
        for j, (name, space) in enumerate(zip(names, spaces)):
            out[name].append(space[(k * STEPS[j % len(STEPS)] + j) % len(space)])
    rng = random.Random(seed)
    for _ in range(extra):
        for name, space in zip(names, spaces):
            out[name].append(rng.choice(space))
    return out
