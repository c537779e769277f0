package nb2jvm.runtime;

import org.apache.spark.sql.api.java.UDF3;

/**
 * DuckDB's {@code substring(string, offset, length)} on Spark, on code points, as the notebook's
 * reads (Parquet files, Arrow tables: strings that may hold any character) compute it. Spark's
 * {@code substring} differs for an offset of 0 (DuckDB starts one character before the first), for
 * a negative offset that reaches before the start (DuckDB counts the length from the clamped start
 * of the scan from the back) and for a negative length (DuckDB takes the characters before the
 * offset; Spark returns ''). An offset or length outside [-2^32, 2^32 - 1] fails, as in DuckDB.
 * The lowering calls it as {@code nb2jvm_duckdb_substring}.
 */
public final class DuckDbSubstring {
  static final String NAME = "nb2jvm_duckdb_substring";
  static final long UPPER = 4294967295L; // DuckDB's supported range: a uint32 ...
  static final long LOWER = -UPPER - 1; // ... and its negative

  /** The characters DuckDB's substring keeps, as code point positions [from, to) of {@code s}. */
  public static String substring(String s, long offset, long length) {
    check("offset", offset);
    check("length", length);
    if (length == 0) return "";
    int n = s.codePointCount(0, s.length());
    long from;
    long to;
    if (offset < 0) {
      // counted from the back, 1-based: the k-th character from the back ends at n - k + 1
      long back = 1 - offset; // -(offset - 1)
      long first = length < 0 ? back - length : back; // the character the slice starts at
      long last = length < 0 ? back : back - length; // the one it stops before
      from = first <= n ? n - first + 1 : 0;
      if (last <= 0) {
        to = n;
      } else if (last <= n) {
        to = n - last + 1;
      } else {
        return ""; // the scan from the back never reaches the slice's end
      }
    } else {
      long o = offset - 1;
      long first = length < 0 ? Math.max(0, o + length) : Math.max(0, o);
      long last = length < 0 ? o : o + length;
      if (first >= n || last == 0 || last <= first) return "";
      from = first;
      to = Math.min(last, n);
    }
    if (to <= from) return "";
    int start = s.offsetByCodePoints(0, (int) from);
    int end = s.offsetByCodePoints(start, (int) (to - from));
    return s.substring(start, end);
  }

  private static void check(String what, long value) {
    if (value < LOWER || value > UPPER) {
      throw new IllegalArgumentException(
          "Out of Range Error: Substring " + what + " outside of supported range");
    }
  }

  /** The Spark UDF: kept apart so that the functions above load without Spark (the
   * online path runs them in a plain JVM). */
  public static final class Udf implements UDF3<String, Long, Long, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String s, Long offset, Long length) {
      if (s == null || offset == null || length == null) return null;
      return substring(s, offset, length);
    }
  }
}
