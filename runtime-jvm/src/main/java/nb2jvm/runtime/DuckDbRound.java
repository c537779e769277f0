package nb2jvm.runtime;

import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;

/**
 * DuckDB's {@code round(DOUBLE, n)} on Spark. Spark rounds the double's shortest decimal text
 * half-up ({@code round(2.675, 2)} is 2.68); DuckDB works in binary: {@code std::round(x * 10^n) /
 * 10^n} (2.67), or x itself when that is not finite; for {@code n < 0}, {@code std::round(x /
 * 10^-n) * 10^-n}, or 0.0 when that is not finite (measured on DuckDB 1.4 over 9000 doubles per n,
 * NaN and infinities included). The scale is the C library's {@code pow(10, |n|)} as DuckDB
 * computes it, passed in by the lowering (it differs from the nearest double to 10^n for n = 23).
 * The lowering calls these as {@code nb2jvm_duckdb_round} / {@code nb2jvm_duckdb_round_int}.
 */
public final class DuckDbRound {
  private DuckDbRound() {}

  static final String NAME = "nb2jvm_duckdb_round";
  static final String INT_NAME = "nb2jvm_duckdb_round_int";

  /** C's round(): nearest whole number, halves away from zero, the sign of a zero kept. */
  static double stdRound(double y) {
    if (Double.isNaN(y) || Math.abs(y) >= 0x1p52) return y; // NaN, ±inf and whole numbers
    double t = (double) (long) y;
    double r = Math.abs(y - t) >= 0.5 ? t + Math.signum(y) : t;
    return r == 0.0 ? Math.copySign(0.0, y) : r;
  }

  static double round(double x, double scale, boolean negativeDigits) {
    if (!negativeDigits) {
      double r = stdRound(x * scale) / scale;
      return Double.isFinite(r) ? r : x;
    }
    double r = stdRound(x / scale) * scale;
    return Double.isFinite(r) ? r : 0.0;
  }

  /** {@code round(x, n)}: arguments x, pow(10, |n|), n < 0. */
  public static final class ToDouble implements UDF3<Double, Double, Boolean, Double> {
    @Override
    public Double call(Double x, Double scale, Boolean negativeDigits) {
      if (x == null || scale == null || negativeDigits == null) return null;
      return round(x, scale, negativeDigits);
    }
  }

  /** {@code round(x)} as ibis types it, an int64: DuckDB's cast raises from 2^63 up, NaN, ±inf. */
  public static final class ToLong implements UDF1<Double, Long> {
    @Override
    public Long call(Double x) {
      return x == null ? null : roundToLong(x);
    }
  }

  static long roundToLong(double x) {
    double r = round(x, 1.0, false);
    if (!(r >= -0x1p63 && r < 0x1p63)) {
      throw new ArithmeticException(
          "round(): " + r + " is out of the range of int64 (the notebook's DuckDB raises"
              + " a Conversion Error)");
    }
    return (long) r;
  }
}
