package nb2jvm.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB's {@code string_split_regex(s, p)} (ibis's {@code re_split}) on Spark, with the pattern
 * already translated to java.util.regex (transpiler/regex.py). DuckDB searches the rest of the
 * string as a text of its own each time (so {@code ^} matches at every piece's start and {@code \b}
 * sees no character before it), cuts before the match and continues after it; an empty match at
 * the start cuts off one character, and the rest is the last piece ({@code 'ab'} split on
 * {@code b*} is {@code ['a', '', '']}). Spark's {@code split} follows Java's String.split, which
 * differs on empty matches. The lowering calls it as {@code nb2jvm_re2_split}.
 */
public final class Re2Split {
  static final String NAME = "nb2jvm_re2_split";

  static List<String> split(String s, Pattern pattern) {
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(s);
    int offset = 0;
    int n = s.length();
    while (offset < n) {
      // the rest as a text of its own: anchors at its start, no look-behind before it
      m.region(offset, n);
      if (!m.find()) break;
      int pos = m.start();
      int end = m.end();
      if (pos == end && pos == offset) { // an empty match at the start: cut one character
        pos = offset + Character.charCount(s.codePointAt(offset));
        end = pos;
        if (pos == n) break;
      }
      out.add(s.substring(offset, pos));
      offset = end;
    }
    out.add(s.substring(offset));
    return out;
  }

  /** The Spark UDF: kept apart so that the functions above load without Spark (the
   * online path runs them in a plain JVM). */
  public static final class Udf implements UDF2<String, String, List<String>> {
    private static final long serialVersionUID = 1L;
    private transient String lastSource;
    private transient Pattern lastPattern;

    @Override
    public List<String> call(String s, String pattern) {
      if (s == null || pattern == null) return null;
      if (!pattern.equals(lastSource)) {
        lastPattern = Pattern.compile(pattern);
        lastSource = pattern;
      }
      return split(s, lastPattern);
    }
  }
}
