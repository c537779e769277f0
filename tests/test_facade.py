"""The typed facade as a JVM team uses it: named inputs (a swap does not compile), schema and
column-name constants, a pre-computed upstream feature set, several feature sets sharing their
upstream work; from Java (javac) and from Scala (scalac), and each upstream form equal to the
notebook."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from transpiler.jvm import spark as jvm_mod
from transpiler.jvm.compile_server import compile_with, user_classpath
from transpiler.pipeline import Options, transpile
from transpiler.reference.compare import ComparisonPolicy
from transpiler.reference.engine import notebook_engine, notebook_results

from .conftest import NOTEBOOKS, SETUP, notebook_rows, write_notebook

FRAUD = NOTEBOOKS / "fraud_features.ipynb"
DATA = NOTEBOOKS / "data"

CALLER = """import nb2jvm.generated.fraud_features.FraudFeatures;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

final class Caller {{
  static Dataset<Row> velocity(SparkSession spark, Dataset<Row> tx, Dataset<Row> risk) {{
    FraudFeatures.Transactions transactions = FraudFeatures.Transactions.of(tx);
    FraudFeatures.MerchantRisk merchantRisk = FraudFeatures.MerchantRisk.of(risk);
    return FraudFeatures.txVelocity(spark, {args});
  }}
}}
"""


@pytest.fixture(scope="module")
def fraud_jar(tmp_path_factory) -> Path:
    from transpiler.interfaces.cli import main

    out = tmp_path_factory.mktemp("facade") / "b"
    assert main(["build", str(FRAUD), "-o", str(out), "-q"]) == 0
    return out / "fraud-features-0.1.0.jar"


def _javac(tmp_path: Path, jar: Path, source: str) -> tuple[bool, str]:
    src = tmp_path / "src" / "Caller.java"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(source)
    out = tmp_path / "classes"
    out.mkdir(exist_ok=True)
    return compile_with("java", ["--release", jvm_mod.JAVA_RELEASE, "-nowarn", "-cp",
                                 f"{jar}{os.pathsep}{user_classpath()}", "-d", str(out),
                                 str(src)])


@pytest.mark.parametrize("args,compiles", [
    ("merchantRisk, transactions", True),
    ("transactions, merchantRisk", False),  # swapped: positional Dataset<Row>s used to compile
    ("merchantRisk", False),  # one missing
])
def test_named_inputs_cannot_be_swapped(tmp_path, fraud_jar, args, compiles):
    ok, detail = _javac(tmp_path, fraud_jar, CALLER.format(args=args))
    assert ok == compiles, detail
    if not compiles:
        assert "incompatible types" in detail or "cannot be applied" in detail, detail


SCALA_CONSUMER = """import nb2jvm.generated.fraud_features.FraudFeatures
import org.apache.spark.sql.SparkSession

