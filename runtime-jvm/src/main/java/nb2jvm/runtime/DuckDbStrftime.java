package nb2jvm.runtime;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.Locale;
import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB's {@code strftime(ts, format)} (ibis's {@code strftime}) on Spark, from the timestamp's
 * microseconds since the epoch (UTC wall clock, proleptic Gregorian as both engines count).
 * Spark's {@code date_format} patterns cannot say {@code %-d}, {@code %U}, {@code %W}, {@code %j}
 * or ISO weeks the way C and DuckDB do. The directives (measured on DuckDB 1.4): {@code %a %A %w
 * %u %d %-d %b %h %B %m %-m %y %-y %Y %G %V %H %-H %I %-I %p %M %-M %S %-S %f %g %n %z %Z %j %-j
 * %U %W %c %x %X %T %%}; the lowering refuses a format with any other, as DuckDB fails on it,
 * and {@code %n} (nanoseconds), which DuckDB 1.4 writes as six digits of a timestamp followed by
 * NUL characters at the end of the text.
 * Names are English; {@code %z} is {@code +00} and {@code %Z} empty for a naive timestamp.
 */
public final class DuckDbStrftime {
  static final String NAME = "nb2jvm_duckdb_strftime";

  static String format(LocalDateTime t, int micros, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        out.append(c);
        continue;
      }
      char d = format.charAt(++i);
      boolean unpadded = d == '-' && i + 1 < format.length();
      if (unpadded) d = format.charAt(++i);
      out.append(directive(t, micros, d, unpadded));
    }
    return out.toString();
  }

  private static String pad(long value, int width, boolean unpadded) {
    String s = Long.toString(Math.abs(value));
    StringBuilder out = new StringBuilder(value < 0 ? "-" : "");
    for (int k = s.length(); !unpadded && k < width; k++) out.append('0');
    return out.append(s).toString();
  }

  private static String directive(LocalDateTime t, int micros, char d, boolean unpadded) {
    int sundayBased = t.getDayOfWeek().getValue() % 7; // Sunday 0 .. Saturday 6
    int dayOfYear = t.getDayOfYear();
    switch (d) {
      case 'a': return t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'A': return t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'w': return Integer.toString(sundayBased);
      case 'u': return Integer.toString(t.getDayOfWeek().getValue());
      case 'd': return pad(t.getDayOfMonth(), 2, unpadded);
      case 'b':
      case 'h': return t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'B': return t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'm': return pad(t.getMonthValue(), 2, unpadded);
      case 'y': return pad(Math.floorMod(t.getYear(), 100), 2, unpadded);
      case 'Y': return pad(t.getYear(), 4, false);
      // DuckDB writes the ISO year in four digits, dropping the rest (10000 is 0000)
      case 'G': return pad(Math.floorMod(t.get(IsoFields.WEEK_BASED_YEAR), 10000), 4, false);
      case 'V': return pad(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, unpadded);
      case 'H': return pad(t.getHour(), 2, unpadded);
      case 'I': return pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, unpadded);
      case 'p': return t.getHour() < 12 ? "AM" : "PM";
      case 'M': return pad(t.getMinute(), 2, unpadded);
      case 'S': return pad(t.getSecond(), 2, unpadded);
      case 'f': return pad(micros, 6, false);
      case 'g': return pad(micros / 1000, 3, false);
      case 'z': return "+00";
      case 'Z': return "";
      case 'j': return pad(dayOfYear, 3, unpadded);
      // C's week numbers: the first Sunday (%U) or Monday (%W) starts week 1
      case 'U': return pad((dayOfYear + 6 - sundayBased) / 7, 2, unpadded);
      case 'W':
        return pad((dayOfYear + 6 - (t.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue()))
            / 7, 2, unpadded);
      case 'c': return format(t, micros, "%Y-%m-%d %H:%M:%S");
      case 'x': return format(t, micros, "%Y-%m-%d");
      case 'X':
      case 'T': return format(t, micros, "%H:%M:%S");
      case '%': return "%";
      default:
        throw new IllegalArgumentException("strftime: the directive %" + d + " is not one "
            + "DuckDB formats (the lowering should have refused it)");
    }
  }

  /** The Spark UDF: kept apart so that the functions above load without Spark (the
   * online path runs them in a plain JVM). */
  public static final class Udf implements UDF2<Long, String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(Long micros, String format) {
      if (micros == null || format == null) return null;
      long seconds = Math.floorDiv(micros, 1_000_000L);
      int fraction = (int) Math.floorMod(micros, 1_000_000L);
      LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, fraction * 1000, ZoneOffset.UTC);
      return format(t, fraction, format);
    }
  }
}
