package nb2jvm.runtime;

import java.time.DateTimeException;
import java.time.LocalDate;
import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB's {@code strptime(s, format)} (ibis's {@code as_timestamp}/{@code as_date}) on Spark for
 * the specifiers {@code %Y %m %d %H %M %S %%}, as microseconds since the epoch. DuckDB is lenient
 * where Spark's {@code to_timestamp} patterns are strict: whitespace before and after the text is
 * skipped, a space in the format matches any run of whitespace, numbers have 1 to 4 ({@code %Y})
 * or 1 to 2 digits ({@code '24-1-5'} is the year 24), and {@code 'epoch'} is 1970-01-01; an
 * invalid day of the month fails after parsing ({@code 2024-02-30}). Failures raise, as in the
 * notebook. The lowering calls it as {@code nb2jvm_duckdb_strptime}.
 */
public final class DuckDbStrptime {
  static final String NAME = "nb2jvm_duckdb_strptime";

  private static boolean space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r'); // C's isspace in the "C" locale
  }

  static long parse(String s, String format) {
    int pos = 0;
    int n = s.length();
    while (pos < n && space(s.charAt(pos))) pos++;
    if (n - pos > 4) { // DuckDB's special values, before the format is looked at
      if (special(s, pos, "epoch")) return 0L;
      if (special(s, pos, "infinity") || special(s, pos, "-infinity")) {
        throw fail(s, format, "infinite timestamps have no value in the notebook's result");
      }
    }
    int[] v = {1900, 1, 1, 0, 0, 0};
    int f = 0;
    int fn = format.length();
    while (f < fn) {
      char c = format.charAt(f);
      if (c == '%' && f + 1 < fn && format.charAt(f + 1) != '%') {
        char spec = format.charAt(f + 1);
        int slot = "YmdHMS".indexOf(spec);
        if (slot < 0) throw new IllegalArgumentException("unsupported specifier %" + spec);
        int width = spec == 'Y' ? 4 : 2;
        int start = pos;
        long number = 0;
        while (pos < n && pos < start + width && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
          number = number * 10 + (s.charAt(pos) - '0');
          pos++;
        }
        if (pos == start) throw fail(s, format, "expected a number at " + start);
        boolean ok;
        switch (spec) {
          case 'm': ok = number >= 1 && number <= 12; break;
          case 'd': ok = number >= 1 && number <= 31; break;
          case 'H': ok = number < 24; break;
          case 'M': case 'S': ok = number < 60; break;
          default: ok = true;
        }
        if (!ok) throw fail(s, format, "%" + spec + " out of range at " + start);
        v[slot] = (int) number;
        f += 2;
        continue;
      }
      if (c == '%') f++; // "%%" is a literal '%'
      if (space(c)) { // a run of spaces in the format matches a run of at least one space
        if (pos >= n || !space(s.charAt(pos))) throw fail(s, format, "expected a space at " + pos);
        while (pos < n && space(s.charAt(pos))) pos++;
        while (f < fn && space(format.charAt(f))) f++;
        continue;
      }
      if (pos >= n || s.charAt(pos) != c) throw fail(s, format, "expected '" + c + "' at " + pos);
      pos++;
      f++;
    }
    if (!trailingSpaceOnly(s, pos)) throw fail(s, format, "trailing characters at " + pos);
    long days;
    try {
      days = LocalDate.of(v[0], v[1], v[2]).toEpochDay();
    } catch (DateTimeException e) {
      throw fail(s, format, "date out of range: " + v[0] + "-" + v[1] + "-" + v[2]);
    }
    if (v[0] < 1) throw fail(s, format, "year 0 is outside the notebook's datetime range");
    return ((days * 24 + v[3]) * 60 + v[4]) * 60_000_000L + v[5] * 1_000_000L;
  }

  private static boolean special(String s, int pos, String word) {
    return s.regionMatches(true, pos, word, 0, word.length())
        && trailingSpaceOnly(s, pos + word.length());
  }

  private static boolean trailingSpaceOnly(String s, int pos) {
    for (int i = pos; i < s.length(); i++) {
      if (!space(s.charAt(i))) return false;
    }
    return true;
  }

  private static IllegalArgumentException fail(String s, String format, String why) {
    return new IllegalArgumentException("Could not parse string \"" + s
        + "\" according to format specifier \"" + format + "\": " + why
        + " (the notebook's DuckDB raises)");
  }

  /** The Spark UDF: kept apart so that the functions above load without Spark (the
   * online path runs them in a plain JVM). */
  public static final class Udf implements UDF2<String, String, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call(String s, String format) {
      if (s == null || format == null) return null;
      return parse(s, format);
    }
  }
}
