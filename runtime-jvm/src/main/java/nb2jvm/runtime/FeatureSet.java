package nb2jvm.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
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

  private FeatureSet(String name, String sqlFile, Map<String, Map<String, String>> inputs,
      Map<String, String> markers, Map<String, String> renamed) {
    this.name = name;
    this.sqlFile = sqlFile;
    this.inputs = inputs;
    this.markers = markers;
    this.renamed = renamed;
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

  /** The SQL's result with the notebook's output column names. */
  org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> restoreNames(
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> result) {
    for (Map.Entry<String, String> e : renamed.entrySet()) {
      result = result.withColumnRenamed(e.getValue(), e.getKey());
    }
    return result;
  }

  static FeatureSet fromJson(JsonNode node) {
    Map<String, Map<String, String>> inputs = new LinkedHashMap<>();
    Map<String, String> markers = new LinkedHashMap<>();
    for (JsonNode input : node.get("inputs")) {
      Map<String, String> columns = new LinkedHashMap<>();
      for (JsonNode col : input.get("columns")) {
        columns.put(col.get("name").asText(), col.get("spark_type").asText());
      }
      String name = input.get("name").asText();
      inputs.put(name, columns);
      markers.put(name, input.has("marker") ? input.get("marker").asText() : name);
    }
    Map<String, String> renamed = new LinkedHashMap<>();
    if (node.has("renamed")) {
      node.get("renamed").fields().forEachRemaining(e -> renamed.put(e.getKey(),
          e.getValue().asText()));
    }
    return new FeatureSet(node.get("name").asText(), node.get("sql").asText(), inputs, markers,
        renamed);
  }
}
