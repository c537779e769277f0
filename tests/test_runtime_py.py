"""The Python-semantics runtime (``runtime-jvm``'s Py, PyStr, PyFormat) against Python itself,
called through JPype in the test session's JVM: property-based (hypothesis) for numbers and
strings, exhaustive over every code point for the case mappings."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from transpiler.jvm.relocate import runtime_package

pytestmark = pytest.mark.jvm
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2009\u200b\u2028\u3000"
TEXT = st.text(alphabet=st.sampled_from(list("abcAB ßİıΣσς_-.,'") + list(WHITESPACE)
                                        + ["😀", "e", "\u0301", "ǅ", "²", "٣", "𝟙"]), max_size=12)


@pytest.fixture(scope="module")
def rt(jvm):
    import jpype

    class Runtime:
        Py = jpype.JClass(f"{runtime_package()}.Py")
        PyStr = jpype.JClass(f"{runtime_package()}.PyStr")
        PyFormat = jpype.JClass(f"{runtime_package()}.PyFormat")
        PyError = jpype.JClass(f"{runtime_package()}.PyError")
        PyWiden = jpype.JClass(f"{runtime_package()}.PyWiden")
        PyBig = jpype.JClass(f"{runtime_package()}.PyBig")
        BigInteger = jpype.JClass("java.math.BigInteger")
        JLong = jpype.JLong
        JDouble = jpype.JDouble
    return Runtime


def _py_or_error(fn, *args):
    try:
        return fn(*args)
    except (ZeroDivisionError, ValueError, OverflowError, IndexError, TypeError) as exc:
        return type(exc).__name__


def _jvm_or_error(rt, fn, *args):
    try:
        value = fn(*args)
    except rt.PyError as exc:
        return str(exc.pythonType())
    return str(value) if not isinstance(value, (int, float, bool)) else value


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                       math.copysign(1, b))
    return a == b


@SETTINGS
@given(x=FLOATS)
def test_str_of_float_is_repr(rt, x):
    assert str(rt.Py.str(rt.JDouble(x))) == repr(x)


@SETTINGS
@given(x=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e18, max_value=1e18),
       n=st.integers(-6, 12))
def test_round(rt, x, n):
    assert rt.Py.round(rt.JDouble(x)) == round(x)
    assert _same(float(rt.Py.round(rt.JDouble(x), rt.JLong(n))), round(x, n))


@SETTINGS
@given(a=INT64, b=INT64)
def test_int_arithmetic_or_overflow(rt, a, b):
    for name, fn in (("add", lambda x, y: x + y), ("sub", lambda x, y: x - y),
                     ("mul", lambda x, y: x * y), ("floordiv", lambda x, y: x // y),
                     ("mod", lambda x, y: x % y)):
        expected = _py_or_error(fn, a, b)
        if isinstance(expected, int) and not -(2**63) <= expected < 2**63:
            expected = "widen"  # Python's int is unbounded: the UDF's exact variant takes over
        try:
            got = _jvm_or_error(rt, getattr(rt.Py, name), rt.JLong(a), rt.JLong(b))
        except rt.PyWiden:
            got = "widen"
        assert got == expected, (name, a, b)
    assert _same(_jvm_or_error(rt, rt.Py.truediv, rt.JLong(a), rt.JLong(b)),
                 _py_or_error(lambda x, y: x / y, a, b))


@SETTINGS
@given(a=FLOATS, b=FLOATS)
@example(a=-math.inf, b=2251799813685249.0)  # found by hypothesis: HotSpot's pow intrinsic
def test_float_division_family(rt, a, b):
    for name, fn in (("truediv", lambda x, y: x / y), ("floordiv", lambda x, y: x // y),
                     ("mod", lambda x, y: x % y), ("pow", lambda x, y: x ** y)):
        expected = _py_or_error(fn, a, b)
        if name == "pow" and a < 0 and math.isfinite(a) and math.isfinite(b) and b != int(b):
            expected = "ValueError"  # Python computes a complex result: refused at run time
        got = _jvm_or_error(rt, getattr(rt.Py, name), rt.JDouble(a), rt.JDouble(b))
        if name == "pow" and isinstance(got, float) and isinstance(expected, float) and \
                math.isfinite(expected):
            # C's pow (Python) and Java's Math.pow may round the last bit differently: float
            # ** float is in the transcendental class (within 1 ulp), like math.exp and log
            assert abs(got - expected) <= math.ulp(expected), (name, a, b, got, expected)
            continue
        assert _same(got, expected), (name, a, b, got, expected)


@SETTINGS
@given(x=INT64, y=FLOATS)
def test_int_float_comparison_is_exact(rt, x, y):
    assert bool(rt.Py.lt(rt.JLong(x), rt.JDouble(y))) == (x < y)
    assert bool(rt.Py.eq(rt.JLong(x), rt.JDouble(y))) == (x == y)
    assert bool(rt.Py.ge(rt.JLong(x), rt.JDouble(y))) == (x >= y)


@SETTINGS
@given(s=st.text(alphabet="0123456789_+- .eEinfatyINFA\u0663\u00b2\uff11", max_size=24))
def test_parse_int_and_float(rt, s):
    def py_int(t):
        v = int(t)
        return v if -(2**63) <= v < 2**63 else "widen"  # the exact variant parses it
    try:
        got = _jvm_or_error(rt, rt.Py.parseInt, s)
    except rt.PyWiden:
        got = "widen"
    assert got == _py_or_error(py_int, s)
    exact = _jvm_or_error(rt, rt.PyBig.parseInt, s)
    assert (int(exact) if isinstance(exact, str) and exact.lstrip("-").isdigit() else exact) \
        == _py_or_error(int, s)
    assert _same(_jvm_or_error(rt, rt.Py.parseFloat, s), _py_or_error(float, s))


SPECS = ["", ".2f", ".0f", "+.3f", ",.2f", "_.1f", "10.3f", "<10.1f", "^9.2f", "*>8.1e", ".3e",
         "E", ".1%", "%", "08.2f", "=+10.2f", " .4f", "g", ".3g", ".0g", ".1g", ".12g", "G",
         ">12.4G", ",g", "+.17g", "010.2g"]


@SETTINGS
@given(x=FLOATS, spec=st.sampled_from(SPECS))
def test_float_format_specs(rt, x, spec):
    assert str(rt.PyFormat.format(rt.JDouble(x), spec)) == format(x, spec)


@SETTINGS
@given(x=INT64, spec=st.sampled_from(["", "d", "+d", ",", "_", "x", "X", "o", "b", "08d", ">6",
                                       "^7", "=+8", ",.2f", ".1e"]))
def test_int_format_specs(rt, x, spec):
    assert str(rt.PyFormat.format(rt.JLong(x), spec)) == format(x, spec)


@SETTINGS
@given(x=st.one_of(st.integers(-5, 0x110005), INT64),
       spec=st.sampled_from(["c", "5c", "<3c", "^4c", "*>6c", "03c"]))
def test_int_format_c_is_a_code_point_or_overflow(rt, x, spec):
    assume(not 0xD800 <= x <= 0xDFFF)  # a lone surrogate does not cross JPype as a str
    assert _jvm_or_error(rt, rt.PyFormat.format, rt.JLong(x), spec) == \
        _py_or_error(format, x, spec)


@SETTINGS
@given(s=TEXT, sep=st.sampled_from(["a", ",", "ab", " ", "ß"]), chars=st.sampled_from(
    [" ", "a_", "ß.", "\u3000"]))
def test_strip_split_replace(rt, s, sep, chars):
    S = rt.PyStr
    assert str(S.strip(s)) == s.strip() and str(S.lstrip(s)) == s.lstrip()
    assert str(S.rstrip(s, chars)) == s.rstrip(chars)
    assert [str(p) for p in S.split(s)] == s.split()
    assert [str(p) for p in S.split(s, sep)] == s.split(sep)
    assert [str(p) for p in S.split(s, sep, rt.JLong(1))] == s.split(sep, 1)
    assert str(S.replace(s, sep, "-")) == s.replace(sep, "-")
    assert str(S.replace(s, "", "|")) == s.replace("", "|")
    assert S.count(s, sep) == s.count(sep) and S.find(s, sep) == s.find(sep)
    assert str(S.zfill(s, rt.JLong(8))) == s.zfill(8)
    assert str(S.center(s, rt.JLong(9), "*")) == s.center(9, "*")


@SETTINGS
@given(s=TEXT, start=st.integers(-15, 15) | st.none(), stop=st.integers(-15, 15) | st.none(),
       step=st.sampled_from([1, 2, 3, -1, -2, None]))
def test_slicing_and_indexing_by_code_point(rt, s, start, stop, step):
    none = rt.PyStr.NONE
    got = rt.PyStr.slice(s, rt.JLong(none if start is None else start),
                         rt.JLong(none if stop is None else stop), rt.JLong(step or 1))
    assert str(got) == s[start:stop:step]
    assert rt.PyStr.len(s) == len(s)
    if start is not None:
        assert _jvm_or_error(rt, rt.PyStr.at, s, rt.JLong(start)) == _py_or_error(
            lambda: s[start])


@SETTINGS
@given(a=TEXT, b=TEXT)
def test_string_order_is_by_code_point(rt, a, b):
    assert (rt.PyStr.compare(a, b) < 0) == (a < b)
    assert str(rt.PyStr.lower(a)) == a.lower() and str(rt.PyStr.upper(a)) == a.upper()


def _all_code_points():
    return [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]


def test_case_mappings_of_every_code_point(rt):
    # '\n' is neither cased nor case-ignorable, so each character maps on its own (and a
    # capital sigma between newlines is not final, in Python and in the runtime alike).
    text = "\n".join(_all_code_points())
    for name in ("lower", "upper", "casefold"):
        got = str(getattr(rt.PyStr, name)(text))
        expected = getattr(text, name)()
        assert got == expected, name


def test_character_classes_of_every_code_point(rt):
    """Every code point where Python says True is True on the JVM (one call per run of such
    code points); around every run boundary, and on a sample, False is False too."""
    cps = _all_code_points()
    for name in ("isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace",
                 "islower", "isupper"):
        py, jv = getattr(str, name), getattr(rt.PyStr, name)
        flags = [py(c) for c in cps]
        runs, start = [], 0
        for k in range(1, len(cps) + 1):
            if k == len(cps) or flags[k] != flags[start]:
                runs.append((start, k))
                start = k
        single = set(range(0, len(cps), 211))
        for lo, hi in runs:
            single.update((lo, hi - 1))
            if flags[lo] and name not in ("islower", "isupper"):
                assert bool(jv("".join(cps[lo:hi]))), (name, hex(ord(cps[lo])), hex(ord(cps[hi - 1])))
        wrong = [hex(ord(cps[k])) for k in sorted(single) if bool(jv(cps[k])) != flags[k]]
        assert not wrong, (name, wrong[:10])


# ---- PyDate: datetime.date / datetime / timedelta on days and microseconds -------------------

EPOCH = __import__("datetime").date(1970, 1, 1)
DAYS = st.integers(min_value=-719_162, max_value=2_932_896)  # date(1, 1, 1) .. date(9999, 12, 31)
MICROS = st.integers(min_value=-719_162 * 86_400_000_000,
                     max_value=2_932_897 * 86_400_000_000 - 1)
DELTAS = st.integers(min_value=-(2**62), max_value=2**62)


def _date(days):
    import datetime

    return EPOCH + datetime.timedelta(days=days)


def _datetime(micros):
    import datetime

    return datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=micros)


@pytest.fixture(scope="module")
def pd_(jvm):
    import jpype

    return jpype.JClass(f"{runtime_package()}.PyDate")


@SETTINGS
@given(days=DAYS)
def test_date_fields_and_text(rt, pd_, days):
    d = _date(days)
    j = rt.JLong(days)
    assert (pd_.year(j), pd_.month(j), pd_.day(j)) == (d.year, d.month, d.day)
    assert (pd_.weekday(j), pd_.toordinal(j)) == (d.weekday(), d.toordinal())
    assert str(pd_.isoformat(j)) == str(d) == d.isoformat()
    assert pd_.date(rt.JLong(d.year), rt.JLong(d.month), rt.JLong(d.day)) == days


@SETTINGS
@given(micros=MICROS)
def test_datetime_fields_and_text(rt, pd_, micros):
    t = _datetime(micros)
    j = rt.JLong(micros)
    assert (pd_.hour(j), pd_.minute(j), pd_.second(j), pd_.microsecond(j)) == \
        (t.hour, t.minute, t.second, t.microsecond)
    assert str(pd_.datetimeStr(j)) == str(t)
    assert str(pd_.isoformat(j, "T")) == t.isoformat()
    assert pd_.dateOf(j) == (t.date() - EPOCH).days


@SETTINGS
@given(micros=DELTAS)
def test_timedelta_fields_text_and_total_seconds(rt, pd_, micros):
    import datetime

    td = datetime.timedelta(microseconds=micros)
    j = rt.JLong(micros)
    assert (pd_.deltaDays(j), pd_.deltaSeconds(j), pd_.deltaMicroseconds(j)) == \
        (td.days, td.seconds, td.microseconds)
    assert str(pd_.deltaStr(j)) == str(td)
    assert _same(float(pd_.totalSeconds(j)), td.total_seconds())


@SETTINGS
@given(y=st.integers(-2, 10_001), m=st.integers(-1, 13), d=st.integers(-1, 32),
       h=st.integers(-1, 24), mi=st.integers(-1, 60), s=st.integers(-1, 60),
       us=st.integers(-1, 1_000_000))
def test_constructors_validate_like_python(rt, pd_, y, m, d, h, mi, s, us):
    import datetime

    def py(*args):
        return (datetime.datetime(*args) - datetime.datetime(1970, 1, 1)) // \
            datetime.timedelta(microseconds=1)
    got = _jvm_or_error(rt, pd_.datetime, *map(rt.JLong, (y, m, d, h, mi, s, us)))
    assert got == _py_or_error(py, y, m, d, h, mi, s, us)


@SETTINGS
@given(days=DAYS, delta=st.integers(-(10**15), 10**15), micros=MICROS)
def test_date_and_datetime_arithmetic(rt, pd_, days, delta, micros):
    import datetime

    td = datetime.timedelta(microseconds=delta)
    as_days = lambda v: (v - EPOCH).days  # noqa: E731
    as_micros = lambda v: (v - datetime.datetime(1970, 1, 1)) // datetime.timedelta(microseconds=1)  # noqa: E731,E501
    j, jd, jm = rt.JLong(days), rt.JLong(delta), rt.JLong(micros)
    assert _jvm_or_error(rt, pd_.addDays, j, jd) == \
        _py_or_error(lambda: as_days(_date(days) + td))
    assert _jvm_or_error(rt, pd_.subDays, j, jd) == \
        _py_or_error(lambda: as_days(_date(days) - td))
    assert _jvm_or_error(rt, pd_.addMicros, jm, jd) == \
        _py_or_error(lambda: as_micros(_datetime(micros) + td))


@SETTINGS
@given(s=st.text(alphabet="ab|", max_size=10), sep=st.sampled_from(["a", "aa", "ab", "|", ""]),
       i=st.integers(-4, 4))
def test_split_item_is_split_then_index(rt, s, sep, i):
    assert _jvm_or_error(rt, rt.PyStr.splitItem, s, sep, rt.JLong(i)) == \
        _py_or_error(lambda: s.split(sep)[i])


# ---- PyBig: the exact variant's ints against Python's ------------------------------------------

BIG = st.integers(min_value=-(2**200), max_value=2**200) | INT64 | st.integers(-3, 3)


def _big(rt, x: int):
    return rt.BigInteger(str(x))


def _pyint(value) -> int:
    return int(str(value.toString()))


@SETTINGS
@given(a=BIG, b=BIG, k=st.integers(-3, 140))
def test_exact_ints_are_pythons(rt, a, b, k):
    B = rt.PyBig
    ops = (("add", lambda x, y: x + y), ("sub", lambda x, y: x - y), ("mul", lambda x, y: x * y),
           ("floordiv", lambda x, y: x // y), ("mod", lambda x, y: x % y),
           ("and", lambda x, y: x & y), ("or", lambda x, y: x | y), ("xor", lambda x, y: x ^ y),
           ("gcd", __import__("math").gcd), ("min", min), ("max", max))
    for name, fn in ops:
        expected = _py_or_error(fn, a, b)
        method = getattr(B, f"{name}_" if name in ("and", "or") else name)  # JPype's names
        got = _jvm_or_error(rt, method, _big(rt, a), _big(rt, b))
        got = int(got) if isinstance(got, str) and got.lstrip("-").isdigit() else got
        assert got == expected, (name, a, b)
    for name, fn in (("lshift", lambda x, n: x << n), ("rshift", lambda x, n: x >> n),
                     ("pow", lambda x, n: x ** n)):
        if name == "pow" and k > 40:
            continue
        expected = _py_or_error(fn, a, k)
        if name == "pow" and k < 0:
            expected = "TypeError"  # statically int: Python's float result is refused here
        got = _jvm_or_error(rt, getattr(B, name), _big(rt, a), _big(rt, k))
        got = int(got) if isinstance(got, str) and got.lstrip("-").isdigit() else got
        assert got == expected, (name, a, k)
    assert _same(_jvm_or_error(rt, B.truediv, _big(rt, a), _big(rt, b)),
                 _py_or_error(lambda x, y: x / y, a, b)), (a, b)
    assert _same(_jvm_or_error(rt, B.toFloat, _big(rt, a)), _py_or_error(float, a))
    assert B.cmp(_big(rt, a), rt.JDouble(float(b))) == ((a > float(b)) - (a < float(b)))
    assert str(B.str(_big(rt, a))) == str(a)
    assert _jvm_or_error(rt, B.result, _big(rt, a)) == (
        a if -(2**63) <= a < 2**63 else "OverflowError")


@SETTINGS
@given(x=FLOATS)
def test_exact_float_to_int_conversions(rt, x):
    import math

    for name, fn in (("toInt", int), ("floor", math.floor), ("ceil", math.ceil),
                     ("round", round)):
        expected = _py_or_error(fn, x)
        got = _jvm_or_error(rt, getattr(rt.PyBig, name), rt.JDouble(x))
        got = int(got) if isinstance(got, str) and got.lstrip("-").isdigit() else got
        assert got == expected, (name, x)


@SETTINGS
@given(s=TEXT, old=st.sampled_from(["a", "", "ab", " ", "ß"]), count=st.integers(-1, 3),
       keep=st.booleans())
def test_more_str_methods(rt, s, old, count, keep):
    S = rt.PyStr
    text = s + "\r\n" + s + "\x1c" + s
    assert str(S.replace(s, old, "-", rt.JLong(count))) == s.replace(old, "-", count)
    assert [str(p) for p in S.splitlines(text, keep)] == text.splitlines(keep)
    assert [str(p) for p in S.splitlines(s)] == s.splitlines()
    if old:
        assert [str(p) for p in S.rsplit(s, old, rt.JLong(count))] == s.rsplit(old, count)
    assert str(S.removeprefix(s, old)) == s.removeprefix(old)
    assert str(S.removesuffix(s, old)) == s.removesuffix(old)
    assert _jvm_or_error(rt, S.rindex, s, old) == _py_or_error(s.rindex, old)
    for name in ("title", "capitalize", "swapcase"):
        assert str(getattr(S, name)(s)) == getattr(s, name)(), name
    assert bool(S.istitle(s)) == s.istitle() and bool(S.isascii(s)) == s.isascii()


def test_title_capitalize_swapcase_of_every_code_point(rt):
    # each code point after a cased and after an uncased one, and as a word of its own
    for sep in ("\n", "A", "a"):
        text = sep.join(_all_code_points())
        for name in ("title", "capitalize", "swapcase"):
            got = str(getattr(rt.PyStr, name)(text))
            assert got == getattr(text, name)(), (name, sep)
    wrong = [hex(ord(c)) for c in _all_code_points()[::7] if bool(rt.PyStr.istitle(c + "a"))
             != (c + "a").istitle()]
    assert not wrong, wrong[:10]


@SETTINGS
@given(x=FLOATS, y=FLOATS)
def test_math_functions_and_their_errors(rt, x, y):
    """Within an ulp of CPython's (fdlibm on the JVM, the C library in CPython), with the same
    domain and range errors."""
    import math

    def close(a, b):
        if isinstance(a, str) or isinstance(b, str):
            return a == b
        if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b) or a == 0 or b == 0:
            return _same(a, b) or (a == b == 0)
        return abs(a - b) <= 4 * math.ulp(b)

    for name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
                 "acosh", "atanh", "expm1", "exp2", "cbrt", "radians", "degrees"):
        expected = _py_or_error(getattr(math, name), x)
        got = _jvm_or_error(rt, getattr(rt.Py, name), rt.JDouble(x))
        assert close(got, expected), (name, x, got, expected)
    for name in ("atan2", "hypot", "remainder"):
        expected = _py_or_error(getattr(math, name), x, y)
        got = _jvm_or_error(rt, getattr(rt.Py, name), rt.JDouble(x), rt.JDouble(y))
        assert close(got, expected), (name, x, y, got, expected)
    assert bool(rt.Py.isclose(rt.JDouble(x), rt.JDouble(y))) == math.isclose(x, y)


# Floats where a sort's result depends on its steps: NaNs (never less, never greater), the two
# zeros (equal, told apart by their sign), infinities; below 64 items CPython's own algorithm.
SORTABLE = st.sampled_from([math.nan, 0.0, -0.0, 1.0, -1.0, 2.5, math.inf, -math.inf, 1e-300])


def _bits(xs) -> list:
    return [("nan" if math.isnan(x) else (x, math.copysign(1.0, x))) for x in xs]


@SETTINGS
@given(st.lists(SORTABLE, max_size=63), st.booleans())
def test_float_sort_reproduces_cpython_with_nans_and_zeros(rt, xs, reverse):
    import jpype

    PyList = jpype.JClass(f"{runtime_package()}.PyList")
    got = list(PyList.sorted(jpype.JArray(jpype.JDouble)(xs), reverse))
    assert _bits(got) == _bits(sorted(xs, reverse=reverse))


@SETTINGS
@given(st.lists(SORTABLE, min_size=64, max_size=200), st.booleans())
def test_long_float_sorts_agree_or_refuse_with_a_nan(rt, xs, reverse):
    import jpype

    PyList = jpype.JClass(f"{runtime_package()}.PyList")
    arr = jpype.JArray(jpype.JDouble)(xs)
    if any(math.isnan(x) for x in xs):
        with pytest.raises(rt.PyError):
            PyList.sorted(arr, reverse)
    else:
        assert _bits(list(PyList.sorted(arr, reverse))) == _bits(sorted(xs, reverse=reverse))


@SETTINGS
@given(st.lists(st.sampled_from(["a", "B", "", "ß", "😀", "\uffff", "a\u0301"]), max_size=12),
       st.one_of(st.none(), st.integers(-15, 15)), st.one_of(st.none(), st.integers(-15, 15)),
       st.one_of(st.none(), st.integers(-4, 4).filter(bool), st.sampled_from([2**63 - 1,
                                                                               -(2**63 - 1)])),
       st.booleans())
def test_list_slices_sorts_and_counts(rt, xs, start, stop, step, reverse):
    import jpype

    PyList = jpype.JClass(f"{runtime_package()}.PyList")
    NONE = rt.PyStr.NONE
    arr = jpype.JArray(jpype.JString)(xs)
    got = PyList.slice(arr, NONE if start is None else start, NONE if stop is None else stop,
                       1 if step is None else step)
    assert list(got) == xs[start:stop:step]
    assert list(PyList.sorted(arr, reverse)) == sorted(xs, reverse=reverse)
    assert PyList.distinct(arr) == len(set(xs))
    assert list(PyList.reversed(arr)) == xs[::-1]


def _all_characters(sep: str = "\n") -> str:
    # each code point alone between starters that compose with nothing: one call per form
    return sep.join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


def _first_difference(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"at {i}: {a[max(0, i - 5):i + 5]!r} vs {b[max(0, i - 5):i + 5]!r}"
    return f"lengths {len(a)} vs {len(b)}"


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_normalization_of_every_code_point_is_pythons(rt, form):
    import unicodedata

    import jpype

    U = jpype.JClass(f"{runtime_package()}.PyUnicodedata")
    text = _all_characters()
    want = unicodedata.normalize(form, text)
    got = str(U.normalize(form, text))
    assert got == want, _first_difference(got, want)


# sequences where order and composition matter: marks of different classes, Hangul jamo and
# syllables, composites, compatibility characters, excluded composites, singletons
NORM_ALPHABET = ["a", "A", "e", "o", "u", "\u0301", "\u0300", "\u0327", "\u0323", "\u0308",
                 "\u031b", "\u0345", "\u0344", "\u05b0", "\u0591", "\u1100", "\u1161", "\u11a8",
                 "\uac00", "\uac01", "\u00e9", "\u1e08", "\u0958", "\u2126", "\u212b", "\ufb01",
                 "\u00bd", "\u3200", "\u1f80", "\u0f73", "\u0f77", "\u09cb", "\u0b4b", "\U0001d15e",
                 "\u0cca", "\u1b3b", "\u2000", "\u00a0", "x"]


@SETTINGS
@given(st.lists(st.sampled_from(NORM_ALPHABET), max_size=10).map("".join))
def test_normalization_of_mark_sequences_is_pythons(rt, s):
    import unicodedata

    import jpype

    U = jpype.JClass(f"{runtime_package()}.PyUnicodedata")
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        assert str(U.normalize(form, s)) == unicodedata.normalize(form, s), form
        assert bool(U.isNormalized(form, s)) == unicodedata.is_normalized(form, s), form


def test_category_and_combining_class_of_every_run(rt):
    import unicodedata

    import jpype

    U = jpype.JClass(f"{runtime_package()}.PyUnicodedata")
    # a category is constant between its changes: checking every change and the code point
    # before it covers each run's both ends
    edges, prev = set(), None
    for c in range(sys.maxunicode + 1):
        cat = unicodedata.category(chr(c))
        if cat != prev:
            edges |= {c, c - 1}
            prev = cat
    for c in sorted(e for e in edges if e >= 0 and not 0xD800 <= e < 0xE000):
        ch = chr(c)
        assert str(U.category(ch)) == unicodedata.category(ch), hex(c)
        assert U.combining(ch) == unicodedata.combining(ch), hex(c)
    with pytest.raises(rt.PyError, match="must be a unicode character"):
        U.category("ab")
    with pytest.raises(rt.PyError, match="invalid normalization form"):
        U.normalize("NFX", "a")


def test_repr_and_ascii_of_every_code_point(rt):
    # one string holding every code point: repr escapes exactly the non-printable ones
    text = _all_characters(sep="")
    assert str(rt.PyStr.repr(text)) == repr(text)
    assert str(rt.PyStr.ascii(text)) == ascii(text)


def _edges(pred) -> list[int]:
    out, prev = set(), None
    for c in range(sys.maxunicode + 1):
        if 0xD800 <= c < 0xE000:
            continue
        v = pred(chr(c))
        if v != prev:
            out |= {c, c - 1}
            prev = v
    return sorted(c for c in out if c >= 0 and not 0xD800 <= c < 0xE000)


def test_isidentifier_and_isprintable_at_every_change(rt):
    for c in _edges(str.isidentifier) + _edges(lambda ch: ("a" + ch).isidentifier()):
        for s in (chr(c), "a" + chr(c), "_" + chr(c) + "1"):
            assert bool(rt.PyStr.isidentifier(s)) == s.isidentifier(), hex(c)
    for c in _edges(str.isprintable):
        assert bool(rt.PyStr.isprintable(chr(c))) == chr(c).isprintable(), hex(c)


@SETTINGS
@given(s=TEXT, sep=st.sampled_from(["a", "ab", " ", "ß", "😀", "\t"]),
       tab=st.integers(-2, 9))
def test_partition_expandtabs_and_repr(rt, s, sep, tab):
    s = s.replace("b", "\t")
    assert list(rt.PyStr.partition(s, sep)) == list(s.partition(sep))
    assert list(rt.PyStr.rpartition(s, sep)) == list(s.rpartition(sep))
    assert str(rt.PyStr.expandtabs(s, rt.JLong(tab))) == s.expandtabs(tab)
    assert str(rt.PyStr.repr(s + "'\"\\")) == repr(s + "'\"\\")


def _widen_or(rt, fn, *args):
    try:
        return _jvm_or_error(rt, fn, *args)
    except rt.PyWiden:
        return "PyWiden"


@SETTINGS
@given(xs=st.lists(st.one_of(FLOATS, st.sampled_from([1e308, -1e308, 1e-308, 5e-324, 0.1, 1e16])),
                   max_size=12),
       i=st.integers(-2300, 2300))
def test_fsum_ldexp_frexp_modf(rt, xs, i):
    import jpype

    assert _same(_jvm_or_error(rt, rt.Py.fsum, jpype.JArray(jpype.JDouble)(xs)),
                 _py_or_error(math.fsum, xs))
    for x in xs[:3]:
        assert _same(_jvm_or_error(rt, rt.Py.ldexp, x, rt.JLong(i)),
                     _py_or_error(math.ldexp, x, i)), (x, i)
        m, e = math.frexp(x)
        assert _same(rt.Py.frexpMantissa(x), m) and rt.Py.frexpExponent(x) == e, x
        f, w = math.modf(x)
        assert _same(rt.Py.modfFrac(x), f) and _same(rt.Py.modfInt(x), w), x


@SETTINGS
@given(n=st.integers(-3, 120), k=st.integers(-3, 120), a=INT64, b=st.integers(-10**6, 10**6))
def test_comb_perm_lcm_exact(rt, n, k, a, b):
    def big(v):
        return rt.BigInteger(str(v))
    for py, fast, exact in ((math.comb, rt.Py.comb, rt.PyBig.comb),
                            (math.perm, rt.Py.perm, rt.PyBig.perm)):
        want = _py_or_error(py, n, k)
        got = _jvm_or_error(rt, exact, big(n), big(k))
        assert (int(got) if isinstance(want, int) else got) == want
        got = _widen_or(rt, fast, rt.JLong(n), rt.JLong(k))
        assert got == want or got == "PyWiden" and not -(2**63) <= want < 2**63
    want = math.lcm(a, b)
    assert int(str(rt.PyBig.lcm(big(a), big(b)))) == want
    got = _widen_or(rt, rt.Py.lcm, rt.JLong(a), rt.JLong(b))
    assert got == want or got == "PyWiden" and want >= 2**63
