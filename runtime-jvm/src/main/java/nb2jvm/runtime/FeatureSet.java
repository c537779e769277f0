package nb2jvm.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/** One feature set of a manifest: its SQL resource and its inputs' declared columns. */
final class FeatureSet {
  final String name;
  final String sqlFile;
  /** input name -> (column name -> accepted Spark type names, '|'-separated). */
  final Map<String, Map<String, String>> inputs;
  /** input name -> the SQL's IDENTIFIER(:marker) it is bound through. */
  final Map<String, String> markers;
  /**
   * notebook column name -> its name in the SQL text, for names Spark's ${...} substitution
   * would expand; inputs are renamed to it and outputs back, through the Dataset API.
   */
  final Map<String, String> renamed;
  /** output column -> its declared Spark type (simpleString). */
  final Map<String, String> outputs;
  /** For a variant: the upstream feature sets it reads as inputs instead of recomputing. */
  final Set<String> upstreams;
  /** The same rows from pre-computed upstream feature sets (manifest "from_upstream"). */
  final List<FeatureSet> variants;

  private FeatureSet(String name, String sqlFile, Map<String, Map<String, String>> inputs,
      Map<String, String> markers, Map<String, String> renamed, Map<String, String> outputs,
      Set<String> upstreams, List<FeatureSet> variants) {
    this.name = name;
    this.sqlFile = sqlFile;
    this.inputs = inputs;
    this.markers = markers;
    this.renamed = renamed;
    this.outputs = outputs;
    this.upstreams = upstreams;
    this.variants = variants;
  }

  /**
   * The form to run for these inputs: the variant that reads the most of the given upstream
   * feature sets (first in manifest order on a tie), else the whole computation.
   */
  FeatureSet choose(Set<String> given) {
    FeatureSet best = this;
    for (FeatureSet v : variants) {
      if (given.containsAll(v.upstreams) && v.upstreams.size() > best.upstreams.size()) {
        best = v;
      }
    }
    return best;
  }

  /**
   * The input's declared columns, in declared order, under the names the SQL uses (back-quoted:
   * dots are literal; functions.col, not selectExpr: no SQL parse per column).
   */
  Column[] sqlColumns(String input) {
    return inputs.get(input).keySet().stream()
        .map(c -> {
          Column col = functions.col("`" + c.replace("`", "``") + "`");
          String as = renamed.get(c);
          return as == null ? col : col.as(as);
        })
        .toArray(Column[]::new);
  }

  /**
   * The SQL's result with the notebook's output column names, and integer columns at the width
   * the notebook declares: Spark's row_number(), rank() and friends give INT where DuckDB gives
   * BIGINT, and a consumer (or a feature set given this one pre-computed) expects the declared
   * type. Widening an integer is exact.
   */
  org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> restoreNames(
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> result) {
    for (Map.Entry<String, String> e : renamed.entrySet()) {
      result = result.withColumnRenamed(e.getValue(), e.getKey());
    }
    org.apache.spark.sql.types.StructField[] fields = result.schema().fields();
    Column[] columns = new Column[fields.length];
    boolean widened = false;
    for (int i = 0; i < fields.length; i++) {
      String name = fields[i].name();
      columns[i] = result.col("`" + name.replace("`", "``") + "`");
      int want = INTEGRAL.indexOf(outputs.getOrDefault(name, ""));
      int have = INTEGRAL.indexOf(fields[i].dataType().simpleString());
      if (have >= 0 && want > have) {
        columns[i] = columns[i].cast(INTEGRAL.get(want)).as(name);
        widened = true;
      }
    }
    return widened ? result.select(columns) : result;
  }

  private static final List<String> INTEGRAL = List.of("tinyint", "smallint", "int", "bigint");

  static FeatureSet fromJson(JsonNode node) {
    List<FeatureSet> variants = new ArrayList<>();
    for (JsonNode v : node.path("from_upstream")) {
      variants.add(parse(node.get("name").asText(), v, node, new ArrayList<>()));
    }
    return parse(node.get("name").asText(), node, node, variants);
  }

  private static FeatureSet parse(String name, JsonNode node, JsonNode feature,
      List<FeatureSet> variants) {
    Map<String, String> outputs = new LinkedHashMap<>();
    for (JsonNode col : feature.path("columns")) {
      if (col.has("spark_type")) outputs.put(col.get("name").asText(), col.get("spark_type").asText());
    }
    Set<String> upstreams = new LinkedHashSet<>();
    for (JsonNode u : node.path("upstreams")) upstreams.add(u.asText());
    Map<String, Map<String, String>> inputs = new LinkedHashMap<>();
    Map<String, String> markers = new LinkedHashMap<>();
    for (JsonNode input : node.get("inputs")) {
      Map<String, String> columns = new LinkedHashMap<>();
      for (JsonNode col : input.get("columns")) {
        columns.put(col.get("name").asText(), col.get("spark_type").asText());
      }
      String table = input.get("name").asText();
      inputs.put(table, columns);
      markers.put(table, input.has("marker") ? input.get("marker").asText() : table);
    }
    Map<String, String> renamed = new LinkedHashMap<>();
    if (node.has("renamed")) {
      node.get("renamed").fields().forEachRemaining(e -> renamed.put(e.getKey(),
          e.getValue().asText()));
    }
    return new FeatureSet(name, node.get("sql").asText(), inputs, markers, renamed, outputs,
        upstreams, variants);
  }
}
