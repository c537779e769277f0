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

  private FeatureSet(String name, String sqlFile, Map<String, Map<String, String>> inputs) {
    this.name = name;
    this.sqlFile = sqlFile;
    this.inputs = inputs;
  }

  /** The input's declared columns, in declared order (names back-quoted: dots are literal). */
  Column[] columns(String input) {
    // functions.col, not selectExpr: no SQL parse per column (a few ms per run() call)
    return inputs.get(input).keySet().stream()
        .map(c -> functions.col("`" + c.replace("`", "``") + "`"))
        .toArray(Column[]::new);
  }

  static FeatureSet fromJson(JsonNode node) {
    Map<String, Map<String, String>> inputs = new LinkedHashMap<>();
    for (JsonNode input : node.get("inputs")) {
      Map<String, String> columns = new LinkedHashMap<>();
      for (JsonNode col : input.get("columns")) {
        columns.put(col.get("name").asText(), col.get("spark_type").asText());
      }
      inputs.put(input.get("name").asText(), columns);
    }
    return new FeatureSet(node.get("name").asText(), node.get("sql").asText(), inputs);
  }
}
