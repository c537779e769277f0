package nb2jvm.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Python's unbounded ints for the exact variant of a compiled UDF: the fast path's longs
 * ({@link Py}) throw {@link PyWiden} when a value leaves 64 bits, and the UDF runs again with
 * every int a {@link BigInteger}. The results cross back into 64 bits only where Python needs
 * a machine integer (an index, a count, the UDF's BIGINT result), with Python's error there.
 *
 * <p>One bound Python does not have: an int result is limited to {@link #MAX_BITS} bits (a
 * UDF row must not take the executor's memory); beyond it the UDF raises {@code MemoryError}.
 */
public final class PyBig {
  private PyBig() {}

  public static final BigInteger ZERO = BigInteger.ZERO;
  public static final BigInteger ONE = BigInteger.ONE;
  /** The largest int a UDF row may hold, in bits (Python's own limit is the memory). */
  public static final int MAX_BITS = 1 << 20;
  /** CPython 3.11's int/str conversion limit (sys.int_info.default_max_str_digits). */
  public static final int MAX_STR_DIGITS = 4300;

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private static BigInteger bounded(BigInteger r) {
    if (r.bitLength() > MAX_BITS) {
      throw PyError.limit("MemoryError", "an int of more than " + MAX_BITS
          + " bits in a UDF row (nb2jvm's bound; Python would keep computing)");
    }
    return r;
  }

  public static BigInteger of(long x) {
    return BigInteger.valueOf(x);
  }

  public static BigInteger of(boolean b) {
    return b ? ONE : ZERO;
  }

  /** An int literal of the cell, as its decimal digits. */
  public static BigInteger literal(String digits) {
    return new BigInteger(digits);
  }

  public static BigInteger add(BigInteger a, BigInteger b) {
    return bounded(a.add(b));
  }

  public static BigInteger sub(BigInteger a, BigInteger b) {
    return bounded(a.subtract(b));
  }

  public static BigInteger mul(BigInteger a, BigInteger b) {
    if ((long) a.bitLength() + b.bitLength() > MAX_BITS + 1L) bounded(ONE.shiftLeft(MAX_BITS));
    return bounded(a.multiply(b));
  }

  public static BigInteger neg(BigInteger a) {
    return a.negate();
  }

  public static BigInteger abs(BigInteger a) {
    return a.abs();
  }

  public static BigInteger invert(BigInteger a) {
    return a.not();
  }

  public static BigInteger and(BigInteger a, BigInteger b) {
    return a.and(b);
  }

  public static BigInteger or(BigInteger a, BigInteger b) {
    return a.or(b);
  }

  public static BigInteger xor(BigInteger a, BigInteger b) {
    return a.xor(b);
  }

  /** {@code a // b}: floors, as Python does. */
  public static BigInteger floordiv(BigInteger a, BigInteger b) {
    if (b.signum() == 0) throw PyError.zeroDivision("integer division or modulo by zero");
    BigInteger[] qr = a.divideAndRemainder(b);
    if (qr[1].signum() != 0 && qr[1].signum() != b.signum()) return qr[0].subtract(ONE);
    return qr[0];
  }

  /** {@code a % b}: the result has the divisor's sign. */
  public static BigInteger mod(BigInteger a, BigInteger b) {
    if (b.signum() == 0) throw PyError.zeroDivision("integer division or modulo by zero");
    BigInteger r = a.remainder(b);
    return r.signum() != 0 && r.signum() != b.signum() ? r.add(b) : r;
  }

  /** {@code a ** b} for ints with {@code b >= 0}. */
  public static BigInteger pow(BigInteger a, BigInteger b) {
    if (b.signum() < 0) {
      throw PyError.limit("TypeError", "a negative int exponent gives a float in Python; write "
          + "float(x) ** n in the UDF to make that explicit");
    }
    if (a.signum() == 0) return b.signum() == 0 ? ONE : ZERO;
    if (a.abs().equals(ONE)) return a.signum() > 0 || !b.testBit(0) ? ONE : a;
    if (b.bitLength() > 31 || (long) (a.bitLength() - 1) * b.longValue() > MAX_BITS) {
      bounded(ONE.shiftLeft(MAX_BITS + 1));
    }
    return bounded(a.pow(b.intValue()));
  }

  /** {@code a ** b} of ints where a float is wanted (see {@link Py#powAsFloat}). */
  public static double powAsFloat(BigInteger a, BigInteger b) {
    if (b.signum() < 0) return Py.pow(toFloat(a), toFloat(b));
    return toFloat(pow(a, b));
  }

  /** {@code pow(a, b, m)}: modular exponentiation with Python's signs and errors. */
  public static BigInteger powmod(BigInteger a, BigInteger b, BigInteger m) {
    if (m.signum() == 0) throw PyError.value("pow() 3rd argument cannot be 0");
    BigInteger am = m.abs();
    BigInteger r;
    if (b.signum() < 0) {
      try {
        r = a.modInverse(am).modPow(b.negate(), am);
      } catch (ArithmeticException e) {
        throw PyError.value("base is not invertible for the given modulus");
      }
    } else {
      r = am.equals(ONE) ? ZERO : a.modPow(b, am);
    }
    return m.signum() < 0 && r.signum() != 0 ? r.add(m) : r;
  }

  public static BigInteger lshift(BigInteger a, BigInteger n) {
    if (n.signum() < 0) throw PyError.value("negative shift count");
    if (a.signum() == 0) return ZERO;
    if (n.bitLength() > 31 || a.bitLength() + n.longValue() > MAX_BITS) {
      bounded(ONE.shiftLeft(MAX_BITS + 1));
    }
    return a.shiftLeft(n.intValue());
  }

  public static BigInteger rshift(BigInteger a, BigInteger n) {
    if (n.signum() < 0) throw PyError.value("negative shift count");
    if (n.bitLength() > 31) return a.signum() < 0 ? ONE.negate() : ZERO;
    return a.shiftRight(n.intValue());
  }

  public static int cmp(BigInteger a, BigInteger b) {
    return a.compareTo(b);
  }

  public static BigInteger min(BigInteger a, BigInteger b) {
    return b.compareTo(a) < 0 ? b : a;
  }

  public static BigInteger max(BigInteger a, BigInteger b) {
    return b.compareTo(a) > 0 ? b : a;
  }

  public static BigInteger gcd(BigInteger a, BigInteger b) {
    return a.gcd(b);
  }

  public static BigInteger comb(BigInteger n, BigInteger k) {
    if (n.signum() < 0) throw PyError.value("n must be a non-negative integer");
    if (k.signum() < 0) throw PyError.value("k must be a non-negative integer");
    if (k.compareTo(n) > 0) return ZERO;
    BigInteger j = k.min(n.subtract(k));
    // comb(n, j) >= (n / j)**j: refuse before the loop what must exceed the bound
    if (j.bitLength() > 31 || j.doubleValue() * (Math.log(n.doubleValue() / j.doubleValue())
        / Math.log(2)) > MAX_BITS) {
      bounded(ONE.shiftLeft(MAX_BITS + 1));
    }
    // each step multiplies by (n - j + i) / i >= 1: the bound on the result ends the loop
    BigInteger r = ONE;
    BigInteger base = n.subtract(j);
    for (BigInteger i = ONE; i.compareTo(j) <= 0; i = i.add(ONE)) {
      r = mul(r, base.add(i)).divide(i);
    }
    return r;
  }

  public static BigInteger perm(BigInteger n, BigInteger k) {
    if (n.signum() < 0) throw PyError.value("n must be a non-negative integer");
    if (k.signum() < 0) throw PyError.value("k must be a non-negative integer");
    if (k.compareTo(n) > 0) return ZERO;
    // perm(n, k) >= (n - k + 1)**k
    if (k.bitLength() > 31 || k.doubleValue() * (Math.log(n.subtract(k).doubleValue() + 1)
        / Math.log(2)) > MAX_BITS) {
      bounded(ONE.shiftLeft(MAX_BITS + 1));
    }
    BigInteger r = ONE;
    for (BigInteger i = ZERO; i.compareTo(k) < 0; i = i.add(ONE)) r = mul(r, n.subtract(i));
    return r;
  }

  public static BigInteger lcm(BigInteger a, BigInteger b) {
    if (a.signum() == 0 || b.signum() == 0) return ZERO;
    return mul(a.divide(a.gcd(b)), b).abs();
  }

  public static BigInteger factorial(BigInteger n) {
    if (n.signum() < 0) throw PyError.value("factorial() not defined for negative values");
    // log2(n!) >= (n ln n - n) / ln 2: refuse before the loop what must exceed the bound
    double m = n.bitLength() > 31 ? Double.MAX_VALUE : n.doubleValue();
    if (m > 2 && (m * Math.log(m) - m) / Math.log(2) > MAX_BITS) {
      bounded(ONE.shiftLeft(MAX_BITS + 1));
    }
    BigInteger r = ONE;
    for (int k = 2; k <= n.intValue(); k++) r = mul(r, BigInteger.valueOf(k));
    return r;
  }

  public static BigInteger isqrt(BigInteger n) {
    if (n.signum() < 0) throw PyError.value("isqrt() argument must be nonnegative");
    return n.sqrt();
  }

  // ---- with floats -----------------------------------------------------------------------------

  /** {@code float(i)}: correctly rounded; OverflowError beyond the double range. */
  public static double toFloat(BigInteger x) {
    double d = x.doubleValue(); // rounds to nearest, ties to even (JDK 8+)
    if (Double.isInfinite(d)) throw PyError.overflow("int too large to convert to float");
    return d;
  }

  /** {@code a / b} for ints: the correctly rounded quotient (CPython's long_true_divide). */
  public static double truediv(BigInteger a, BigInteger b) {
    if (b.signum() == 0) throw PyError.zeroDivision("division by zero");
    if (a.bitLength() <= 53 && b.bitLength() <= 53) return a.doubleValue() / b.doubleValue();
    boolean negative = a.signum() * b.signum() < 0;
    if (a.signum() == 0) return b.signum() < 0 ? -0.0 : 0.0;
    BigInteger x = a.abs();
    BigInteger y = b.abs();
    // scale so that the quotient has at least 55 bits, keep a sticky bit for the remainder:
    // one rounding, in doubleValue, then an exact power-of-two scaling (or a subnormal result)
    int shift = 55 - (x.bitLength() - y.bitLength());
    BigInteger[] qr = shift >= 0 ? x.shiftLeft(shift).divideAndRemainder(y)
        : x.divideAndRemainder(y.shiftLeft(-shift));
    BigInteger q = qr[1].signum() != 0 ? qr[0].setBit(0) : qr[0];
    int exp = q.bitLength() - shift; // the quotient is below 2**exp
    if (exp > 1024) throw PyError.overflow("integer division result too large for a float");
    double r;
    if (exp >= -1021) {
      r = Math.scalb(q.doubleValue(), -shift);
    } else {
      // subnormal: round once, at the subnormal's precision
      r = new BigDecimal(q).divide(new BigDecimal(BigInteger.ONE.shiftLeft(Math.max(shift, 0))))
          .doubleValue();
    }
    if (Double.isInfinite(r)) throw PyError.overflow("integer division result too large for a float");
    return negative ? -r : r;
  }

  /** Exact comparison of an int with a float; NaN is unordered (2). */
  public static int cmp(BigInteger a, double b) {
    if (Double.isNaN(b)) return 2;
    if (Double.isInfinite(b)) return b > 0 ? -1 : 1;
    return new BigDecimal(a).compareTo(new BigDecimal(b));
  }

  public static boolean eq(BigInteger a, double b) {
    return cmp(a, b) == 0;
  }

  public static boolean lt(BigInteger a, double b) {
    return cmp(a, b) == -1;
  }

  public static boolean le(BigInteger a, double b) {
    int c = cmp(a, b);
    return c == -1 || c == 0;
  }

  public static boolean gt(BigInteger a, double b) {
    return cmp(a, b) == 1;
  }

  public static boolean ge(BigInteger a, double b) {
    int c = cmp(a, b);
    return c == 1 || c == 0;
  }

  private static void integral(double x) {
    if (Double.isNaN(x)) throw PyError.value("cannot convert float NaN to integer");
    if (Double.isInfinite(x)) throw PyError.overflow("cannot convert float infinity to integer");
  }

  /** {@code int(x)} of a float, exactly (a double's integer part is exact). */
  public static BigInteger toInt(double x) {
    integral(x);
    return new BigDecimal(x).toBigInteger();
  }

  public static BigInteger floor(double x) {
    integral(x);
    return new BigDecimal(Math.floor(x)).toBigInteger();
  }

  public static BigInteger ceil(double x) {
    integral(x);
    return new BigDecimal(Math.ceil(x)).toBigInteger();
  }

  public static BigInteger round(double x) {
    integral(x);
    return new BigDecimal(Math.rint(x)).toBigInteger();
  }

  /** {@code round(i, n)}: unchanged for n >= 0, else half-to-even at 10**-n. */
  public static BigInteger round(BigInteger x, BigInteger n) {
    if (n.signum() >= 0) return x;
    if (n.compareTo(BigInteger.valueOf(-MAX_STR_DIGITS * 100L)) < 0) return ZERO;
    return new BigDecimal(x).setScale(n.intValue(), RoundingMode.HALF_EVEN).toBigInteger();
  }

  // ---- to and from 64 bits ---------------------------------------------------------------------

  /** An int as a key of a constant dict or set of ints: null (found nowhere) beyond 64 bits. */
  public static Long key(BigInteger x) {
    return x.bitLength() > 63 ? null : Long.valueOf(x.longValue());
  }

  /** {@link Py#exactFloat(long)} of an exact-variant int. */
  public static double exactFloat(BigInteger x) {
    if (x.bitLength() <= 1024) {
      double d = x.doubleValue();
      if (!Double.isInfinite(d) && new java.math.BigDecimal(d).toBigInteger().equals(x)) return d;
    }
    throw PyError.limit("ValueError", "an int that a float does not hold exactly, where Python "
        + "keeps the int");
  }

  /** An int stored in a UDF's list (arrays of longs): a limit beyond 64 bits. */
  public static long element(BigInteger x) {
    if (x.bitLength() > 63) {
      throw PyError.limit("OverflowError", "an int beyond 64 bits in a UDF's list is not "
          + "supported by the runtime");
    }
    return x.longValue();
  }

  /** A slice bound or search start: CPython clamps it to 64 bits (_PyEval_SliceIndex). */
  public static long clamp(BigInteger x) {
    return x.bitLength() <= 63 ? PyStr.bound(x.longValue())
        : x.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE + 1;
  }

  /** A subscript: beyond 64 bits no position exists (CPython's message). */
  public static long subscript(BigInteger x) {
    if (x.bitLength() > 63) {
      throw new PyError("IndexError", "cannot fit 'int' into an index-sized integer");
    }
    return x.longValue();
  }

  /** An int where Python needs a machine integer (an index, a count, a width). */
  public static long index(BigInteger x) {
    if (x.bitLength() > 63) {
      throw new PyError("OverflowError", "Python int too large to convert to C ssize_t");
    }
    return x.longValue();
  }

  /**
   * The UDF's BIGINT result. Python computed it exactly; the notebook's engine fails the query
   * on a value outside BIGINT (measured on DuckDB 1.4: "Python Conversion Failure: Value out of
   * range for type BIGINT").
   */
  public static long result(BigInteger x) {
    if (x.compareTo(LONG_MIN) < 0 || x.compareTo(LONG_MAX) > 0) {
      throw PyError.limit("OverflowError", "Value out of range for type BIGINT (the notebook's "
          + "engine fails the query on it): "
          + (x.bitLength() > 200 ? "an int of " + x.bitLength() + " bits" : x.toString()));
    }
    return x.longValue();
  }

  public static String str(BigInteger x) {
    // CPython 3.11 refuses to print an int of more than 4300 digits (a DoS guard)
    if (x.bitLength() > 14000 && x.abs().toString().length() > MAX_STR_DIGITS) {
      throw PyError.value("Exceeds the limit (4300 digits) for integer string conversion; use "
          + "sys.set_int_max_str_digits() to increase the limit");
    }
    return x.toString();
  }

  /** {@code int(s)}: the digits Python accepts ({@link Py#parseInt}), exactly. */
  public static BigInteger parseInt(String s) {
    return Py.parseBig(s);
  }
}
