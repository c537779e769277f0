package nb2jvm.runtime;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's format-spec mini-language for f-string fields ({@code f"{x:>8.2f}"}):
 * {@code [[fill]align][sign][0][width][,|_][.precision][type]} with the types s, d, b, o, x, X,
 * f, F, e, E and %. Floats are rounded half-to-even on their exact binary value, as CPython
 * does ({@code String.format} rounds half-up). The transpiler refuses other specs.
 */
public final class PyFormat {
  private PyFormat() {}

  private static final class Spec {
    int fill = ' ';
    char align = 0;
    char sign = '-';
    int width = -1;
    char grouping = 0;
    int precision = -1;
    char type = 0;
  }

  private static Spec parse(String spec) {
    Spec s = new Spec();
    int[] c = PyStr.cps(spec);
    int i = 0;
    if (c.length >= 2 && "<>=^".indexOf(c[1]) >= 0) {
      s.fill = c[0];
      s.align = (char) c[1];
      i = 2;
    } else if (c.length >= 1 && "<>=^".indexOf(c[0]) >= 0) {
      s.align = (char) c[0];
      i = 1;
    }
    if (i < c.length && "+- ".indexOf(c[i]) >= 0) s.sign = (char) c[i++];
    if (i < c.length && c[i] == '0') {
      if (s.align == 0) {
        s.fill = '0';
        s.align = '=';
      }
      i++;
    }
    int w = 0;
    boolean hasWidth = false;
    while (i < c.length && c[i] >= '0' && c[i] <= '9') {
      w = w * 10 + (c[i++] - '0');
      hasWidth = true;
    }
    if (hasWidth) s.width = w;
    if (i < c.length && (c[i] == ',' || c[i] == '_')) s.grouping = (char) c[i++];
    if (i < c.length && c[i] == '.') {
      i++;
      int p = 0;
      while (i < c.length && c[i] >= '0' && c[i] <= '9') p = p * 10 + (c[i++] - '0');
      s.precision = p;
    }
    if (i < c.length) s.type = (char) c[i++];
    if (i != c.length) throw PyError.value("Invalid format specifier '" + spec + "'");
    return s;
  }

  private static String pad(String sign, String body, Spec s, char defaultAlign) {
    char align = s.align == 0 ? defaultAlign : s.align;
    long n = PyStr.len(sign) + PyStr.len(body);
    if (s.width <= n) return sign + body;
    String fill = new String(Character.toChars(s.fill)).repeat((int) (s.width - n));
    switch (align) {
      case '<': return sign + body + fill;
      case '=': return sign + fill + body;
      case '^': {
        int total = (int) (s.width - n);
        String f = new String(Character.toChars(s.fill));
        return f.repeat(total / 2) + sign + body + f.repeat(total - total / 2);
      }
      default: return fill + sign + body;
    }
  }

  private static String group(String digits, char sep, int every) {
    if (sep == 0) return digits;
    StringBuilder out = new StringBuilder();
    int n = digits.length();
    for (int i = 0; i < n; i++) {
      if (i > 0 && (n - i) % every == 0) out.append(sep);
      out.append(digits.charAt(i));
    }
    return out.toString();
  }

  private static String signOf(boolean negative, Spec s) {
    if (negative) return "-";
    return s.sign == '+' ? "+" : s.sign == ' ' ? " " : "";
  }

  public static String format(String value, String spec) {
    Spec s = parse(spec);
    if (s.type != 0 && s.type != 's') {
      throw PyError.value("Unknown format code '" + s.type + "' for object of type 'str'");
    }
    String body = s.precision >= 0 && PyStr.len(value) > s.precision
        ? PyStr.slice(value, 0, s.precision, 1) : value;
    return pad("", body, s, '<');
  }

  public static String format(boolean value, String spec) {
    return spec.isEmpty() ? Py.str(value) : format(value ? 1L : 0L, spec);
  }

  public static String format(long value, String spec) {
    return format(java.math.BigInteger.valueOf(value), spec);
  }

