package nb2jvm.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code re} for compiled UDFs, on java.util.regex. The transpiler
 * (transpiler/udf/pyregex.py) translates each pattern at build time from Python's own parse
 * tree; what is left for run time is here: Python's {@code \w}, {@code \d} and {@code \s}
 * (placeholders {@code \p{PyWord}} ... expanded from the tables generated from the notebook's
 * Python, see {@link PyUnicodeData}), code point offsets, the loops of {@code sub},
 * {@code findall} and {@code split} (patterns that can match empty are refused at build time, so
 * Java's loop is Python's), and a bound on backtracking.
 */
public final class PyRe {
  private PyRe() {}

  /**
   * Characters one call may read (backtracking included): a pattern that backtracks more on a
   * row raises instead of running for minutes (Python would run it to the end, slowly).
   */
  public static final long BUDGET = 50_000_000L;

  /**
   * Python's classes as Java classes: the JDK's Unicode categories (fast table lookups; a class
   * of hundreds of ranges is a chain Java tests one by one) corrected, code point by code point,
   * to Python's tables: {@code [[\p{L}\p{N}_+added]&&[^removed]]}. The JDK and the notebook's
   * Python follow different Unicode versions; the corrections are those differences.
   */
  private static final class Classes {
    static final String[] WORD = corrected("\\p{L}\\p{N}\\x{5f}", PyStr::isWord,
        cp -> cp == '_' || isLetterOrNumber(cp));
    static final String[] DIGIT = corrected("\\p{Nd}", PyStr::isDecimal,
        cp -> Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER);
    static final String SPACE = "[" + ranges(PyStr::isspace) + "]";
    static final String NOT_SPACE = "[^" + ranges(PyStr::isspace) + "]";
  }

