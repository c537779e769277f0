package nb2jvm.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's {@code str} semantics for compiled UDFs: code points (not UTF-16 units) for length,
 * indexing, slicing, search and comparison; Python's whitespace, character classes and case
 * mappings from tables generated from Python itself ({@link PyUnicodeData}).
 */
public final class PyStr {
  private PyStr() {}

  private static final int[][] DECIMAL = ranges(PyUnicodeData.DECIMAL);
  private static final int[][] DIGIT = ranges(PyUnicodeData.DIGIT);
  private static final int[][] NUMERIC = ranges(PyUnicodeData.NUMERIC);
  private static final int[][] ALPHA = ranges(PyUnicodeData.ALPHA);
  private static final int[][] SPACE = ranges(PyUnicodeData.SPACE);
  private static final int[][] LOWER = ranges(PyUnicodeData.LOWER);
  private static final int[][] UPPER = ranges(PyUnicodeData.UPPER);
  private static final int[][] TITLE = ranges(PyUnicodeData.TITLE);
  private static final int[][] CASED = ranges(PyUnicodeData.CASED);
  private static final int[][] CASE_IGNORABLE = ranges(PyUnicodeData.CASE_IGNORABLE);
  private static final int[][] XID_START = ranges(PyUnicodeData.XID_START);
  private static final int[][] XID_CONTINUE = ranges(PyUnicodeData.XID_CONTINUE);
  private static final CaseMap TO_LOWER = mapping(PyUnicodeData.TO_LOWER);
  private static final CaseMap TO_UPPER = mapping(PyUnicodeData.TO_UPPER);
  private static final CaseMap TO_CASEFOLD = mapping(PyUnicodeData.TO_CASEFOLD);
  private static final CaseMap TO_TITLE = mapping(PyUnicodeData.TO_TITLE);

