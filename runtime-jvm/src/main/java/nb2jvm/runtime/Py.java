package nb2jvm.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's numeric semantics for compiled UDFs, where Java's differ.
 *
 * <p>Python ints are unbounded; a UDF's ints are 64-bit longs on its fast path, and every
 * operation that could leave that range is checked: it throws {@link PyWiden} instead of
 * wrapping, and the UDF runs again in its exact variant, where ints are BigIntegers
 * ({@link PyBig}).
 * Floats are IEEE doubles in both languages; the differences are division by zero (Python
 * raises), floor division and modulo (Python floors), rounding (half to even, on the exact
 * binary value), string conversion (shortest repr) and the {@code math} module's domain errors.
 */
public final class Py {
  private Py() {}

  private static final long TWO_53 = 1L << 53;

  // ---- ints ----------------------------------------------------------------------------------

  /** An int that leaves 64 bits: the UDF's exact variant ({@link PyBig}) computes it. */
  private static PyWiden intOverflow() {
    return PyWiden.INSTANCE;
  }

  /** An int literal beyond 64 bits on the fast path: only the exact variant holds it. */
  public static long tooBig() {
    throw PyWiden.INSTANCE;
  }

  public static long add(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) throw intOverflow();
    return r;
  }

  public static long sub(long a, long b) {
    long r = a - b;
    if (((a ^ b) & (a ^ r)) < 0) throw intOverflow();
    return r;
  }

  public static long mul(long a, long b) {
    try {
      return Math.multiplyExact(a, b); // a JIT intrinsic: one multiply and an overflow test
    } catch (ArithmeticException e) {
      throw intOverflow();
    }
  }

  public static long neg(long a) {
    if (a == Long.MIN_VALUE) throw intOverflow();
    return -a;
  }

  public static long abs(long a) {
    return a < 0 ? neg(a) : a;
  }

  /** {@code a << n}: a negative count raises; a result beyond 64 bits widens. */
  public static long lshift(long a, long n) {
    if (n < 0) throw PyError.value("negative shift count");
    if (a == 0) return 0;
    if (n >= 63) throw intOverflow();
    long r = a << n;
    if ((r >> n) != a) throw intOverflow();
    return r;
  }

  /** {@code a >> n}: floors (an arithmetic shift), as Python's does for any count. */
  /** The next value of a range loop, or {@code stop} when it is passed (without overflow). */
  public static long rangeNext(long i, long stop, long step) {
    long n = i + step;
    if (((i ^ n) & (step ^ n)) < 0) return stop; // overflow: past any stop
    return step > 0 ? (n >= stop ? stop : n) : (n <= stop ? stop : n);
  }

  public static long rshift(long a, long n) {
    if (n < 0) throw PyError.value("negative shift count");
    return n >= 64 ? (a < 0 ? -1L : 0L) : a >> n;
  }

  public static long floordiv(long a, long b) {
    if (b == 0) throw PyError.zeroDivision("integer division or modulo by zero");
    if (a == Long.MIN_VALUE && b == -1) throw intOverflow();
    return Math.floorDiv(a, b);
  }

  public static long mod(long a, long b) {
    if (b == 0) throw PyError.zeroDivision("integer division or modulo by zero");
    return Math.floorMod(a, b);
  }

  /** {@code a / b} for ints: the correctly rounded quotient, as Python computes it. */
  public static double truediv(long a, long b) {
    if (b == 0) throw PyError.zeroDivision("division by zero");
    if (Math.abs(a) <= TWO_53 && Math.abs(b) <= TWO_53 && a != Long.MIN_VALUE
        && b != Long.MIN_VALUE) {
      return (double) a / (double) b; // both exact as doubles: IEEE division rounds once
    }
    return PyBig.truediv(BigInteger.valueOf(a), BigInteger.valueOf(b)); // rounds once
  }

  /** {@code a ** b} for ints with {@code b >= 0}, exact or OverflowError. */
  public static long pow(long a, long b) {
    if (b < 0) {
      throw PyError.limit("TypeError", "a negative int exponent gives a float in Python; write "
          + "float(x) ** n in the UDF to make that explicit");
    }
    long result = 1;
    long base = a;
    long e = b;
    while (e > 0) {
      if ((e & 1) == 1) result = mul(result, base);
      e >>= 1;
      if (e > 0) base = mul(base, base);
    }
    return result;
  }

  /**
   * {@code a ** b} of ints where a float is wanted ({@code x * 2 ** -n}, a float result): for
   * {@code b >= 0} Python's exact int rounded once to a float, for {@code b < 0} {@code
   * float(a) ** float(b)}, as CPython's long_pow does (0 ** -1 raises ZeroDivisionError).
   */
  public static double powAsFloat(long a, long b) {
    if (b < 0) return pow((double) a, (double) b);
    long result = 1;
    long base = a;
    long e = b;
    try {
      while (e > 0) {
        if ((e & 1) == 1) result = Math.multiplyExact(result, base);
        e >>= 1;
        if (e > 0) base = Math.multiplyExact(base, base);
      }
      return (double) result; // long to double rounds to nearest, ties to even
    } catch (ArithmeticException beyond64Bits) {
      return PyBig.toFloat(PyBig.pow(BigInteger.valueOf(a), BigInteger.valueOf(b)));
    }
  }

  /** {@code pow(a, b, m)}: exact modular exponentiation (the result is below |m|). */
  public static long powmod(long a, long b, long m) {
    return PyBig.powmod(BigInteger.valueOf(a), BigInteger.valueOf(b), BigInteger.valueOf(m))
        .longValue();
  }

  // ---- floats --------------------------------------------------------------------------------

  public static double truediv(double a, double b) {
    if (b == 0.0) throw PyError.zeroDivision("float division by zero");
    return a / b;
  }

  /** Python's float modulo: the result has the divisor's sign (CPython's float_divmod). */
  public static double mod(double a, double b) {
    if (b == 0.0) throw PyError.zeroDivision("float modulo");
    double m = a % b;
    if (m != 0.0) {
      if ((b < 0) != (m < 0)) m += b;
    } else {
      m = Math.copySign(0.0, b);
    }
    return m;
  }

  /** Python's float floor division (CPython's float_divmod). */
  public static double floordiv(double a, double b) {
    if (b == 0.0) throw PyError.zeroDivision("float floor division by zero");
    double m = a % b;
    double div = (a - m) / b;
    if (m != 0.0 && ((b < 0) != (m < 0))) div -= 1.0;
    double floordiv;
    if (div != 0.0) {
      floordiv = Math.floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
      floordiv = Math.copySign(0.0, a / b);
    }
    return floordiv;
  }

  /** {@code a ** b} for floats (and {@code math.pow}), with Python's errors. */
  public static double pow(double a, double b) {
    if (b == 0.0) return 1.0; // also nan ** 0
    if (a == 1.0) return 1.0; // also 1 ** nan, where Java gives NaN
    if (Double.isNaN(a) || Double.isNaN(b)) return Double.NaN;
    // C99 (and CPython's float_pow): (-1) ** +-inf is 1; Java's Math.pow gives NaN
    if (a == -1.0 && Double.isInfinite(b)) return 1.0;
    if (a == 0.0 && b < 0 && !Double.isInfinite(b)) {
      throw PyError.zeroDivision("0.0 cannot be raised to a negative power");
    }
    if (a < 0 && !Double.isInfinite(a) && !Double.isInfinite(b) && b != Math.rint(b)) {
      throw PyError.limit("ValueError", "a negative number to a fractional power is complex in "
          + "Python; complex results are not supported");
    }
    if (a == Double.NEGATIVE_INFINITY) {
      // C99's rule, spelled out: HotSpot's pow intrinsic gives +inf for (-inf) ** (2^51 + 1)
      // (found by hypothesis), where Java's own specification and CPython give -inf
      boolean odd = !Double.isInfinite(b) && b == Math.rint(b) && Math.abs(b) < 0x1p53
          && ((long) b & 1L) == 1L;
      return b > 0 ? (odd ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
          : (odd ? -0.0 : 0.0);
    }
    double r = Math.pow(a, b);
    if (Double.isInfinite(r) && !Double.isInfinite(a) && !Double.isInfinite(b)) {
      throw PyError.overflow("(34, 'Numerical result out of range')");
    }
    return r;
  }

  /** Python's {@code min(a, b)}: the first argument unless the second is strictly smaller. */
  public static double min(double a, double b) {
    return b < a ? b : a;
  }

  public static double max(double a, double b) {
    return b > a ? b : a;
  }

  // ---- comparisons of int with float (exact in Python) ----------------------------------------

  /** Compare an int with a float exactly; NaN compares as unordered (returns 2). */
  public static int cmp(long a, double b) {
    if (Double.isNaN(b)) return 2;
    if (Double.isInfinite(b)) return b > 0 ? -1 : 1;
    if (Math.abs(a) <= TWO_53) return Double.compare((double) a, b) < 0 ? -1
        : ((double) a == b ? 0 : 1);
    return new BigDecimal(a).compareTo(new BigDecimal(b));
  }

  public static boolean eq(long a, double b) {
    return cmp(a, b) == 0;
  }

  public static boolean lt(long a, double b) {
    return cmp(a, b) == -1;
  }

  public static boolean le(long a, double b) {
    int c = cmp(a, b);
    return c == -1 || c == 0;
  }

  public static boolean gt(long a, double b) {
    return cmp(a, b) == 1;
  }

  public static boolean ge(long a, double b) {
    int c = cmp(a, b);
    return c == 1 || c == 0;
  }

  // ---- conversions -----------------------------------------------------------------------------

  /** {@code int(x)} for a float: truncates toward zero. */
  public static long toInt(double x) {
    if (Double.isNaN(x)) throw PyError.value("cannot convert float NaN to integer");
    if (Double.isInfinite(x)) throw PyError.overflow("cannot convert float infinity to integer");
    double t = x < 0 ? Math.ceil(x) : Math.floor(x);
    if (t < -9.223372036854775808E18 || t >= 9.223372036854775808E18) throw intOverflow();
    return (long) t;
  }

  /** {@code round(x)}: to the nearest int, ties to even. */
  public static long round(double x) {
    if (Double.isNaN(x)) throw PyError.value("cannot convert float NaN to integer");
    if (Double.isInfinite(x)) throw PyError.overflow("cannot convert float infinity to integer");
    return toInt(Math.rint(x));
  }

  /** {@code round(x, n)}: the exact binary value of x rounded half-to-even to n digits. */
  public static double round(double x, long n) {
    if (Double.isNaN(x) || Double.isInfinite(x) || x == 0.0) return x;
    if (n > 400) return x;
    if (n < -400) return Math.copySign(0.0, x);
    double r = new BigDecimal(x).setScale((int) n, RoundingMode.HALF_EVEN).doubleValue();
    if (Double.isInfinite(r)) throw PyError.overflow("rounded value too large to represent");
    return r == 0.0 ? Math.copySign(0.0, x) : r;
  }

  /** {@code round(i, n)} for an int: unchanged for n >= 0, else half-to-even at 10**-n. */
  public static long round(long x, long n) {
    if (n >= 0) return x;
    if (n < -19) return 0;
    BigInteger r = new BigDecimal(x).setScale((int) n, RoundingMode.HALF_EVEN).toBigInteger();
    if (r.bitLength() > 63) throw intOverflow();
    return r.longValue();
  }

  public static long floor(double x) {
    if (Double.isNaN(x)) throw PyError.value("cannot convert float NaN to integer");
    if (Double.isInfinite(x)) throw PyError.overflow("cannot convert float infinity to integer");
    return toInt(Math.floor(x));
  }

  public static long ceil(double x) {
    if (Double.isNaN(x)) throw PyError.value("cannot convert float NaN to integer");
    if (Double.isInfinite(x)) throw PyError.overflow("cannot convert float infinity to integer");
    return toInt(Math.ceil(x));
  }

  // ---- the math module: the domain and range errors CPython raises -----------------------------

  private static PyError domain() {
    return PyError.value("math domain error");
  }

  private static double ranged(double r, double x) {
    if (Double.isInfinite(r) && !Double.isInfinite(x)) throw PyError.overflow("math range error");
    return r;
  }

  public static double sqrt(double x) {
    if (x < 0) throw domain();
    return Math.sqrt(x);
  }

  public static double log(double x) {
    if (x <= 0) throw domain();
    return StrictMath.log(x);
  }

  public static double log(double x, double base) {
    if (x <= 0 || base <= 0) throw domain();
    double d = StrictMath.log(base);
    if (d == 0.0) throw PyError.zeroDivision("float division by zero");
    return StrictMath.log(x) / d;
  }

  public static double log10(double x) {
    if (x <= 0) throw domain();
    return StrictMath.log10(x);
  }

  public static double log2(double x) {
    if (x <= 0) throw domain();
    // CPython uses C's log2; log(x)/log(2) would be off by an ulp for exact powers of two.
    int exp = Math.getExponent(x);
    if (x == Math.scalb(1.0, exp)) return exp;
    return StrictMath.log(x) / StrictMath.log(2.0);
  }

  public static double log1p(double x) {
    if (x <= -1) throw domain();
    return StrictMath.log1p(x);
  }

  public static double exp(double x) {
    return ranged(StrictMath.exp(x), x);
  }

  public static double fabs(double x) {
    return Math.abs(x);
  }

  public static double fmod(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) return Double.NaN;
    if (Double.isInfinite(x) || y == 0.0) throw domain();
    return x % y; // C's fmod: the sign of x
  }

  public static double mathPow(double x, double y) {
    if (x < 0 && !Double.isInfinite(y) && y != Math.rint(y) && !Double.isInfinite(x)) {
      throw domain();
    }
    if (x == 0.0 && y < 0 && !Double.isInfinite(y)) throw domain();
    if (y == 0.0 || x == 1.0) return 1.0;
    if (Double.isNaN(x) || Double.isNaN(y)) return Double.NaN;
    // C99's pow table (CPython's math.pow): pow(-1, +-inf) is 1; Java's Math.pow gives NaN
    if (x == -1.0 && Double.isInfinite(y)) return 1.0;
    return ranged(Math.pow(x, y), Double.isInfinite(y) ? y : x);
  }

  // trigonometric and hyperbolic functions: CPython's math_1 rules (a NaN passes through; a
  // NaN from a non-NaN argument is a domain error; an infinity from a finite one a range error)

  private static double math1(double r, double x, boolean canOverflow) {
    if (Double.isNaN(r) && !Double.isNaN(x)) throw domain();
    if (Double.isInfinite(r) && !Double.isInfinite(x)) {
      if (canOverflow) throw PyError.overflow("math range error");
      throw domain();
    }
    return r;
  }

  public static double sin(double x) {
    return math1(StrictMath.sin(x), x, false);
  }

  public static double cos(double x) {
    return math1(StrictMath.cos(x), x, false);
  }

  public static double tan(double x) {
    return math1(StrictMath.tan(x), x, false);
  }

  public static double asin(double x) {
    return math1(StrictMath.asin(x), x, false);
  }

  public static double acos(double x) {
    return math1(StrictMath.acos(x), x, false);
  }

  public static double atan(double x) {
    return StrictMath.atan(x);
  }

  /** C99's atan2 table, which Java's follows. */
  public static double atan2(double y, double x) {
    return StrictMath.atan2(y, x);
  }

  public static double sinh(double x) {
    return math1(StrictMath.sinh(x), x, true);
  }

  public static double cosh(double x) {
    return math1(StrictMath.cosh(x), x, true);
  }

  public static double tanh(double x) {
    return StrictMath.tanh(x);
  }

  public static double asinh(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x) || x == 0.0) return x;
    double a = Math.abs(x);
    if (a < 0x1p-28) return x;
    // fdlibm's (and glibc's) s_asinh formula: log(2|x|) for large |x|, log1p forms below (no overflow of x*x)
    double r = a > 0x1p28 ? StrictMath.log(a) + 0.6931471805599453
        : a > 2.0 ? StrictMath.log(2.0 * a + 1.0 / (Math.sqrt(a * a + 1.0) + a))
        : StrictMath.log1p(a + a * a / (1.0 + Math.sqrt(1.0 + a * a)));
    return Math.copySign(r, x);
  }

  public static double acosh(double x) {
    if (Double.isNaN(x)) return x;
    if (x < 1.0) throw domain();
    if (Double.isInfinite(x)) return x;
    return x > 0x1p28 ? StrictMath.log(x) + 0.6931471805599453
        : x > 2.0 ? StrictMath.log(2.0 * x - 1.0 / (x + Math.sqrt(x * x - 1.0)))
        : StrictMath.log1p(x - 1.0 + Math.sqrt(2.0 * (x - 1.0) + (x - 1.0) * (x - 1.0)));
  }

  public static double atanh(double x) {
    if (Double.isNaN(x)) return x;
    if (Math.abs(x) >= 1.0) throw domain();
    double a = Math.abs(x);
    if (a < 0x1p-28) return x;
    double r = a < 0.5 ? 0.5 * StrictMath.log1p(2.0 * a + 2.0 * a * a / (1.0 - a))
        : 0.5 * StrictMath.log1p(2.0 * a / (1.0 - a));
    return Math.copySign(r, x);
  }

  /** {@code math.hypot}: an overflow is inf, not an error (as CPython's vector_norm). */
  public static double hypot(double x, double y) {
    return StrictMath.hypot(x, y);
  }

  public static double expm1(double x) {
    return ranged(StrictMath.expm1(x), x);
  }

  public static double exp2(double x) {
    return ranged(StrictMath.pow(2.0, x), x);
  }

  public static double cbrt(double x) {
    return StrictMath.cbrt(x);
  }

  /** {@code math.radians}: CPython multiplies by pi / 180. */
  public static double radians(double x) {
    return x * (Math.PI / 180.0);
  }

  /** {@code math.degrees}: CPython multiplies by 180 / pi. */
  public static double degrees(double x) {
    return x * (180.0 / Math.PI);
  }

  public static double remainder(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) return Double.NaN;
    if (Double.isInfinite(x) || y == 0.0) throw domain();
    return Math.IEEEremainder(x, y);
  }

  /** {@code math.isclose(a, b)} with the default tolerances (rel 1e-09, abs 0). */
  public static boolean isclose(double a, double b) {
    return isclose(a, b, 1e-09, 0.0);
  }

  public static boolean isclose(double a, double b, double relTol, double absTol) {
    if (relTol < 0.0 || absTol < 0.0) throw PyError.value("tolerances must be non-negative");
    if (a == b) return true;
    if (Double.isInfinite(a) || Double.isInfinite(b)) return false;
    double diff = Math.abs(b - a);
    return diff <= Math.abs(relTol * b) || diff <= Math.abs(relTol * a) || diff <= absTol;
  }

  public static long gcd(long a, long b) {
    long x = Math.abs(a);
    long y = Math.abs(b);
    if (x < 0 || y < 0) throw intOverflow(); // |Long.MIN_VALUE|
    while (y != 0) {
      long t = x % y;
      x = y;
      y = t;
    }
    return x;
  }

  /** {@code math.comb(n, k)}: PyWiden when a step leaves 64 bits (the exact variant goes on). */
  public static long comb(long n, long k) {
    if (n < 0) throw PyError.value("n must be a non-negative integer");
    if (k < 0) throw PyError.value("k must be a non-negative integer");
    if (k > n) return 0;
    k = Math.min(k, n - k);
    long r = 1;
    for (long i = 1; i <= k; i++) {
      // r * (n - k + i) / i is exact at each step (a binomial coefficient)
      // gcd(r / g, i / g) is 1, so i / g divides n - k + i
      long g = gcd(r, i);
      r = mul(r / g, (n - k + i) / (i / g));
    }
    return r;
  }

  /** {@code math.perm(n, k)}. */
  public static long perm(long n, long k) {
    if (n < 0) throw PyError.value("n must be a non-negative integer");
    if (k < 0) throw PyError.value("k must be a non-negative integer");
    if (k > n) return 0;
    long r = 1;
    for (long i = 0; i < k; i++) r = mul(r, n - i);
    return r;
  }

  public static long perm(long n) {
    return factorial(n);
  }

  /** {@code math.lcm(a, b)}: non-negative; 0 when either is 0. */
  public static long lcm(long a, long b) {
    if (a == 0 || b == 0) return 0;
    long r = Math.abs(mul(a / gcd(a, b), b));
    if (r < 0) throw intOverflow();  // |Long.MIN_VALUE|
    return r;
  }

  /** {@code math.ldexp(x, i)}: x * 2**i correctly rounded; OverflowError if it overflows. */
  public static double ldexp(double x, long i) {
    if (x == 0.0 || Double.isNaN(x) || Double.isInfinite(x)) return x;
    // beyond +-2200 the result is 0 or overflows whatever x is: the same answer
    int e = (int) Math.max(-2200, Math.min(2200, i));
    java.math.BigDecimal v = new java.math.BigDecimal(x);
    java.math.BigDecimal p = java.math.BigDecimal.valueOf(2).pow(Math.abs(e));
    // exact, then one correct rounding (BigDecimal.doubleValue), subnormals too
    double r = (e >= 0 ? v.multiply(p) : v.divide(p)).doubleValue();
    if (Double.isInfinite(r)) throw PyError.overflow("math range error");
    return r;
  }

  /** {@code math.frexp(x)}: the mantissa in [0.5, 1) (x itself for 0, inf, nan). */
  public static double frexpMantissa(double x) {
    if (x == 0.0 || Double.isNaN(x) || Double.isInfinite(x)) return x;
    return Math.scalb(x, (int) -frexpExponent(x));  // exact: the result is normal
  }

  public static long frexpExponent(double x) {
    if (x == 0.0 || Double.isNaN(x) || Double.isInfinite(x)) return 0;
    int e = Math.getExponent(x);
    if (e == Double.MIN_EXPONENT - 1) e = Math.getExponent(x * 0x1p54) - 54;  // subnormal
    return e + 1;
  }

  /** {@code math.modf(x)}: the fractional part (the sign of x; 0.0 for an infinity). */
  public static double modfFrac(double x) {
    if (Double.isInfinite(x)) return Math.copySign(0.0, x);
    return Math.copySign(x - modfInt(x), x);
  }

  public static double modfInt(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) return x;
    return Math.copySign(x < 0 ? Math.ceil(x) : Math.floor(x), x);
  }

  /**
   * {@code math.fsum(xs)}: the correctly rounded sum (Shewchuk's partials, as CPython), with
   * its rules for infinities and NaN and its OverflowError on an intermediate overflow.
   */
  public static double fsum(double[] xs) {
    double[] p = new double[32];
    int n = 0;
    double special = 0.0;
    double infSum = 0.0;
    for (double x : xs) {
      double xsave = x;
      int i = 0;
      for (int j = 0; j < n; j++) {
        double y = p[j];
        if (Math.abs(x) < Math.abs(y)) {
          double t = x;
          x = y;
          y = t;
        }
        double hi = x + y;
        double lo = y - (hi - x);
        if (lo != 0.0) p[i++] = lo;
        x = hi;
      }
      n = i;
      if (x != 0.0) {
        if (!Double.isFinite(x)) {
          // a nonfinite x could arise either from an infinite or NaN input or an overflow
          if (Double.isFinite(xsave)) throw PyError.overflow("intermediate overflow in fsum");
          if (Double.isInfinite(xsave)) infSum += xsave;
          special += xsave;
          n = 0;
        } else {
          if (n == p.length) p = java.util.Arrays.copyOf(p, n * 2);
          p[n++] = x;
        }
      }
    }
    if (special != 0.0) {
      if (Double.isNaN(infSum)) throw PyError.value("-inf + inf in fsum");
      return special;
    }
    double hi = 0.0;
    if (n > 0) {
      hi = p[--n];
      double lo = 0.0;
      while (n > 0) {
        double x = hi;
        double y = p[--n];
        hi = x + y;
        double yr = hi - x;
        lo = y - yr;
        if (lo != 0.0) break;
      }
      // round half-even correction: the next partial's sign decides
      if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
        double y = lo * 2.0;
        double x = hi + y;
        double yr = x - hi;
        if (y == yr) hi = x;
      }
    }
    return hi;
  }

  public static long factorial(long n) {
    if (n < 0) throw PyError.value("factorial() not defined for negative values");
    if (n > 20) throw intOverflow();
    long r = 1;
    for (long k = 2; k <= n; k++) r *= k;
    return r;
  }

  public static long isqrt(long n) {
    if (n < 0) throw PyError.value("isqrt() argument must be nonnegative");
    long r = (long) Math.sqrt((double) n);
    while (r * r > n) r--;
    while ((r + 1) * (r + 1) <= n && (r + 1) * (r + 1) > 0) r++;
    return r;
  }

  public static boolean isnan(double x) {
    return Double.isNaN(x);
  }

  public static boolean isinf(double x) {
    return Double.isInfinite(x);
  }

  public static boolean isfinite(double x) {
    return !Double.isNaN(x) && !Double.isInfinite(x);
  }

  public static long trunc(double x) {
    return toInt(x);
  }

  // ---- str() of numbers ------------------------------------------------------------------------

  public static String str(long x) {
    return Long.toString(x);
  }

  public static String str(boolean b) {
    return b ? "True" : "False";
  }

  /** {@code repr(x)} / {@code str(x)} of a float: the shortest string that round-trips. */
  public static String str(double x) {
    if (Double.isNaN(x)) return "nan";
    if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
    if (x == 0.0) return (1.0 / x < 0) ? "-0.0" : "0.0";
    BigDecimal exact = new BigDecimal(x);
    BigDecimal shortest = null;
    // Java 17's Double.toString is not always the shortest; find it as CPython's repr does:
    // the fewest digits that read back as x, and of two such candidates the closer to x.
    for (int p = 1; p <= 17 && shortest == null; p++) {
      BigDecimal lo = exact.round(new MathContext(p, RoundingMode.FLOOR));
      BigDecimal hi = exact.round(new MathContext(p, RoundingMode.CEILING));
      boolean loOk = lo.doubleValue() == x;
      boolean hiOk = hi.doubleValue() == x;
      if (loOk && hiOk) {
        int cmp = exact.subtract(lo).compareTo(hi.subtract(exact));
        shortest = cmp < 0 ? lo : cmp > 0 ? hi
            : exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      } else if (loOk) {
        shortest = lo;
      } else if (hiOk) {
        shortest = hi;
      }
    }
    BigDecimal d = shortest.stripTrailingZeros();
    String digits = d.unscaledValue().abs().toString();
    int decimalExp = digits.length() - d.scale(); // value = 0.digits * 10**decimalExp
    String sign = x < 0 ? "-" : "";
    if (decimalExp > -4 && decimalExp <= 16) {
      if (decimalExp <= 0) {
        return sign + "0." + "0".repeat(-decimalExp) + digits;
      }
      if (decimalExp >= digits.length()) {
        return sign + digits + "0".repeat(decimalExp - digits.length()) + ".0";
      }
      return sign + digits.substring(0, decimalExp) + "." + digits.substring(decimalExp);
    }
    int e = decimalExp - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = Math.abs(e) < 10 ? "0" + Math.abs(e) : Integer.toString(Math.abs(e));
    return sign + mantissa + "e" + (e < 0 ? "-" : "+") + exp;
  }

  /** {@code float(i)}: Python rounds an int to the nearest double, as Java's cast does. */
  public static double toFloat(long x) {
    return (double) x;
  }

  /** {@code int(s)}: optional sign, decimal digits (any script), underscores between digits. */
  public static long parseInt(String s) {
    int n = s.length();
    if (n > 0 && n <= 18) { // ASCII digits only: exactly Long.parseLong (no sign, space or _)
      long v = 0;
      int k = 0;
      for (; k < n; k++) {
        char c = s.charAt(k);
        if (c < '0' || c > '9') break;
        v = v * 10 + (c - '0');
      }
      if (k == n) return v;
    }
    BigInteger value = parseBig(s);
    if (value.bitLength() > 63) throw intOverflow();
    return value.longValue();
  }

  static BigInteger parseBig(String s) {
    String t = PyStr.strip(s);
    int[] cps = t.codePoints().toArray();
    int i = 0;
    boolean negative = false;
    if (i < cps.length && (cps[i] == '+' || cps[i] == '-')) {
      negative = cps[i] == '-';
      i++;
    }
    BigInteger value = BigInteger.ZERO;
    boolean digit = false;
    boolean lastUnderscore = false;
    int digits = 0;
    for (; i < cps.length; i++) {
      int cp = cps[i];
      if (cp == '_' && digit && !lastUnderscore) {
        lastUnderscore = true;
        continue;
      }
      int v = PyStr.decimalValue(cp);
      if (v < 0) throw invalidInt(s);
      if (++digits <= PyBig.MAX_STR_DIGITS) {
        value = value.multiply(BigInteger.TEN).add(BigInteger.valueOf(v));
      }
      digit = true;
      lastUnderscore = false;
    }
    if (!digit || lastUnderscore) throw invalidInt(s);
    if (digits > PyBig.MAX_STR_DIGITS) {
      // CPython 3.11's guard (sys.int_info.default_max_str_digits)
      throw PyError.value("Exceeds the limit (4300 digits) for integer string conversion: "
          + "value has " + digits + " digits; use sys.set_int_max_str_digits() to increase the "
          + "limit");
    }
    if (negative) value = value.negate();
    return value;
  }

  private static PyError invalidInt(String s) {
    return PyError.value("invalid literal for int() with base 10: " + PyStr.repr(s));
  }

  /** {@code float(s)}: decimal literals (underscores between digits), inf, infinity, nan. */
  public static double parseFloat(String s) {
    String t = PyStr.strip(s);
    StringBuilder ascii = new StringBuilder();
    for (int cp : t.codePoints().toArray()) {
      int v = PyStr.decimalValue(cp);
      if (v >= 0) {
        ascii.append((char) ('0' + v));
      } else if (cp < 128) {
        ascii.append((char) cp);
      } else {
        throw invalidFloat(s);
      }
    }
    String a = ascii.toString();
    String lower = a.toLowerCase(java.util.Locale.ROOT);
    String body = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    boolean negative = lower.startsWith("-");
    if (body.equals("inf") || body.equals("infinity")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (body.equals("nan")) return negative ? -Double.NaN : Double.NaN;
    if (!a.matches("[+-]?(\\d(_?\\d)*(\\.(\\d(_?\\d)*)?)?|\\.\\d(_?\\d)*)([eE][+-]?\\d(_?\\d)*)?")) {
      throw invalidFloat(s);
    }
    return Double.parseDouble(a.replace("_", ""));
  }

  private static PyError invalidFloat(String s) {
    return PyError.value("could not convert string to float: " + PyStr.repr(s));
  }

  /** {@code chr(i)}. */
  public static String chr(long i) {
    if (i < 0 || i > 0x10FFFF) throw PyError.value("chr() arg not in range(0x110000)");
    return new String(Character.toChars((int) i));
  }

  /** {@code ord(c)}. */
  public static long ord(String c) {
    if (c.codePointCount(0, c.length()) != 1) {
      throw PyError.type("ord() expected a character, but string of length "
          + c.codePointCount(0, c.length()) + " found");
    }
    return c.codePointAt(0);
  }

  /**
   * An int where Python keeps the int and the UDF holds a float ({@code y = 0.0} then
   * {@code y = n}): the same value only while a double holds it exactly.
   */
  public static double exactFloat(long x) {
    double d = (double) x;
    if (d >= 0x1p63 || (long) d != x) {
      throw PyError.limit("ValueError", "an int that a float does not hold exactly, where "
          + "Python keeps the int (" + x + ")");
    }
    return d;
  }

  /** Reading a local on a path that did not assign it (CPython 3.11's message). */
  public static PyError unbound(String name) {
    return new PyError("UnboundLocalError", "cannot access local variable '" + name
        + "' where it is not associated with a value");
  }

  /** Raised when a UDF ends without {@code return}: Python returns None, which DuckDB refuses. */
  public static PyError returnedNone() {
    return PyError.limit("ValueError", "the UDF returned None: ibis on DuckDB fails the query "
        + "when a Python UDF returns None for a row");
  }
}