  private static boolean isLetterOrNumber(int cp) {
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER: case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER: case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER: case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER: case Character.OTHER_NUMBER:
        return true;
      default:
        return false;
    }
  }

  /**
   * {positive, negated} Java classes of Python's predicate {@code py}, over the JDK's
   * {@code jdk}: ASCII first (a range and a bit set: two tests), then the rest.
   */
  private static String[] corrected(String jdkClass, IntPredicate py, IntPredicate jdk) {
    String added = ranges(cp -> cp > 0x7F && py.test(cp) && !jdk.test(cp));
    String removed = ranges(cp -> cp > 0x7F && !py.test(cp) && jdk.test(cp));
    String in = "[" + jdkClass + added + "]";
    String out = "[^" + jdkClass + added + "]";
    if (!removed.isEmpty()) {
      in = "[" + in + "&&[^" + removed + "]]";
      out = "[" + out + removed + "]";
    }
    String ascii = ranges(cp -> cp <= 0x7F && py.test(cp));
    String rest = "\\x{80}-" + new String(Character.toChars(0x10FFFF));
    return new String[] {
      "[[\\x{0}-\\x{7f}&&[" + ascii + "]][" + rest + "&&" + in + "]]",
      "[[\\x{0}-\\x{7f}&&[^" + ascii + "]][" + rest + "&&" + out + "]]"};
  }

  private static String ranges(IntPredicate in) {
    StringBuilder out = new StringBuilder();
    int start = -1;
    for (int cp = 0; cp <= 0x110000; cp++) {
      boolean hit = cp < 0x110000 && in.test(cp);
      if (hit && start < 0) start = cp;
      if (!hit && start >= 0) {
        point(out, start);
        if (cp - 1 > start) point(out.append('-'), cp - 1);
        start = -1;
      }
    }
    return out.toString();
  }

  /**
   * A code point in a class: escaped in the BMP, itself beyond it (Java's lookbehind handles
   * supplementary characters only in a pattern that holds one).
   */
  private static void point(StringBuilder out, int cp) {
    if (cp > 0xFFFF) {
      out.appendCodePoint(cp);
    } else {
      out.append("\\x{").append(Integer.toHexString(cp)).append('}');
    }
  }

  /** The placeholders of a translated pattern replaced by Python's classes. */
  static String expand(String translated) {
    return translated.replace("\\p{PyWord}", Classes.WORD[0])
        .replace("\\p{PyNotWord}", Classes.WORD[1])
        .replace("\\p{PyDigit}", Classes.DIGIT[0])
        .replace("\\p{PyNotDigit}", Classes.DIGIT[1])
        .replace("\\p{PySpace}", Classes.SPACE)
        .replace("\\p{PyNotSpace}", Classes.NOT_SPACE);
  }

  /**
   * The code points a one-character translated pattern matches, as {@code lo-hi} ranges in
   * hex joined by commas (for the tests, which compare it with Python's over every code point).
   */
  public static String members(String translated) {
    Matcher m = compile(translated).matcher("");
    StringBuilder out = new StringBuilder();
    int start = -1;
    for (int cp = 0; cp <= 0x110000; cp++) {
      boolean hit = cp < 0x110000 && m.reset(new String(Character.toChars(cp))).matches();
      if (hit && start < 0) start = cp;
      if (!hit && start >= 0) {
        if (out.length() > 0) out.append(',');
        out.append(Integer.toHexString(start)).append('-').append(Integer.toHexString(cp - 1));
        start = -1;
      }
    }
    return out.toString();
  }

  /** A translated pattern, compiled (a UDF holds one per pattern literal). */
  public static Pattern compile(String translated) {
    return Pattern.compile(expand(translated));
  }

  /** The string as the matcher reads it, counting reads against {@link #BUDGET}. */
  private static final class Budgeted implements CharSequence {
    private final String s;
    private long left = BUDGET;

    Budgeted(String s) {
      this.s = s;
    }

    @Override
    public char charAt(int i) {
      if (--left < 0) {
        throw PyError.limit("RuntimeError", "a regular expression backtracked beyond nb2jvm's "
            + "bound (" + BUDGET + " character reads) on this value");
      }
      return s.charAt(i);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      return s.subSequence(from, to);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  private static final int LOOKING_AT = 0;
  private static final int FIND = 1;
  private static final int MATCHES = 2;

  /** One step of a matcher; a stack overflow (java.util.regex recurses once per repetition
   * of a group, Python's re does not) fails the call as a limit. */
  private static boolean run(Matcher m, int how) {
    try {
      return how == FIND ? m.find() : how == LOOKING_AT ? m.lookingAt() : m.matches();
    } catch (StackOverflowError e) {
      throw PyError.limit("RuntimeError", "a regular expression recursed too deeply on this "
          + "value (java.util.regex recurses once per repetition of a group)");
    }
  }

  private static PyMatch snapshot(Matcher m, String s) {
    int n = m.groupCount() + 1;
    int[] starts = new int[n];
    int[] ends = new int[n];
    for (int g = 0; g < n; g++) {
      starts[g] = m.start(g);
      ends[g] = m.end(g);
    }
    return new PyMatch(s, starts, ends);
  }

  /** {@code re.match} (a Scala keyword): at the start of the string. */
  public static PyMatch matchAt(Pattern p, String s) {
    Matcher m = p.matcher(new Budgeted(s));
    return run(m, LOOKING_AT) ? snapshot(m, s) : null;
  }

  /** {@code re.search}: the leftmost match. */
  public static PyMatch search(Pattern p, String s) {
    Matcher m = p.matcher(new Budgeted(s));
    return run(m, FIND) ? snapshot(m, s) : null;
  }

  /** {@code re.fullmatch}: the whole string. */
  public static PyMatch fullmatch(Pattern p, String s) {
    Matcher m = p.matcher(new Budgeted(s));
    return run(m, MATCHES) ? snapshot(m, s) : null;
  }

  /**
   * {@code re.sub(p, repl, s, count)} with {@code repl} parsed at build time: {@code literals}
   * around {@code groups} (a group that did not take part is empty, as in Python).
   */
  public static String sub(Pattern p, String[] literals, int[] groups, String s, long count) {
    if (count < 0) return s;
    Matcher m = p.matcher(new Budgeted(s));
    StringBuilder out = new StringBuilder();
    int last = 0;
    long n = 0;
    while ((count == 0 || n < count) && run(m, FIND)) {
      out.append(s, last, m.start());
      for (int i = 0; i < groups.length; i++) {
        out.append(literals[i]);
        int g = groups[i];
        if (m.start(g) >= 0) out.append(s, m.start(g), m.end(g));
      }
      out.append(literals[groups.length]);
      last = m.end();
      n++;
    }
    out.append(s, last, s.length());
    return out.toString();
  }

  /** {@code re.findall} of a pattern with no group ({@code group} 0) or one (1). */
  public static String[] findall(Pattern p, String s, int group) {
    Matcher m = p.matcher(new Budgeted(s));
    List<String> out = new ArrayList<>();
    while (run(m, FIND)) {
      out.add(m.start(group) < 0 ? "" : s.substring(m.start(group), m.end(group)));
    }
    return out.toArray(new String[0]);
  }

  /** {@code re.finditer}: every match, left to right (no pattern that can match empty). */
  public static PyMatch[] finditer(Pattern p, String s) {
    Matcher m = p.matcher(new Budgeted(s));
    List<PyMatch> out = new ArrayList<>();
    while (run(m, FIND)) out.add(snapshot(m, s));
    return out.toArray(new PyMatch[0]);
  }

  /** {@code re.split(p, s, maxsplit)}: the pieces and, between them, every group's text. */
  public static String[] split(Pattern p, String s, long maxsplit) {
    List<String> out = new ArrayList<>();
    if (maxsplit >= 0) {
      Matcher m = p.matcher(new Budgeted(s));
      int last = 0;
      long n = 0;
      while ((maxsplit == 0 || n < maxsplit) && run(m, FIND)) {
        out.add(s.substring(last, m.start()));
        for (int g = 1; g <= m.groupCount(); g++) {
          out.add(s.substring(m.start(g), m.end(g)));  // every group takes part (build time)
        }
        last = m.end();
        n++;
      }
      out.add(s.substring(last));
    } else {
      out.add(s);
    }
    return out.toArray(new String[0]);
  }

  /** {@code re.escape}: a backslash before each of Python's special characters. */
  public static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ("()[]{}?*+-|^$\\.&~# \t\n\r\u000b\f".indexOf(c) >= 0) out.append('\\');
      out.append(c);
    }
    return out.toString();
  }
}
