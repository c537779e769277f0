"""Where notebook code runs in our process (the notebook side of a UDF, in ``verify`` and the
golden rows): names that expose only the allowlisted parts of the standard library, and an audit
hook that aborts on any file, process, socket, import or code event while it runs.

The body itself is compiled from the checked AST (:mod:`transpiler.ir.pyast`), so it can only do what
the UDF translator accepted; this is the wall behind that one. ``datetime`` is a namespace of its
three classes (the real module would hand out ``datetime.sys``), ``math`` one of its public
functions and constants, and the builtins are the few the UDF tables name.
"""

from __future__ import annotations

import builtins
import datetime
import math
import unicodedata
import operator
import os
import re
import string
import sys
import threading
import time
from types import MappingProxyType, SimpleNamespace

from .typed import MAX_WIDTH, too_wide
from .udf_tables import STRING_CONSTANTS

# The budget of one UDF call: the notebook side must end (a `while True:` body once hung
# `build`); checked at every function entry and loop iteration, the clock every 4096 of them.
CALL_SECONDS = 5.0
CALL_TICKS = 50_000_000
# and its memory: what a call may add to the process (checked every 16,384 steps)
CALL_BYTES = 2 << 30
_STATM: int | None = None
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

BUILTINS = ("len", "abs", "min", "max", "round", "int", "float", "str", "bool", "ord", "chr",
            "range", "sum", "any", "all", "list", "pow", "sorted", "reversed", "tuple", "set",
            "dict", "enumerate", "zip", "divmod", "isinstance", "repr", "ascii", "format",
            "True", "False", "None",
            # the exceptions a UDF may catch or raise (udf_scala's EXCEPTIONS)
            "Exception", "ArithmeticError", "LookupError", "ValueError", "ZeroDivisionError",
            "OverflowError", "IndexError", "KeyError", "TypeError", "MemoryError",
            "NameError", "UnboundLocalError", "RuntimeError")
DATETIME = ("date", "datetime", "timedelta")


class SandboxViolation(BaseException):
    """Notebook code tried something outside its sandbox (a BaseException: no ``except
    Exception`` in the body can swallow it)."""


def _public(module) -> SimpleNamespace:
    return SimpleNamespace(**{n: getattr(module, n) for n in dir(module) if not n.startswith("_")})


MATH = _public(math)
UNICODEDATA = SimpleNamespace(**{n: getattr(unicodedata, n) for n in (
    "normalize", "is_normalized", "category", "combining")})
# re: the functions the translator takes (udf_regex.FUNCTIONS) and the flags it accepts; a
# pattern is a literal the translator checked (a nested repetition that could backtrack
# exponentially is refused there, so a call here ends)
RE = SimpleNamespace(**{n: getattr(re, n) for n in (
    "match", "search", "fullmatch", "sub", "findall", "finditer", "split", "escape",
    "I", "IGNORECASE", "S", "DOTALL", "M", "MULTILINE", "X", "VERBOSE", "U", "UNICODE", "A",
    "ASCII",
    "NOFLAG")})


class CompiledPattern:
    """A compiled pattern as notebook code sees it: each method is ``re``'s module function
    (a Pattern's own C methods import ``re`` from the calling frame, the body's, whose builtins
    have no ``__import__``)."""

    __slots__ = ("_pattern",)

    def __init__(self, pattern: re.Pattern):
        self._pattern = pattern

    def match(self, string):
        return re.match(self._pattern, string)

    def search(self, string):
        return re.search(self._pattern, string)

    def fullmatch(self, string):
        return re.fullmatch(self._pattern, string)

    def sub(self, repl, string, count=0):
        return _re_sub(self._pattern, repl, string, count)

    def findall(self, string):
        return re.findall(self._pattern, string)

    def finditer(self, string):
        return re.finditer(self._pattern, string)

    def split(self, string, maxsplit=0):
        return re.split(self._pattern, string, maxsplit)


def _re_sub(pattern, repl, string, count=0, flags=0):
    """``re.sub``, its result bounded as ``str.replace``'s is (a template repeats its groups:
    ``\\1\\1\\1`` of a long match): each replacement is expanded and counted as it is made."""
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
    total = [len(string)]

    def one(m):
        piece = m.expand(repl)
        total[0] += len(piece)
        if total[0] > MAX_LENGTH:
            raise _too_large(f"a string of more than {MAX_LENGTH:,} characters")
        return piece
    return re.sub(compiled, one, string, count)


RE.compile = lambda pattern, flags=0: CompiledPattern(re.compile(pattern, flags))
RE.sub = _re_sub


