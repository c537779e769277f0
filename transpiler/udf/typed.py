"""What the UDF translators share: the typed Scala expression, signatures, the refusal type,
Python's exception names, and the injective name and float-literal encodings (no stage)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ir import cellast as A
from ..ir.errors import Refusal


@dataclass(frozen=True)
class Ex:
    """A typed Scala expression; ``const`` holds a literal's Python value."""

    code: str
    type: str
    const: object = None
    # a float here that Python may hold as an int of the same value (`max(0, x)`, `1 if c
    # else x`): fine in float arithmetic, comparisons and as a float result; refused where
    # the type shows (str, formatting, `-`, arithmetic with an int)
    mixed: bool = False
    # a match (type "match"): the patterns (pyregex.PyPattern) it may come from, for its groups
    regex: tuple = ()
    # an int whose Python value is a float on some rows (`x ** n`, n < 0 at run time): the code
    # of that value where a float is wanted (`_as(e, "float")`); elsewhere `code` (a limit
    # error on those rows)
    float_code: str | None = None


@dataclass(frozen=True)
class Signature:
    """A function's Scala method name and typed parameters and result."""

    scala: str
    params: tuple[tuple[str, str], ...]
    returns: str
    defaults: tuple[tuple[str, A.Node], ...] = ()  # literal defaults of a helper's parameters


class UdfError(Refusal):
    """A construct or type error in a UDF, at a position in the cell."""


NUMERIC = ("int", "float", "bool")
# the widest field or longest precision a format spec may ask for (the translator refuses a
# wider one, the sandbox's format() raises on it)
MAX_WIDTH = 1_000_000


def too_wide(spec: str) -> bool:
    """Whether a format spec asks for a width or precision beyond :data:`MAX_WIDTH`."""
    return any(int(d) > MAX_WIDTH for d in re.findall(r"\d+", spec))

# The Python exceptions the runtime raises (PyError.pythonType), by the class an `except`
# clause names: what it catches, as in Python's hierarchy.  A bare `except:` and `Exception`
# catch them all (not PyWiden, which is no Python exception).
RAISED = ("ValueError", "ZeroDivisionError", "OverflowError", "IndexError", "KeyError",
          "TypeError", "MemoryError", "UnboundLocalError", "RuntimeError")
EXCEPTIONS = {
    "Exception": None, "ArithmeticError": ("ZeroDivisionError", "OverflowError"),
    "LookupError": ("IndexError", "KeyError"), "NameError": ("UnboundLocalError",),
    **{name: (name,) for name in RAISED},
}


def mangle(name: str) -> str:
    """An ASCII Scala identifier part for a Python identifier, injective and ending in a digit.

    ``_`` is doubled and other characters become ``_uXXXX_``, so no two names collide; the
    final ``0`` keeps Scala from reading ``p_val_:`` as the operator identifier ``val_:``.
    """
    return "".join(ch if ch.isascii() and ch.isalnum() else "__" if ch == "_" else
                   f"_u{ord(ch):04x}_" for ch in name) + "0"


def float_literal(value: float) -> str:
    text = repr(value)
    if re.match(r"^-?\d+\.\d+$", text):
        return text
    return f"java.lang.Double.longBitsToDouble(0x{_bits(value):016x}L)"


def _bits(value: float) -> int:
    import struct

    return struct.unpack("<q", struct.pack("<d", value))[0] & 0xFFFFFFFFFFFFFFFF


# Generated lines per method before a body is split (a line compiles to ~10-40 bytes of
# bytecode; the JVM refuses methods over 64 KB).
