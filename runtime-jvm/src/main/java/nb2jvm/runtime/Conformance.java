package nb2jvm.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark settings a feature set's SQL was lowered for.
 *
 * <p>The lowering makes Spark agree with the notebook's engine under these settings only (for
 * example ANSI mode decides whether an overflow raises or wraps, the session time zone decides
 * what an hour of a timestamp is). The caller's session keeps its own settings: a feature set
 * runs in the caller's session when its settings already are these, else in a session derived
 * from it ({@link SparkSession#newSession()}: the same SparkContext, cluster and cached data,
 * its own SQL settings, temporary views and functions) with these settings set.
 */
public final class Conformance {
  private Conformance() {}

  // One derived session per caller session and settings: functions are registered once in it.
  private static final Map<SparkSession, Map<Map<String, String>, SparkSession>> DERIVED =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** The caller's session if it has the required settings, else one derived from it that has. */
  public static SparkSession sessionFor(SparkSession spark, Map<String, String> required) {
    if (differences(spark, required).isEmpty()) {
      return spark;
    }
    synchronized (DERIVED) {
      return DERIVED.computeIfAbsent(spark, s -> new java.util.HashMap<>())
          .computeIfAbsent(Map.copyOf(required), r -> {
            SparkSession own = spark.newSession();
            apply(own, r);
            return own;
          });
    }
  }

  private static List<String> differences(SparkSession spark, Map<String, String> required) {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> e : required.entrySet()) {
      String actual = spark.conf().get(e.getKey(), null);
      if (actual == null || !actual.equalsIgnoreCase(e.getValue())) {
        wrong.add(e.getKey() + "=" + actual + " (required: " + e.getValue() + ")");
      }
    }
    return wrong;
  }

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
    List<String> wrong = differences(spark, required);
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("feature set '" + featureSet + "' was lowered for other "
          + "Spark settings; the results would differ from the notebook: " + String.join(", ", wrong)
          + ". Set them with spark.conf().set(key, value) before running.");
    }
  }
}
