package nb2jvm.runtime;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark SQL's built-in functions with the semantics the batch artifact runs them with (ANSI
 * mode, session time zone UTC), for the online path: the generated row function of a feature
 * set calls these in a plain JVM, no Spark on the class path. Each mirrors the Spark expression
 * named in its comment; NULL in gives NULL out unless the comment says otherwise. Dates are days
 * since 1970-01-01 (Integer), timestamps microseconds since the epoch (Long), as in Spark.
 * Equality with Spark is not assumed: tests/test_online.py runs every row-local case of the
 * differential table on DuckDB, Spark and this path.
 */
public final class SparkOps {
  private SparkOps() {}

  public static final long MICROS_PER_DAY = 86_400_000_000L;

  /** An error Spark raises at run time in ANSI mode (overflow, division by zero, ...). */
  public static final class SparkError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SparkError(String message) {
      super(message);
    }
  }

  // ---- arithmetic (Add, Subtract, Multiply, UnaryMinus: exact for integers under ANSI) ----

  public static Integer add(Integer a, Integer b) {
    return a == null || b == null ? null : exact(() -> Math.addExact(a, b));
  }

  public static Long add(Long a, Long b) {
    return a == null || b == null ? null : exactL(() -> Math.addExact(a, b));
  }

  public static Double add(Double a, Double b) {
    return a == null || b == null ? null : a + b;
  }

  public static Integer sub(Integer a, Integer b) {
    return a == null || b == null ? null : exact(() -> Math.subtractExact(a, b));
  }

  public static Long sub(Long a, Long b) {
    return a == null || b == null ? null : exactL(() -> Math.subtractExact(a, b));
  }

  public static Double sub(Double a, Double b) {
    return a == null || b == null ? null : a - b;
  }

  public static Integer mul(Integer a, Integer b) {
    return a == null || b == null ? null : exact(() -> Math.multiplyExact(a, b));
  }

  public static Long mul(Long a, Long b) {
    return a == null || b == null ? null : exactL(() -> Math.multiplyExact(a, b));
  }

  public static Double mul(Double a, Double b) {
    return a == null || b == null ? null : a * b;
  }

  public static Integer neg(Integer a) {
    return a == null ? null : exact(() -> Math.negateExact(a));
  }

  public static Long neg(Long a) {
    return a == null ? null : exactL(() -> Math.negateExact(a));
  }

  public static Double neg(Double a) {
    return a == null ? null : -a;
  }

  private interface IntOp { int get(); }

  private interface LongOp { long get(); }

  private static Integer exact(IntOp op) {
    try {
      return op.get();
    } catch (ArithmeticException e) {
      throw new SparkError("[ARITHMETIC_OVERFLOW] integer overflow");
    }
  }

  private static Long exactL(LongOp op) {
    try {
      return op.get();
    } catch (ArithmeticException e) {
      throw new SparkError("[ARITHMETIC_OVERFLOW] long overflow");
    }
  }

  private static SparkError divideByZero() {
    return new SparkError("[DIVIDE_BY_ZERO] Division by zero");
  }

  /** Divide: both sides are DOUBLE here; ANSI raises for a zero divisor, even a float one. */
  public static Double div(Double a, Double b) {
    if (a == null || b == null) return null;
    if (b == 0.0) throw divideByZero();
    return a / b;
  }

  /** IntegralDivide (DIV). */
  public static Long idiv(Long a, Long b) {
    if (a == null || b == null) return null;
    if (b == 0L) throw divideByZero();
    if (a == Long.MIN_VALUE && b == -1L) {
      throw new SparkError("[ARITHMETIC_OVERFLOW] long overflow");
    }
    return a / b;
  }

  /** Remainder (%): the sign of the dividend, as Java's. */
  public static Long rem(Long a, Long b) {
    if (a == null || b == null) return null;
    if (b == 0L) throw divideByZero();
    return a % b;
  }

  public static Integer rem(Integer a, Integer b) {
    if (a == null || b == null) return null;
    if (b == 0) throw divideByZero();
    return a % b;
  }

  public static Double rem(Double a, Double b) {
    if (a == null || b == null) return null;
    if (b == 0.0) throw divideByZero();
    return a % b;
  }

  /** Pmod: {@code r = a % n; r < 0 ? (r + n) % n : r}. */
  public static Long pmod(Long a, Long n) {
    if (a == null || n == null) return null;
    if (n == 0L) throw divideByZero();
    long r = a % n;
    return r < 0 ? (r + n) % n : r;
  }

  public static Integer pmod(Integer a, Integer n) {
    if (a == null || n == null) return null;
    if (n == 0) throw divideByZero();
    int r = a % n;
    return r < 0 ? (r + n) % n : r;
  }

  // ---- comparison (Spark's orderings: NaN = NaN and above every number, -0.0 = 0.0;
  // strings by code point, as UTF8String compares its bytes) ----

  public static int compare(Integer a, Integer b) {
    return Integer.compare(a, b);
  }

  public static int compare(Long a, Long b) {
    return Long.compare(a, b);
  }

  public static int compare(Double a, Double b) {
    double x = a;
    double y = b;
    return x == y ? 0 : Double.compare(x, y);
  }

  public static int compare(Boolean a, Boolean b) {
    return Boolean.compare(a, b);
  }

  /** Spark compares UTF8String bytes, which orders as code points do: Python's order. */
  public static int compare(String a, String b) {
    return PyStr.compare(a, b);
  }

  // ---- functions of numbers ----

  /** Abs: exact under ANSI (abs of the smallest integer overflows). */
  public static Long abs(Long a) {
    return a == null ? null : exactL(() -> Math.absExact(a));
  }

  public static Integer abs(Integer a) {
    return a == null ? null : exact(() -> Math.absExact(a));
  }

  public static Double abs(Double a) {
    return a == null ? null : Math.abs(a);
  }

  /** Signum: a DOUBLE whatever the input. */
  public static Double signum(Double a) {
    return a == null ? null : Math.signum(a);
  }

  /** Log (ln), Log10, Log2: NULL at and below 0 (Spark's UnaryLogExpression). */
  public static Double ln(Double a) {
    return a == null || a <= 0.0 ? null : StrictMath.log(a);
  }

  public static Double log10(Double a) {
    return a == null || a <= 0.0 ? null : StrictMath.log10(a);
  }

  public static Double log2(Double a) {
    return a == null || a <= 0.0 ? null : StrictMath.log(a) / StrictMath.log(2.0);
  }

  /** Logarithm(base, x): NULL when either is at or below 0. */
  public static Double log(Double base, Double x) {
    if (base == null || x == null || base <= 0.0 || x <= 0.0) return null;
    return StrictMath.log(x) / StrictMath.log(base);
  }

  public static Double sqrt(Double a) {
    return a == null ? null : StrictMath.sqrt(a);
  }

  public static Double exp(Double a) {
    return a == null ? null : StrictMath.exp(a);
  }

  public static Double pow(Double a, Double b) {
    return a == null || b == null ? null : StrictMath.pow(a, b);
  }

  /** Floor/Ceil of a DOUBLE: a BIGINT through Java's cast (NaN 0, clamped). */
  public static Long floor(Double a) {
    return a == null ? null : (long) Math.floor(a);
  }

  public static Long ceil(Double a) {
    return a == null ? null : (long) Math.ceil(a);
  }

  /** BRound of a DOUBLE: half to even on its shortest decimal form (Scala's BigDecimal(d)). */
  public static Double bround(Double a, Integer scale) {
    if (a == null || scale == null) return null;
    double d = a;
    if (Double.isNaN(d) || Double.isInfinite(d)) return d;
    return new BigDecimal(Double.toString(d)).setScale(scale, RoundingMode.HALF_EVEN).doubleValue();
  }

  public static Boolean isnan(Double a) {
    return a == null ? Boolean.FALSE : Double.isNaN(a); // IsNaN of NULL is false
  }

  // ---- strings (positions in code points, as UTF8String counts) ----

  public static Integer length(String s) {
    return s == null ? null : s.codePointCount(0, s.length());
  }

  public static String concat(String... parts) {
    int n = 0;
    for (String p : parts) {
      if (p == null) return null;
      n += p.length();
    }
    StringBuilder out = new StringBuilder(n);
    for (String p : parts) out.append(p);
    return out.toString();
  }

  /** StringTrim, StringTrimLeft, StringTrimRight: the space character (U+0020) only. */
  public static String trim(String s) {
    return s == null ? null : rtrimSpaces(ltrimSpaces(s));
  }

  public static String ltrim(String s) {
    return s == null ? null : ltrimSpaces(s);
  }

  public static String rtrim(String s) {
    return s == null ? null : rtrimSpaces(s);
  }

  /** StringTrim with a set of characters: every code point of {@code chars} at the ends. */
  public static String trimChars(String s, String chars, String position) {
    if (s == null || chars == null) return null;
    int i = 0;
    int j = s.length();
    if (!position.equals("TRAILING")) {
      while (i < j && chars.indexOf(s.codePointAt(i)) >= 0) {
        i += Character.charCount(s.codePointAt(i));
      }
    }
    if (!position.equals("LEADING")) {
      while (j > i && chars.indexOf(s.codePointBefore(j)) >= 0) {
        j -= Character.charCount(s.codePointBefore(j));
      }
    }
    return s.substring(i, j);
  }

  private static String ltrimSpaces(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == ' ') i++;
    return s.substring(i);
  }

  private static String rtrimSpaces(String s) {
    int j = s.length();
    while (j > 0 && s.charAt(j - 1) == ' ') j--;
    return s.substring(0, j);
  }

  /** Substring (UTF8String.substringSQL): 1-based, a negative position counts from the end. */
  public static String substring(String s, Integer pos, Integer length) {
    if (s == null || pos == null || length == null) return null;
    int len = s.codePointCount(0, s.length());
    int start = pos > 0 ? pos - 1 : (pos < 0 ? len + pos : 0);
    long endL = (long) start + length;
    int end = endL > Integer.MAX_VALUE ? Integer.MAX_VALUE
        : (endL < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) endL);
    start = Math.max(start, 0);
    if (start >= end || start >= len) return "";
    end = Math.min(end, len);
    return s.substring(s.offsetByCodePoints(0, start), s.offsetByCodePoints(0, end));
  }

  public static String substring(String s, Integer pos) {
    return substring(s, pos, Integer.MAX_VALUE);
  }

  /** StringReplace: an empty search string leaves the string as it is. */
  public static String replace(String s, String search, String replacement) {
    if (s == null || search == null || replacement == null) return null;
    return search.isEmpty() ? s : s.replace(search, replacement);
  }

  /** StringLocate(substr, str, pos): 1-based code point position, 0 when absent. */
  public static Integer locate(String sub, String s, Integer pos) {
    if (pos == null) return 0; // Hive's rule: a NULL start gives 0, not NULL
    if (sub == null || s == null) return null;
    if (pos < 1) return 0;
    if (sub.isEmpty()) return 1; // UTF8String.indexOf of an empty string is 0
    int n = s.codePointCount(0, s.length());
    if (pos - 1 > n) return 0;
    int from = s.offsetByCodePoints(0, pos - 1);
    int at = s.indexOf(sub, from);
    return at < 0 ? 0 : s.codePointCount(0, at) + 1;
  }

  public static Boolean startswith(String s, String p) {
    return s == null || p == null ? null : s.startsWith(p);
  }

  public static Boolean endswith(String s, String p) {
    return s == null || p == null ? null : s.endsWith(p);
  }

  public static Boolean contains(String s, String p) {
    return s == null || p == null ? null : s.contains(p);
  }

  public static String repeat(String s, Integer n) {
    if (s == null || n == null) return null;
    return n <= 0 ? "" : s.repeat(n);
  }

  /** StringSplit (UTF8String.split): an empty pattern cuts between code points. */
  public static List<String> split(String s, Pattern regex, Integer limit) {
    if (s == null || regex == null || limit == null) return null;
    int lim = limit;
    if (!s.isEmpty() && regex.pattern().isEmpty()) {
      int n = s.codePointCount(0, s.length());
      int parts = lim > n || lim <= 0 ? n : lim;
      List<String> out = new ArrayList<>(parts);
      int at = 0;
      for (int k = 0; k < parts - 1; k++) {
        int next = s.offsetByCodePoints(at, 1);
        out.add(s.substring(at, next));
        at = next;
      }
      out.add(s.substring(at));
      return out;
    }
    return Arrays.asList(regex.split(s, lim == 0 ? -1 : lim));
  }

  /** RLike: a match anywhere. */
  public static Boolean rlike(String s, Pattern p) {
    return s == null || p == null ? null : p.matcher(s).find(0);
  }

  /** Like / ILike: the whole string, the pattern compiled by {@link #likePattern}. */
  public static Boolean like(String s, Pattern p) {
    return s == null || p == null ? null : p.matcher(s).matches();
  }

  /** StringUtils.escapeLikeRegex with Spark's default escape character '\'. */
  public static Pattern likePattern(String pattern) {
    StringBuilder out = new StringBuilder("(?s)");
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        char n = pattern.charAt(++i);
        if (n != '_' && n != '%' && n != '\\') {
          throw new SparkError("the escape character is not allowed to precede '" + n + "'");
        }
        out.append(Pattern.quote(Character.toString(n)));
      } else if (c == '\\') {
        throw new SparkError("it is not allowed to end with the escape character");
      } else if (c == '_') {
        out.append('.');
      } else if (c == '%') {
        out.append(".*");
      } else {
        out.append(Pattern.quote(Character.toString(c)));
      }
    }
    return Pattern.compile(out.toString());
  }

  /** Lower as ILike applies it to both sides (UTF8String.toLowerCase: the root locale). */
  public static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /** RegExpExtract: '' when nothing matches or the group did not take part. */
  public static String regexpExtract(String s, Pattern p, Integer group) {
    if (s == null || p == null || group == null) return null;
    Matcher m = p.matcher(s);
    if (group < 0 || group > m.groupCount()) {
      throw new SparkError("[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] regexp_extract group "
          + group + " of a pattern with " + m.groupCount() + " group(s)");
    }
    if (!m.find()) return "";
    String g = m.group(group);
    return g == null ? "" : g;
  }

  // ---- dates (days) and timestamps (microseconds), session time zone UTC ----

  public static LocalDate date(int days) {
    return LocalDate.ofEpochDay(days);
  }

  public static LocalDateTime dateTime(long micros) {
    return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
  }

  public static Long micros(LocalDateTime t) {
    if (t == null) return null;
    long seconds = t.toEpochSecond(ZoneOffset.UTC);
    return exactL(() -> Math.addExact(Math.multiplyExact(seconds, 1_000_000L), t.getNano() / 1000));
  }

  public static Integer days(LocalDate d) {
    return d == null ? null : Math.toIntExact(d.toEpochDay());
  }

  /** Cast(timestamp AS DATE). */
  public static Integer toDate(Long micros) {
    return micros == null ? null : (int) Math.floorDiv(micros, MICROS_PER_DAY);
  }

  /** Cast(date AS TIMESTAMP). */
  public static Long toTimestamp(Integer days) {
    return days == null ? null : days * MICROS_PER_DAY;
  }

  public static Integer year(Integer days) {
    return days == null ? null : date(days).getYear();
  }

  public static Integer month(Integer days) {
    return days == null ? null : date(days).getMonthValue();
  }

  public static Integer day(Integer days) {
    return days == null ? null : date(days).getDayOfMonth();
  }

  public static Integer quarter(Integer days) {
    return days == null ? null : (date(days).getMonthValue() - 1) / 3 + 1;
  }

  public static Integer dayOfYear(Integer days) {
    return days == null ? null : date(days).getDayOfYear();
  }

  /** DayOfWeek: 1 = Sunday ... 7 = Saturday. */
  public static Integer dayOfWeek(Integer days) {
    return days == null ? null : date(days).getDayOfWeek().getValue() % 7 + 1;
  }

  /** WeekOfYear: ISO 8601 weeks. */
  public static Integer weekOfYear(Integer days) {
    return days == null ? null : date(days).get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
  }

  public static Integer hour(Long micros) {
    return micros == null ? null : (int) (Math.floorMod(micros, MICROS_PER_DAY) / 3_600_000_000L);
  }

  public static Integer minute(Long micros) {
    return micros == null ? null : (int) (Math.floorMod(micros, 3_600_000_000L) / 60_000_000L);
  }

  /** MakeDate: ANSI raises for a day that does not exist. */
  public static Integer makeDate(Integer y, Integer m, Integer d) {
    if (y == null || m == null || d == null) return null;
    try {
      return Math.toIntExact(LocalDate.of(y, m, d).toEpochDay());
    } catch (java.time.DateTimeException | ArithmeticException e) {
      throw new SparkError("[DATETIME_FIELD_OUT_OF_BOUNDS] " + e.getMessage());
    }
  }

  /** DateDiff(end, start) in days. */
  public static Integer dateDiff(Integer end, Integer start) {
    return end == null || start == null ? null : end - start;
  }

  public static Long unixMicros(Long micros) {
    return micros;
  }

  public static Long unixSeconds(Long micros) {
    return micros == null ? null : Math.floorDiv(micros, 1_000_000L);
  }

  /** A timestamp plus a number of months (the day clamped to the month's last, as Spark). */
  public static Long addMonths(Long micros, int months) {
    if (micros == null) return null;
    LocalDateTime t = dateTime(micros).plusMonths(months);
    return micros(t);
  }

  public static Integer addMonthsToDate(Integer days, int months) {
    return days == null ? null : Math.toIntExact(date(days).plusMonths(months).toEpochDay());
  }

  public static Integer addDays(Integer days, int n) {
    return days == null ? null : exact(() -> Math.addExact(days, n));
  }

  public static Long addMicros(Long micros, long n) {
    return micros == null ? null : exactL(() -> Math.addExact(micros, n));
  }

  /** TruncTimestamp (date_trunc) for the units the lowering emits. */
  public static Long truncTimestamp(String unit, Long micros) {
    if (micros == null || unit == null) return null;
    LocalDateTime t = dateTime(micros);
    switch (unit.toUpperCase(Locale.ROOT)) {
      case "YEAR": case "YYYY": case "YY":
        return micros(t.toLocalDate().withDayOfYear(1).atStartOfDay());
      case "QUARTER":
        return micros(LocalDate.of(t.getYear(), (t.getMonthValue() - 1) / 3 * 3 + 1, 1)
            .atStartOfDay());
      case "MONTH": case "MM": case "MON":
        return micros(t.toLocalDate().withDayOfMonth(1).atStartOfDay());
      case "WEEK":
        return micros(t.toLocalDate().minusDays(t.getDayOfWeek().getValue() - 1).atStartOfDay());
      case "DAY": case "DD":
        return micros(t.truncatedTo(ChronoUnit.DAYS));
      case "HOUR":
        return micros(t.truncatedTo(ChronoUnit.HOURS));
      case "MINUTE":
        return micros(t.truncatedTo(ChronoUnit.MINUTES));
      case "SECOND":
        return micros(t.truncatedTo(ChronoUnit.SECONDS));
      case "MILLISECOND":
        return micros(t.truncatedTo(ChronoUnit.MILLIS));
      case "MICROSECOND":
        return micros;
      default:
        return null; // Spark: an unknown unit gives NULL
    }
  }

  // ---- casts (ANSI) ----

  public static Long toLong(Integer a) {
    return a == null ? null : (long) a;
  }

  public static Integer toInt(Long a) {
    if (a == null) return null;
    if (a < Integer.MIN_VALUE || a > Integer.MAX_VALUE) {
      throw new SparkError("[CAST_OVERFLOW] The value " + a + "L of the type \"BIGINT\" cannot be "
          + "cast to \"INT\" due to an overflow.");
    }
    return (int) (long) a;
  }

  public static Double toDouble(Long a) {
    return a == null ? null : (double) a;
  }

  public static Double toDouble(Integer a) {
    return a == null ? null : (double) a;
  }

  /** Cast(double AS BIGINT) under ANSI: the range check on floor/ceil, then truncation. */
  public static Long toLong(Double a) {
    if (a == null) return null;
    double d = a;
    if (Math.floor(d) <= (double) Long.MAX_VALUE && Math.ceil(d) >= (double) Long.MIN_VALUE) {
      return (long) d;
    }
    throw new SparkError("[CAST_OVERFLOW] The value " + d + "D of the type \"DOUBLE\" cannot be "
        + "cast to \"BIGINT\" due to an overflow.");
  }

  public static Integer toInt(Double a) {
    if (a == null) return null;
    double d = a;
    if (Math.floor(d) <= (double) Integer.MAX_VALUE && Math.ceil(d) >= (double) Integer.MIN_VALUE) {
      return (int) d;
    }
    throw new SparkError("[CAST_OVERFLOW] The value " + d + "D of the type \"DOUBLE\" cannot be "
        + "cast to \"INT\" due to an overflow.");
  }

  public static Long toLong(Boolean b) {
    return b == null ? null : (b ? 1L : 0L);
  }

  public static Integer toInt(Boolean b) {
    return b == null ? null : (b ? 1 : 0);
  }

  public static Double toDouble(Boolean b) {
    return b == null ? null : (b ? 1.0 : 0.0);
  }

  public static String toStr(Long a) {
    return a == null ? null : Long.toString(a);
  }

  public static String toStr(Integer a) {
    return a == null ? null : Integer.toString(a);
  }

  /** Cast(double AS STRING): Java's shortest repr, as Spark's cast writes it. */
  public static String toStr(Double a) {
    return a == null ? null : Double.toString(a);
  }

  public static String toStr(Boolean b) {
    return b == null ? null : (b ? "true" : "false");
  }

  /** RaiseError: the message the lowering wrote. */
  public static <T> T raiseError(String message) {
    throw new SparkError(message);
  }

  // ---- the nb2jvm runtime's DuckDB-semantics functions, as the SQL calls them ----

  public static String duckdbUpper(String s) {
    return s == null ? null : DuckDbCase.upper(s);
  }

  public static String duckdbLower(String s) {
    return s == null ? null : DuckDbCase.lower(s);
  }

  public static String duckdbSubstring(String s, Long offset, Long length) {
    return s == null || offset == null || length == null ? null
        : DuckDbSubstring.substring(s, offset, length);
  }

  public static String re2Replace(String s, Pattern p, String rewrite) {
    return s == null || p == null || rewrite == null ? null : Re2Replace.replace(s, p, rewrite);
  }

  public static List<String> re2Split(String s, Pattern p) {
    return s == null || p == null ? null : Re2Split.split(s, p);
  }

  public static String duckdbStrftime(Long micros, String format) {
    if (micros == null || format == null) return null;
    return DuckDbStrftime.format(dateTime(micros), (int) Math.floorMod(micros, 1_000_000L), format);
  }

  public static Double duckdbRound(Double x, Double scale, Boolean negativeDigits) {
    return x == null || scale == null || negativeDigits == null ? null
        : DuckDbRound.round(x, scale, negativeDigits);
  }

  public static Long duckdbRoundInt(Double x) {
    return x == null ? null : DuckDbRound.roundToLong(x);
  }

  public static Long duckdbTryInt(String s, Integer bits) {
    return s == null || bits == null ? null : DuckDbCast.toInteger(s, bits);
  }

  public static Double duckdbTryDouble(String s) {
    return s == null ? null : DuckDbCast.toDouble(s);
  }
}
