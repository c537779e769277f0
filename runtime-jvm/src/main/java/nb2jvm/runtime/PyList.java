package nb2jvm.runtime;

import java.util.Arrays;
import java.util.HashSet;

/**
 * A UDF's local lists ({@code parts = []}, {@code parts.append(w)}, {@code words[1:3]},
 * {@code sorted(xs)}) as arrays of str, int or float, with Python's list semantics.
 *
 * <p>A list is a value here: {@code append} returns a new array that the generated code stores
 * back in the variable. That equals Python's in-place mutation because the translator refuses
 * what could tell them apart: a second name for a list that is mutated ({@code b = a}), and a
 * mutation of the list a loop is running over. Every operation is bounded by the sizes the
 * sandbox allows the notebook's lists.
 */
public final class PyList {
  private PyList() {}

  /** The most items a list of a UDF may reach: the sandbox's bound on the notebook side. */
  public static final int MAX_ITEMS = 10_000_000;

  private static int grown(int n, long more) {
    if (n + more > MAX_ITEMS) {
      throw PyError.limit("MemoryError", "a UDF list of more than " + MAX_ITEMS + " items");
    }
    return (int) (n + more);
  }

  /** The position of {@code xs[i]} in a list of {@code n} items, Python's negative indices
   * counted from the end; IndexError with Python's message ({@code store}: an assignment). */
  public static int slot(int n, long i, boolean store) {
    long j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) {
      throw PyError.index(store ? "list assignment index out of range" : "list index out of range");
    }
    return (int) j;
  }

  /** {@code xs[i] = x}: a copy with the item replaced (a list is a value in a UDF's code). */
  public static String[] replaced(String[] a, long i, String x) {
    String[] out = a.clone();
    out[slot(a.length, i, true)] = x;
    return out;
  }

  public static long[] replaced(long[] a, long i, long x) {
    long[] out = a.clone();
    out[slot(a.length, i, true)] = x;
    return out;
  }

  public static double[] replaced(double[] a, long i, double x) {
    double[] out = a.clone();
    out[slot(a.length, i, true)] = x;
    return out;
  }

  // ---- append, extend, concatenation ------------------------------------------------------------

  public static String[] append(String[] a, String x) {
    String[] out = Arrays.copyOf(a, grown(a.length, 1));
    out[a.length] = x;
    return out;
  }

  public static long[] append(long[] a, long x) {
    long[] out = Arrays.copyOf(a, grown(a.length, 1));
    out[a.length] = x;
    return out;
  }

  public static double[] append(double[] a, double x) {
    double[] out = Arrays.copyOf(a, grown(a.length, 1));
    out[a.length] = x;
    return out;
  }

  public static String[] concat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, grown(a.length, b.length));
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  public static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, grown(a.length, b.length));
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  public static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, grown(a.length, b.length));
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** {@code a * k}: empty for k <= 0. */
  public static String[] repeat(String[] a, long k) {
    if (k <= 0 || a.length == 0) return new String[0];
    if (k > MAX_ITEMS || (long) a.length * k > MAX_ITEMS) grown(MAX_ITEMS, 1);
    String[] out = new String[(int) (a.length * k)];
    for (int i = 0; i < k; i++) System.arraycopy(a, 0, out, i * a.length, a.length);
    return out;
  }

  /** {@code a, b = xs} of a list of another length (CPython's messages). */
  public static PyError unpack(int got, int expected) {
    return PyError.value(got < expected
        ? "not enough values to unpack (expected " + expected + ", got " + got + ")"
        : "too many values to unpack (expected " + expected + ")");
  }

  // ---- pop -----------------------------------------------------------------------------------

  /** {@code a.pop()}'s value: the last item (IndexError on an empty list). */
  public static String last(String[] a) {
    if (a.length == 0) throw PyError.index("pop from empty list");
    return a[a.length - 1];
  }

  public static long last(long[] a) {
    if (a.length == 0) throw PyError.index("pop from empty list");
    return a[a.length - 1];
  }

  public static double last(double[] a) {
    if (a.length == 0) throw PyError.index("pop from empty list");
    return a[a.length - 1];
  }

  /** The list after {@code a.pop()} (called after {@link #last}, which checked the length). */
  public static String[] init(String[] a) {
    return Arrays.copyOf(a, a.length - 1);
  }

  public static long[] init(long[] a) {
    return Arrays.copyOf(a, a.length - 1);
  }

  public static double[] init(double[] a) {
    return Arrays.copyOf(a, a.length - 1);
  }

  // ---- slicing -------------------------------------------------------------------------------

  /**
   * The positions {@code a[start:stop:step]} takes from a list of {@code n} items (CPython's
   * PySlice_AdjustIndices); {@link PyStr#NONE} for an omitted bound.
   */
  static int[] positions(int n, long start, long stop, long step) {
    if (step == 0) throw PyError.value("slice step cannot be zero");
    long lo;
    long hi;
    if (step > 0) {
      lo = start == PyStr.NONE ? 0 : clamp(start < 0 ? start + n : start, 0, n);
      hi = stop == PyStr.NONE ? n : clamp(stop < 0 ? stop + n : stop, 0, n);
      if (hi <= lo) return new int[0];
      int[] out = new int[(int) ((hi - lo - 1) / step + 1)];
      for (int k = 0; k < out.length; k++) out[k] = (int) (lo + k * step);
      return out;
    }
    lo = start == PyStr.NONE ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
    hi = stop == PyStr.NONE ? -1 : clamp(stop < 0 ? stop + n : stop, -1, n - 1);
    if (lo <= hi) return new int[0];
    long down = step == Long.MIN_VALUE ? Long.MAX_VALUE : -step;
    int[] out = new int[(int) ((lo - hi - 1) / down + 1)];
    for (int k = 0; k < out.length; k++) out[k] = (int) (lo - k * down);
    return out;
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  public static String[] slice(String[] a, long start, long stop, long step) {
    int[] at = positions(a.length, start, stop, step);
    String[] out = new String[at.length];
    for (int k = 0; k < at.length; k++) out[k] = a[at[k]];
    return out;
  }

  public static long[] slice(long[] a, long start, long stop, long step) {
    int[] at = positions(a.length, start, stop, step);
    long[] out = new long[at.length];
    for (int k = 0; k < at.length; k++) out[k] = a[at[k]];
    return out;
  }

  public static double[] slice(double[] a, long start, long stop, long step) {
    int[] at = positions(a.length, start, stop, step);
    double[] out = new double[at.length];
    for (int k = 0; k < at.length; k++) out[k] = a[at[k]];
    return out;
  }

  // ---- order ---------------------------------------------------------------------------------

  /**
   * The order {@code sorted(xs, key=..., reverse=...)} puts items in, from their keys: a
   * stable sort of the positions (keys of one totally ordered type: int, str by code point).
   */
  public static int[] order(long[] keys, boolean reverse) {
    return positions(keys.length, reverse
        ? (x, y) -> Long.compare(keys[y], keys[x]) : (x, y) -> Long.compare(keys[x], keys[y]));
  }

  public static int[] order(String[] keys, boolean reverse) {
    return positions(keys.length, reverse
        ? (x, y) -> PyStr.compare(keys[y], keys[x]) : (x, y) -> PyStr.compare(keys[x], keys[y]));
  }

  public static int[] order(java.math.BigInteger[] keys, boolean reverse) {
    return positions(keys.length, reverse
        ? (x, y) -> keys[y].compareTo(keys[x]) : (x, y) -> keys[x].compareTo(keys[y]));
  }

  private static int[] positions(int n, java.util.Comparator<Integer> cmp) {
    Integer[] at = new Integer[n];
    for (int k = 0; k < n; k++) at[k] = k;
    Arrays.sort(at, cmp);  // TimSort: stable, so equal keys keep their items' order
    int[] out = new int[n];
    for (int k = 0; k < n; k++) out[k] = at[k];
    return out;
  }

  public static String[] permute(String[] a, int[] order) {
    String[] out = new String[a.length];
    for (int k = 0; k < a.length; k++) out[k] = a[order[k]];
    return out;
  }

  public static long[] permute(long[] a, int[] order) {
    long[] out = new long[a.length];
    for (int k = 0; k < a.length; k++) out[k] = a[order[k]];
    return out;
  }

  public static double[] permute(double[] a, int[] order) {
    double[] out = new double[a.length];
    for (int k = 0; k < a.length; k++) out[k] = a[order[k]];
    return out;
  }

  /** {@code sorted(a)}, {@code sorted(a, reverse=True)}: stable, str by code point. */
  public static String[] sorted(String[] a, boolean reverse) {
    String[] out = a.clone();
    // Python's reverse sort keeps equal items in their order, as a stable sort by the
    // reversed comparison does
    Arrays.sort(out, reverse ? (x, y) -> PyStr.compare(y, x) : PyStr::compare);
    return out;
  }

  public static long[] sorted(long[] a, boolean reverse) {
    long[] out = a.clone();
    Arrays.sort(out);  // equal longs cannot be told apart: stability does not matter
    return reverse ? reversed(out) : out;
  }

  /**
   * Floats sorted with Python's {@code <}: -0.0 and 0.0 are equal and keep their order. A NaN
   * is neither less nor greater than anything, so where it ends up depends on which pairs the
   * sort compares: below 64 items CPython's list.sort is one run (count_run) extended by binary
   * insertion (binarysort), reproduced here step for step; above that, a list with a NaN is a
   * limit (CPython's merges are not reproduced) and one without sorts the same in any stable
   * sort.
   */
  public static double[] sorted(double[] a, boolean reverse) {
    double[] out = a.clone();
    // CPython reverses before and after a reverse sort, keeping equal items in order
    if (reverse) reverseInPlace(out);
    boolean nan = false;
    for (double v : out) nan |= Double.isNaN(v);
    if (out.length < 64) {
      cpythonSmallSort(out);
    } else if (nan) {
      throw PyError.limit("ValueError", "sorted() of 64 or more floats with a NaN: Python's "
          + "order then depends on its merge steps, which the runtime does not reproduce");
    } else {
      Double[] boxed = new Double[out.length];
      for (int i = 0; i < out.length; i++) boxed[i] = out[i];
      Arrays.sort(boxed, (x, y) -> x < y ? -1 : y < x ? 1 : 0);
      for (int i = 0; i < out.length; i++) out[i] = boxed[i];
    }
    if (reverse) reverseInPlace(out);
    return out;
  }

  /** CPython 3.11 listobject.c for fewer than 64 items: count_run, then binarysort. */
  private static void cpythonSmallSort(double[] a) {
    int n = a.length;
    if (n < 2) return;
    int run = 2;
    if (a[1] < a[0]) {
      while (run < n && a[run] < a[run - 1]) run++;
      for (int i = 0, j = run - 1; i < j; i++, j--) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    } else {
      while (run < n && !(a[run] < a[run - 1])) run++;
    }
    for (int start = run; start < n; start++) {
      double pivot = a[start];
      int l = 0;
      int r = start;
      do {
        int p = l + ((r - l) >> 1);
        if (pivot < a[p]) r = p;
        else l = p + 1;
      } while (l < r);
      System.arraycopy(a, l, a, l + 1, start - l);
      a[l] = pivot;
    }
  }

  private static void reverseInPlace(double[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  public static String[] reversed(String[] a) {
    String[] out = new String[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[a.length - 1 - i];
    return out;
  }

  public static long[] reversed(long[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[a.length - 1 - i];
    return out;
  }

  public static double[] reversed(double[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) out[i] = a[a.length - 1 - i];
    return out;
  }

  // ---- search --------------------------------------------------------------------------------

  /**
   * {@code x in a} of a local float list: Python tests identity before {@code ==}, so a NaN is
   * found where the same float object was appended; which objects are the same is not visible
   * in the values.
   */
  public static boolean contains(double[] a, double x) {
    boolean nan = false;
    for (double v : a) {
      if (v == x) return true;
      nan |= Double.isNaN(v);
    }
    if (nan && Double.isNaN(x)) {
      throw PyError.limit("ValueError", "'in' of a NaN in a float list: Python's answer "
          + "depends on object identity");
    }
    return false;
  }

  public static long count(String[] a, String x) {
    long n = 0;
    for (String v : a) if (v.equals(x)) n++;
    return n;
  }

  public static long count(long[] a, long x) {
    long n = 0;
    for (long v : a) if (v == x) n++;
    return n;
  }

  /** {@code len(set(a))}: the distinct items. */
  public static long distinct(String[] a) {
    return new HashSet<>(Arrays.asList(a)).size();
  }

  public static long distinct(long[] a) {
    HashSet<Long> seen = new HashSet<>();
    for (long v : a) seen.add(v);
    return seen.size();
  }
}
