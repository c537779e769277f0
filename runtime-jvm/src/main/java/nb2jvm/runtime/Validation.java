package nb2jvm.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/** Checks input Datasets against the columns and types a feature set was built for. */
final class Validation {
  private Validation() {}

  static void checkInputs(FeatureSet set, Map<String, Dataset<Row>> inputs) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> input : set.inputs.entrySet()) {
      Dataset<Row> ds = inputs == null ? null : inputs.get(input.getKey());
      if (ds == null) {
        problems.add("input '" + input.getKey() + "' is missing");
        continue;
      }
      StructField[] fields = ds.schema().fields();
      for (Map.Entry<String, String> col : input.getValue().entrySet()) {
        StructField field = null;
        for (StructField f : fields) {
          if (f.name().equals(col.getKey())) {
            field = f;
          }
        }
        List<String> accepted = Arrays.asList(col.getValue().split("\\|"));
        if (field == null) {
          problems.add("input '" + input.getKey() + "' has no column '" + col.getKey()
              + "' (" + col.getValue() + ")");
        } else if (!accepted.contains("*")
            && !accepted.contains(field.dataType().simpleString())) {
          problems.add("input '" + input.getKey() + "' column '" + col.getKey() + "' is "
              + field.dataType().simpleString() + ", expected " + String.join(" or ", accepted));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("feature set '" + set.name + "': "
          + String.join("; ", problems));
    }
  }
}
