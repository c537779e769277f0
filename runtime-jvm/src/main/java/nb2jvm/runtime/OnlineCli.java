package nb2jvm.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The online path's command line ({@code java -cp ARTIFACT.jar nb2jvm.online.Main}): one JSON
 * object per input line through one feature set's row function, one per output line. Bad input
 * is exit code 2 with the file and line; the output file appears whole or not at all.
 */
public final class OnlineCli {
  private OnlineCli() {}

  static final int MAX_LINE = 16 << 20; // characters per line

  static final String USAGE =
      "usage: java -cp ARTIFACT.jar nb2jvm.online.Main --feature NAME --input NAME=FILE.jsonl"
          + " --output OUT.jsonl\n"
          + "       java -cp ARTIFACT.jar nb2jvm.online.Main --list\n"
          + "Computes a feature set's rows with its online row function (no Spark): one JSON object"
          + " per line in and out.\n"
          + "Numbers are JSON numbers; NaN and infinities the strings \"NaN\", \"Infinity\","
          + " \"-Infinity\"; dates \"YYYY-MM-DD\"; timestamps \"YYYY-MM-DDTHH:MM:SS.ffffff\";"
          + " arrays JSON arrays; NULL null.\n";

  /** Runs the command; returns the exit code (0 done, 2 bad usage or input). */
  public static int run(String[] args, Map<String, OnlineFeature> features,
      java.util.function.Function<String, OnlineFeature> lookup) {
    String feature = null;
    String output = null;
    Map<String, String> inputs = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.print(USAGE);
        return 0;
      }
      if (a.equals("--list")) {
        for (OnlineFeature f : features.values()) {
          System.out.println(f.name() + "\t" + f.input() + "\t" + f.inputColumns());
        }
        return 0;
      }
      if (i + 1 >= args.length) return usage("option " + a + " needs a value");
      String v = args[++i];
      switch (a) {
        case "--feature": feature = v; break;
        case "--output": output = v; break;
        case "--input": {
          int eq = v.indexOf('=');
          if (eq <= 0) return usage("--input takes NAME=FILE.jsonl, not " + v);
          inputs.put(v.substring(0, eq), v.substring(eq + 1));
          break;
        }
        default: return usage("unknown option " + a);
      }
    }
    if (feature == null || output == null) return usage("--feature and --output are required");
    OnlineFeature f;
    try {
      f = lookup.apply(feature);
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    }
    String file = inputs.get(f.input());
    if (file == null || inputs.size() != 1) {
      return usage("feature set '" + feature + "' reads one input, '" + f.input()
          + "': pass --input " + f.input() + "=FILE.jsonl");
    }
    Path out = Paths.get(output);
    Path partial = out.resolveSibling(out.getFileName() + ".partial");
    List<String> columns = f.inputColumns();
    List<String> types = f.inputTypes();
    List<String> outTypes = f.outputTypes();
    List<String> outColumns = f.outputColumns();
    try (BufferedReader in = Files.newBufferedReader(Paths.get(file), StandardCharsets.UTF_8);
        Writer w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder();
      StringBuilder text = new StringBuilder();
      int number = 0;
      while (readLine(in, line)) {
        number++;
        if (line.toString().trim().isEmpty()) continue;
        Object[] row = new Object[columns.size()];
        try {
          Map<String, Object> json = OnlineJson.parseObject(line.toString());
          for (String key : json.keySet()) {
            if (!columns.contains(key)) {
              throw new OnlineJson.JsonError("no input column \"" + key + "\" (the columns are "
                  + columns + ")");
            }
          }
          for (int c = 0; c < row.length; c++) {
            row[c] = OnlineJson.toValue(json.get(columns.get(c)), types.get(c), columns.get(c));
          }
        } catch (OnlineJson.JsonError e) {
          Files.deleteIfExists(partial);
          System.err.println(file + ":" + number + ": " + e.getMessage());
          return 2;
        }
        Object[] result;
        try {
          result = f.apply(row);
        } catch (RuntimeException e) {
          Files.deleteIfExists(partial);
          System.err.println(file + ":" + number + ": feature set '" + feature + "' failed: "
              + e.getMessage());
          return 1;
        }
        if (result == null) continue;
        text.setLength(0);
        text.append('{');
        for (int c = 0; c < result.length; c++) {
          if (c > 0) text.append(',');
          OnlineJson.quote(text, outColumns.get(c));
          text.append(':');
          OnlineJson.write(text, result[c]);
        }
        text.append("}\n");
        w.write(text.toString());
      }
    } catch (IOException | LineTooLong e) {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // nothing more to do
      }
      System.err.println(file + ": " + e.getMessage());
      return 2;
    }
    try {
      Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      System.err.println(output + ": " + e.getMessage());
      return 2;
    }
    return 0;
  }

  private static final class LineTooLong extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LineTooLong() {
      super("a line longer than " + MAX_LINE + " characters");
    }
  }

  private static boolean readLine(Reader in, StringBuilder line) throws IOException {
    line.setLength(0);
    int c = in.read();
    if (c < 0) return false;
    while (c >= 0 && c != '\n') {
      if (line.length() >= MAX_LINE) throw new LineTooLong();
      line.append((char) c);
      c = in.read();
    }
    if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
      line.setLength(line.length() - 1);
    }
    return true;
  }

  private static int usage(String message) {
    System.err.print("error: " + message + "\n" + USAGE);
    return 2;
  }
}
