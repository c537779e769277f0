package nb2jvm.runtime;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A cell's constant dicts, sets and lists, frozen at transpile time, as a UDF reads them
 * ({@code CODES.get(k, "other")}, {@code CODES[k]}, {@code k in VALID}, {@code LIMITS[i]}).
 * Built once per class load; never modified (a UDF that would change one is refused).
 *
 * <p>A dict local of a UDF ({@code counts = {}}, {@code counts[w] = n}) is a {@link
 * LinkedHashMap}: a reference as Python's dict is, iterating in insertion order, and a key
 * assigned again keeps its first place, as in Python.
 */
public final class PyDict {
  private PyDict() {}

  /** A dict of the cell, keys and values in the cell's order (a later duplicate key wins). */
  public static <K, V> Map<K, V> of(K[] keys, V[] values) {
    // insertion order, as Python's dicts iterate (a repeated key keeps its first place)
    Map<K, V> m = new LinkedHashMap<>(keys.length * 2);
    for (int i = 0; i < keys.length; i++) m.put(keys[i], values[i]);
    return Collections.unmodifiableMap(m);
  }

  public static <K> Set<K> set(K[] items) {
    Set<K> s = new HashSet<>(items.length * 2);
    Collections.addAll(s, items);
    return Collections.unmodifiableSet(s);
  }

  /** A set local of a UDF: mutable, a reference (as Python's). */
  public static Set<String> mutableSet(String[] items) {
    Set<String> s = new HashSet<>(Math.max(16, items.length * 2));
    Collections.addAll(s, items);
    return s;
  }

  public static Set<Long> mutableSet(long[] items) {
    Set<Long> s = new HashSet<>(Math.max(16, items.length * 2));
    for (long x : items) s.add(x);
    return s;
  }

  /** {@code s.update(items)}. */
  public static void addAll(Set<String> s, String[] items) {
    Collections.addAll(s, items);
  }

  public static void addAll(Set<Long> s, long[] items) {
    for (long x : items) s.add(x);
  }

  /** {@code s.remove(key)}: KeyError (with the key's repr) when it is missing. */
  public static <K> void remove(Set<K> s, K key) {
    if (key == null || !s.remove(key)) throw new PyError("KeyError", repr(key));
  }

  /** A set's items in the set's order (the caller's result does not depend on it). */
  public static <K> K[] items(Set<K> s, K[] empty) {
    return s.toArray(empty);
  }

  /** The keys in iteration order ({@code empty} gives the array's type). */
  public static <K, V> K[] keys(Map<K, V> m, K[] empty) {
    return m.keySet().toArray(empty);
  }

  public static <K, V> V[] values(Map<K, V> m, V[] empty) {
    return m.values().toArray(empty);
  }

  /** {@code d[key]}: KeyError (with the key's repr) when it is missing. */
  public static <K, V> V item(Map<K, V> m, K key) {
    V v = key == null ? null : m.get(key);
    if (v == null) throw new PyError("KeyError", repr(key));
    return v;
  }

  /** {@code d.get(key, default)}. */
  public static <K, V> V get(Map<K, V> m, K key, V otherwise) {
    V v = key == null ? null : m.get(key);
    return v == null ? otherwise : v;
  }

  public static <K> boolean contains(Map<K, ?> m, K key) {
    return key != null && m.containsKey(key);
  }

  public static <K> boolean contains(Set<K> s, K key) {
    return key != null && s.contains(key);
  }

  /** {@code xs[i]} of a constant list of ints, with Python's negative indices. */
  public static long at(long[] xs, long i) {
    return xs[index(xs.length, i)];
  }

  public static double at(double[] xs, long i) {
    return xs[index(xs.length, i)];
  }

  public static boolean contains(long[] xs, long x) {
    for (long v : xs) if (v == x) return true;
    return false;
  }

  public static boolean contains(double[] xs, double x) {
    for (double v : xs) if (v == x) return true; // NaN is in no list (x == x is false)
    return false;
  }

  private static int index(int n, long i) {
    long j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw PyError.index("list index out of range");
    return (int) j;
  }

  /** A dict local: empty, or a copy ({@code dict(d)}, {@code d.copy()}). */
  public static <K, V> Map<K, V> mutable() {
    return new LinkedHashMap<>();
  }

  public static <K, V> Map<K, V> copy(Map<K, V> m) {
    return new LinkedHashMap<>(m);
  }

  /** A loop over a dict: Python raises at the next step once the dict's size changed. */
  public static boolean unchanged(Map<?, ?> m, int size) {
    if (m.size() != size) {
      throw new PyError("RuntimeError", "dictionary changed size during iteration");
    }
    return true;
  }

  /** {@code d[key]} of a key the loop has just taken from {@code d}. */
  public static <K, V> V value(Map<K, V> m, K key) {
    return m.get(key);
  }

  /** {@code d.pop(key)}: KeyError when it is missing. */
  public static <K, V> V pop(Map<K, V> m, K key) {
    if (key == null || !m.containsKey(key)) throw new PyError("KeyError", repr(key));
    return m.remove(key);
  }

  /** {@code d.pop(key, default)}. */
  public static <K, V> V pop(Map<K, V> m, K key, V otherwise) {
    if (key == null || !m.containsKey(key)) return otherwise;
    return m.remove(key);
  }

  /** {@code d.setdefault(key, value)}: the value there, else {@code value}, stored. */
  public static <K, V> V setdefault(Map<K, V> m, K key, V value) {
    V v = m.get(key);
    if (v != null) return v;
    m.put(key, value);
    return value;
  }

  /** {@code d[key] = value}: a bounded dict (a limit, like a list's). */
  public static <K, V> void put(Map<K, V> m, K key, V value) {
    if (m.size() >= PyList.MAX_ITEMS && !m.containsKey(key))
      throw PyError.limit("MemoryError", "a UDF dict of more than " + PyList.MAX_ITEMS + " items");
    m.put(key, value);
  }

  private static String repr(Object key) {
    return key instanceof String ? PyStr.repr((String) key) : String.valueOf(key);
  }
}
