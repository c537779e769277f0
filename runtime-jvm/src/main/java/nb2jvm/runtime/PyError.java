package nb2jvm.runtime;

/**
 * A Python exception raised by a compiled UDF (e.g. {@code ZeroDivisionError}): the notebook
 * raises it too, so the JVM fails the same way instead of returning NULL or a wrong number.
 * The UDF wrapper adds where it happened (UDF, notebook cell, line) with {@link #at}.
 */
public final class PyError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String pythonType;
  private final String detail;
  private final boolean located;
  private final boolean limit;

  public PyError(String pythonType, String detail) {
    this(pythonType, detail, false);
  }

  private PyError(String pythonType, String detail, boolean limit) {
    super(pythonType + ": " + detail);
    this.pythonType = pythonType;
    this.detail = detail;
    this.located = false;
    this.limit = limit;
  }

  private PyError(String pythonType, String detail, String where, boolean limit) {
    super(pythonType + ": " + detail + " (" + where + ")");
    this.pythonType = pythonType;
    this.detail = detail;
    this.located = true;
    this.limit = limit;
  }

  /**
   * A failure where Python itself would not raise (a None or out-of-range result that the
   * notebook's engine refuses, a value nb2jvm does not represent, a size bound): the call
   * fails, and no {@code except} clause of the UDF may catch it.
   */
  public static PyError limit(String pythonType, String detail) {
    return new PyError(pythonType, detail, true);
  }

  /** Whether a UDF's {@code except} clause may catch this (a Python exception, not a limit). */
  public boolean catchable() {
    return !limit;
  }

  /** The Python exception class name, e.g. {@code ValueError}. */
  public String pythonType() {
    return pythonType;
  }

  /** This error, located where it was first raised: UDF or helper, notebook, cell, line. */
  public PyError at(String udf, String notebook, int cell, int line) {
    if (located) return this; // a helper already said where
    return new PyError(pythonType, detail,
        "in UDF '" + udf + "', " + notebook + ", cell " + cell + ", line " + line, limit);
  }

  static PyError zeroDivision(String detail) {
    return new PyError("ZeroDivisionError", detail);
  }

  static PyError value(String detail) {
    return new PyError("ValueError", detail);
  }

  static PyError overflow(String detail) {
    return new PyError("OverflowError", detail);
  }

  static PyError index(String detail) {
    return new PyError("IndexError", detail);
  }

  static PyError type(String detail) {
    return new PyError("TypeError", detail);
  }
}
