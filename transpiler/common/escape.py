"""Where a user's string becomes part of generated text: one function per target.

(Two targets keep their rule beside their generator, with the same contract: Scala string
constants in ``transpiler.udf.udf_scala.Constants``, SQL literals and identifiers in
``transpiler.lowering.lower``, where sqlglot quotes them.)

Names and strings come from notebooks, data-file headers and recorded outputs, all untrusted.
Each target has its own trap, so each has its own rule:

* **Java source**: javac turns every ``\\uXXXX`` into its character *before* lexing, anywhere in
  the file (a ``\\u002a/`` ends a comment, a ``\\u0022`` ends a string, a ``\\u000a`` ends a
  ``//`` comment). So no ``\\u`` ever appears in what we write: string literals use the lexer's
  own escapes for ``"`` and ``\\``, octal escapes for control characters, and non-ASCII text is
  built from code points at run time; comments carry printable ASCII only, the rest as HTML
  character references ``&#N;`` (Javadoc shows them as the character; no ``*/``, no ``@`` tag,
  no line break, no backslash, no unbalanced brace can appear).
* **Scala source**: the same rules (``transpiler.udf.udf_scala.Constants`` builds strings from code
  points; comments go through :func:`comment`).
* **XML**: the five predefined entities, and characters XML 1.0 cannot carry at all refused.
* **JAR manifest**: a header value ends at CR or LF, so those (and NUL) are refused.
* **File and zip-entry names**: plain ASCII names are kept; anything else (``..``, ``/``,
  control characters, non-ASCII) gets a readable part and a hash.
* **Maven coordinates**: validated against Maven's own id rule (``[A-Za-z0-9_.-]+``) and a
  version rule without separators, whitespace or expressions.

>>> java_string('say "hi" \\\\u0022')
'"say \\\\"hi\\\\" \\\\\\\\u0022"'
>>> comment("x */ static {} \\\\u002a/")
'x &#42;&#47; static &#123;&#125; &#92;u002a&#47;'
"""

from __future__ import annotations

import hashlib
import re

from ..ir.errors import InputError, Span, error

# ---- Java / Scala ------------------------------------------------------------------------

_JAVA_SIMPLE = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                "\f": "\\f"}


def _java_ascii_literal(text: str) -> str:
    out = []
    for ch in text:
        if ch in _JAVA_SIMPLE:
            out.append(_JAVA_SIMPLE[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")  # an octal escape is lexed, never pre-decoded
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def java_string(text: str) -> str:
    """A Java expression whose value is ``text``: a literal for ASCII text, else a String built
    from code points (so no ``\\u`` escape and no non-ASCII character is in the source)."""
    if text.isascii():
        return _java_ascii_literal(text)
    points = ", ".join(str(ord(c)) for c in text)
    return f"new String(new int[] {{{points}}}, 0, {len(text)})"


# Spark SQL string literals: Spark's parser (unescapeSQLString) knows \b \n \r \t \0 \Z \\
# \' \" and \uXXXX, and reads any other backslash pair as the character alone ('\v' is "v").
# sqlglot writes \a \f \v for BEL, FF and VT, which Spark would read as letters: every control
# character that has no escape Spark knows is written as \uXXXX.
SPARK_SQL_ESCAPES = {
    **{chr(c): f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
    "\b": "\\b", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\",
}


_COMMENT_SAFE = re.compile(r"[A-Za-z0-9 _.,:;=+()\[\]#'!?$^|~%-]")


def comment(text: str) -> str:
    """Text that is safe inside any Java or Scala comment (``//``, ``/* */``, Javadoc): printable
    ASCII that can neither end the comment nor start a tag, an escape or an inline tag; every
    other character as an HTML character reference."""
    return "".join(ch if _COMMENT_SAFE.fullmatch(ch) else f"&#{ord(ch)};" for ch in text)


# ---- XML ---------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str, what: str = "a value") -> str:
    """``text`` escaped for XML element content and attributes; refused if XML cannot hold it."""
    if _XML_BAD.search(text):
        raise error("OUT010", f"{what} contains a character XML cannot carry: {text!r}",
                    cls=InputError)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


# ---- JAR manifest ------------------------------------------------------------------------


def manifest_value(text: str, what: str) -> str:
    """A JAR manifest header value; CR, LF and NUL would start a new header and are refused."""
    if re.search(r"[\r\n\x00]", text):
        raise error("OUT011", f"{what} contains a line break or NUL, which would inject a JAR "
                    f"manifest header: {text!r}", cls=InputError)
    return text


# ---- files and zip entries ---------------------------------------------------------------

_FILE_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}")


def file_component(name: str) -> str:
    """A single path component for a file named after ``name``: ``name`` itself when it is a
    plain ASCII name (not ``.``/``..``, no separator), else a readable part plus a hash."""
    if _FILE_SAFE.fullmatch(name) and ".." not in name:
        return name
    readable = re.sub(r"[^A-Za-z0-9_]+", "_", name)[:40].strip("_") or "x"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable}-{digest}"


# ---- Maven coordinates -------------------------------------------------------------------

_MAVEN_ID = re.compile(r"[A-Za-z0-9_.-]+")
_MAVEN_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


def maven_coordinates(group_id: str, artifact_id: str, version: str) -> None:
    """Refuse coordinates Maven would not accept, or that could leave their directory or inject
    into a manifest, a pom or a path (``sql/../../X``, CR/LF, ``${...}``)."""
    for what, value, rule in (("--group-id", group_id, _MAVEN_ID),
                              ("--artifact-id", artifact_id, _MAVEN_ID),
                              ("--version", version, _MAVEN_VERSION)):
        if not rule.fullmatch(value) or value in (".", "..") or ".." in value \
                or len(value) > 200:
            raise error("OUT012", f"{what} {value!r} is not a valid Maven coordinate",
                        Span(), hint="use letters, digits and . _ - (and + in a version), "
                        "e.g. --group-id com.example.features --version 1.2.0",
                        cls=InputError)
