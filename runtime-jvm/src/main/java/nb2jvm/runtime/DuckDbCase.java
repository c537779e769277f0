package nb2jvm.runtime;

import java.util.Arrays;
import org.apache.spark.sql.api.java.UDF1;

/**
 * DuckDB's {@code upper()}/{@code lower()} on Spark: one code point at a time from DuckDB's own
 * tables ({@link DuckDbCaseData}), where Spark's built-ins use Java's full, context-sensitive
 * mapping ('ß' becomes "SS" on Spark, 'ẞ' in the notebook). The lowering calls them as
 * {@code nb2jvm_duckdb_upper}/{@code nb2jvm_duckdb_lower}, registered by the runtime.
 */
public final class DuckDbCase {
  private DuckDbCase() {}

  static final String UPPER_NAME = "nb2jvm_duckdb_upper";
  static final String LOWER_NAME = "nb2jvm_duckdb_lower";

  private static final int[][] UPPER = table(DuckDbCaseData.UPPER);
  private static final int[][] LOWER = table(DuckDbCaseData.LOWER);

  private static int[][] table(String data) {
    String[] entries = data.split(",");
    int[] from = new int[entries.length];
    int[] to = new int[entries.length];
    for (int i = 0; i < entries.length; i++) {
      int colon = entries[i].indexOf(':');
      from[i] = Integer.parseInt(entries[i].substring(0, colon), 16);
      to[i] = Integer.parseInt(entries[i].substring(colon + 1), 16);
    }
    return new int[][] {from, to};
  }

  public static String upper(String s) {
    return map(s, UPPER, 'a', 'z', -32);
  }

  public static String lower(String s) {
    return map(s, LOWER, 'A', 'Z', 32);
  }

  private static String map(String s, int[][] table, char lo, char hi, int shift) {
    if (s == null) return null;
    int n = s.length();
    int i = 0;
    while (i < n && s.charAt(i) < 128 && (s.charAt(i) < lo || s.charAt(i) > hi)) i++;
    if (i == n) return s; // nothing to map
    StringBuilder out = new StringBuilder(n).append(s, 0, i);
    while (i < n) {
      char c = s.charAt(i);
      if (c < 128) { // ASCII: the tables agree with a shift
        out.append(c >= lo && c <= hi ? (char) (c + shift) : c);
        i++;
        continue;
      }
      int cp = s.codePointAt(i);
      int k = Arrays.binarySearch(table[0], cp);
      out.appendCodePoint(k >= 0 ? table[1][k] : cp);
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /** {@code nb2jvm_duckdb_upper}. */
  public static final class Upper implements UDF1<String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String s) {
      return upper(s);
    }
  }

  /** {@code nb2jvm_duckdb_lower}. */
  public static final class Lower implements UDF1<String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String s) {
      return lower(s);
    }
  }
}
