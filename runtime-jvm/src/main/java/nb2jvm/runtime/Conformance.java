package nb2jvm.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark settings a feature set's SQL was lowered for.
 *
 * <p>The lowering makes Spark agree with the notebook's engine under these settings only (for
 * example ANSI mode decides whether an overflow raises or wraps, the session time zone decides
 * what an hour of a timestamp is), so a session configured otherwise fails fast instead of
 * computing something else.
 */
public final class Conformance {
  private Conformance() {}

  /** Sets the required settings on a session the caller lets nb2jvm own. */
  public static void apply(SparkSession spark, Map<String, String> required) {
    for (Map.Entry<String, String> e : required.entrySet()) {
      spark.conf().set(e.getKey(), e.getValue());
    }
  }

  /**
   * Fails when the session differs from a required setting.
   *
   * @throws IllegalStateException naming every differing setting and the value to set
   */
  public static void check(SparkSession spark, Map<String, String> required, String featureSet) {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> e : required.entrySet()) {
      String actual = spark.conf().get(e.getKey(), null);
      if (actual == null || !actual.equalsIgnoreCase(e.getValue())) {
        wrong.add(e.getKey() + "=" + actual + " (required: " + e.getValue() + ")");
      }
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("feature set '" + featureSet + "' was lowered for other "
          + "Spark settings; the results would differ from the notebook: " + String.join(", ", wrong)
          + ". Set them with spark.conf().set(key, value) before running.");
    }
  }
}
