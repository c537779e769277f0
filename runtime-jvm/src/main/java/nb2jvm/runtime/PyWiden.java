package nb2jvm.runtime;

/**
 * An int left 64 bits on a UDF's fast path. Python ints are unbounded, so this is not a Python
 * error: the generated entry method catches it and runs the UDF's exact variant, where ints are
 * {@link java.math.BigInteger}s ({@link PyBig}). UDFs are pure, so running again is safe. It is
 * not a {@link PyError}: a UDF's {@code except} clauses never see it.
 */
public final class PyWiden extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final PyWiden INSTANCE = new PyWiden();

  private PyWiden() {
    super("an int left 64 bits: the UDF's exact variant takes over", null, false, false);
  }
}