  private static int[][] ranges(String table) {
    String[] parts = table.isEmpty() ? new String[0] : table.split(",");
    int[] starts = new int[parts.length];
    int[] ends = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      int dash = parts[i].indexOf('-');
      starts[i] = Integer.parseInt(parts[i].substring(0, dash), 16);
      ends[i] = Integer.parseInt(parts[i].substring(dash + 1), 16);
    }
    return new int[][] {starts, ends};
  }

  private static boolean in(int[][] table, int cp) {
    int i = Arrays.binarySearch(table[0], cp);
    if (i >= 0) return true;
    int before = -i - 2;
    return before >= 0 && cp <= table[1][before];
  }

  /**
   * A case mapping: code point to its mapped code points (null: unchanged). Dense below
   * U+0800 (Latin, Greek, Cyrillic, ...) so the common letters cost an array read, not a
   * boxed hash lookup; hashed above (measured: casefold of accented names 4x faster).
   */
  private static final class CaseMap {
    private static final int DENSE = 0x800;
    private final int[][] dense = new int[DENSE][];
    private final Map<Integer, int[]> sparse = new HashMap<>();

    void put(int cp, int[] to) {
      if (cp < DENSE) {
        dense[cp] = to;
      } else {
        sparse.put(cp, to);
      }
    }

    int[] get(int cp) {
      return cp < DENSE ? dense[cp] : sparse.get(cp);
    }
  }

  private static CaseMap mapping(String table) {
    CaseMap map = new CaseMap();
    for (String entry : table.split(",")) {
      int colon = entry.indexOf(':');
      String[] to = entry.substring(colon + 1).split("\\.");
      int[] cps = new int[to.length];
      for (int i = 0; i < to.length; i++) cps[i] = Integer.parseInt(to[i], 16);
      map.put(Integer.parseInt(entry.substring(0, colon), 16), cps);
    }
    return map;
  }

  static int[] cps(String s) {
    // a plain loop: String.codePoints() builds a stream, several times slower on short text
    int n = s.length();
    int[] out = new int[s.codePointCount(0, n)];
    int k = 0;
    for (int i = 0; i < n; ) {
      int cp = s.codePointAt(i);
      out[k++] = cp;
      i += Character.charCount(cp);
    }
    return out;
  }

  static String str(int[] cps, int from, int to) {
    return new String(cps, from, Math.max(0, to - from));
  }

  // ---- character classes ----------------------------------------------------------------------

  /** The decimal value of a code point Python's int()/float() accept as a digit, or -1. */
  static int decimalValue(int cp) {
    if (!in(DECIMAL, cp)) return -1;
    int v = Character.digit(cp, 10);
    return v >= 0 ? v : -1;
  }

  private static final boolean[] ASCII_SPACE = new boolean[128];

  static {
    for (int c = 0; c < 128; c++) ASCII_SPACE[c] = in(SPACE, c);
  }

  public static boolean isspace(int cp) {
    return cp < 128 ? ASCII_SPACE[cp] : in(SPACE, cp);
  }

  /** {@code re}'s {@code \w} of a str pattern: {@code isalnum()} or {@code _}. */
  static boolean isWord(int cp) {
    return cp == '_' || in(ALPHA, cp) || in(DECIMAL, cp) || in(DIGIT, cp) || in(NUMERIC, cp);
  }

  /** {@code re}'s {@code \d} of a str pattern: {@code isdecimal()}. */
  static boolean isDecimal(int cp) {
    return in(DECIMAL, cp);
  }

  private interface CpTest {
    boolean test(int cp);
  }

  private static boolean all(String s, CpTest test) {
    if (s.isEmpty()) return false;
    for (int k = 0; k < s.length(); ) { // code point by code point, no array
      int cp = s.codePointAt(k);
      if (!test.test(cp)) return false;
      k += Character.charCount(cp);
    }
    return true;
  }

  public static boolean isdigit(String s) {
    // ASCII's digits are exactly 0-9 in Python's tables: no search for them
    return all(s, cp -> cp < 128 ? cp >= '0' && cp <= '9' : in(DIGIT, cp));
  }

  public static boolean isdecimal(String s) {
    return all(s, cp -> cp < 128 ? cp >= '0' && cp <= '9' : in(DECIMAL, cp));
  }

  public static boolean isnumeric(String s) {
    return all(s, cp -> in(NUMERIC, cp));
  }

  public static boolean isalpha(String s) {
    // ASCII's letters are exactly A-Z and a-z in Python's tables: no search for them
    return all(s, cp -> cp < 128 ? (cp | 32) >= 'a' && (cp | 32) <= 'z' : in(ALPHA, cp));
  }

  public static boolean isalnum(String s) {
    return all(s, cp -> in(ALPHA, cp) || in(DECIMAL, cp) || in(DIGIT, cp) || in(NUMERIC, cp));
  }

  public static boolean isspace(String s) {
    return all(s, cp -> in(SPACE, cp));
  }

  /** All cased characters lowercase, and at least one cased character. */
  public static boolean islower(String s) {
    boolean cased = false;
    for (int cp : cps(s)) {
      if (in(UPPER, cp) || in(TITLE, cp)) return false;
      if (in(LOWER, cp)) cased = true;
    }
    return cased;
  }

  public static boolean isupper(String s) {
    boolean cased = false;
    for (int cp : cps(s)) {
      if (in(LOWER, cp) || in(TITLE, cp)) return false;
      if (in(UPPER, cp)) cased = true;
    }
    return cased;
  }

  // ---- case mapping ---------------------------------------------------------------------------

  // ASCII fast path: Python and ASCII agree on A-Z/a-z, and nothing else in ASCII changes case.
  private static String asciiCase(String s, boolean upper) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 128) return null;
    }
    // On ASCII text Java's root-locale mapping is Python's (A-Z and a-z only), and it works on
    // the compact Latin-1 bytes in place: 1.5x faster than mapping a char[] copy (measured).
    return upper ? s.toUpperCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT);
  }

  private static String mapAll(String s, CaseMap map, boolean finalSigma) {
    if (!finalSigma || s.indexOf(0x3A3) < 0) { // no context needed: map code point by code point
      StringBuilder out = null;
      int run = 0; // the start of the run of unchanged characters not yet copied
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        int w = Character.charCount(cp);
        int[] to = map.get(cp);
        if (to != null) {
          if (out == null) out = new StringBuilder(s.length() + 8);
          out.append(s, run, i);
          for (int t : to) out.appendCodePoint(t);
          run = i + w;
        }
        i += w;
      }
      return out == null ? s : out.append(s, run, s.length()).toString();
    }
    int[] in = cps(s);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < in.length; i++) {
      if (!finalSigma && in[i] == 0x3A3) {
        appendMapped(out, map.get(in[i]), in[i]);
      } else {
        map(out, map, in, i);
      }
    }
    return out.toString();
  }

  // CPython's handle_capital_sigma: final when preceded by a cased letter and not followed by
  // one, skipping case-ignorable characters on both sides.
  private static boolean isFinalSigma(int[] cps, int i) {
    int j = i - 1;
    while (j >= 0 && in(CASE_IGNORABLE, cps[j])) j--;
    boolean before = j >= 0 && in(CASED, cps[j]);
    int k = i + 1;
    while (k < cps.length && in(CASE_IGNORABLE, cps[k])) k++;
    boolean after = k < cps.length && in(CASED, cps[k]);
    return before && !after;
  }

  public static String lower(String s) {
    String ascii = asciiCase(s, false);
    return ascii != null ? ascii : mapAll(s, TO_LOWER, true);
  }

  public static String upper(String s) {
    String ascii = asciiCase(s, true);
    return ascii != null ? ascii : mapAll(s, TO_UPPER, false);
  }

  public static String casefold(String s) {
    String ascii = asciiCase(s, false); // casefold == lower on ASCII
    return ascii != null ? ascii : mapAll(s, TO_CASEFOLD, false);
  }

  private static void map(StringBuilder out, CaseMap map, int[] in, int i) {
    int cp = in[i];
    if (map == TO_LOWER && cp == 0x3A3) {
      out.appendCodePoint(isFinalSigma(in, i) ? 0x3C2 : 0x3C3);
      return;
    }
    appendMapped(out, map.get(cp), cp);
  }

  private static void appendMapped(StringBuilder out, int[] to, int cp) {
    if (to == null) {
      out.appendCodePoint(cp);
    } else {
      for (int t : to) out.appendCodePoint(t);
    }
  }

  /** CPython's do_title: title case after an uncased character, lower case after a cased one. */
  public static String title(String s) {
    int[] in = cps(s);
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < in.length; i++) {
      map(out, previousCased ? TO_LOWER : TO_TITLE, in, i);
      previousCased = in(CASED, in[i]);
    }
    return out.toString();
  }

  /** CPython 3.8+'s do_capitalize: the first character in title case, the rest lower. */
  public static String capitalize(String s) {
    int[] in = cps(s);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < in.length; i++) map(out, i == 0 ? TO_TITLE : TO_LOWER, in, i);
    return out.toString();
  }

  /** CPython's do_swapcase: upper case letters to lower, lower case ones to upper. */
  public static String swapcase(String s) {
    int[] in = cps(s);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < in.length; i++) {
      if (in(UPPER, in[i])) {
        map(out, TO_LOWER, in, i);
      } else if (in(LOWER, in[i])) {
        map(out, TO_UPPER, in, i);
      } else {
        out.appendCodePoint(in[i]);
      }
    }
    return out.toString();
  }

  /** CPython's unicode_istitle_impl. */
  public static boolean istitle(String s) {
    boolean cased = false;
    boolean previousCased = false;
    for (int cp : cps(s)) {
      boolean upperOrTitle = in(UPPER, cp) || in(TITLE, cp);
      if (upperOrTitle) {
        if (previousCased) return false;
        previousCased = true;
        cased = true;
      } else if (in(LOWER, cp)) {
        if (!previousCased) return false;
        previousCased = true;
        cased = true;
      } else {
        previousCased = false;
      }
    }
    return cased;
  }

  public static boolean isascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 128) return false;
    }
    return true;
  }

  // ---- length, indexing, slicing --------------------------------------------------------------

  public static long len(String s) {
    return s.codePointCount(0, s.length());
  }

  /** {@code s[i]} with Python's negative indices. */
  public static String at(String s, long i) {
    int len = s.length();
    if (i >= -len && i < len && !hasSurrogate(s)) { // one char per code point: index directly
      char c = s.charAt((int) (i < 0 ? i + len : i));
      return c < ONE_CHAR.length ? ONE_CHAR[c] : String.valueOf(c);
    }
    int n = s.codePointCount(0, s.length());
    long j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw PyError.index("string index out of range");
    int from = s.offsetByCodePoints(0, (int) j);
    return s.substring(from, s.offsetByCodePoints(from, 1));
  }

  // s[i] of a character below U+0800 (ASCII, Latin, Greek, Cyrillic, ...): the one-character
  // strings made once (a loop over a string's characters then allocates nothing)
  private static final String[] ONE_CHAR = new String[0x800];

  static {
    for (char c = 0; c < ONE_CHAR.length; c++) ONE_CHAR[c] = String.valueOf(c);
  }

  private static boolean hasSurrogate(String s) {
    for (int k = 0; k < s.length(); k++) {
      if (Character.isSurrogate(s.charAt(k))) return true;
    }
    return false;
  }

  /** No bound given in a slice. */
  public static final long NONE = Long.MIN_VALUE;

  /** {@code s[start:stop:step]}; {@link #NONE} for an omitted bound (CPython's PySlice_Adjust). */
  public static String slice(String s, long start, long stop, long step) {
    if (step == 0) throw PyError.value("slice step cannot be zero");
    int[] c = cps(s);
    long n = c.length;
    long lo;
    long hi;
    if (step > 0) {
      lo = start == NONE ? 0 : clamp(start < 0 ? start + n : start, 0, n);
      hi = stop == NONE ? n : clamp(stop < 0 ? stop + n : stop, 0, n);
      if (step == 1) return str(c, (int) lo, (int) hi);
      StringBuilder out = new StringBuilder();
      // i + step may pass Long.MAX_VALUE: stop before adding a step that leaves [lo, hi)
      for (long i = lo; i < hi; i = hi - i <= step ? hi : i + step) out.appendCodePoint(c[(int) i]);
      return out.toString();
    }
    lo = start == NONE ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
    hi = stop == NONE ? -1 : clamp(stop < 0 ? stop + n : stop, -1, n - 1);
    StringBuilder out = new StringBuilder();
    long down = step == Long.MIN_VALUE ? Long.MAX_VALUE : -step;
    for (long i = lo; i > hi; i = i - hi <= down ? hi : i + step) out.appendCodePoint(c[(int) i]);
    return out.toString();
  }

  /**
   * A slice bound as CPython clamps it (to [-2**63, 2**63 - 1], then to the string): -2**63
   * itself is kept apart from {@link #NONE} by moving it one up, which no string can tell apart.
   */
  public static long bound(long v) {
    return v == NONE ? NONE + 1 : v;
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  // ---- comparison, search ---------------------------------------------------------------------

  /** Compare by code point (Java's compareTo compares UTF-16 units). */
  public static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) return x < y ? -1 : 1;
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  public static boolean contains(String s, String sub) {
    return s.contains(sub);
  }

  /** {@code s.find(sub, start)} as a code point index, or -1. */
  public static long find(String s, String sub, long start) {
    int n = s.codePointCount(0, s.length());
    long from = start < 0 ? Math.max(0, start + n) : start;
    if (from > n) return -1;
    int idx = indexOf(s, sub, s.offsetByCodePoints(0, (int) from));
    return idx < 0 ? -1 : s.codePointCount(0, idx);
  }

  public static long find(String s, String sub) {
    return find(s, sub, 0);
  }

  public static long rfind(String s, String sub) {
    int idx = s.lastIndexOf(sub);
    return idx < 0 ? -1 : s.codePointCount(0, idx);
  }

  public static long index(String s, String sub) {
    long i = find(s, sub, 0);
    if (i < 0) throw PyError.value("substring not found");
    return i;
  }

  // A one-char separator (the common case: "@", ",", "+") searched as a char: String's substring
  // search costs more per call than the scan itself on short text (measured, ~10 ns a call).
  private static int indexOf(String s, String sub, int from) {
    return sub.length() == 1 ? s.indexOf(sub.charAt(0), from) : s.indexOf(sub, from);
  }

  /** Non-overlapping occurrences; the empty string occurs len(s) + 1 times. */
  public static long count(String s, String sub) {
    if (sub.isEmpty()) return len(s) + 1;
    long count = 0;
    int from = 0;
    while ((from = indexOf(s, sub, from)) >= 0) {
      count++;
      from += sub.length();
    }
    return count;
  }

  public static boolean startswith(String s, String prefix) {
    return s.startsWith(prefix);
  }

  public static boolean endswith(String s, String suffix) {
    return s.endsWith(suffix);
  }

  public static String replace(String s, String old, String repl) {
    if (!old.isEmpty()) return s.replace(old, repl);
    StringBuilder out = new StringBuilder(repl);
    for (int cp : cps(s)) out.appendCodePoint(cp).append(repl); // between code points
    return out.toString();
  }

  /** {@code s.replace(old, new, count)}: at most {@code count} replacements (all if negative). */
  public static String replace(String s, String old, String repl, long count) {
    if (count < 0) return replace(s, old, repl);
    StringBuilder out = new StringBuilder();
    if (old.isEmpty()) {
      int[] c = cps(s);
      long done = 0;
      for (int i = 0; i <= c.length; i++) {
        if (done < count) {
          out.append(repl);
          done++;
        }
        if (i < c.length) out.appendCodePoint(c[i]);
      }
      return out.toString();
    }
    int from = 0;
    int idx;
    long done = 0;
    while (done < count && (idx = s.indexOf(old, from)) >= 0) {
      out.append(s, from, idx).append(repl);
      from = idx + old.length();
      done++;
    }
    return out.append(s, from, s.length()).toString();
  }

  public static String removeprefix(String s, String prefix) {
    return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
  }

  public static String removesuffix(String s, String suffix) {
    return !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length())
        : s;
  }

  public static long rindex(String s, String sub) {
    long i = rfind(s, sub);
    if (i < 0) throw PyError.value("substring not found");
    return i;
  }

  private static boolean lineBreak(int cp) {
    return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x1C || cp == 0x1D
        || cp == 0x1E || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
  }

  /** {@code s.splitlines(keepends)}: Python's line boundaries (\r\n counts once). */
  public static String[] splitlines(String s, boolean keepends) {
    List<String> out = new ArrayList<>();
    int[] c = cps(s);
    int i = 0;
    while (i < c.length) {
      int start = i;
      while (i < c.length && !lineBreak(c[i])) i++;
      int end = i;
      if (i < c.length) {
        i += c[i] == '\r' && i + 1 < c.length && c[i + 1] == '\n' ? 2 : 1;
      }
      out.add(str(c, start, keepends ? i : end));
    }
    return out.toArray(new String[0]);
  }

  public static String[] splitlines(String s) {
    return splitlines(s, false);
  }

  /** {@code s.rsplit(sep, maxsplit)}: splits from the right ({@code maxsplit < 0}: all). */
  public static String[] rsplit(String s, String sep, long maxsplit) {
    if (maxsplit < 0) return split(s, sep, -1);
    if (sep.isEmpty()) throw PyError.value("empty separator");
    List<String> out = new ArrayList<>();
    int to = s.length();
    int idx;
    while (out.size() < maxsplit && to >= sep.length()
        && (idx = s.lastIndexOf(sep, to - sep.length())) >= 0) {
      out.add(0, s.substring(idx + sep.length(), to));
      to = idx;
    }
    out.add(0, s.substring(0, to));
    return out.toArray(new String[0]);
  }

  public static String repeat(String s, long n) {
    if (n <= 0) return "";
    if (n * (long) s.length() > Integer.MAX_VALUE - 8) {
      throw PyError.limit("MemoryError", "a string of more than 2**31 chars");
    }
    return s.repeat((int) n);
  }

  // ---- strip, split, join, padding ------------------------------------------------------------

  private interface Strip {
    boolean test(int cp);
  }

  private static String strip(String s, Strip drop, boolean left, boolean right) {
    // Walk code points in place (no array) from both ends.
    int i = 0;
    int j = s.length();
    while (left && i < j) {
      int cp = s.codePointAt(i);
      if (!drop.test(cp)) break;
      i += Character.charCount(cp);
    }
    while (right && j > i) {
      int cp = s.codePointBefore(j);
      if (!drop.test(cp)) break;
      j -= Character.charCount(cp);
    }
    return i == 0 && j == s.length() ? s : s.substring(i, j);
  }

  private static Strip chars(String chars) {
    int[] set = cps(chars);
    return cp -> {
      for (int x : set) if (x == cp) return true;
      return false;
    };
  }

  public static String strip(String s) {
    return strip(s, PyStr::isspace, true, true);
  }

  public static String lstrip(String s) {
    return strip(s, PyStr::isspace, true, false);
  }

  public static String rstrip(String s) {
    return strip(s, PyStr::isspace, false, true);
  }

  public static String strip(String s, String chars) {
    return strip(s, chars(chars), true, true);
  }

  public static String lstrip(String s, String chars) {
    return strip(s, chars(chars), true, false);
  }

  public static String rstrip(String s, String chars) {
    return strip(s, chars(chars), false, true);
  }

  /** {@code s.split()}: runs of Python whitespace, no empty parts. */
  public static String[] split(String s) {
    List<String> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) { // over UTF-16 indexes, a code point at a time: no code point array
      int cp;
      while (i < n && isspace(cp = s.codePointAt(i))) i += Character.charCount(cp);
      int start = i;
      while (i < n && !isspace(cp = s.codePointAt(i))) i += Character.charCount(cp);
      if (i > start) out.add(s.substring(start, i));
    }
    return out.toArray(new String[0]);
  }

  /** {@code s.split(sep)} and {@code s.split(sep, maxsplit)} ({@code maxsplit < 0}: all). */
  public static String[] split(String s, String sep, long maxsplit) {
    if (sep.isEmpty()) throw PyError.value("empty separator");
    List<String> out = new ArrayList<>();
    int from = 0;
    int idx;
    while ((maxsplit < 0 || out.size() < maxsplit) && (idx = indexOf(s, sep, from)) >= 0) {
      out.add(s.substring(from, idx));
      from = idx + sep.length();
    }
    out.add(s.substring(from));
    return out.toArray(new String[0]);
  }

  public static String[] split(String s, String sep) {
    return split(s, sep, -1);
  }

  /** {@code s.partition(sep)}: before, sep, after (s, "", "" when sep is absent). */
  public static String[] partition(String s, String sep) {
    if (sep.isEmpty()) throw PyError.value("empty separator");
    int i = s.indexOf(sep);
    return i < 0 ? new String[] {s, "", ""}
        : new String[] {s.substring(0, i), sep, s.substring(i + sep.length())};
  }

  /** {@code s.rpartition(sep)}: "", "", s when sep is absent. */
  public static String[] rpartition(String s, String sep) {
    if (sep.isEmpty()) throw PyError.value("empty separator");
    int i = s.lastIndexOf(sep);
    return i < 0 ? new String[] {"", "", s}
        : new String[] {s.substring(0, i), sep, s.substring(i + sep.length())};
  }

  /** {@code s.expandtabs(tabsize)}: columns restart after \n and \r (CPython's rule). */
  public static String expandtabs(String s, long tabsize) {
    if (tabsize != (int) tabsize) throw PyError.overflow("Python int too large to convert to C int");
    StringBuilder out = new StringBuilder();
    long column = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c == '\t') {
        if (tabsize > 0) {
          long pad = tabsize - column % tabsize;
          if (out.length() + pad > Integer.MAX_VALUE - 8) {
            throw PyError.limit("MemoryError", "a string of more than 2**31 chars");
          }
          for (long k = 0; k < pad; k++) out.append(' ');
          column += pad;
        }
      } else {
        out.appendCodePoint(c);
        column = c == '\n' || c == '\r' ? 0 : column + 1;
      }
    }
    return out.toString();
  }

  public static String expandtabs(String s) {
    return expandtabs(s, 8);
  }

  /** {@code s.isprintable()}: no character of categories Cc Cf Cs Co Cn Zl Zp Zs but ' '. */
  public static boolean isprintable(String s) {
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c != ' ' && NONPRINTABLE.contains(PyUnicodedata.category(new String(Character.toChars(c))))) {
        return false;
      }
    }
    return true;
  }

  private static final java.util.Set<String> NONPRINTABLE = java.util.Set.of(
      "Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs");

  /** {@code s.isidentifier()}: XID_Start or '_' then XID_Continue (Python's tables). */
  public static boolean isidentifier(String s) {
    if (s.isEmpty()) return false;
    int first = s.codePointAt(0);
    if (!in(XID_START, first)) return false;
    for (int i = Character.charCount(first); i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (!in(XID_CONTINUE, c)) return false;
    }
    return true;
  }

  public static String join(String sep, String[] parts) {
    return String.join(sep, parts);
  }

  /**
   * {@code s.split(sep)[i]} without building the list: the i-th piece, IndexError when there
   * are not that many. Pieces are found left to right as split does (a negative i takes the
   * list: scanning from the right would cut "aaa" by "aa" differently).
   */
  public static String splitItem(String s, String sep, long i) {
    if (i < 0) return item(split(s, sep), i);
    if (sep.isEmpty()) throw PyError.value("empty separator");
    int from = 0;
    for (long k = 0; k < i; k++) {
      int idx = indexOf(s, sep, from);
      if (idx < 0) throw PyError.index("list index out of range");
      from = idx + sep.length();
    }
    int end = indexOf(s, sep, from);
    return s.substring(from, end < 0 ? s.length() : end);
  }

  public static String item(String[] parts, long i) {
    long j = i < 0 ? i + parts.length : i;
    if (j < 0 || j >= parts.length) throw PyError.index("list index out of range");
    return parts[(int) j];
  }

  public static boolean contains(String[] parts, String s) {
    for (String p : parts) if (p.equals(s)) return true;
    return false;
  }

  public static String zfill(String s, long width) {
    int[] c = cps(s);
    if (width <= c.length) return s;
    int fill = (int) (width - c.length);
    boolean sign = c.length > 0 && (c[0] == '+' || c[0] == '-');
    String head = sign ? new String(c, 0, 1) : "";
    return head + "0".repeat(fill) + (sign ? str(c, 1, c.length) : s);
  }

  public static String ljust(String s, long width, String fill) {
    long n = len(s);
    return width <= n ? s : s + fill.repeat((int) (width - n));
  }

  public static String rjust(String s, long width, String fill) {
    long n = len(s);
    return width <= n ? s : fill.repeat((int) (width - n)) + s;
  }

  /** CPython's centering: the extra fill goes left when the margin and width are both odd. */
  public static String center(String s, long width, String fill) {
    long n = len(s);
    if (width <= n) return s;
    long marg = width - n;
    long left = marg / 2 + (marg & width & 1);
    return fill.repeat((int) left) + s + fill.repeat((int) (marg - left));
  }

  /** The code points of s, one string each (for {@code for ch in s}). */
  public static String[] codePoints(String s) {
    int n = s.length();
    String[] out = new String[s.codePointCount(0, n)];
    int k = 0;
    for (int i = 0; i < n; ) {
      int cp = s.codePointAt(i);
      int w = Character.charCount(cp);
      out[k++] = cp < ONE_CHAR.length ? ONE_CHAR[cp] : s.substring(i, i + w);
      i += w;
    }
    return out;
  }

  public static boolean truthy(String s) {
    return !s.isEmpty();
  }

  /** {@code repr(s)} (CPython's unicode_repr: its quote choice, escapes, printability). */
  /**
   * {@code s.translate(table)} of a table built at build time: sorted code points and their
   * replacements (null: deleted).
   */
  public static String translate(String s, int[] keys, String[] values) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      int at = Arrays.binarySearch(keys, cp);
      if (at < 0) {
        out.appendCodePoint(cp);
      } else if (values[at] != null) {
        out.append(values[at]);
      }
    }
    return out.toString();
  }

  public static String repr(String s) {
    return repr(s, false);
  }

  /** {@code ascii(s)}: repr with every non-ASCII character escaped. */
  public static String ascii(String s) {
    return repr(s, true);
  }

  private static String repr(String s, boolean asciiOnly) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder().append(quote);
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c == quote || c == '\\') {
        out.append('\\').appendCodePoint(c);
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c < ' ' || c == 0x7f) {
        out.append(String.format("\\x%02x", c));
      } else if (c < 0x7f || !asciiOnly && isprintable(new String(Character.toChars(c)))) {
        out.appendCodePoint(c);
      } else if (c <= 0xff) {
        out.append(String.format("\\x%02x", c));
      } else if (c <= 0xffff) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append(String.format("\\U%08x", c));
      }
    }
    return out.append(quote).toString();
  }
}
