"""UDF benchmark: one notebook UDF, every way a team could ship it, in one Spark, interleaved.

Variants per UDF (same PySpark session, same data, same plan shape ``sum(hash(udf(...)))``):
nb2jvm compiled (the artifact's Scala class), nb2jvm inlined (the artifact's SQL, where the UDF
inlines), PySpark Python UDF, PySpark Arrow UDF, a vectorised ``pandas_udf``, a hand-written Java
``UDFn`` and hand-written native Spark SQL (the expert baselines).  The notebook's own engine
(ibis on DuckDB) is timed on the same rows for information.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd  # module level: pandas_udf resolves the string annotations here

from common import runtime_class, JAVA_DIR, interleave, jdk_tool, prepared, spark_jars

# The UDFs exactly as a data scientist writes them in the notebook.
RISK_SCORE = '''@ibis.udf.scalar.python
def risk_score(amount: float, n: int) -> float:
    score = amount * 0.01 + n * 2.0
    if score > 10 or n < -3:
        return score - 1.5
    elif amount != 0.0:
        score += 0.25
        return score / 2
    return -score
'''
# A small body: each value computed once (inlined by default, see udf_inline.MAX_REPEATED_WORK).
DISCOUNT = '''@ibis.udf.scalar.python
def discount(amount: float, n: int) -> float:
    if n > 3:
        return amount * 0.9
    return amount
'''
NORMALIZE_EMAIL = '''@ibis.udf.scalar.python
def normalize_email(email: str) -> str:
    e = email.strip().casefold()
    if e.count("@") != 1:
        return ""
    user = e.split("@")[0]
    domain = e.split("@")[1]
    user = user.split("+")[0]
    if domain == "gmail.com":
        user = user.replace(".", "")
    return user + "@" + domain
'''

SOURCES = {"risk_score": RISK_SCORE, "discount": DISCOUNT, "normalize_email": NORMALIZE_EMAIL}
FEATURE = {"risk_score": "risk", "discount": "disc", "normalize_email": "email"}
NATIVE_SQL = {
    "discount": "CASE WHEN n > 3 THEN amount * 0.9 ELSE amount END",
    "risk_score": """CASE WHEN amount * 0.01 + n * 2 > 10 OR n < -3 THEN amount * 0.01 + n * 2 - 1.5
        WHEN amount != 0.0 THEN (amount * 0.01 + n * 2 + 0.25) / 2
        ELSE -(amount * 0.01 + n * 2) END""",
    "normalize_email": """CASE WHEN size(split(e, '@')) != 2 THEN ''
        ELSE concat(CASE WHEN split(e, '@')[1] = 'gmail.com'
                         THEN replace(split(split(e, '@')[0], '[+]')[0], '.', '')
                         ELSE split(split(e, '@')[0], '[+]')[0] END,
                    '@', split(e, '@')[1]) END""",
}
# For information, not a baseline: the native SQL written with the semantics the notebook's
# Python UDF has (a NULL argument gives NULL, a NaN result is NULL, NaN compares like Python's),
# which the baselines above leave out; the gap between it and the plain native SQL is the
# price of those rules, not of generated code.
NATIVE_SQL_EXACT = {
    "discount": "CASE WHEN n IS NULL THEN NULL ELSE NULLIF(CASE WHEN n > 3 THEN amount * 0.9 "
                "ELSE amount END, double('NaN')) END",
    "risk_score": """NULLIF(CASE WHEN (amount * 0.01 + n * 2 > 10 AND NOT isnan(amount * 0.01 + n * 2))
            OR n < -3 THEN amount * 0.01 + n * 2 - 1.5
        WHEN amount != 0.0 THEN (amount * 0.01 + n * 2 + 0.25) / 2
        ELSE -(amount * 0.01 + n * 2) END, double('NaN'))""",
}
EXACT_NAME = "native SQL with the notebook's NULL/NaN rules"
ARGS = {"risk_score": ("amount", "n"), "discount": ("amount", "n"), "normalize_email": ("email",)}
JAVA_CLASS = {"risk_score": ("bench.ExpertUdfs$RiskScore", "double"),
              "discount": ("bench.ExpertUdfs$Discount", "double"),
              "normalize_email": ("bench.ExpertUdfs$NormalizeEmail", "string")}


def notebook(folder: Path) -> Path:
    """The benchmark notebook: both UDFs and one feature set per UDF."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.conftest import write_notebook

    setup = ("import ibis\nfrom ibis import _\n"
             "t = ibis.table({'amount': 'float64', 'n': 'int64', 'email': 'string'}, name='t')")
    return write_notebook(folder / "bench_udfs.ipynb", [setup, f"""%%export
{RISK_SCORE}
{DISCOUNT}
{NORMALIZE_EMAIL}
risk = t.select(r=risk_score(t.amount, t.n))
disc = t.select(r=discount(t.amount, t.n))
email = t.select(r=normalize_email(t.email))"""])


