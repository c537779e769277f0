package nb2jvm.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The comparison policy of {@code verify} ({@code transpiler/reference/compare.py}), in Java,
 * for the self-check: rows as multisets; floats equal within {@link #REL_TOL} relative or
 * {@link #ABS_TOL} absolute (aggregates sum in another order on each engine), NaN equal to NaN,
 * NULL never equal to NaN, -0.0 equal to 0.0; decimals as floats and integers of any width by
 * value (as compare.py normalizes them); zoned timestamps as UTC wall clock. A test reads both
 * policies' constants and runs both on the same tables.
 */
public final class GoldenCompare {
  private GoldenCompare() {}

  /** compare.py's {@code ComparisonPolicy.rel_tol} and {@code abs_tol}. */
  public static final double REL_TOL = 1e-9;

  public static final double ABS_TOL = 1e-12;

  /** NaN as the policy sees it: one value, equal to itself (never to NULL). */
  private static final Object NAN = new Object() {
    @Override
    public String toString() {
      return "NaN";
    }
  };

  /** The first difference between the expected and the actual rows, or null when equal. */
  public static String difference(List<Row> expected, List<Row> actual) {
    List<List<Object>> want = normalized(expected);
    List<List<Object>> got = normalized(actual);
    if (want.size() != got.size()) {
      return "expected " + want.size() + " rows, got " + got.size()
          + firstUnmatched(want, got);
    }
    Comparator<List<Object>> order = rowOrder(want.isEmpty() ? List.of() : want.get(0));
    want.sort(order);
    got.sort(order);
    for (int i = 0; i < want.size(); i++) {
      if (!equal(want.get(i), got.get(i))) {
        return "row " + i + " of " + want.size() + " (sorted) differs: expected "
            + text(want.get(i)) + ", got " + text(got.get(i));
      }
    }
    return null;
  }

  private static String firstUnmatched(List<List<Object>> want, List<List<Object>> got) {
    for (List<Object> row : want) {
      if (got.stream().noneMatch(r -> equal(row, r))) {
        return "; first expected row not produced: " + text(row);
      }
    }
    for (List<Object> row : got) {
      if (want.stream().noneMatch(r -> equal(row, r))) {
        return "; first unexpected row: " + text(row);
      }
    }
    return "";
  }

  private static List<List<Object>> normalized(List<Row> rows) {
    List<List<Object>> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(fields(row));
    }
    return out;
  }

  private static List<Object> fields(Row row) {
    List<Object> values = new ArrayList<>(row.size());
    for (int i = 0; i < row.size(); i++) {
      values.add(normalize(row.get(i)));
    }
    return values;
  }

  /** A value as the policy compares it (compare.py's {@code _normalize}). */
  static Object normalize(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isNaN(d) ? NAN : d == 0.0 ? 0.0 : d;
    }
    if (v instanceof BigDecimal) {
      return normalize(((BigDecimal) v).doubleValue());
    }
    if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    if (v instanceof java.sql.Timestamp) {
      return ((java.sql.Timestamp) v).toInstant().atZone(ZoneOffset.UTC).toLocalDateTime();
    }
    if (v instanceof java.time.Instant) {
      return ((java.time.Instant) v).atZone(ZoneOffset.UTC).toLocalDateTime();
    }
    if (v instanceof java.sql.Date) {
      return ((java.sql.Date) v).toLocalDate();
    }
    if (v instanceof byte[]) {
      return new BigInteger(1, (byte[]) v).toString(16) + "/" + ((byte[]) v).length;
    }
    if (v instanceof Row) {
      return fields((Row) v);
    }
    if (v instanceof scala.collection.Map) {
      List<List<Object>> entries = new ArrayList<>();
      for (Map.Entry<?, ?> e : scala.jdk.javaapi.CollectionConverters
          .asJava((scala.collection.Map<?, ?>) v).entrySet()) {
        List<Object> pair = new ArrayList<>(2);
        pair.add(normalize(e.getKey()));
        pair.add(normalize(e.getValue()));
        entries.add(pair);
      }
      entries.sort(rowOrder(List.of()));
      return entries;
    }
    if (v instanceof scala.collection.Iterable) {
      List<Object> items = new ArrayList<>();
      for (Object x : scala.jdk.javaapi.CollectionConverters
          .asJava((scala.collection.Iterable<?>) v)) {
        items.add(normalize(x));
      }
      return items;
    }
    return v;  // String, Boolean, LocalDate, LocalDateTime, BigInteger
  }

  /** compare.py's {@code values_equal}. */
  static boolean equal(Object a, Object b) {
    if (a instanceof Double && b instanceof Number || b instanceof Double && a instanceof Number) {
      double x = ((Number) a).doubleValue();
      double y = ((Number) b).doubleValue();
      if (Double.isInfinite(x) || Double.isInfinite(y)) {
        return x == y;
      }
      return x == y || Math.abs(x - y) <= Math.max(REL_TOL * Math.max(Math.abs(x), Math.abs(y)),
          ABS_TOL);
    }
    if (a instanceof List && b instanceof List) {
      List<?> x = (List<?>) a;
      List<?> y = (List<?>) b;
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!equal(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a == null ? b == null : a.equals(b);
  }

  /**
   * One order for both sides: the columns that compare exactly first, then the floats, so that
   * rows whose floats differ within the tolerance still meet at the same position (as the fast
   * path of compare.py sorts).
   */
  private static Comparator<List<Object>> rowOrder(List<Object> sample) {
    List<Integer> exact = new ArrayList<>();
    List<Integer> floats = new ArrayList<>();
    for (int i = 0; i < sample.size(); i++) {
      (sample.get(i) instanceof Double ? floats : exact).add(i);
    }
    List<Integer> columns = new ArrayList<>(exact);
    columns.addAll(floats);
    return (r, s) -> {
      int n = Math.min(r.size(), s.size());
      for (int i : columns) {
        if (i >= n) {
          break;
        }
        int c = compareValues(r.get(i), s.get(i));
        if (c != 0) {
          return c;
        }
      }
      for (int i = sample.size(); i < n; i++) {
        int c = compareValues(r.get(i), s.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(r.size(), s.size());
    };
  }

  /** A total order over normalized values: NULL, NaN, numbers, then the rest by kind. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object a, Object b) {
    int ka = kind(a);
    int kb = kind(b);
    if (ka != kb) {
      return Integer.compare(ka, kb);
    }
    if (a == null || a == NAN) {
      return 0;
    }
    if (a instanceof Long && b instanceof Long) {
      return Long.compare((Long) a, (Long) b);
    }
    if (a instanceof Number && b instanceof Number) {
      double x = ((Number) a).doubleValue();
      double y = ((Number) b).doubleValue();
      if (a instanceof Double && b instanceof Double || Double.isInfinite(x)
          || Double.isInfinite(y)) {
        return Double.compare(x, y);
      }
      // a long and a finite double: exactly (a double holds no long beyond 2**53 exactly)
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
    }
    if (a instanceof List) {
      List<Object> x = (List<Object>) a;
      List<Object> y = (List<Object>) b;
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        int c = compareValues(x.get(i), y.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    if (a instanceof Comparable && a.getClass() == b.getClass()) {
      return ((Comparable) a).compareTo(b);
    }
    return a.toString().compareTo(b.toString());
  }

  /** The kinds of values, in their sort order after NULL (0) and NaN (1). */
  private static final Class<?>[] KINDS = {Number.class, Boolean.class, String.class,
      LocalDate.class, LocalDateTime.class, List.class};

  private static int kind(Object v) {
    if (v == null) {
      return 0;
    }
    if (v == NAN) {
      return 1;
    }
    for (int k = 0; k < KINDS.length; k++) {
      if (KINDS[k].isInstance(v)) {
        return k + 2;
      }
    }
    return KINDS.length + 2;
  }

  private static String text(List<Object> row) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < row.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      Object v = row.get(i);
      sb.append(v instanceof String ? "'" + v + "'" : String.valueOf(v));
    }
    return sb.append(")").toString();
  }
}
