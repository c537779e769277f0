"""Text rules of nb2jvm's Spark compiler: regexes (RE2 translated to java.util.regex, RE2's
replace and split loops in the runtime), split on literal text, DuckDB's case mapping and
strptime (tests/test_regex.py, tests/test_strptime.py)."""

from __future__ import annotations

import sqlglot.expressions as sge
import ibis.expr.operations as ops

from .regex import quote, to_java
from .spark_sql import cast


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
