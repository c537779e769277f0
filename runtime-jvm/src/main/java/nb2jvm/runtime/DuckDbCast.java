package nb2jvm.runtime;

import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB's casts of text to integers, doubles and booleans, as {@code TRY_CAST} gives them (NULL
 * where the text is not a value; the lowered SQL raises for {@code CAST}). Measured on DuckDB 1.4
 * (tests/test_string_casts.py) and following the rules of its integer reader:
 *
 * <ul>
 *   <li>spaces ({@code ' ' \t \n \v \f \r}) around the value; a {@code +} or {@code -} sign;
 *       single underscores between digits; {@code 0x}/{@code 0b} prefixes (no sign, no spaces
 *       after);
 *   <li>a fraction rounds half away from zero by its first digit ({@code '1.5'} is 2, {@code
 *       '-2.5'} is -3, {@code '1.49'} is 1), and an exponent scales the digits before the fraction
 *       is rounded ({@code '1.55e1'} is 16, {@code '5e-1'} is 1, {@code '1e5.'} is 100000);
 *   <li>overflow of the integer part, of the exponent (int16) or of the result type is NULL.
 * </ul>
 *
 * Doubles: spaces around, an optional {@code +} before the number's own sign, digits with
 * single underscores, a fraction and an exponent (both may have underscores), {@code inf},
 * {@code infinity} and {@code nan} in any case; correctly rounded ({@link Double#parseDouble}).
 * Booleans: {@code true t yes y 1} and {@code false f no n 0} in any case, nothing around them.
 */
public final class DuckDbCast {
  private DuckDbCast() {}

  static final String INT_NAME = "nb2jvm_duckdb_try_int";
  static final String DOUBLE_NAME = "nb2jvm_duckdb_try_double";
  static final String BOOL_NAME = "nb2jvm_duckdb_try_bool";

  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Past one underscore between two digits at {@code pos}: the next position, -1 if invalid. */
  private static int underscore(String s, int pos, int end) {
    if (pos == end || s.charAt(pos) != '_') return pos;
    return pos + 1 < end && digit(s.charAt(pos + 1)) ? pos + 1 : -1;
  }

  /** Past trailing spaces: true if only spaces are left. */
  private static boolean onlySpaces(String s, int pos, int end) {
    while (pos < end) {
      if (!space(s.charAt(pos++))) return false;
    }
    return true;
  }

  /** The integer DuckDB reads from {@code s}, if it fits {@code bits} bits, else null. */
  static Long toInteger(String s, int bits) {
    int start = 0;
    int end = s.length();
    while (start < end && space(s.charAt(start))) start++;
    if (start == end) return null;
    Long value;
    char first = s.charAt(start);
    if (first != '-' && end - start > 1 && first == '0'
        && "xXbB".indexOf(s.charAt(start + 1)) >= 0) {
      value = radix(s, start + 2, end, "xX".indexOf(s.charAt(start + 1)) >= 0 ? 16 : 2);
    } else {
      value = new Reader(s, start, end, first == '-').read();
    }
    if (value == null) return null;
    long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    return value < min || value > max ? null : value;
  }

  private static Long radix(String s, int pos, int end, int base) {
    // digits of the base with single underscores between them, and nothing else
    long result = 0;
    if (pos >= end) return null;
    while (pos < end) {
      int d = Character.digit(s.charAt(pos), base);
      if (d < 0 || s.charAt(pos) > 127) return null;
      if (result > (Long.MAX_VALUE - d) / base) return null;
      result = result * base + d;
      pos++;
      if (pos < end && s.charAt(pos) == '_') {
        pos++;
        if (pos == end || Character.digit(s.charAt(pos), base) < 0) return null;
      }
    }
    return result;
  }

  /** DuckDB's decimal integer reader: integer part, fraction, exponent, as its rules have it. */
  private static final class Reader {
    final String s;
    final int end;
    final boolean negative;
    int pos;
    final int startPos;
    long result;
    long decimal;
    int decimalDigits;

    Reader(String s, int start, int end, boolean negative) {
      this.s = s;
      this.end = end;
      this.negative = negative;
      int p = start;
      if (negative || s.charAt(start) == '+') p++;
      this.pos = p;
      this.startPos = p;
    }

    boolean addDigit(int d) {
      if (negative) {
        if (result < (Long.MIN_VALUE + d) / 10) return false;
        result = result * 10 - d;
      } else {
        if (result > (Long.MAX_VALUE - d) / 10) return false;
        result = result * 10 + d;
      }
      return true;
    }

    void addDecimal(int d) {
      // digits past what a long holds are dropped, as DuckDB drops them
      if (decimal > (Long.MAX_VALUE - d) / 10) return;
      decimalDigits++;
      decimal = decimal * 10 + d;
    }

    Long read() {
      while (pos < end) {
        char c = s.charAt(pos);
        if (!digit(c)) {
          if (c == '.') {
            boolean before = pos > startPos;
            pos++;
            int firstDecimal = pos;
            while (pos < end && digit(s.charAt(pos))) {
              addDecimal(s.charAt(pos) - '0');
              pos = underscore(s, pos + 1, end);
              if (pos < 0) return null;
            }
            if (!before && pos == firstDecimal) return null;
            if (pos >= end) break;
            c = s.charAt(pos);
          }
          if (space(c)) {
            if (!onlySpaces(s, pos, end)) return null;
            pos = end;
            break;
          }
          if (c == 'e' || c == 'E') {
            if (pos == startPos) return null;
            pos++;
            if (pos >= end) return null;
            Long exponent = exponent(s, pos, end);
            if (exponent == null) return null;
            return scale((int) (long) exponent) ? finish() : null;
          }
          return null;
        }
        if (!addDigit(c - '0')) return null;
        pos = underscore(s, pos + 1, end);
        if (pos < 0) return null;
      }
      if (pos <= startPos) return null;
      return finish();
    }

    boolean scale(int exponent) {
      if (exponent < 0) {
        for (int e = exponent; e < 0; e++) {
          decimal = result % 10;
          result /= 10;
          if (result == 0 && decimal == 0) break;
        }
        decimal = Math.abs(decimal);
        decimalDigits = 1;
        return true;
      }
      for (int e = exponent; result != 0 && e > 0; e--) {
        long next = result * 10;
        if (next / 10 != result) return false;
        result = next;
      }
      if (decimal == 0) return true;
      int e = exponent - decimalDigits;
      long remainder = 0;
      if (e < 0) {
        if (-e <= 18) {
          long power = 1;
          for (int k = e; k < 0; k++) power *= 10;
          remainder = decimal % power;
          decimal /= power;
        } else {
          decimal = 0;
        }
      } else {
        for (int k = e; k > 0; k--) {
          long next = decimal * 10;
          if (next / 10 != decimal) return false;
          decimal = next;
        }
      }
      decimalDigits -= exponent;
      try {
        result = negative ? Math.subtractExact(result, decimal) : Math.addExact(result, decimal);
      } catch (ArithmeticException overflow) {
        return false;
      }
      decimal = remainder;
      return true;
    }

    Long finish() {
      while (decimal > 10) {
        decimal /= 10;
        decimalDigits--;
      }
      if (decimalDigits == 1 && decimal >= 5) {
        try {
          result = negative ? Math.subtractExact(result, 1) : Math.addExact(result, 1);
        } catch (ArithmeticException overflow) {
          return null;
        }
      }
      return result;
    }
  }

  /** An exponent: an int16 with a sign, underscores between digits, spaces after. */
  private static Long exponent(String s, int pos, int end) {
    boolean negative = s.charAt(pos) == '-';
    if (negative || s.charAt(pos) == '+') pos++;
    int start = pos;
    long value = 0;
    while (pos < end) {
      char c = s.charAt(pos);
      if (c == '.') {
        // DuckDB's reader takes a period with no digits after it ('1e5.' is 100000)
        if (pos + 1 < end && digit(s.charAt(pos + 1))) return null;
        if (pos == start) return null;
        pos++;
        if (pos >= end) break;
        c = s.charAt(pos);
      }
      if (space(c)) {
        if (!onlySpaces(s, pos, end)) return null;
        pos = end;
        break;
      }
      if (!digit(c)) return null;
      value = value * 10 + (c - '0');
      if (value > (negative ? 32768 : 32767)) return null;
      pos = underscore(s, pos + 1, end);
      if (pos < 0) return null;
    }
    if (pos <= start) return null;
    return negative ? -value : value;
  }

  private static final String DIGITS = "[0-9]+(?:_[0-9]+)*";
  private static final Pattern DOUBLE = Pattern.compile("-?(?:(?:" + DIGITS + "(?:\\.(?:"
      + DIGITS + ")?)?|\\." + DIGITS + ")(?:[eE][+-]?" + DIGITS + ")?|(?i:inf|infinity|nan))");

  /** The double DuckDB reads from {@code s}, else null. */
  static Double toDouble(String s) {
    String t = trimmed(s);
    if (t == null) return null;
    if (t.startsWith("+")) t = t.substring(1);
    if (!DOUBLE.matcher(t).matches()) return null;
    String lower = t.toLowerCase(Locale.ROOT);
    boolean minus = lower.startsWith("-");
    String body = minus ? lower.substring(1) : lower;
    if (body.equals("nan")) return Double.NaN;
    if (body.startsWith("inf")) return minus ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    return Double.parseDouble(t.replace("_", ""));
  }

  private static String trimmed(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && space(s.charAt(a))) a++;
    while (b > a && space(s.charAt(b - 1))) b--;
    return a == b ? null : s.substring(a, b);
  }

  /** {@code nb2jvm_duckdb_try_int(s, bits)}. */
  public static final class TryInt implements UDF2<String, Integer, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call(String s, Integer bits) {
      return s == null || bits == null ? null : toInteger(s, bits);
    }
  }

  /** {@code nb2jvm_duckdb_try_double(s)}. */
  public static final class TryDouble implements UDF1<String, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(String s) {
      return s == null ? null : toDouble(s);
    }
  }

  /** {@code nb2jvm_duckdb_try_bool(s)}. */
  public static final class TryBool implements UDF1<String, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean call(String s) {
      if (s == null) return null;
      switch (s.toLowerCase(Locale.ROOT)) {
        case "true": case "t": case "yes": case "y": case "1": return Boolean.TRUE;
        case "false": case "f": case "no": case "n": case "0": return Boolean.FALSE;
        default: return null;
      }
    }
  }
}
