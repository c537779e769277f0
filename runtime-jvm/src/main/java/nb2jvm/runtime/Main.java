package nb2jvm.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point for {@code spark-submit}: runs one feature set from Parquet inputs to a Parquet
 * output.
 *
 * <pre>
 * spark-submit --class nb2jvm.runtime.Main quickstart-0.1.0.jar \
 *     --feature user_features --input transactions=/data/tx.parquet --output /out/uf
 * </pre>
 *
 * <p>Exit status: 0 on success, 2 on a usage error (the message says what is wrong), 1 when the
 * feature set fails on Spark.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args);
    } catch (UsageException e) {
      System.err.println("nb2jvm: " + e.getMessage());
      System.err.println(usage());
      status = 2;
    }
    if (status != 0) {
      System.exit(status);
    }
  }

  static int run(String[] args) {
    String feature = null;
    String output = null;
    String artifact = null;
    boolean list = false;
    boolean selfCheck = false;
    Map<String, String> inputs = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--feature":
          feature = value(args, ++i, arg);
          break;
        case "--output":
          output = value(args, ++i, arg);
          break;
        case "--artifact":
          artifact = value(args, ++i, arg);
          break;
        case "--input":
          String binding = value(args, ++i, arg);
          int eq = binding.indexOf('=');
          if (eq <= 0 || eq == binding.length() - 1) {
            throw new UsageException("--input takes NAME=PATH, got '" + binding + "'");
          }
          inputs.put(binding.substring(0, eq), binding.substring(eq + 1));
          break;
        case "--list":
          list = true;
          break;
        case "--self-check":
          selfCheck = true;
          break;
        case "--help":
        case "-h":
          System.out.println(usage());
          return 0;
        default:
          throw new UsageException("unknown argument '" + arg + "'");
      }
    }
    FeaturePipeline pipeline = FeaturePipeline.load(artifact != null ? artifact : onlyArtifact());
    if (list) {
      for (String name : pipeline.featureSets()) {
        System.out.println(name + "\tinputs: " + String.join(", ", pipeline.inputsOf(name)));
      }
      return 0;
    }
    if (selfCheck) {
      // one line per feature set and a summary: Spark's INFO log would bury them
      SparkSession spark = SparkSession.builder().appName("nb2jvm self-check")
          .config("spark.log.level", "WARN").getOrCreate();
      Conformance.apply(spark, pipeline.requiredConf());
      try {
        List<SelfCheck.Result> results = pipeline.selfCheck(spark);
        results.forEach(r -> System.out.println("nb2jvm self-check: " + r));
        boolean ok = !results.isEmpty() && results.stream().allMatch(r -> r.passed);
        long passed = results.stream().filter(r -> r.passed).count();
        System.out.println("nb2jvm self-check: " + (ok ? "PASSED" : "FAILED") + " (" + passed
            + " of " + results.size() + " feature sets)");
        return ok ? 0 : 1;
      } finally {
        spark.stop();
      }
    }
    if (feature == null || output == null) {
      throw new UsageException("--feature and --output are required");
    }
    if (!pipeline.featureSets().contains(feature)) {
      throw new UsageException("no feature set '" + feature + "'; this artifact has "
          + pipeline.featureSets());
    }
    List<String> missing = new ArrayList<>(pipeline.inputsOf(feature));
    missing.removeAll(inputs.keySet());
    if (!missing.isEmpty()) {
      throw new UsageException("feature set '" + feature + "' needs --input for " + missing);
    }
    SparkSession spark = SparkSession.builder().appName("nb2jvm " + feature).getOrCreate();
    // This session is ours: give it the settings the SQL was lowered for.
    Conformance.apply(spark, pipeline.requiredConf());
    try {
      pipeline.runParquet(spark, feature, inputs, output);
      System.out.println("nb2jvm: wrote feature set '" + feature + "' to " + output);
      return 0;
    } catch (RuntimeException e) {
      System.err.println("nb2jvm: feature set '" + feature + "' failed: " + e.getMessage());
      return 1;
    } finally {
      spark.stop();
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new UsageException(flag + " needs a value");
    }
    return args[i];
  }

  /** The artifact id listed in nb2jvm/index on the class path (one per jar). */
  private static String onlyArtifact() {
    ClassLoader cl = Main.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream("nb2jvm/index")) {
      if (in == null) {
        throw new UsageException("no nb2jvm artifact on the class path; pass --artifact ID");
      }
      String[] ids = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+");
      if (ids.length != 1) {
        throw new UsageException("several artifacts on the class path; pass --artifact ID");
      }
      return ids[0];
    } catch (IOException e) {
      throw new UsageException("cannot read nb2jvm/index: " + e.getMessage());
    }
  }

  static String usage() {
    // the class's own name: the runtime is relocated into a package per content hash
    return "usage: spark-submit --class " + Main.class.getName() + " ARTIFACT.jar"
        + " --feature NAME --input NAME=PATH [--input ...] --output PATH"
        + " [--artifact ID] | --self-check | --list | --help";
  }

  /** A command-line mistake; its message is shown to the user with the usage line. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
