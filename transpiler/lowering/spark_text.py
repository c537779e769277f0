"""Text rules of nb2jvm's Spark compiler: regexes (RE2 translated to java.util.regex, RE2's
replace and split loops in the runtime), split on literal text, DuckDB's case mapping and
strptime (tests/test_regex.py, tests/test_strptime.py)."""

from __future__ import annotations

import string

import sqlglot as sg
import sqlglot.expressions as sge
import ibis.expr.operations as ops

from .regex import quote, to_java
from .spark_sql import NULL, cast


# What DuckDB's strip()/lstrip()/rstrip() remove (ibis's rule: Python's string.whitespace).
_WHITESPACE = sge.Literal.string(string.whitespace)


class TextRules:
    """Strings as DuckDB treats them."""

    def visit_RegexSearch(self, op, *, arg, pattern):
        # DuckDB's regexes are RE2, Spark's java.util.regex: the pattern is translated so that it
        # matches the same strings (`.`, `$`, `\s`, `\b`, POSIX classes differ; transpiler/lowering/regex.py)
        return self.f.regexp_like(arg, self._java_regex(op.pattern))

    def visit_RegexExtract(self, op, *, arg, pattern, index):
        # the RE2 pattern translated to Java (see visit_RegexSearch)
        return self.f.regexp_extract(arg, self._java_regex(op.pattern), index)

    def visit_RegexReplace(self, op, *, arg, pattern, replacement):
        # Spark's regexp_replace loops with Java's Matcher.find(), which replaces an empty match
        # right after the previous match (RE2 does not) and can step into the middle of a
        # character; its replacement syntax differs too ($1 vs \1): the runtime's RE2 loop
        # (Re2Replace.java) on the translated pattern, with the replacement as written
        return self.f.nb2jvm_re2_replace(arg, self._java_regex(op.pattern), replacement)

    def visit_RegexSplit(self, op, *, arg, pattern):
        # DuckDB splits by searching each rest of the string as a text of its own (anchors at
        # its start) and cuts one character off at an empty match; Spark's split follows Java's
        # String.split: the runtime's loop (Re2Split.java) on the translated pattern
        return self.f.nb2jvm_re2_split(arg, self._java_regex(op.pattern))

    def visit_StringSplit(self, op, *, arg, delimiter):
        # DuckDB splits on the delimiter's text; Spark's split() takes a regex: quote it
        return self.f.split(arg, sge.Literal.string(quote(op.delimiter.value)), -1)

    @staticmethod
    def _java_regex(pattern: ops.Literal) -> sge.Expression:
        return sge.Literal.string(to_java(pattern.value).pattern)

    def visit_Substring(self, op, *, arg, start, length):
        # ibis turns a negative start into an offset from the end itself (for both engines);
        # DuckDB's substring then differs from Spark's for an offset of 0 (it starts one
        # character before the first), for a negative offset past the start and for a negative
        # length: the runtime's function with DuckDB's rules (DuckDbSubstring.java)
        if isinstance(op.length, ops.Literal) and op.length.value < 0:
            raise ValueError(f"Length parameter must be a non-negative value; got "
                             f"{op.length.value}")  # as ibis refuses it for every backend
        offset = start + 1
        offset = self.if_(offset >= 1, offset, offset + self.f.char_length(arg))
        # DuckDB's two-argument form takes up to 2^32 - 1 characters
        length = sge.Literal.number(4294967295) if length is None else length
        return self.f.nb2jvm_duckdb_substring(arg, cast(offset, "bigint"), cast(length, "bigint"))

    def visit_LPad(self, op, *, arg, length, pad):
        # DuckDB's ibis rule, spelled for Spark: a string at least `length` long is kept whole
        # and the pad is repeated whole (a multi-character pad overshoots), where Spark's lpad
        # cuts both to the width; a NULL width is NULL, where ibis's Spark rule's greatest()
        # skips it
        return self._pad(arg, length, pad, left=True)

    def visit_RPad(self, op, *, arg, length, pad):
        # as visit_LPad, on the right
        return self._pad(arg, length, pad, left=False)

    def _pad(self, arg, length, pad, left: bool):
        filler = self.f.repeat(pad, length - self.f.char_length(arg))
        return self.if_(length <= self.f.char_length(arg), arg,
                        self.f.concat(filler, arg) if left else self.f.concat(arg, filler))

    def visit_StrRight(self, op, *, arg, nchars):
        # DuckDB's right() with a negative count drops that many characters from the start
        # ('hello', -1 -> 'ello'); Spark's returns ''. Both count code points.
        size = self.f.char_length(arg)
        keep_last = self.f.substring(arg, self.f.greatest(size - nchars, 0) + 1)
        drop_first = self.f.substring(arg, self.f.least(size, -self.f.greatest(nchars, -size)) + 1)
        # (Spark's greatest/least skip a NULL: a NULL count must not reach them)
        return self.if_(nchars >= 0, keep_last, self.if_(nchars < 0, drop_first, NULL))

    def visit_Levenshtein(self, op, *, left, right):
        # DuckDB counts edits of UTF-8 bytes, Spark of characters: the runtime's (DuckDbMath)
        return self.f.nb2jvm_duckdb_levenshtein(left, right)

    def visit_ArrayIndex(self, op, *, arg, index):
        # DuckDB's list_extract gives NULL past either end (ibis turns i >= 0 into i + 1, a
        # negative i counts from the end); Spark's element_at fails there under ANSI rules and
        # takes an INT: try_element_at, and NULL for an index beyond INT
        if isinstance(op.index, ops.Literal):
            i = op.index.value
            i = i + 1 if i >= 0 else i
            return self.f.try_element_at(arg, sge.Literal.number(i)) \
                if -2**31 < i < 2**31 else NULL
        shifted = self.if_(index >= 0, index + 1, index)
        fits = sg.and_(shifted >= -2147483647, shifted.copy() <= 2147483647)
        return self.if_(fits, self.f.try_element_at(arg, cast(shifted.copy(), "int")), NULL)

    def visit_Strip(self, op, *, arg):
        # DuckDB trims Python's string.whitespace (space, \t \n \r \v \f) from both ends; ibis's
        # Spark rule passes the characters as trim()'s second argument, which Spark reads as the
        # string to trim: TRIM(BOTH chars FROM arg) says what is meant
        return sge.Trim(this=arg, expression=_WHITESPACE, position="BOTH")

    def visit_LStrip(self, op, *, arg):
        # as visit_Strip; ibis's Spark rule is ltrim(arg), which trims spaces only
        return sge.Trim(this=arg, expression=_WHITESPACE, position="LEADING")

    def visit_RStrip(self, op, *, arg):
        # as visit_LStrip, at the end
        return sge.Trim(this=arg, expression=_WHITESPACE, position="TRAILING")

    def visit_StringSQLILike(self, op, *, arg, pattern, escape):
        # DuckDB lower-cases both sides one code point at a time, then matches LIKE; Spark's
        # ILIKE lower-cases with Java's context-sensitive mapping ('İ' -> 'i̇', final 'Σ' -> 'ς')
        return sge.Like(this=self.f.nb2jvm_duckdb_lower(arg),
                        expression=self.f.nb2jvm_duckdb_lower(pattern))

    def visit_Uppercase(self, op, *, arg):
        # Spark's upper() is Java's full mapping ('ß' -> 'SS'); DuckDB maps one code point at a
        # time ('ß' -> 'ẞ'): the runtime's function with DuckDB's own table (DuckDbCase.java)
        return self.f.nb2jvm_duckdb_upper(arg)

    def visit_Lowercase(self, op, *, arg):
        # Spark's lower() is context-sensitive (final 'Σ' -> 'ς', 'İ' -> 'i̇'); DuckDB's is per
        # code point ('Σ' -> 'σ', 'İ' -> 'i'): the runtime's function with DuckDB's table
        return self.f.nb2jvm_duckdb_lower(arg)

    def visit_StringToTimestamp(self, op, *, arg, format_str):
        # DuckDB's strptime skips surrounding whitespace, matches a format space to any run of
        # whitespace and reads numbers of 1-4 (%Y) or 1-2 digits, where Spark's to_timestamp
        # patterns are strict: the runtime's parser with DuckDB's rules (DuckDbStrptime.java)
        micros = self.f.nb2jvm_duckdb_strptime(arg, sge.Literal.string(op.format_str.value))
        return self.f.timestamp_micros(micros)

    def visit_StringToDate(self, op, *, arg, format_str):
        # DuckDB's strptime (see visit_StringToTimestamp), then the date of that timestamp
        return cast(self.visit_StringToTimestamp(op, arg=arg, format_str=format_str), "date")
