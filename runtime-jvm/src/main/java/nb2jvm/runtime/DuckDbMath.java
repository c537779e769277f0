package nb2jvm.runtime;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB functions whose Spark built-ins differ on some values. {@code atan2}: Spark adds 0.0 to
 * both arguments, turning -0.0 into 0.0 (so atan2(-0.0, -1) is π on Spark, -π in DuckDB and C);
 * DuckDB calls the C library's atan2, which {@link Math#atan2} follows. {@code levenshtein}:
 * DuckDB counts edits of UTF-8 bytes ('é' is two), Spark of characters. The lowering calls them
 * as {@code nb2jvm_duckdb_atan2} and {@code nb2jvm_duckdb_levenshtein}.
 */
public final class DuckDbMath {
  private DuckDbMath() {}

  static final String ATAN2_NAME = "nb2jvm_duckdb_atan2";
  static final String LEVENSHTEIN_NAME = "nb2jvm_duckdb_levenshtein";

  /** {@code nb2jvm_duckdb_atan2(y, x)}. */
  public static final class Atan2 implements UDF2<Double, Double, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(Double y, Double x) {
      return y == null || x == null ? null : Math.atan2(y, x);
    }
  }

  /** {@code nb2jvm_duckdb_levenshtein(a, b)}: the edit distance of the UTF-8 bytes. */
  public static final class Levenshtein implements UDF2<String, String, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call(String a, String b) {
      if (a == null || b == null) return null;
      return distance(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
  }

  static long distance(byte[] a, byte[] b) {
    if (a.length == 0) return b.length;
    if (b.length == 0) return a.length;
    long[] previous = new long[b.length + 1];
    long[] current = new long[b.length + 1];
    for (int j = 0; j <= b.length; j++) previous[j] = j;
    for (int i = 1; i <= a.length; i++) {
      current[0] = i;
      for (int j = 1; j <= b.length; j++) {
        long substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      long[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length];
  }
}
