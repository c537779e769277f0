"""Feature-set benchmark: the quickstart's `user_features` from the nb2jvm artifact vs the same
logic hand-written in Spark SQL by an expert, on generated transactions (same session)."""

from __future__ import annotations

from pathlib import Path

from common import runtime_class, ROOT, interleave, prepared

HAND_WRITTEN = """
SELECT user_id,
       count(*) AS tx_count,
       sum(amount_eur) AS total_eur,
       avg(amount_eur) AS avg_eur,
       max(amount_eur) AS max_eur,
       sum(CASE WHEN amount > 250 THEN 1 ELSE 0 END) AS large_tx,
       sum(CASE WHEN hour(ts) < 6 THEN 1 ELSE 0 END) AS night_tx,
       sum(CAST(is_online AS BIGINT)) AS online_tx,
       count(DISTINCT coalesce(merchant_category, 'unknown')) AS categories
FROM (
  SELECT user_id, amount, ts, is_online, merchant_category,
         CASE WHEN currency = 'USD' THEN amount * 0.92
              WHEN currency = 'GBP' THEN amount * 1.17
              ELSE amount END AS amount_eur
  FROM tx WHERE amount > 0)
GROUP BY user_id
"""


def build_artifact(folder: Path) -> Path:
    from transpiler.ir.artifact import Coordinates
    from transpiler.pipeline import Options, build

    opts = Options(coordinates=Coordinates("bench", "bench-quickstart", "1.0"))
    return build(ROOT / "notebooks" / "quickstart.ipynb", folder / "quickstart", opts).jar


def generate(spark, rows: int):
    df = spark.range(rows).selectExpr(
        "id AS tx_id", "id % 50000 AS user_id",
        "cast((id * 37) % 100000 as double) / 100 - 50 AS amount",
        "element_at(array('EUR', 'USD', 'GBP'), cast(id % 3 + 1 as int)) AS currency",
        "element_at(array('food', 'travel', 'electronics', 'fuel', 'fashion'), "
        "cast(id % 5 + 1 as int)) AS merchant_category",
        "timestamp_seconds(1700000000 + id) AS ts", "id % 4 = 0 AS is_online")
    df = df.cache()
    df.count()
    df.createOrReplaceTempView("tx")
    return df


def run(spark, sizes: list[int], reps: int, close_reps: int) -> list[dict]:
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    jvm = spark._jvm
    results = []
    for rows in sizes:
        df = generate(spark, rows)
        pipeline = runtime_class(jvm, "FeaturePipeline").load("bench-quickstart")
        inputs = jvm.java.util.HashMap()
        inputs.put("transactions", df._jdf)

        def checksum(frame):
            cols = [F.col(c) for c in frame.columns]
            return prepared(frame.select(F.sum(F.hash(*cols))))

        variants = {
            "nb2jvm artifact": lambda: checksum(DataFrame(
                pipeline.run(spark._jsparkSession, "user_features", inputs), spark)),
            "hand-written Spark SQL": lambda: checksum(spark.sql(HAND_WRITTEN)),
        }
        timed = interleave(variants, reps, baseline=("hand-written Spark SQL",),
                           close_reps=close_reps)
        timed["feature_set"], timed["rows"] = "quickstart.user_features", rows
        results.append(timed)
        df.unpersist()
    return results