def constant(value):
    """A constant of the cell as the body reads it (a compiled pattern through its proxy)."""
    return CompiledPattern(value) if isinstance(value, re.Pattern) else value
STRING = SimpleNamespace(**{n: getattr(string, n) for n in STRING_CONSTANTS})
MATH.factorial = None  # bound below, once _factorial is defined
DATETIME_MODULE = SimpleNamespace(**{n: getattr(datetime, n) for n in DATETIME})


def namespace(names: tuple[tuple[str, str], ...]) -> dict:
    """The globals of a UDF body: ``names`` says what ``datetime``/``date``/... name in the cell
    (``"module"`` or one of the classes)."""
    from ..ir.pyast import BINOP, METHOD, TICK

    bounded = {"pow": _pow, "format": _format,
               **{n: _collecting(getattr(builtins, n))
                  for n in ("list", "tuple", "set", "dict", "sorted")},
               **{n: _consuming(getattr(builtins, n))
                  for n in ("sum", "min", "max", "any", "all")}}
    env: dict = {"__builtins__": MappingProxyType({n: bounded.get(n, getattr(builtins, n))
                                                   for n in BUILTINS}),
                 "math": MATH, "unicodedata": UNICODEDATA, "re": RE, "string": STRING,
                 TICK: _tick, BINOP: _binop, METHOD: _method}
    for name, kind in names:
        env[name] = DATETIME_MODULE if kind == "module" else getattr(datetime, kind)
    return env


_STATE = threading.local()
_INSTALLED = False
_LOCK = threading.Lock()


def _hook(event: str, args) -> None:
    if getattr(_STATE, "depth", 0) > 0:
        _STATE.violation = event
        raise SandboxViolation(f"notebook code attempted '{event}', which nb2jvm never allows "
                               "while it runs a UDF body")


def _install() -> None:
    global _INSTALLED
    with _LOCK:
        if not _INSTALLED:
            _resident()  # opens /proc/self/statm now: no guarded call may open a file
            sys.addaudithook(_hook)  # process-wide and permanent: inert outside guarded()
            _INSTALLED = True


# What one operation of a UDF body may build (a UDF returns a BIGINT or a string value).
MAX_BITS = 1 << 20
MAX_LENGTH = 10_000_000
_BINOPS = {"**": operator.pow, "*": operator.mul, "<<": operator.lshift}


def _too_large(what: str) -> SandboxViolation:
    return SandboxViolation(f"a UDF operation would build {what}")


def _binop(op: str, a, b):
    if isinstance(a, int) and isinstance(b, int):
        bits = {"**": a.bit_length() * b if b > 0 else 0, "<<": b + a.bit_length(),
                "*": a.bit_length() + b.bit_length()}[op]
        if bits > MAX_BITS:
            raise _too_large(f"an integer of more than {MAX_BITS:,} bits")
    elif op == "*":
        seq, n = (a, b) if isinstance(b, int) else (b, a)
        if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) and \
                len(seq) * n > MAX_LENGTH:
            raise _too_large(f"a sequence of more than {MAX_LENGTH:,} items")
    return _BINOPS[op](a, b)


def _pow(a, b, m=None):
    """The builtin ``pow``: two arguments are ``a ** b``, bounded as the operator is."""
    return _binop("**", a, b) if m is None else pow(a, b, m)


def _factorial(n):
    """``math.factorial``, bounded: one C call would otherwise build any size of int."""
    if isinstance(n, int) and n > 2 and math.lgamma(n + 1) / math.log(2) > MAX_BITS:
        raise _too_large(f"an integer of more than {MAX_BITS:,} bits")
    return math.factorial(n)


MATH.factorial = _factorial


def _log2_choose(n, k, perm: bool) -> float:
    return (math.lgamma(n + 1) - math.lgamma(n - k + 1) - (0 if perm else math.lgamma(k + 1))
            ) / math.log(2)


def _comb(n, k):
    """``math.comb``/``math.perm``, bounded as ``factorial`` is."""
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n and \
            _log2_choose(n, k, False) > MAX_BITS:
        raise _too_large(f"an integer of more than {MAX_BITS:,} bits")
    return math.comb(n, k)


def _perm(n, k=None):
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n and \
            _log2_choose(n, k, True) > MAX_BITS:
        raise _too_large(f"an integer of more than {MAX_BITS:,} bits")
    return _factorial(n) if k is None else math.perm(n, k)


def _lcm(*xs):
    if sum(abs(x).bit_length() for x in xs if isinstance(x, int)) > MAX_BITS:
        raise _too_large(f"an integer of more than {MAX_BITS:,} bits")
    return math.lcm(*xs)


