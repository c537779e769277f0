package nb2jvm.runtime;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The self-check's replay of golden input rows (read by Spark) through a feature set's online
 * row function: Spark's external values as the online API's, and the results as rows. Spark glue:
 * the online path itself never loads this class.
 */
final class OnlineReplay {
  private OnlineReplay() {}

  static List<Row> rows(OnlineFeature f, List<Row> input) {
    List<String> columns = f.inputColumns();
    List<Row> out = new ArrayList<>();
    for (Row r : input) {
      Object[] values = new Object[columns.size()];
      for (int i = 0; i < values.length; i++) values[i] = api(r.getAs(columns.get(i)));
      Object[] result = f.apply(values);
      if (result != null) out.add(RowFactory.create(result));
    }
    return out;
  }

  private static Object api(Object v) {
    if (v instanceof java.sql.Timestamp) {
      return ((java.sql.Timestamp) v).toInstant().atZone(ZoneOffset.UTC).toLocalDateTime();
    }
    if (v instanceof java.time.Instant) {
      return ((java.time.Instant) v).atZone(ZoneOffset.UTC).toLocalDateTime();
    }
    if (v instanceof java.sql.Date) return ((java.sql.Date) v).toLocalDate();
    if (v instanceof scala.collection.Seq) {
      return new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(
          (scala.collection.Seq<?>) v));
    }
    return v;
  }
}