def build_artifacts(folder: Path) -> dict[str, Path]:
    """nb2jvm builds: every inlinable UDF inlined, and every UDF compiled (the default picks per
    UDF; both forms are timed so the pick can be checked)."""
    from transpiler.ir.artifact import Coordinates
    from transpiler.pipeline import Options, build

    nb = notebook(folder)
    out = {}
    for name, inline in (("inlined", "always"), ("compiled", "never")):
        opts = Options(coordinates=Coordinates("bench", f"bench-{name}", "1.0"),
                       inline_udfs=inline)
        out[name] = build(nb, folder / name, opts).jar
    return out


def expert_jar(folder: Path) -> Path:
    classes = folder / "expert-classes"
    classes.mkdir(exist_ok=True)
    subprocess.run([jdk_tool("javac"), "--release", "17", "-nowarn", "-cp",
                    str(spark_jars() / "*"), "-d", str(classes),
                    str(JAVA_DIR / "ExpertUdfs.java")], check=True)
    jar = folder / "expert.jar"
    subprocess.run([jdk_tool("jar"), "cf", str(jar), "-C", str(classes), "."], check=True)
    return jar


def generate(spark, rows: int):
    """Deterministic rows, generated in Spark and cached before any timing."""
    df = spark.range(rows).selectExpr(
        "cast(id % 1000 as double) * 1.37 - 200 as amount",
        "(id * 7919) % 23 - 5 as n",
        "concat(CASE WHEN id % 3 = 0 THEN ' ' ELSE '' END, 'User.', cast(id % 5000 as string),"
        " CASE WHEN id % 4 = 0 THEN '+promo' ELSE '' END, '@',"
        " CASE WHEN id % 2 = 0 THEN 'GMail.com' ELSE 'example.org' END) as email")
    df = df.cache()
    df.count()
    df.createOrReplaceTempView("t")
    return df


