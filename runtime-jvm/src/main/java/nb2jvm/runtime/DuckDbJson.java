package nb2jvm.runtime;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB's JSON values (its yyjson reader) for the lowered SQL: a JSON value travels through
 * the query as its text, and each function parses it the way DuckDB does. What DuckDB accepts
 * (measured): RFC 8259 plus trailing commas in arrays and objects, {@code nan}, {@code inf} and
 * {@code infinity} in any case with an optional minus; surrounding spaces, tabs and line
 * breaks. It refuses everything else with "Malformed JSON", and so does {@link #parse}. Numbers
 * are typed as DuckDB's {@code json_type} does: an integer is UBIGINT if it fits uint64 (and is
 * not negative), BIGINT if negative and it fits int64, DOUBLE otherwise. Lookups take the first
 * of duplicate keys; a negative index counts from the end. JSON values never leave the query
 * as text (nb2jvm refuses a JSON output column), so how DuckDB re-prints them does not matter.
 */
public final class DuckDbJson {
  private DuckDbJson() {}

  static final String CHECK_NAME = "nb2jvm_duckdb_json";
  static final String KEY_NAME = "nb2jvm_duckdb_json_key";
  static final String INDEX_NAME = "nb2jvm_duckdb_json_index";
  static final String STRING_NAME = "nb2jvm_duckdb_json_string";
  static final String INT_NAME = "nb2jvm_duckdb_json_int";
  static final String FLOAT_NAME = "nb2jvm_duckdb_json_float";
  static final String BOOL_NAME = "nb2jvm_duckdb_json_bool";
  static final String ARRAY_NAME = "nb2jvm_duckdb_json_array";
  static final String MAP_NAME = "nb2jvm_duckdb_json_map";

  private static final int MAX_DEPTH = 1000; // beyond it: an error, never a wrong value
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** A parsed value: its kind and, for containers, its members as source slices. */
  static final class Value {
    final String kind; // OBJECT ARRAY VARCHAR UBIGINT BIGINT DOUBLE BOOLEAN NULL
    final String text; // the value's own source text
    final String string; // VARCHAR: the unescaped string
    final List<String> keys = new ArrayList<>();
    final List<Value> members = new ArrayList<>();

    Value(String kind, String text, String string) {
      this.kind = kind;
      this.text = text;
      this.string = string;
    }
  }

  static Value parse(String s) {
    Parser p = new Parser(s);
    p.space();
    if (p.i == s.length()) throw p.fail("input data is empty");
    Value v = p.value(0);
    p.space();
    if (p.i != s.length()) throw p.fail("unexpected content after document");
    return v;
  }

  private static final class Parser {
    final String s;
    int i;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException fail(String why) {
      return new IllegalArgumentException("Malformed JSON at character " + i + " of input: "
          + why + " (the notebook's DuckDB raises)");
    }

