package nb2jvm.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF10;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.api.java.UDF5;
import org.apache.spark.sql.api.java.UDF6;
import org.apache.spark.sql.api.java.UDF7;
import org.apache.spark.sql.api.java.UDF8;
import org.apache.spark.sql.api.java.UDF9;
import org.apache.spark.sql.UDFRegistration;
import org.apache.spark.sql.types.DataType;

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
          u.get("returns").asText(), Integer.toString(u.get("params").size())});
    }
  }

  /** Registers every UDF with the session, once per session. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  void register(SparkSession spark) {
    UDFRegistration reg = spark.udf();
    for (String[] u : udfs) {
      // The name carries a hash of the UDF's source: an existing function of that name is
      // this very UDF, registered by an earlier run in the session.
      if (spark.catalog().functionExists(u[0])) continue;
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
        default:
          throw new IllegalStateException("nb2jvm: UDF " + u[0] + " has more than 10 parameters");
      }
    }
  }
}
