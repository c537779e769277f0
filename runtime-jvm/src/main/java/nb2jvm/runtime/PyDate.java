package nb2jvm.runtime;

import java.time.LocalDate;

/**
 * Python's {@code datetime.date}, {@code datetime.datetime} (naive) and {@code timedelta} for
 * compiled UDFs, on plain longs: a date is days since 1970-01-01, a datetime and a timedelta
 * are microseconds (since 1970-01-01T00:00 for a datetime). Both calendars are the proleptic
 * Gregorian one, as in Python; the range is Python's, years 1 to 9999.
 *
 * <p>Spark hands the values over as these longs ({@code unix_date}, {@code unix_micros} in the
 * SQL that calls the UDF, under the session time zone the runtime enforces), so no
 * {@code java.sql.Date}, JVM default time zone or Julian-calendar rebasing is involved.
 */
public final class PyDate {
  private PyDate() {}

  static final long DAY_US = 86_400_000_000L;
  /** {@code date(1, 1, 1)} and {@code date(9999, 12, 31)} as days since 1970-01-01. */
  static final long MIN_DAYS = -719_162L;
  static final long MAX_DAYS = 2_932_896L;
  /** {@code date(1970, 1, 1).toordinal()}. */
  static final long EPOCH_ORDINAL = 719_163L;
  /** {@code timedelta.max.days}. */
  static final long MAX_DELTA_DAYS = 999_999_999L;

  // ---- the call boundary -------------------------------------------------------------------

  /** A DATE argument: the notebook's engine raises this for a year outside 1..9999. */
  public static long dateArg(long days) {
    if (days < MIN_DAYS || days > MAX_DAYS) {
      throw PyError.value("year " + LocalDate.ofEpochDay(days).getYear() + " is out of range");
    }
    return days;
  }

  /** A TIMESTAMP argument in Python's range (DuckDB passes others as text or clamps them). */
  public static long datetimeArg(long micros) {
    long days = Math.floorDiv(micros, DAY_US);
    if (days < MIN_DAYS || days > MAX_DAYS) {
      throw PyError.value("year " + LocalDate.ofEpochDay(days).getYear() + " is out of range "
          + "for a Python datetime (the notebook's engine does not pass it as a datetime)");
    }
    return micros;
  }

  // ---- constructors ------------------------------------------------------------------------

  /** {@code date(year, month, day)}. */
  public static long date(long year, long month, long day) {
    if (year < 1 || year > 9999) throw PyError.value("year " + year + " is out of range");
    if (month < 1 || month > 12) throw PyError.value("month must be in 1..12");
    if (day < 1 || day > LocalDate.of((int) year, (int) month, 1).lengthOfMonth()) {
      throw PyError.value("day is out of range for month");
    }
    return LocalDate.of((int) year, (int) month, (int) day).toEpochDay();
  }

  /** {@code datetime(year, month, day, hour, minute, second, microsecond)}. */
  public static long datetime(long year, long month, long day, long hour, long minute,
      long second, long micro) {
    long days = date(year, month, day);
    if (hour < 0 || hour > 23) throw PyError.value("hour must be in 0..23");
    if (minute < 0 || minute > 59) throw PyError.value("minute must be in 0..59");
    if (second < 0 || second > 59) throw PyError.value("second must be in 0..59");
    if (micro < 0 || micro > 999_999) throw PyError.value("microsecond must be in 0..999999");
    return days * DAY_US + ((hour * 60 + minute) * 60 + second) * 1_000_000L + micro;
  }

  /** {@code timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)}, ints. */
  public static long timedelta(long days, long seconds, long micros, long millis, long minutes,
      long hours, long weeks) {
    try {
      long d = Math.addExact(days, Math.multiplyExact(weeks, 7L));
      long s = Math.addExact(seconds, Math.addExact(Math.multiplyExact(minutes, 60L),
          Math.multiplyExact(hours, 3600L)));
      long us = Math.addExact(micros, Math.multiplyExact(millis, 1000L));
      long total = Math.addExact(Math.multiplyExact(d, DAY_US),
          Math.addExact(Math.multiplyExact(s, 1_000_000L), us));
      return delta(total);
    } catch (ArithmeticException e) {
      throw tooBig();
    }
  }

  private static PyError tooBig() {
    // Python allows |days| up to 999999999; the runtime's microsecond longs reach ~106751991
    // days. Beyond that it fails loudly rather than wrapping.
    return PyError.overflow("timedelta beyond the UDF runtime's range (about 292 thousand "
        + "years)");
  }

  private static long delta(long micros) {
    if (Math.abs(Math.floorDiv(micros, DAY_US)) > MAX_DELTA_DAYS) {
      throw PyError.overflow("days must have magnitude <= 999999999");
    }
    return micros;
  }

  // ---- fields and methods ------------------------------------------------------------------

  public static long year(long days) {
    return LocalDate.ofEpochDay(days).getYear();
  }

  public static long month(long days) {
    return LocalDate.ofEpochDay(days).getMonthValue();
  }

  public static long day(long days) {
    return LocalDate.ofEpochDay(days).getDayOfMonth();
  }

  /** Monday is 0 (1970-01-01 was a Thursday). */
  public static long weekday(long days) {
    return Math.floorMod(days + 3, 7L);
  }

  public static long toordinal(long days) {
    return days + EPOCH_ORDINAL;
  }

  public static long dayOfYear(long days) {
    return LocalDate.ofEpochDay(days).getDayOfYear();
  }

  public static long dateOf(long micros) {
    return Math.floorDiv(micros, DAY_US);
  }