  /** An int of any size (the exact variant of a UDF, {@link PyBig}). */
  public static String format(java.math.BigInteger value, String spec) {
    Spec s = parse(spec);
    if ("fFeE%gGn".indexOf(s.type == 0 ? 'd' : s.type) >= 0 && s.type != 'n') {
      return format(PyBig.toFloat(value), spec);
    }
    if (s.precision >= 0) throw PyError.value("Precision not allowed in integer format specifier");
    if (s.type == 'c') {
      // the spec's sign and grouping are refused at build time, as Python refuses them
      if (value.signum() < 0 || value.compareTo(java.math.BigInteger.valueOf(0x10FFFF)) > 0) {
        throw PyError.overflow("%c arg not in range(0x110000)");
      }
      return pad("", new String(Character.toChars(value.intValue())), s, '>');
    }
    int radix;
    int every = 3;
    switch (s.type) {
      case 0: case 'd': radix = 10; break;
      case 'x': case 'X': radix = 16; every = 4; break;
      case 'o': radix = 8; every = 4; break;
      case 'b': radix = 2; every = 4; break;
      default: throw PyError.value("Unknown format code '" + s.type + "' for object of type 'int'");
    }
    boolean negative = value.signum() < 0;
    if (radix == 10) PyBig.str(value); // CPython's 4300-digit limit (ValueError)
    String digits = value.abs().toString(radix);
    if (s.type == 'X') digits = digits.toUpperCase(java.util.Locale.ROOT);
    return pad(signOf(negative, s), group(digits, s.grouping, every), s, '>');
  }

  public static String format(double value, String spec) {
    Spec s = parse(spec);
    if (s.type == 0 && s.precision < 0 && s.grouping == 0) {
      return pad("", Py.str(value), s, '>');
    }
    char type = s.type == 0 ? 'r' : s.type;
    if (type == '%') value *= 100; // CPython scales the double first (so it may overflow)
    boolean negative = value < 0 || (value == 0.0 && 1.0 / value < 0);
    double x = Math.abs(value);
    boolean upper = type == 'F' || type == 'E' || type == 'G';
    String body;
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      negative = value < 0;
      body = Double.isNaN(value) ? "nan" : "inf";
      if (upper) body = body.toUpperCase(java.util.Locale.ROOT);
      if (type == '%') body += "%";
      return pad(signOf(negative, s), body, s, '>');
    }
    int prec = s.precision < 0 ? 6 : s.precision;
    switch (type) {
      case 'f': case 'F': body = fixed(x, prec, s.grouping); break;
      case '%': body = fixed(x, prec, s.grouping) + "%"; break;
      case 'e': case 'E': body = sci(x, prec, upper); break;
      case 'g': case 'G': body = general(x, prec, type == 'G', s.grouping); break;
      default:
        throw PyError.value("Unknown format code '" + type + "' for object of type 'float'");
    }
    return pad(signOf(negative, s), body, s, '>');
  }

  private static String fixed(double x, int prec, char grouping) {
    String text = new BigDecimal(x).setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
    int dot = text.indexOf('.');
    String whole = dot < 0 ? text : text.substring(0, dot);
    String frac = dot < 0 ? "" : text.substring(dot);
    return group(whole, grouping, 3) + frac;
  }

  /**
   * Python's 'g': p significant digits (0 counts as 1), fixed notation when the rounded
   * value's exponent is in [-4, p), else scientific; trailing zeros and a bare point removed.
   */
  private static String general(double x, int prec, boolean upper, char grouping) {
    int p = prec == 0 ? 1 : prec;
    int exp = 0;
    if (x != 0.0) {
      BigDecimal r = new BigDecimal(x).round(new MathContext(p, RoundingMode.HALF_EVEN));
      exp = r.precision() - r.scale() - 1;
    }
    String body;
    if (-4 <= exp && exp < p) {
      body = fixed(x, p - 1 - exp, grouping);
      if (body.indexOf('.') >= 0) body = body.replaceAll("0+$", "").replaceAll("\\.$", "");
    } else {
      body = sci(x, p - 1, upper);
      int e = body.indexOf(upper ? 'E' : 'e');
      String mantissa = body.substring(0, e);
      if (mantissa.indexOf('.') >= 0) {
        mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
      body = mantissa + body.substring(e);
    }
    return body;
  }

  private static String sci(double x, int prec, boolean upper) {
    String mantissa;
    int exp;
    if (x == 0.0) {
      mantissa = prec > 0 ? "0." + "0".repeat(prec) : "0";
      exp = 0;
    } else {
      BigDecimal r = new BigDecimal(x).round(new MathContext(prec + 1, RoundingMode.HALF_EVEN));
      String digits = r.unscaledValue().toString();
      digits = (digits + "0".repeat(prec + 1)).substring(0, prec + 1);
      exp = r.precision() - r.scale() - 1;
      mantissa = prec > 0 ? digits.charAt(0) + "." + digits.substring(1) : digits;
    }
    String e = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : Integer.toString(Math.abs(exp));
    return mantissa + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + e;
  }
}