def variants(spark, udf: str, df):
    """name -> plan(): builds the query and returns execute(), the checksum over every row."""
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf

    from transpiler.udf import sandbox

    source = SOURCES[udf]
    namespace = sandbox.namespace(())  # the builtins and math a UDF body may name
    exec(source.split("\n", 1)[1], namespace)  # the notebook's function, decorator dropped
    py_fn = namespace[udf]
    rtype = JAVA_CLASS[udf][1]
    cols = ARGS[udf]
    jvm = spark._jvm

    def checksum(frame):
        return prepared(frame.select(F.sum(F.hash("r"))))

    def artifact(kind: str):
        pipeline = runtime_class(jvm, "FeaturePipeline").load(f"bench-{kind}")
        inputs = jvm.java.util.HashMap()
        inputs.put("t", df._jdf)
        feature = FEATURE[udf]
        return lambda: checksum(DataFrame(pipeline.run(spark._jsparkSession, feature, inputs),
                                          spark))

    plain = F.udf(py_fn, rtype, useArrow=False)
    arrow = F.udf(py_fn, rtype, useArrow=True)
    if udf == "discount":
        @pandas_udf("double")
        def vectorised(amount: pd.Series, n: pd.Series) -> pd.Series:
            return amount.where(n <= 3, amount * 0.9)
    elif udf == "risk_score":
        @pandas_udf("double")
        def vectorised(amount: pd.Series, n: pd.Series) -> pd.Series:
            score = amount * 0.01 + n * 2.0
            return pd.Series(np.where((score > 10) | (n < -3), score - 1.5,
                                      np.where(amount != 0.0, (score + 0.25) / 2, -score)))
    else:
        @pandas_udf("string")
        def vectorised(email: pd.Series) -> pd.Series:
            e = email.str.strip().str.casefold()
            parts = e.str.split("@")
            ok = parts.str.len() == 2
            user = parts.str[0].str.split("+").str[0]
            domain = parts.str[1]
            user = user.where(domain != "gmail.com", user.str.replace(".", "", regex=False))
            return (user + "@" + domain).where(ok, "")
    spark.udf.registerJavaFunction(f"expert_{udf}", JAVA_CLASS[udf][0], rtype)
    native = NATIVE_SQL[udf]
    inner = "SELECT *, lower(trim(email)) AS e FROM t" if udf == "normalize_email" else \
        "SELECT * FROM t"
    out = {
        "nb2jvm compiled": artifact("compiled"),
        "PySpark Python UDF": lambda: checksum(df.select(plain(*cols).alias("r"))),
        "PySpark Arrow UDF": lambda: checksum(df.select(arrow(*cols).alias("r"))),
        "pandas_udf (vectorised)": lambda: checksum(df.select(vectorised(*cols).alias("r"))),
        "hand-written Java UDF": lambda: checksum(spark.sql(
            f"SELECT expert_{udf}({', '.join(cols)}) AS r FROM t")),
        "hand-written native SQL": lambda: checksum(spark.sql(
            f"SELECT {native} AS r FROM ({inner})")),
    }
    if udf in ("risk_score", "discount"):
        out["nb2jvm inlined"] = artifact("inlined")
        exact = NATIVE_SQL_EXACT[udf]
        out[EXACT_NAME] = lambda: checksum(spark.sql(f"SELECT {exact} AS r FROM t"))
    return out


def notebook_side(udf: str, rows: int) -> dict[str, float]:
    """For information: the notebook's own engine on the same rows (one run each)."""
    import ibis
    import pyarrow as pa

    ids = np.arange(rows)
    table = pa.table({
        "amount": (ids % 1000).astype("float64") * 1.37 - 200,
        "n": (ids * 7919) % 23 - 5,
        "email": [(" " if i % 3 == 0 else "") + f"User.{i % 5000}" + ("+promo" if i % 4 == 0
                  else "") + "@" + ("GMail.com" if i % 2 == 0 else "example.org")
                  for i in range(rows)]})
    con = ibis.duckdb.connect()
    t = con.create_table("t", table)
    source = SOURCES[udf]
    namespace = {"ibis": ibis}
    exec(source, namespace)
    fn = namespace[udf]
    expr = t.select(r=fn(*(t[c] for c in ARGS[udf]))).r.hash().sum()
    started = time.perf_counter()
    con.execute(expr)
    return {"notebook: ibis Python UDF on DuckDB": time.perf_counter() - started}


def run(spark, sizes: list[int], reps: int, close_reps: int) -> list[dict]:
    results = []
    for rows in sizes:
        df = generate(spark, rows)
        for udf in ("risk_score", "discount", "normalize_email"):
            timed = interleave(variants(spark, udf, df), reps,
                               baseline=("hand-written Java UDF", "hand-written native SQL"),
                               close_reps=close_reps)
            timed["udf"], timed["rows"] = udf, rows
            timed["info"] = notebook_side(udf, rows) if rows <= 1_000_000 else {}
            results.append(timed)
        df.unpersist()
    return results
