package nb2jvm.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the feature sets of one nb2jvm artifact on Spark.
 *
 * <p>An artifact carries, as class-path resources under {@code nb2jvm/<artifactId>/}, a
 * {@code manifest.json} (feature sets, their inputs and output schemas) and one {@code .sql} file
 * per feature set. Given a SparkSession and the named input Datasets, {@link #run} checks the
 * session's settings and the inputs against the manifest, binds the inputs to the SQL under fresh
 * view names (the caller's own temporary views are never touched) and returns the feature set.
 *
 * <pre>{@code
 * FeaturePipeline p = FeaturePipeline.load("quickstart");
 * Dataset<Row> features = p.run(spark, "user_features", Map.of("transactions", tx));
 * }</pre>
 */
public final class FeaturePipeline {
  private static final String ROOT = "nb2jvm/";

  private final String artifactId;
  private final ClassLoader loader;
  private final Map<String, FeatureSet> featureSets;
  private final Map<String, String> requiredConf;
  private final UdfRegistry udfs;
  private final List<String> golden;
  private final JsonNode goldenInputs;
  // caller session -> the session derived from it that this artifact's feature sets run in
  private final Map<SparkSession, SparkSession> sessions =
      Collections.synchronizedMap(new WeakHashMap<>());

  private FeaturePipeline(String artifactId, ClassLoader loader, Map<String, FeatureSet> sets,
      Map<String, String> requiredConf, UdfRegistry udfs, List<String> golden,
      JsonNode goldenInputs) {
    this.artifactId = artifactId;
    this.loader = loader;
    this.featureSets = sets;
    this.requiredConf = requiredConf;
    this.udfs = udfs;
    this.golden = golden;
    this.goldenInputs = goldenInputs;
  }

  /** Loads the artifact {@code artifactId} from the context class loader. */
  public static FeaturePipeline load(String artifactId) {
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    return load(cl != null ? cl : FeaturePipeline.class.getClassLoader(), artifactId);
  }

  /** Loads the artifact {@code artifactId} from the given class loader (e.g. a jar's). */
  public static FeaturePipeline load(ClassLoader loader, String artifactId) {
    String text = resource(loader, ROOT + artifactId + "/manifest.json");
    try {
      JsonNode manifest = new ObjectMapper().readTree(text);
      Map<String, FeatureSet> sets = new LinkedHashMap<>();
      for (JsonNode fs : manifest.get("feature_sets")) {
        FeatureSet set = FeatureSet.fromJson(fs);
        sets.put(set.name, set);
      }
      Map<String, String> conf = new LinkedHashMap<>();
      JsonNode confNode = manifest.path("spark_conf");
      confNode.fieldNames().forEachRemaining(k -> conf.put(k, confNode.get(k).asText()));
      List<String> golden = new ArrayList<>();
      for (JsonNode g : manifest.path("self_check").path("feature_sets")) golden.add(g.asText());
      return new FeaturePipeline(artifactId, loader, sets, conf,
          new UdfRegistry(manifest, loader), golden,
          manifest.path("self_check").path("inputs"));
    } catch (IOException e) {
      throw new IllegalStateException("nb2jvm artifact '" + artifactId + "': bad manifest", e);
    }
  }

  /** The artifact id this pipeline was loaded from. */
  public String artifactId() {
    return artifactId;
  }

  /** Names of the feature sets, in notebook order. */
  public List<String> featureSets() {
    return Collections.unmodifiableList(new ArrayList<>(featureSets.keySet()));
  }

  /** Names of the input tables a feature set reads. */
  public List<String> inputsOf(String featureSet) {
    return Collections.unmodifiableList(new ArrayList<>(get(featureSet).inputs.keySet()));
  }

  /**
   * The feature sets this one is built on that {@link #run} accepts pre-computed (in its
   * inputs map, under the upstream's name) instead of recomputing them.
   */
  public List<String> upstreamsOf(String featureSet) {
    List<String> out = new ArrayList<>();
    for (FeatureSet v : get(featureSet).variants) {
      for (String u : v.upstreams) if (!out.contains(u)) out.add(u);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Computes several feature sets at once, each from the ones before it that it is built on
   * (each upstream's plan is built once and shared by the plans of the feature sets on top).
   *
   * @param featureSets the feature sets to return, by name (in any order)
   * @param inputs input Datasets by table name
   * @param persist whether to {@code persist()} each computed feature set that another one
   *     reads, so that Spark computes it once for all of them (the caller unpersists it)
   * @return the requested feature sets by name, in notebook order
   */
  public Map<String, Dataset<Row>> runAll(SparkSession spark, List<String> featureSets,
      Map<String, Dataset<Row>> inputs, boolean persist) {
    for (String name : featureSets) get(name);
    java.util.Set<String> needed = new java.util.LinkedHashSet<>(featureSets);
    // Notebook order is a topological order: an upstream is assigned before what reads it.
    List<String> order = new ArrayList<>(this.featureSets.keySet());
    for (int i = order.size() - 1; i >= 0; i--) {
      if (needed.contains(order.get(i))) needed.addAll(upstreamsOf(order.get(i)));
    }
    java.util.Set<String> read = new java.util.HashSet<>();
    for (String name : needed) read.addAll(upstreamsOf(name));
    Map<String, Dataset<Row>> computed = new LinkedHashMap<>();
    Map<String, Dataset<Row>> out = new LinkedHashMap<>();
    for (String name : order) {
      if (!needed.contains(name)) continue;
      // Only the upstreams go in beside the inputs (an upstream is never named like an input).
      Map<String, Dataset<Row>> given = new LinkedHashMap<>(inputs);
      for (String u : upstreamsOf(name)) {
        if (computed.containsKey(u)) given.put(u, computed.get(u));
      }
      Dataset<Row> rows = run(spark, name, given);
      if (persist && read.contains(name)) rows = rows.persist();
      computed.put(name, rows);
      if (featureSets.contains(name)) out.put(name, rows);
    }
    return out;
  }

  /** The Spark SQL of a feature set, as generated by nb2jvm. */
  public String sql(String featureSet) {
    return resource(loader, ROOT + artifactId + "/" + get(featureSet).sqlFile);
  }

  /**
   * Computes a feature set.
   *
   * @param spark the caller's session: never changed. The feature set runs in a session
   *     derived from it ({@link Conformance#derive}: same cluster and cache, the caller's
   *     parallelism settings and then {@link #requiredConf()}), one per caller session and
   *     artifact, and the returned Dataset belongs to that session (a temporary view of it is
   *     that session's: use a global temporary view, or the Dataset API, from the caller). The artifact's functions are registered
   *     there (once), and the inputs are bound under fresh view names that are dropped before
   *     this returns
   * @param featureSet the feature set's name, as assigned in the notebook
   * @param inputs input Datasets by table name, and optionally already-computed upstream
   *     feature sets by feature-set name (see {@link #upstreamsOf}): the feature set is then
   *     computed from them instead of recomputing them; extra entries are ignored
   * @return the feature set's rows
   * @throws IllegalArgumentException if an input is missing or lacks a declared column/type
   */
  public Dataset<Row> run(SparkSession spark, String featureSet, Map<String, Dataset<Row>> inputs) {
    FeatureSet set = get(featureSet).choose(inputs.keySet());
    Validation.checkInputs(set, inputs);
    SparkSession session = sessions.computeIfAbsent(spark,
        caller -> Conformance.derive(caller, requiredConf));
    Conformance.follow(spark, session);  // the caller may have re-tuned since
    Conformance.check(session, requiredConf, featureSet);
    udfs.register(session);
    // Inputs become views under fresh names, bound to the SQL's IDENTIFIER(:input) markers, so
    // concurrent runs and the caller's own views never collide. An input of another session
    // (the caller's, when the SQL runs in a derived one) is seen through a global temporary
    // view: a session's temporary views are its own.
    String prefix = "nb2jvm_" + UUID.randomUUID().toString().replace("-", "") + "_";
    Map<String, Object> args = new LinkedHashMap<>();
    Map<String, Dataset<Row>> views = new LinkedHashMap<>();
    try {
      for (String name : set.inputs.keySet()) {
        // Exactly the declared columns, in the declared order: an input with extra columns
        // must not change what `SELECT *` in the SQL returns.
        // View names are internal (the prefix and the marker), never the notebook's table name.
        String view = prefix + set.markers.get(name);
        Dataset<Row> input = inputs.get(name).select(set.sqlColumns(name));
        if (input.sparkSession() == session) {
          input.createOrReplaceTempView(view);
        } else {
          input.createOrReplaceGlobalTempView(view);
          view = session.conf().get("spark.sql.globalTempDatabase", "global_temp") + "." + view;
        }
        views.put(view, input);
        args.put(set.markers.get(name), view);
      }
      // spark.sql analyses eagerly: the plan no longer needs the views once it returns.
      return set.restoreNames(session.sql(
          resource(loader, ROOT + artifactId + "/" + set.sqlFile), args));
    } finally {
      // DROP VIEW, not catalog().dropTempView: dropTempView also uncaches every cached plan with
      // the same result as the view's, and a view of exactly the declared columns has the same
      // result as the caller's input, so the caller's cache() of it was silently lost on every
      // run (measured: the benchmarks then regenerated their data inside every timed run).
      // DROP VIEW on a temporary view uncaches only what is cached under the view's own name.
      views.forEach((view, input) -> input.sparkSession()
          .sql("DROP VIEW IF EXISTS " + quoted(view)));
    }
  }

  private static String quoted(String name) {
    StringBuilder out = new StringBuilder();
    for (String part : name.split("\\.", -1)) {
      if (out.length() > 0) out.append('.');
      out.append('`').append(part.replace("`", "``")).append('`');
    }
    return out.toString();
  }

  /** Reads the inputs from Parquet files, computes a feature set and writes it as Parquet. */
  public void runParquet(SparkSession spark, String featureSet, Map<String, String> inputPaths,
      String outputPath) {
    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
    for (String name : get(featureSet).inputs.keySet()) {
      String path = inputPaths.get(name);
      if (path == null) {
        throw new IllegalArgumentException("feature set '" + featureSet + "' needs input '"
            + name + "', but no file was given for it");
      }
      inputs.put(name, spark.read().parquet(path));
    }
    Dataset<Row> out = run(spark, featureSet, inputs);
    out.write().mode("overwrite").parquet(outputPath);
  }

  /**
   * Computes several feature sets from Parquet inputs in one go and writes each as Parquet;
   * each input is read once (and cached when several feature sets read it).
   *
   * @param featureSets the feature sets to compute
   * @param inputPaths a Parquet file (or folder) per input table name
   * @param outputPaths where each feature set's rows go, by feature-set name
   * @param shareUpstreams compute each upstream once and the feature sets built on it from
   *     it ({@link #runAll} with persist), or each feature set from the inputs alone (the form
   *     {@link #run} with only inputs computes)
   */
  public void runAllParquet(SparkSession spark, List<String> featureSets,
      Map<String, String> inputPaths, Map<String, String> outputPaths,
      boolean shareUpstreams) {
    Map<String, Integer> readers = new LinkedHashMap<>();
    for (String name : featureSets) {
      for (String input : get(name).inputs.keySet()) readers.merge(input, 1, Integer::sum);
    }
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
      for (Map.Entry<String, Integer> e : readers.entrySet()) {
        String path = inputPaths.get(e.getKey());
        if (path == null) {
          throw new IllegalArgumentException("input '" + e.getKey() + "' is needed, but no "
              + "file was given for it");
        }
        Dataset<Row> input = spark.read().parquet(path);
        if (e.getValue() > 1) {
          input = input.cache();
          cached.add(input);
        }
        inputs.put(e.getKey(), input);
      }
      Map<String, Dataset<Row>> out = new LinkedHashMap<>();
      if (shareUpstreams) {
        out = runAll(spark, featureSets, inputs, true);
      } else {
        for (String name : featureSets) out.put(name, run(spark, name, inputs));
      }
      for (Map.Entry<String, Dataset<Row>> e : out.entrySet()) {
        cached.add(e.getValue());  // unpersist() of a Dataset that is not persisted is a no-op
        e.getValue().write().mode("overwrite").parquet(outputPaths.get(e.getKey()));
      }
    } finally {
      for (Dataset<Row> d : cached) d.unpersist(false);
    }
  }

  /**
   * Replays the golden rows recorded at build time (the notebook's own outputs on a sample of
   * its inputs) for every feature set that has them, and reports per feature set.
   */
  public List<SelfCheck.Result> selfCheck(SparkSession spark) {
    return SelfCheck.run(this, loader, ROOT + artifactId + "/", golden, goldenInputs, spark);
  }

  /** Settings the SQL was lowered for; see {@link Conformance}. */
  public Map<String, String> requiredConf() {
    return Collections.unmodifiableMap(requiredConf);
  }

  FeatureSet get(String featureSet) {
    FeatureSet set = featureSets.get(featureSet);
    if (set == null) {
      throw new IllegalArgumentException("nb2jvm artifact '" + artifactId
          + "' has no feature set '" + featureSet + "'; it has " + featureSets.keySet());
    }
    return set;
  }

  private static String resource(ClassLoader loader, String path) {
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("nb2jvm resource not found on the class path: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read nb2jvm resource " + path, e);
    }
  }
}
