package nb2jvm.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One feature set's online row function, generated per artifact: a row of its input in, the
 * feature set's row out (or null when its filter drops the row). Stateless, so thread-safe.
 * Values are the API's: Long (bigint), Integer (int), Double, String, Boolean, LocalDate,
 * LocalDateTime (timestamps, UTC as the batch session), List (arrays).
 */
public abstract class OnlineFeature {
  /** The feature set's name, as in the notebook. */
  public abstract String name();

  /** The input table it reads. */
  public abstract String input();

  public abstract List<String> inputColumns();

  /** The Spark types of the input columns (as the manifest lists them). */
  public abstract List<String> inputTypes();

  public abstract List<String> outputColumns();

  public abstract List<String> outputTypes();

  /** The row function on positional values (input columns in order); null: filtered out. */
  public abstract Object[] apply(Object[] row);

  /** The row function by column name; a column missing from the map is NULL. */
  public final Map<String, Object> evaluate(Map<String, ?> row) {
    List<String> in = inputColumns();
    Object[] values = new Object[in.size()];
    for (int i = 0; i < values.length; i++) values[i] = row.get(in.get(i));
    Object[] out;
    try {
      out = apply(values);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(name() + ": an input value of the wrong type (the "
          + "columns are " + in + " of types " + inputTypes() + "): " + e.getMessage(), e);
    }
    if (out == null) return null;
    List<String> names = outputColumns();
    Map<String, Object> result = new LinkedHashMap<>(names.size() * 2);
    for (int i = 0; i < out.length; i++) result.put(names.get(i), out[i]);
    return result;
  }
}