  public static long atMidnight(long days) {
    return days * DAY_US;
  }

  private static long timeOfDay(long micros) {
    return Math.floorMod(micros, DAY_US);
  }

  public static long hour(long micros) {
    return timeOfDay(micros) / 3_600_000_000L;
  }

  public static long minute(long micros) {
    return timeOfDay(micros) / 60_000_000L % 60;
  }

  public static long second(long micros) {
    return timeOfDay(micros) / 1_000_000L % 60;
  }

  public static long microsecond(long micros) {
    return Math.floorMod(micros, 1_000_000L);
  }

  // ---- arithmetic --------------------------------------------------------------------------

  /** {@code date + timedelta}: only whole days count, as in Python. */
  public static long addDays(long days, long delta) {
    long r = days + Math.floorDiv(delta, DAY_US);
    if (r < MIN_DAYS || r > MAX_DAYS) throw PyError.overflow("date value out of range");
    return r;
  }

  /** {@code date - timedelta}: Python subtracts the days field only ({@code date(2020, 3, 1) -
   * timedelta(hours=1)} is 2020-03-01, while adding {@code -timedelta(hours=1)} gives 02-29). */
  public static long subDays(long days, long delta) {
    long r = days - Math.floorDiv(delta, DAY_US);
    if (r < MIN_DAYS || r > MAX_DAYS) throw PyError.overflow("date value out of range");
    return r;
  }

  /** {@code datetime + timedelta}. */
  public static long addMicros(long micros, long delta) {
    long r;
    try {
      r = Math.addExact(micros, delta);
    } catch (ArithmeticException e) {
      throw PyError.overflow("date value out of range");
    }
    long days = Math.floorDiv(r, DAY_US);
    if (days < MIN_DAYS || days > MAX_DAYS) throw PyError.overflow("date value out of range");
    return r;
  }

  /** {@code date - date} as a timedelta. */
  public static long daysBetween(long a, long b) {
    return (a - b) * DAY_US;
  }

  public static long addDelta(long a, long b) {
    try {
      return delta(Math.addExact(a, b));
    } catch (ArithmeticException e) {
      throw tooBig();
    }
  }

  public static long subDelta(long a, long b) {
    try {
      return delta(Math.subtractExact(a, b));
    } catch (ArithmeticException e) {
      throw tooBig();
    }
  }

  public static long mulDelta(long a, long k) {
    try {
      return delta(Math.multiplyExact(a, k));
    } catch (ArithmeticException e) {
      throw tooBig();
    }
  }

  public static long absDelta(long a) {
    return a < 0 ? negDelta(a) : a;
  }

  /** Dates and datetimes are always true in Python. */
  public static boolean truthy(long value) {
    return true;
  }

  public static long negDelta(long a) {
    return subDelta(0L, a);
  }

  /** {@code timedelta // int}: floor of the microseconds, as in Python. */
  public static long floordivDelta(long a, long k) {
    if (k == 0) throw PyError.zeroDivision("integer division or modulo by zero");
    return Math.floorDiv(a, k);
  }

  public static long deltaDays(long micros) {
    return Math.floorDiv(micros, DAY_US);
  }

  public static long deltaSeconds(long micros) {
    return Math.floorMod(micros, DAY_US) / 1_000_000L;
  }

  public static long deltaMicroseconds(long micros) {
    return Math.floorMod(micros, 1_000_000L);
  }

  /** {@code td.total_seconds()}: the microseconds divided by 10**6, correctly rounded. */
  public static double totalSeconds(long micros) {
    return Py.truediv(micros, 1_000_000L);
  }

  // ---- text --------------------------------------------------------------------------------

  /** {@code date.isoformat()} and {@code str(date)}. */
  public static String isoformat(long days) {
    LocalDate d = LocalDate.ofEpochDay(days);
    StringBuilder b = new StringBuilder(10);
    pad(b, d.getYear(), 4).append('-');
    pad(b, d.getMonthValue(), 2).append('-');
    return pad(b, d.getDayOfMonth(), 2).toString();
  }

  /** {@code datetime.isoformat(sep)}: microseconds only when not zero, as in Python. */
  public static String isoformat(long micros, String sep) {
    StringBuilder b = new StringBuilder(26).append(isoformat(dateOf(micros))).append(sep);
    pad(b, hour(micros), 2).append(':');
    pad(b, minute(micros), 2).append(':');
    pad(b, second(micros), 2);
    long us = microsecond(micros);
    if (us != 0) pad(b.append('.'), us, 6);
    return b.toString();
  }

  /** {@code str(datetime)}. */
  public static String datetimeStr(long micros) {
    return isoformat(micros, " ");
  }

  /** {@code str(timedelta)}: {@code [-]D day[s], H:MM:SS[.ffffff]}. */
  public static String deltaStr(long micros) {
    long days = deltaDays(micros);
    long rest = Math.floorMod(micros, DAY_US);
    StringBuilder b = new StringBuilder();
    if (days != 0) b.append(days).append(Math.abs(days) == 1 ? " day, " : " days, ");
    b.append(rest / 3_600_000_000L).append(':');
    pad(b, rest / 60_000_000L % 60, 2).append(':');
    pad(b, rest / 1_000_000L % 60, 2);
    long us = rest % 1_000_000L;
    if (us != 0) pad(b.append('.'), us, 6);
    return b.toString();
  }

  private static StringBuilder pad(StringBuilder b, long value, int width) {
    String s = Long.toString(value);
    for (int i = s.length(); i < width; i++) b.append('0');
    return b.append(s);
  }
}
