package nb2jvm.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.UDFRegistration;
import org.apache.spark.sql.api.java.*;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The artifact's compiled UDFs (manifest {@code udfs}): each a class implementing Spark's Java
 * {@code UDFn} interface, registered under the stable name its SQL calls.
 */
final class UdfRegistry {
  private final List<String[]> udfs; // {sqlName, className, returnType, arity}
  private final ClassLoader loader;

  UdfRegistry(JsonNode manifest, ClassLoader loader) {
    this.loader = loader;
    this.udfs = new ArrayList<>();
    for (JsonNode u : manifest.path("udfs")) {
      if (!"compiled".equals(u.path("mode").asText())) continue; // inlined into the SQL
      udfs.add(new String[] {u.get("sql_name").asText(), u.get("class").asText(),
          // dates and timestamps cross the boundary as longs; the SQL converts them back
          u.path("jvm_returns").asText(u.get("returns").asText()),
          Integer.toString(u.get("params").size())});
    }
  }

  // Sessions this registry has registered its functions with. A weak identity map: a
  // catalog lookup per function cost ~5 ms each, i.e. tens of ms on every run() call.
  private final Map<SparkSession, Boolean> registeredIn =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Registers every UDF with the session, once per session. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  void register(SparkSession spark) {
    if (registeredIn.containsKey(spark)) return;
    UDFRegistration reg = spark.udf();
    // The runtime's helpers, which the lowered SQL calls where Spark's built-in differs from
    // DuckDB: case mapping (DuckDbCase), RE2's global replace and split (Re2Replace, Re2Split),
    // strptime and strftime (DuckDbStrptime, DuckDbStrftime), binary rounding of doubles (DuckDbRound), substring
    // (DuckDbSubstring), atan2 and levenshtein (DuckDbMath), JSON (DuckDbJson), casts of
    // text (DuckDbCast).
    reg.register(DuckDbCase.UPPER_NAME, new DuckDbCase.Upper(), DataTypes.StringType);
    reg.register(DuckDbCase.LOWER_NAME, new DuckDbCase.Lower(), DataTypes.StringType);
    reg.register(Re2Replace.NAME, new Re2Replace.Udf(), DataTypes.StringType);
    reg.register(Re2Split.NAME, new Re2Split.Udf(), DataTypes.createArrayType(DataTypes.StringType));
    reg.register(DuckDbStrptime.NAME, new DuckDbStrptime.Udf(), DataTypes.LongType);
    reg.register(DuckDbRound.NAME, new DuckDbRound.ToDouble(), DataTypes.DoubleType);
    reg.register(DuckDbRound.INT_NAME, new DuckDbRound.ToLong(), DataTypes.LongType);
    reg.register(DuckDbSubstring.NAME, new DuckDbSubstring.Udf(), DataTypes.StringType);
    reg.register(DuckDbMath.ATAN2_NAME, new DuckDbMath.Atan2(), DataTypes.DoubleType);
    reg.register(DuckDbMath.LEVENSHTEIN_NAME, new DuckDbMath.Levenshtein(), DataTypes.LongType);
    reg.register(DuckDbStrftime.NAME, new DuckDbStrftime.Udf(), DataTypes.StringType);
    // text read as DuckDB's casts read it (DuckDbCast)
    reg.register(DuckDbCast.INT_NAME, new DuckDbCast.TryInt(), DataTypes.LongType);
    reg.register(DuckDbCast.DOUBLE_NAME, new DuckDbCast.TryDouble(), DataTypes.DoubleType);
    reg.register(DuckDbCast.BOOL_NAME, new DuckDbCast.TryBool(), DataTypes.BooleanType);
    // JSON values as DuckDB reads them (DuckDbJson)
    reg.register(DuckDbJson.CHECK_NAME, new DuckDbJson.Check(), DataTypes.StringType);
    reg.register(DuckDbJson.KEY_NAME, new DuckDbJson.Key(), DataTypes.StringType);
    reg.register(DuckDbJson.INDEX_NAME, new DuckDbJson.Index(), DataTypes.StringType);
    reg.register(DuckDbJson.STRING_NAME, new DuckDbJson.Str(), DataTypes.StringType);
    reg.register(DuckDbJson.INT_NAME, new DuckDbJson.Int(), DataTypes.LongType);
    reg.register(DuckDbJson.FLOAT_NAME, new DuckDbJson.Float(), DataTypes.DoubleType);
    reg.register(DuckDbJson.BOOL_NAME, new DuckDbJson.Bool(), DataTypes.BooleanType);
    reg.register(DuckDbJson.ARRAY_NAME, new DuckDbJson.ToArray(),
        DataTypes.createArrayType(DataTypes.StringType));
    reg.register(DuckDbJson.MAP_NAME, new DuckDbJson.ToMap(),
        DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
    for (String[] u : udfs) {
      Object f;
      try {
        f = Class.forName(u[1], true, loader).getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("nb2jvm: compiled UDF class " + u[1]
            + " is missing from the artifact", e);
      }
      DataType type = DataType.fromDDL(u[2]);
      switch (Integer.parseInt(u[3])) {
        case 0: reg.register(u[0], (UDF0) f, type); break;
        case 1: reg.register(u[0], (UDF1) f, type); break;
        case 2: reg.register(u[0], (UDF2) f, type); break;
        case 3: reg.register(u[0], (UDF3) f, type); break;
        case 4: reg.register(u[0], (UDF4) f, type); break;
        case 5: reg.register(u[0], (UDF5) f, type); break;
        case 6: reg.register(u[0], (UDF6) f, type); break;
        case 7: reg.register(u[0], (UDF7) f, type); break;
        case 8: reg.register(u[0], (UDF8) f, type); break;
        case 9: reg.register(u[0], (UDF9) f, type); break;
        case 10: reg.register(u[0], (UDF10) f, type); break;
        case 11: reg.register(u[0], (UDF11) f, type); break;
        case 12: reg.register(u[0], (UDF12) f, type); break;
        case 13: reg.register(u[0], (UDF13) f, type); break;
        case 14: reg.register(u[0], (UDF14) f, type); break;
        case 15: reg.register(u[0], (UDF15) f, type); break;
        case 16: reg.register(u[0], (UDF16) f, type); break;
        case 17: reg.register(u[0], (UDF17) f, type); break;
        case 18: reg.register(u[0], (UDF18) f, type); break;
        case 19: reg.register(u[0], (UDF19) f, type); break;
        case 20: reg.register(u[0], (UDF20) f, type); break;
        case 21: reg.register(u[0], (UDF21) f, type); break;
        case 22: reg.register(u[0], (UDF22) f, type); break;
        default:
          throw new IllegalStateException("nb2jvm: UDF " + u[0] + " has more than 22 parameters");
      }
    }
    registeredIn.put(spark, Boolean.TRUE);
  }
}
