package nb2jvm.runtime;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.api.java.UDF3;

/**
 * DuckDB's {@code regexp_replace(s, p, r, 'g')} on Spark: RE2's global-replace loop over a pattern
 * already translated to java.util.regex (transpiler/regex.py), with the replacement in RE2's
 * spelling ({@code \1} a group, {@code \\} a backslash).
 *
 * <p>Spark's {@code regexp_replace} loops with {@code Matcher.find()}, which differs from RE2 in
 * two measured ways: RE2 does not replace an empty match right where the previous match ended
 * ({@code 'abc'} with {@code b*} gives {@code -a-c-} in DuckDB, {@code -a--c-} in Java), and after an
 * empty match RE2 steps over a whole character where Java steps one UTF-16 unit (between the two
 * halves of an emoji). The lowering calls it as {@code nb2jvm_re2_replace}, registered by the runtime.
 */
public final class Re2Replace {
  static final String NAME = "nb2jvm_re2_replace";

  static String replace(String s, Pattern pattern, String rewrite) {
    Matcher m = pattern.matcher(s);
    int n = s.length();
    int pos = 0;
    int lastEnd = -1;
    int count = 0;
    StringBuilder out = new StringBuilder(n + 16);
    while (pos <= n && m.find(pos)) {
      int start = m.start();
      int end = m.end();
      out.append(s, pos, start);
      if (start == end && start == lastEnd) { // no empty match where the last one ended
        if (pos == n) break;
        int step = Character.charCount(s.codePointAt(pos));
        out.append(s, pos, pos + step);
        pos += step;
        continue;
      }
      appendRewrite(out, m, rewrite);
      pos = end;
      lastEnd = end;
      count++;
    }
    if (count == 0) return s;
    if (pos < n) out.append(s, pos, n);
    return out.toString();
  }

  private static void appendRewrite(StringBuilder out, Matcher m, String rewrite) {
    for (int i = 0; i < rewrite.length(); i++) {
      char c = rewrite.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = i + 1 < rewrite.length() ? rewrite.charAt(i + 1) : 0;
      if (e == '\\') {
        out.append('\\');
      } else if (e >= '0' && e <= '9') {
        String g = m.group(e - '0');
        if (g != null) out.append(g);
      } else {
        throw new IllegalArgumentException("invalid RE2 rewrite: " + rewrite);
      }
      i++;
    }
  }

  /** The Spark UDF: kept apart so that the functions above load without Spark (the
   * online path runs them in a plain JVM). */
  public static final class Udf implements UDF3<String, String, String, String> {
    private static final long serialVersionUID = 1L;
    // Patterns are literals in the SQL: one per call site, compiled once per task.
    private transient String lastSource;
    private transient Pattern lastPattern;

    @Override
    public String call(String s, String pattern, String rewrite) {
      if (s == null || pattern == null || rewrite == null) return null;
      if (!pattern.equals(lastSource)) {
        lastPattern = Pattern.compile(pattern);
        lastSource = pattern;
      }
      return replace(s, lastPattern, rewrite);
    }
  }
}
