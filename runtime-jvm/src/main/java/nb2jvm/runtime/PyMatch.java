package nb2jvm.runtime;

/**
 * A Python {@code re.Match} of a compiled UDF: the string and its groups' spans (UTF-16
 * offsets; Python's code point offsets are computed on demand). A UDF's {@code None} match is
 * a Java null, and a method called on it raises Python's AttributeError.
 */
public final class PyMatch {
  final String string;
  final int[] starts;
  final int[] ends;

  PyMatch(String string, int[] starts, int[] ends) {
    this.string = string;
    this.starts = starts;
    this.ends = ends;
  }

  private static PyMatch of(PyMatch m, String method) {
    if (m == null) {
      throw new PyError("AttributeError", "'NoneType' object has no attribute '" + method + "'");
    }
    return m;
  }

  /** {@code m.group(g)}; a group that did not take part is Python's None (a null). */
  public static String group(PyMatch m, int g) {
    PyMatch x = of(m, "group");
    return x.starts[g] < 0 ? null : x.string.substring(x.starts[g], x.ends[g]);
  }

  /** {@code m.start(g)} in code points ({@code -1} for a group that did not take part). */
  public static long start(PyMatch m, int g) {
    PyMatch x = of(m, "start");
    return x.starts[g] < 0 ? -1L : x.string.codePointCount(0, x.starts[g]);
  }

  /** {@code m.end(g)} in code points. */
  public static long end(PyMatch m, int g) {
    PyMatch x = of(m, "end");
    return x.ends[g] < 0 ? -1L : x.string.codePointCount(0, x.ends[g]);
  }
}