object Consumer {
  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().master("local[2]").appName("scala-consumer")
      .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
      .config("spark.sql.session.timeZone", "Europe/Berlin").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    val tx = FraudFeatures.Transactions.of(spark.read.parquet(args(0)))
    val users = FraudFeatures.Users.of(spark.read.parquet(args(1)))
    val txFeatures = FraudFeatures.txFeatures(spark, tx).cache()
    val profile = FraudFeatures.userProfile(spark, FraudFeatures.TxFeatures.of(txFeatures), users)
    val declared = FraudFeatures.UserProfile.SCHEMA.fields.map(f => (f.name, f.dataType)).toSeq
    val actual = profile.schema.fields.map(f => (f.name, f.dataType)).toSeq
    require(declared == actual, s"schema: declared $declared, got $actual")
    profile.select(FraudFeatures.UserProfile.USER_ID, FraudFeatures.UserProfile.N_TX,
                   FraudFeatures.UserProfile.HOME_MARKET)
      .write.mode("overwrite").parquet(args(2))
    println("zone kept: " + spark.conf.get("spark.sql.session.timeZone"))
    spark.stop()
  }
}
"""


def test_a_scala_consumer_compiles_and_gets_the_notebooks_rows(tmp_path, fraud_jar):
    """scalac against the artifact jar and Spark's jars, run on a plain JVM, in a session that
    is not UTC and not ANSI; the rows are the notebook's."""
    src = tmp_path / "Consumer.scala"
    src.write_text(SCALA_CONSUMER)
    classes = tmp_path / "classes"
    classes.mkdir()
    spark = os.pathsep.join(str(j) for j in sorted(jvm_mod.spark_jars_dir().glob("*.jar")))
    ok, detail = compile_with("scala", ["-nowarn", "-release", jvm_mod.JAVA_RELEASE, "-d",
                                        str(classes), "-cp",
                                        f"{fraud_jar}{os.pathsep}{spark}", str(src)])
    assert ok, detail
    out = tmp_path / "profile.parquet"
    jdk = jvm_mod.find_jdk()
    run = subprocess.run(
        [str(jdk.java), *jvm_mod.JAVA_MODULE_OPTIONS, "-cp",
         os.pathsep.join([str(classes), str(fraud_jar), str(jvm_mod.spark_jars_dir() / "*")]),
         "Consumer", str(DATA / "transactions.parquet"), str(DATA / "users.parquet"), str(out)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "zone kept: Europe/Berlin" in run.stdout
    lowered = transpile(FRAUD, Options())
    engine = notebook_engine({n: DATA / f"{n}.parquet"
                              for n in ("transactions", "users", "merchant_risk")})
    want = notebook_results(lowered, engine)["user_profile"].select(
        ["user_id", "n_tx", "home_market"])
    result = ComparisonPolicy().compare(want, pq.read_table(out))
    assert result.equal, result.message


CHAIN = [
    "base = t.filter(t.x > -3).mutate(y=t.x * 2, g2=t.g.fill_null('none'))",
    "stats = base.group_by('g2').aggregate(n=base.count(), s=base.y.sum())",
    "ranked = base.filter(_.y > 0).mutate(z=_.y + _.k, m=_.x.max().over(group_by='g2'))",
    "joined = ranked.join(stats, 'g2').mutate(share=lambda r: r.y / r.s)",
    "top = joined.filter(joined.n > 1).select('g2', 'x', 'share')",
]


@pytest.mark.jvm
def test_every_upstream_form_equals_the_notebook(jvm, tmp_path, fraud_jar):
    """For each feature set and each form that takes upstream feature sets pre-computed (one at
    a time, and all the outermost at once), the rows equal the notebook's: on the fraud
    example and on a five-level chain with two upstreams meeting in a join."""
    from .test_relational_generated import table

    pq.write_table(table(), tmp_path / "t.parquet")
    chain = write_notebook(tmp_path / "chain.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")', *(f"%%export\n{c}" for c in CHAIN)])
    from transpiler.interfaces.cli import main

    assert main(["build", str(chain), "-o", str(tmp_path / "chain"), "-q"]) == 0
    checked = 0
    HashMap = jvm.jpype.JClass("java.util.LinkedHashMap")
    for notebook, jar in ((FRAUD, fraud_jar), (chain, tmp_path / "chain" / "chain-0.1.0.jar")):
        manifest = json.loads((jar.parent / "manifest.json").read_text())
        pipeline = jvm.pipeline(jar, manifest["artifact"]["artifact_id"])
        work = tmp_path / f"work-{notebook.stem}"
        lowered, paths, expected = notebook_rows(notebook, work)
        inputs = HashMap()
        for name, path in paths.items():
            inputs.put(name, jvm.spark.read().parquet(str(path)))
        computed = {}
        for lf in lowered.lowered:
            computed[lf.name] = pipeline.run(jvm.spark, lf.name, inputs)
        for fs in manifest["feature_sets"]:
            lf = next(lf for lf in lowered.lowered if lf.name == fs["name"])
            for k, form in enumerate(fs.get("from_upstream", [])):
                given = HashMap(inputs)
                for up in form["upstreams"]:
                    given.put(up, computed[up])
                out = work / f"{lf.name}-{k}"
                pipeline.run(jvm.spark, lf.name, given).write().parquet(str(out))
                result = ComparisonPolicy().compare(expected[lf.name], pq.read_table(out),
                                                    ordered=lf.ordered, unordered=lf.unordered)
                assert result.equal, f"{lf.name} from {form['upstreams']}: {result.message}"
                checked += 1
        # runAll: every feature set from its upstreams, persisted where shared
        names = jvm.jpype.JClass("java.util.Arrays").asList(*[lf.name for lf in lowered.lowered])
        everything = pipeline.runAll(jvm.spark, names, inputs, True)
        for lf in lowered.lowered:
            out = work / f"{lf.name}-all"
            everything.get(lf.name).write().parquet(str(out))
            result = ComparisonPolicy().compare(expected[lf.name], pq.read_table(out),
                                                ordered=lf.ordered, unordered=lf.unordered)
            assert result.equal, f"{lf.name} in runAll: {result.message}"
    chain_manifest = json.loads((tmp_path / "chain" / "manifest.json").read_text())
    forms = {fs["name"]: [f["upstreams"] for f in fs.get("from_upstream", [])]
             for fs in chain_manifest["feature_sets"]}
    assert ["ranked", "stats"] in forms["joined"]  # the two outermost at once
    assert ["joined"] in forms["top"] and ["base"] in forms["top"]
    assert checked >= 10


def test_tables_not_named_by_export_names_stay_internal(cli, tmp_path):
    """`%%export final`: `step` is computed inside `final` but gets no method, no class, no SQL
    and no manifest entry; a hostile column name and names that collide with the facade's own
    (a table called `row`, a column called `schema`) still compile."""
    import pyarrow as pa
    import zipfile

    pq.write_table(pa.table({"b": [1, 2], "schema": ["x", "y"]}), tmp_path / "row.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [
        SETUP + 'row = con.read_parquet("row.parquet")',
        "%%export final\nstep = row.mutate(c=_.b + 1)\n"
        "final = step.select('c', 'schema', _.b.name('a\"b*/'))"])
    code, _, err = cli("build", nb, "-o", tmp_path / "b", "-q")
    assert code == 0, err
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert [fs["name"] for fs in manifest["feature_sets"]] == ["final"]
    assert sorted(p.name for p in (tmp_path / "b" / "sql").iterdir()) == ["final.sql"]
    with zipfile.ZipFile(tmp_path / "b" / "nb-0.1.0-sources.jar") as z:
        java = z.read("nb2jvm/generated/nb/Nb.java").decode()
    assert "step" not in java and "class Step" not in java
    assert "public static final class Row_ {" in java  # `Row` is the Spark type it uses
    assert "public static final String SCHEMA_ = \"schema\";" in java
    assert "public static Dataset<Row> final_(SparkSession spark, Row_ row)" in java