def _prod(xs, *, start=1):
    """``math.prod`` as a loop: each product bounded as ``*`` is."""
    acc = start
    for x in xs:
        _tick()
        acc = _binop("*", acc, x)
    return acc


MATH.comb, MATH.perm, MATH.lcm, MATH.prod = _comb, _perm, _lcm, _prod


def _format(value, spec=""):
    """``format`` with its widths and precisions bounded (as the translator bounds them)."""
    if isinstance(spec, str) and too_wide(spec):
        raise _too_large(f"a formatted field wider than {MAX_WIDTH:,} characters")
    return format(value, spec)


# what a builtin may run over in one C call without a step of the budget: built values
_BUILT = (list, tuple, str, set, frozenset, dict)


def _ticked(items):
    for item in items:
        _tick()
        yield item


def _collecting(build):
    """``list``/``tuple``/``set``/``dict``/``sorted`` of a sized argument (``range(10**12)``)
    refused beyond the sequence bound before one C call builds it; an iterator (``zip(...)``,
    ``reversed(range(...))``) runs through a generator that ticks, as loops do."""
    def bounded(*args, **kwargs):
        if args and hasattr(args[0], "__len__") and len(args[0]) > MAX_LENGTH:
            raise _too_large(f"a sequence of more than {MAX_LENGTH:,} items")
        if args and not isinstance(args[0], _BUILT):
            args = (_ticked(args[0]), *args[1:])
        return build(*args, **kwargs)
    bounded.__name__ = build.__name__
    return bounded


def _consuming(fold):
    """``sum``/``min``/``max``/``any``/``all`` of an iterator or a range: one C loop that the
    budget would never see (``sum(range(10**12))``) steps through a generator that ticks."""
    def bounded(*args, **kwargs):
        if args and not isinstance(args[0], _BUILT) and (len(args) == 1 or fold is sum):
            args = (_ticked(args[0]), *args[1:])
        return fold(*args, **kwargs)
    bounded.__name__ = fold.__name__
    return bounded


def _method(obj, name: str, *args):
    if isinstance(obj, str):
        width = args[0] if args and isinstance(args[0], int) else 0
        if name in ("zfill", "ljust", "rjust", "center") and width > MAX_LENGTH or \
                name == "expandtabs" and len(obj) * max(width, 8) > MAX_LENGTH or \
                name == "replace" and len(args) >= 2 and isinstance(args[0], str) and \
                isinstance(args[1], str) and len(obj) + (obj.count(args[0]) if args[0] else
                                                        len(obj) + 1) * len(args[1]) > MAX_LENGTH:
            raise _too_large(f"a string of more than {MAX_LENGTH:,} characters")
    return getattr(obj, name)(*args)


def _resident() -> int | None:
    """This process's resident memory in bytes (Linux), read without an audited ``open``."""
    global _STATM
    try:
        if _STATM is None:
            _STATM = os.open("/proc/self/statm", os.O_RDONLY)
        return int(os.pread(_STATM, 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _tick() -> None:
    _STATE.ticks = getattr(_STATE, "ticks", 0) + 1
    if _STATE.ticks > CALL_TICKS or (_STATE.ticks & 0xFFF == 0 and time.monotonic()
                                     > getattr(_STATE, "deadline", float("inf"))):
        raise SandboxViolation(f"a UDF call ran longer than {CALL_SECONDS:.0f} s or "
                               f"{CALL_TICKS:,} steps")
    if _STATE.ticks & 0x3FFF == 0:
        # a loop filling a dict, set or list: the growth since the call's first checkpoint
        now = _resident()
        base = getattr(_STATE, "resident", None)
        if base is None:
            _STATE.resident = now
        elif now is not None and now - base > CALL_BYTES:
            raise SandboxViolation(f"a UDF call grew the process by more than "
                                   f"{CALL_BYTES >> 20:,} MiB")


def guarded(fn, label: str):
    """``fn`` wrapped so that every call runs under the audit hook; a violation is re-raised
    after the call even if the body caught it."""
    _install()

    def call(*args):
        _STATE.depth = getattr(_STATE, "depth", 0) + 1
        _STATE.violation = None
        _STATE.ticks, _STATE.deadline = 0, time.monotonic() + CALL_SECONDS
        _STATE.resident = None
        try:
            result = fn(*args)
        finally:
            _STATE.depth -= 1
        if _STATE.violation is not None:
            raise SandboxViolation(f"UDF {label} attempted '{_STATE.violation}'")
        return result

    call.__name__ = getattr(fn, "__name__", "udf")
    return call
