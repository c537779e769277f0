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
 * what an hour of a timestamp is). The caller's session keeps its own settings: a feature set
 * runs in a session derived from it ({@link #derive}: the same SparkContext, cluster and cached
 * data; the caller's SQL settings, then these; its own temporary views and functions), one per
 * caller session and artifact, so two artifacts never share a registered function name.
 */
public final class Conformance {
  private Conformance() {}

  // The caller's settings a derived session follows: how much to parallelise and when to
  // broadcast, never what a query means (spark.sql.parser.quotedRegexColumnNames, for one,
  // changes which columns a quoted name selects: copying every setting gave a wrong column).
  private static final List<String> TUNING = List.of("spark.sql.shuffle.partitions",
      "spark.sql.autoBroadcastJoinThreshold", "spark.sql.broadcastTimeout",
      "spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes",
      "spark.sql.adaptive.enabled", "spark.sql.adaptive.coalescePartitions.enabled",
      "spark.sql.adaptive.advisoryPartitionSizeInBytes", "spark.sql.adaptive.skewJoin.enabled");

  /**
   * A session derived from the caller's: {@code newSession()} (same cluster and cache), then
   * the required settings. The caller's session is not changed.
   */
  public static SparkSession derive(SparkSession spark, Map<String, String> required) {
    SparkSession own = spark.newSession();
    follow(spark, own);
    apply(own, required);
    return own;
  }

  /** Sets the caller's current tuning ({@link #TUNING}) on the derived session (every run). */
  public static void follow(SparkSession caller, SparkSession own) {
    for (String key : TUNING) {
      String theirs = caller.conf().get(key, null);
      if (theirs != null && !theirs.equals(own.conf().get(key, null))) {
        own.conf().set(key, theirs);
      }
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