    void space() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
        i++;
      }
    }

    Value value(int depth) {
      if (depth > MAX_DEPTH) throw fail("nested more than " + MAX_DEPTH + " levels");
      if (i >= s.length()) throw fail("unexpected end of data");
      int start = i;
      char c = s.charAt(i);
      if (c == '{' || c == '[') {
        boolean object = c == '{';
        Value v = new Value(object ? "OBJECT" : "ARRAY", null, null);
        i++;
        space();
        char close = object ? '}' : ']';
        if (i < s.length() && s.charAt(i) == close) {
          i++;
          return withText(v, start);
        }
        while (true) {
          if (object) {
            space();
            if (i >= s.length() || s.charAt(i) != '"') throw fail("unexpected character");
            v.keys.add(string());
            space();
            if (i >= s.length() || s.charAt(i) != ':') throw fail("unexpected character");
            i++;
          }
          space();
          v.members.add(value(depth + 1));
          space();
          if (i >= s.length()) throw fail("unexpected end of data");
          char d = s.charAt(i++);
          if (d == close) return withText(v, start);
          if (d != ',') throw fail("unexpected character");
          space();
          if (i < s.length() && s.charAt(i) == close) { // a trailing comma
            i++;
            return withText(v, start);
          }
        }
      }
      if (c == '"') {
        String str = string();
        return new Value("VARCHAR", s.substring(start, i), str);
      }
      if (s.startsWith("true", i)) return literal(start, 4, "BOOLEAN");
      if (s.startsWith("false", i)) return literal(start, 5, "BOOLEAN");
      if (s.startsWith("null", i)) return literal(start, 4, "NULL");
      return number(start);
    }

    private Value withText(Value v, int start) {
      Value out = new Value(v.kind, s.substring(start, i), null);
      out.keys.addAll(v.keys);
      out.members.addAll(v.members);
      return out;
    }

    private Value literal(int start, int length, String kind) {
      i += length;
      return new Value(kind, s.substring(start, i), null);
    }

    private boolean word(String w) {
      if (s.regionMatches(true, i, w, 0, w.length())) {
        i += w.length();
        return true;
      }
      return false;
    }

    private Value number(int start) {
      if (i < s.length() && s.charAt(i) == '-') i++;
      if (word("infinity") || word("inf") || word("nan")) {
        return new Value("DOUBLE", s.substring(start, i), null);
      }
      int digits = i;
      while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) i++;
      if (i == digits) throw fail("unexpected character");
      if (s.charAt(digits) == '0' && i - digits > 1) throw fail("number with leading zero");
      boolean integer = true;
      if (i < s.length() && s.charAt(i) == '.') {
        integer = false;
        i++;
        int frac = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i == frac) throw fail("unexpected end of number");
      }
      if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
        integer = false;
        i++;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int exp = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i == exp) throw fail("unexpected end of number");
      }
      String text = s.substring(start, i);
      String kind = "DOUBLE";
      if (integer) {
        BigInteger n = new BigInteger(text);
        if (n.signum() < 0 || text.startsWith("-")) {
          kind = n.bitLength() < 64 ? "BIGINT" : "DOUBLE";
        } else {
          kind = n.compareTo(UINT64_MAX) <= 0 ? "UBIGINT" : "DOUBLE";
        }
      }
      return new Value(kind, text, null);
    }

    private String string() {
      i++; // the opening quote
      StringBuilder out = new StringBuilder();
      while (true) {
        if (i >= s.length()) throw fail("unexpected end of data");
        char c = s.charAt(i++);
        if (c == '"') return out.toString();
        if (c < 0x20) throw fail("unexpected control character in string");
        if (c != '\\') {
          out.append(c);
          continue;
        }
        if (i >= s.length()) throw fail("unexpected end of data");
        char e = s.charAt(i++);
        switch (e) {
          case '"': out.append('"'); break;
          case '\\': out.append('\\'); break;
          case '/': out.append('/'); break;
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'n': out.append('\n'); break;
          case 'r': out.append('\r'); break;
          case 't': out.append('\t'); break;
          case 'u': {
            char high = hex4();
            if (Character.isLowSurrogate(high)) throw fail("invalid high surrogate in string");
            if (Character.isHighSurrogate(high)) {
              if (!s.startsWith("\\u", i)) throw fail("no low surrogate in string");
              i += 2;
              char low = hex4();
              if (!Character.isLowSurrogate(low)) throw fail("invalid low surrogate in string");
              out.append(high).append(low);
            } else {
              out.append(high);
            }
            break;
          }
          default: throw fail("invalid escaped character in string");
        }
      }
    }

    private char hex4() {
      if (i + 4 > s.length()) throw fail("invalid escaped sequence in string");
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int d = Character.digit(s.charAt(i + k), 16);
        if (d < 0 || s.charAt(i + k) > 127) throw fail("invalid escaped sequence in string");
        v = v * 16 + d;
      }
      i += 4;
      return (char) v;
    }
  }

  /** {@code CAST(s AS JSON)}: the text itself, once DuckDB would accept it. */
  public static final class Check implements UDF1<String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String s) {
      if (s == null) return null;
      parse(s);
      return s;
    }
  }

  /** {@code json -> '$.key'}: the first member named {@code key} of an object, else NULL. */
  public static final class Key implements UDF2<String, String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String json, String key) {
      if (json == null || key == null) return null;
      Value v = parse(json);
      if (!"OBJECT".equals(v.kind)) return null;
      int at = v.keys.indexOf(key);
      return at < 0 ? null : v.members.get(at).text;
    }
  }

  /** {@code json -> '$[i]'}: an array's element (from the end when negative), else NULL. */
  public static final class Index implements UDF2<String, Long, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String json, Long index) {
      if (json == null || index == null) return null;
      Value v = parse(json);
      if (!"ARRAY".equals(v.kind)) return null;
      long at = index < 0 ? v.members.size() + index : index;
      return at < 0 || at >= v.members.size() ? null : v.members.get((int) at).text;
    }
  }

  /** {@code .str}: the string of a JSON string, else NULL. */
  public static final class Str implements UDF1<String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String json) {
      if (json == null) return null;
      Value v = parse(json);
      return "VARCHAR".equals(v.kind) ? v.string : null;
    }
  }

  /** {@code .int}: a JSON integer as BIGINT (fails above int64, as DuckDB's cast), else NULL. */
  public static final class Int implements UDF1<String, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call(String json) {
      if (json == null) return null;
      Value v = parse(json);
      if (!"UBIGINT".equals(v.kind) && !"BIGINT".equals(v.kind)) return null;
      BigInteger n = new BigInteger(v.text);
      if (n.bitLength() >= 64) {
        throw new ArithmeticException("Conversion Error: JSON integer " + v.text
            + " is out of range for BIGINT (the notebook's DuckDB raises)");
      }
      return n.longValue();
    }
  }

  /** {@code .float}: a JSON number as DOUBLE (correctly rounded), else NULL. */
  public static final class Float implements UDF1<String, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(String json) {
      if (json == null) return null;
      Value v = parse(json);
      if (!"UBIGINT".equals(v.kind) && !"BIGINT".equals(v.kind) && !"DOUBLE".equals(v.kind)) {
        return null;
      }
      String t = v.text.toLowerCase(java.util.Locale.ROOT);
      boolean negative = t.startsWith("-");
      String body = negative ? t.substring(1) : t;
      if (body.equals("nan")) return Double.NaN;
      if (body.equals("inf") || body.equals("infinity")) {
        return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      // an integer converts as an integer: '-0' is 0.0, not -0.0
      if (!"DOUBLE".equals(v.kind)) return new BigInteger(v.text).doubleValue();
      return Double.parseDouble(v.text);
    }
  }

  /** {@code .bool}: a JSON true or false, else NULL. */
  public static final class Bool implements UDF1<String, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean call(String json) {
      if (json == null) return null;
      Value v = parse(json);
      return "BOOLEAN".equals(v.kind) ? Boolean.valueOf(v.text.equals("true")) : null;
    }
  }

  /** {@code .array}: a JSON array's elements (a JSON null as NULL), else NULL. */
  public static final class ToArray implements UDF1<String, List<String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> call(String json) {
      if (json == null) return null;
      Value v = parse(json);
      if (!"ARRAY".equals(v.kind)) return null;
      List<String> out = new ArrayList<>();
      for (Value m : v.members) out.add("NULL".equals(m.kind) ? null : m.text);
      return out;
    }
  }

  /**
   * {@code .map}: a JSON object's members (a JSON null as NULL). Duplicate keys fail: DuckDB's
   * cast builds a map holding the key twice (its length counts both; a lookup of that key is
   * NULL or the first value), which a Spark map cannot hold.
   */
  public static final class ToMap implements UDF1<String, Map<String, String>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<String, String> call(String json) {
      if (json == null) return null;
      Value v = parse(json);
      if (!"OBJECT".equals(v.kind)) return null;
      Map<String, String> out = new LinkedHashMap<>();
      for (int k = 0; k < v.keys.size(); k++) {
        Value m = v.members.get(k);
        if (out.containsKey(v.keys.get(k))) {
          throw new IllegalArgumentException("Map keys must be unique: a JSON object has a key "
              + "twice (the notebook's DuckDB builds a map with both)");
        }
        out.put(v.keys.get(k), "NULL".equals(m.kind) ? null : m.text);
      }
      return out;
    }
  }
}
