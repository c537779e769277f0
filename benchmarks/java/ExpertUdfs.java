package bench;

import java.util.Locale;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;

/** What an expert JVM engineer would hand-write for the benchmarked UDFs (the baselines). */
public final class ExpertUdfs {
  private ExpertUdfs() {}

  /** risk_score, hand-written. */
  public static final class RiskScore implements UDF2<Double, Long, Double> {
    @Override
    public Double call(Double amount, Long n) {
      if (amount == null || n == null) return null;
      double score = amount * 0.01 + n * 2;
      if (score > 10 || n < -3) return score - 1.5;
      if (amount != 0.0) return (score + 0.25) / 2;
      return -score;
    }
  }

  /** discount, hand-written. */
  public static final class Discount implements UDF2<Double, Long, Double> {
    @Override
    public Double call(Double amount, Long n) {
      if (amount == null || n == null) return null;
      return n > 3 ? amount * 0.9 : amount;
    }
  }

  /** normalize_email, hand-written. */
  public static final class NormalizeEmail implements UDF1<String, String> {
    @Override
    public String call(String email) {
      if (email == null) return null;
      String e = email.trim().toLowerCase(Locale.ROOT);
      int at = e.indexOf('@');
      if (at < 0 || e.indexOf('@', at + 1) >= 0) return "";
      String user = e.substring(0, at);
      String domain = e.substring(at + 1);
      int plus = user.indexOf('+');
      if (plus >= 0) user = user.substring(0, plus);
      if (domain.equals("gmail.com")) user = user.replace(".", "");
      return user + "@" + domain;
    }
  }
}
