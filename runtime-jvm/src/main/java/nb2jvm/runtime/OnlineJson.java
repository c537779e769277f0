package nb2jvm.runtime;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The online path's JSON-lines encoding, without a JSON library (the online path has nothing but
 * the artifact and the JDK): numbers as JSON numbers, NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity", dates "YYYY-MM-DD", timestamps "YYYY-MM-DDTHH:MM:SS.ffffff", arrays
 * as JSON arrays, NULL as null. Input is bounded: nesting depth and string sizes.
 */
public final class OnlineJson {
  private OnlineJson() {}

  static final int MAX_DEPTH = 64;

  /** Bad input: the message says where. */
  public static final class JsonError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JsonError(String message) {
      super(message);
    }
  }

  // ---- parsing ----

  /** One JSON object (a line of the input) as a map in key order. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Parser p = new Parser(text);
    p.space();
    Object v = p.value(0);
    p.space();
    if (p.pos != text.length()) throw p.error("text after the JSON value");
    if (!(v instanceof Map)) throw new JsonError("a line must hold a JSON object");
    return (Map<String, Object>) v;
  }

  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    JsonError error(String what) {
      return new JsonError(what + " at column " + (pos + 1));
    }

    void space() {
      while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
      if (pos >= s.length()) throw error("a value expected");
      char c = s.charAt(pos);
      if (c == '{') return object(depth);
      if (c == '[') return array(depth);
      if (c == '"') return string();
      if (s.startsWith("true", pos)) { pos += 4; return Boolean.TRUE; }
      if (s.startsWith("false", pos)) { pos += 5; return Boolean.FALSE; }
      if (s.startsWith("null", pos)) { pos += 4; return null; }
      return number();
    }

    Map<String, Object> object(int depth) {
      Map<String, Object> out = new LinkedHashMap<>();
      pos++;
      space();
      if (pos < s.length() && s.charAt(pos) == '}') { pos++; return out; }
      while (true) {
        space();
        if (pos >= s.length() || s.charAt(pos) != '"') throw error("a key (a string) expected");
        String key = string();
        space();
        if (pos >= s.length() || s.charAt(pos) != ':') throw error("':' expected");
        pos++;
        space();
        if (out.containsKey(key)) throw error("the key \"" + key + "\" twice");
        out.put(key, value(depth + 1));
        space();
        if (pos < s.length() && s.charAt(pos) == ',') { pos++; continue; }
        if (pos < s.length() && s.charAt(pos) == '}') { pos++; return out; }
        throw error("',' or '}' expected");
      }
    }

    List<Object> array(int depth) {
      List<Object> out = new ArrayList<>();
      pos++;
      space();
      if (pos < s.length() && s.charAt(pos) == ']') { pos++; return out; }
      while (true) {
        space();
        out.add(value(depth + 1));
        space();
        if (pos < s.length() && s.charAt(pos) == ',') { pos++; continue; }
        if (pos < s.length() && s.charAt(pos) == ']') { pos++; return out; }
        throw error("',' or ']' expected");
      }
    }

    String string() {
      StringBuilder out = new StringBuilder();
      pos++;
      while (true) {
        if (pos >= s.length()) throw error("an unterminated string");
        char c = s.charAt(pos++);
        if (c == '"') return out.toString();
        if (c < 0x20) throw error("a control character in a string");
        if (c != '\\') { out.append(c); continue; }
        if (pos >= s.length()) throw error("an unterminated escape");
        char e = s.charAt(pos++);
        switch (e) {
          case '"': out.append('"'); break;
          case '\\': out.append('\\'); break;
          case '/': out.append('/'); break;
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'n': out.append('\n'); break;
          case 'r': out.append('\r'); break;
          case 't': out.append('\t'); break;
          case 'u':
            if (pos + 4 > s.length()) throw error("a short \\u escape");
            try {
              out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException x) {
              throw error("a bad \\u escape");
            }
            pos += 4;
            break;
          default: throw error("a bad escape \\" + e);
        }
      }
    }

    Object number() {
      int start = pos;
      if (pos < s.length() && s.charAt(pos) == '-') pos++;
      while (pos < s.length() && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) pos++;
      String t = s.substring(start, pos);
      if (!t.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
        pos = start;
        throw error("a value expected");
      }
      return new Num(t);
    }
  }

  /** A JSON number as written: read as the column's type (a double keeps the sign of -0.0,
   * which BigDecimal would lose). */
  static final class Num {
    final String text;

    Num(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  // ---- values of a column's type, from JSON and back ----

  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
      .toFormatter();

  private static final DateTimeFormatter TIMESTAMP_IN = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd['T'][' ']HH:mm[:ss]")
      .optionalStart()
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .optionalEnd()
      .toFormatter();

  /** A JSON value as the API's value of the column's Spark type. */
  public static Object toValue(Object json, String type, String column) {
    if (json == null) return null;
    try {
      switch (type) {
        case "bigint": return Long.parseLong(integer((Num) json));
        case "int": return Integer.parseInt(integer((Num) json));
        case "double": return json instanceof String ? special((String) json)
            : Double.parseDouble(((Num) json).text);
        case "string": return (String) json;
        case "boolean": return (Boolean) json;
        case "date": return LocalDate.parse((String) json);
        case "timestamp": case "timestamp_ntz": case "timestamp_ntz|timestamp":
          return LocalDateTime.parse((String) json, TIMESTAMP_IN);
        case "array<string>": {
          List<String> out = new ArrayList<>();
          for (Object o : (List<?>) json) out.add((String) o);
          return out;
        }
        default: throw new JsonError("the type " + type + " has no JSON form here");
      }
    } catch (ClassCastException | ArithmeticException | java.time.format.DateTimeParseException
        | NumberFormatException e) {
      throw new JsonError("column \"" + column + "\" (" + type + "): cannot read " + show(json)
          + " (" + e.getMessage() + ")");
    }
  }

  private static String integer(Num n) {
    // a whole number as JSON writes one; 2.0 or 1e3 for an integer column is refused, not
    // guessed (and no exponent is ever expanded: 1e999999999 stays text)
    if (!n.text.matches("-?[0-9]{1,20}")) throw new NumberFormatException("not a whole number");
    return n.text;
  }

  private static Double special(String s) {
    switch (s) {
      case "NaN": return Double.NaN;
      case "Infinity": return Double.POSITIVE_INFINITY;
      case "-Infinity": return Double.NEGATIVE_INFINITY;
      default: throw new NumberFormatException("a string that is not NaN, Infinity or -Infinity");
    }
  }

  private static String show(Object json) {
    String s = json instanceof String ? "\"" + json + "\"" : String.valueOf(json);
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  /** The API's value as JSON text. */
  public static void write(StringBuilder out, Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String) {
      quote(out, (String) v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) out.append("\"NaN\"");
      else if (Double.isInfinite(d)) out.append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
      else out.append(Double.toString(d));
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof LocalDate) {
      quote(out, v.toString());
    } else if (v instanceof LocalDateTime) {
      quote(out, TIMESTAMP.format((LocalDateTime) v));
    } else if (v instanceof List) {
      out.append('[');
      boolean first = true;
      for (Object o : (List<?>) v) {
        if (!first) out.append(',');
        first = false;
        write(out, o);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
    }
  }

  public static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
          && !validSurrogate(s, i)) {
        out.append(String.format("\\u%04x", (int) c));
      } else out.append(c);
    }
    out.append('"');
  }

  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
