package nb2jvm.runtime;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Replays the golden rows recorded at build time (a sample of the inputs and the notebook's own
 * outputs on it, under {@code nb2jvm/<artifact>/golden/}) and compares: a JVM service can prove
 * at start-up that the artifact still computes what the notebook computed, without Python.
 * Rows compare as {@code verify} compares them ({@link GoldenCompare}: multisets, floats within
 * a relative tolerance, NaN equal to NaN, NULL not NaN, decimals and integer widths by value).
 */
public final class SelfCheck {
  private SelfCheck() {}

  /** The outcome for one feature set. */
  public static final class Result {
    public final String featureSet;
    public final boolean passed;
    public final String message;

    Result(String featureSet, boolean passed, String message) {
      this.featureSet = featureSet;
      this.passed = passed;
      this.message = message;
    }

    @Override
    public String toString() {
      return featureSet + ": " + (passed ? "ok" : "FAILED") + " (" + message + ")";
    }
  }

  static List<Result> run(FeaturePipeline pipeline, ClassLoader loader, String root,
      List<String> golden, JsonNode inputFiles, SparkSession spark) {
    List<Result> results = new ArrayList<>();
    Path dir;
    try {
      dir = Files.createTempDirectory("nb2jvm-selfcheck-");
    } catch (IOException e) {
      throw new IllegalStateException("nb2jvm self-check: no temporary directory", e);
    }
    for (String feature : golden) {
      try {
        Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
        for (String input : pipeline.inputsOf(feature)) {
          // An artifact of several notebooks keeps each notebook's input sample apart.
          String file = inputFiles.path(feature).path(input)
              .asText("golden/input-" + input + ".parquet");
          inputs.put(input, spark.read().parquet(copy(loader, root + file, dir).toString()));
        }
        List<Row> expected = spark.read().parquet(copy(loader, root
            + "golden/output-" + feature + ".parquet", dir).toString()).collectAsList();
        List<Row> actual = pipeline.run(spark, feature, inputs).collectAsList();
        String difference = GoldenCompare.difference(expected, actual);
        // Each form that takes upstream feature sets pre-computed, with them computed here
        // from the same golden inputs: the same rows again.
        List<FeatureSet> forms = pipeline.get(feature).variants;
        for (int k = 0; k < forms.size() && difference == null; k++) {
          Map<String, Dataset<Row>> given = new LinkedHashMap<>(inputs);
          for (String up : forms.get(k).upstreams) given.put(up, pipeline.run(spark, up, inputs));
          String off = GoldenCompare.difference(expected,
              pipeline.run(spark, feature, given).collectAsList());
          if (off != null) {
            difference = "from pre-computed " + String.join(", ", forms.get(k).upstreams) + ": "
                + off;
          }
        }
        String also = forms.isEmpty() ? "" : " (also from " + forms.size()
            + " pre-computed upstream form" + (forms.size() == 1 ? "" : "s") + ")";
        OnlineFeature online = difference == null ? onlineFeature(loader, feature) : null;
        if (online != null) {
          String off = GoldenCompare.difference(expected,
              OnlineReplay.rows(online, inputs.get(online.input()).collectAsList()));
          if (off != null) difference = "on the online path: " + off;
          also += " (and on the online path)";
        }
        results.add(difference == null
            ? new Result(feature, true, expected.size() + " golden rows match" + also)
            : new Result(feature, false, difference));
      } catch (RuntimeException e) {
        results.add(new Result(feature, false, "failed: " + e.getMessage()));
      }
    }
    return results;
  }

  /** The artifact's online row function of this feature set, if it has one (the generated
   * nb2jvm.online.OnlinePipeline, found through the artifact's class loader). */
  private static OnlineFeature onlineFeature(ClassLoader loader, String feature) {
    try {
      Class<?> cls = Class.forName("nb2jvm.online.OnlinePipeline", true, loader);
      Object pipeline = cls.getMethod("load").invoke(null);
      @SuppressWarnings("unchecked")
      Map<String, OnlineFeature> features =
          (Map<String, OnlineFeature>) cls.getMethod("features").invoke(pipeline);
      return features.get(feature);
    } catch (ClassNotFoundException e) {
      return null; // no row-local feature set in this artifact
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("nb2jvm self-check: the online pipeline does not load: " + e, e);
    }
  }

  private static Path copy(ClassLoader loader, String resource, Path dir) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing golden resource " + resource);
      Path target = dir.resolve(resource.replace('/', '_'));
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read golden resource " + resource, e);
    }
  }
}
