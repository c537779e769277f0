"""The whole route on a real JVM with Spark: build -> run on Spark -> compare with the notebook,
through the CLI as a user runs it."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transpiler.jvm.relocate import runtime_package
from transpiler.reference.compare import ComparisonPolicy
from transpiler.pipeline import Options, transpile
from transpiler.verify import verify

from .conftest import QUICKSTART, SETUP, write_notebook

pytestmark = pytest.mark.jvm
SNAPSHOTS = Path(__file__).parent / "snapshots"


def _quickstart_user_features(data: Path):
    """The quickstart's user_features as the notebook computes it (ibis on DuckDB) on ``data``."""
    con = ibis.duckdb.connect()
    con.read_parquet(str(data), table_name="transactions")
    lowered = transpile(QUICKSTART, Options())
    return con.to_pyarrow({lf.name: lf for lf in lowered.lowered}["user_features"].feature.expr)


def test_quickstart_verify_through_cli(cli, jvm, tmp_path):
    code, out, err = cli("verify", QUICKSTART, "-o", tmp_path / "build", "--report",
                         tmp_path / "report.json")
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    verdicts = {v["name"]: v for v in report["feature_sets"]}
    assert set(verdicts) == {"enriched", "user_features"}
    assert all(v["status"] == "conformant" for v in verdicts.values())
    assert verdicts["user_features"]["rows_compared"] == 12
    assert "CONFORMANT" in out and "Traceback" not in err
    build = tmp_path / "build"
    assert sorted(p.name for p in build.iterdir()) == [
        ".nb2jvm-build", "manifest.json", "quickstart-0.1.0-sources.jar", "quickstart-0.1.0.jar",
        "quickstart-0.1.0.pom", "sql"]
    names = zipfile.ZipFile(build / "quickstart-0.1.0.jar").namelist()
    for entry in ("nb2jvm/quickstart/manifest.json", "nb2jvm/quickstart/user_features.sql",
                  runtime_package().replace(".", "/") + "/FeaturePipeline.class",
                  "META-INF/maven/nb2jvm.generated/quickstart/pom.xml"):
        assert entry in names


@pytest.mark.parametrize("feature", ["enriched", "user_features"])
def test_quickstart_sql_golden(feature):
    lowered = transpile(QUICKSTART, Options())
    sql = {lf.name: lf.sql for lf in lowered.lowered}[feature]
    assert sql + "\n" == (SNAPSHOTS / "quickstart" / f"{feature}.sql").read_text()


def test_build_is_byte_identical(cli, tmp_path):
    for name in ("a", "b"):
        code, out, err = cli("build", QUICKSTART, "-o", tmp_path / name, "-q")
        assert code == 0, err
    for rel in ("quickstart-0.1.0.jar", "manifest.json", "sql/user_features.sql",
                "quickstart-0.1.0.pom", "quickstart-0.1.0-sources.jar"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_wrong_sql_is_detected_as_mismatch(jvm):
    def tamper(lowered):
        bad = [dataclasses.replace(lf, sql=lf.sql.replace("SUM(", "MAX(", 1))
               if lf.name == "user_features" else lf for lf in lowered.lowered]
        return dataclasses.replace(lowered, lowered=tuple(bad))

    report = verify(QUICKSTART, Options(), tamper=tamper)
    verdicts = {v.name: v for v in report.feature_sets}
    assert verdicts["enriched"].status == "conformant"
    assert verdicts["user_features"].status == "mismatch"
    assert "notebook (DuckDB)" in verdicts["user_features"].details
    assert report.exit_code == 1


@pytest.fixture
def mixed_notebook(tmp_path):
    pq.write_table(pa.table({"k": [1, 2, 3], "x": [1.0, 0.0, -2.0], "n": [0, 1, 2]}),
                   tmp_path / "t.parquet")
    return write_notebook(tmp_path / "mixed.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\ngood = t.mutate(y=_.x * 2)",
        "%%export\nratio = t.mutate(r=_.x / _.n)",
        "%%export\nremainder = t.mutate(r=_.k % _.n)",
        "%%export\nbad = t.execute()",
    ])


def test_refused_feature_sets_do_not_stop_the_others(cli, jvm, mixed_notebook, tmp_path):
    code, out, err = cli("verify", mixed_notebook, "--report", tmp_path / "r.json")
    assert code == 2
    statuses = {v["name"]: v["status"]
                for v in json.loads((tmp_path / "r.json").read_text())["feature_sets"]}
    assert statuses == {"good": "conformant", "ratio": "conformant", "remainder": "refused",
                        "bad": "refused"}
    assert "zero divisor" in out and "runs a query" in out


def test_run_writes_the_feature_rows(cli, jvm, tmp_path):
    code, out, err = cli("run", QUICKSTART, "--feature", "user_features", "--output",
                         tmp_path / "uf.parquet")
    assert code == 0, err
    jvm_rows = pq.read_table(tmp_path / "uf.parquet")
    con = ibis.duckdb.connect()
    con.read_parquet(str(QUICKSTART.parent / "data" / "transactions.parquet"),
                     table_name="transactions")
    lowered = transpile(QUICKSTART, Options())
    expected = con.to_pyarrow({lf.name: lf for lf in lowered.lowered}["user_features"]
                              .feature.expr)
    assert ComparisonPolicy().compare(expected, jvm_rows).equal


def test_run_from_build_dir_needs_data(cli, jvm, tmp_path):
    assert cli("build", QUICKSTART, "-o", tmp_path / "b", "-q")[0] == 0
    code, out, err = cli("run", tmp_path / "b", "--feature", "enriched", "--output",
                         tmp_path / "e.parquet")
    assert code == 2 and "CLI003" in err and "transactions" in err
    data = QUICKSTART.parent / "data" / "transactions.parquet"
    code, out, err = cli("run", tmp_path / "b", "--feature", "enriched", "--data",
                         f"transactions={data}", "--output", tmp_path / "e.parquet")
    assert code == 0, err
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 234


def test_runtime_checks_inputs_and_session_settings(jvm, cli, tmp_path):
    import jpype

    assert cli("build", QUICKSTART, "-o", tmp_path / "b", "-q")[0] == 0
    pipeline = jvm.pipeline(tmp_path / "b" / "quickstart-0.1.0.jar", "quickstart")
    assert list(pipeline.featureSets()) == ["enriched", "user_features"]
    HashMap = jpype.JClass("java.util.HashMap")
    tx = jvm.spark.read().parquet(str(QUICKSTART.parent / "data" / "transactions.parquet"))
    inputs = HashMap()
    inputs.put("transactions", tx.drop("amount"))
    with pytest.raises(jpype.JException) as info:
        pipeline.run(jvm.spark, "enriched", inputs)
    assert "no column 'amount'" in str(info.value) and "'enriched'" in str(info.value)
    inputs.put("transactions", tx)
    other = jvm.spark.newSession()
    other.conf().set("spark.sql.ansi.enabled", "false")
    # Another session's settings are left alone: the SQL runs in a session derived from it
    # (tests/test_caller_session.py has the rows compared in other time zones).
    assert pipeline.run(other, "enriched", inputs).count() == 234
    assert str(other.conf().get("spark.sql.ansi.enabled")) == "false"
    # The caller's own temporary view named like an input is neither read nor replaced.
    jvm.spark.range(3).createOrReplaceTempView("transactions")
    assert pipeline.run(jvm.spark, "enriched", inputs).count() == 234
    assert jvm.spark.table("transactions").count() == 3
    # The caller's cache of an input survives run(): its views are dropped, the data is not
    # (dropTempView used to uncache it, as the view had the same columns as the input).
    tx.cache().count()
    cache = jvm.spark.sharedState().cacheManager()
    assert cache.lookupCachedData(tx).isDefined()
    assert pipeline.run(jvm.spark, "user_features", inputs).count() > 0
    assert cache.lookupCachedData(tx).isDefined()
    assert not [str(v.name()) for v in jvm.spark.catalog().listTables().collectAsList()
                if str(v.name()).startswith("nb2jvm_")]
    tx.unpersist()


def test_spark_failure_is_an_error_verdict(jvm):
    def tamper(lowered):
        bad = [dataclasses.replace(lf, sql="SELECT 1 / 0 AS boom") if lf.name == "enriched"
               else lf for lf in lowered.lowered]
        return dataclasses.replace(lowered, lowered=tuple(bad))

    report = verify(QUICKSTART, Options(), tamper=tamper)
    verdicts = {v.name: v for v in report.feature_sets}
    assert verdicts["enriched"].status == "error"
    assert "DIVIDE_BY_ZERO" in verdicts["enriched"].message
    assert verdicts["user_features"].status == "conformant"
    assert report.exit_code == 2


def test_extra_input_columns_do_not_leak_into_the_output(jvm, cli, tmp_path):
    import jpype

    pq.write_table(pa.table({"k": [1, 2, 3], "x": [1.0, 0.0, -2.0]}), tmp_path / "t.parquet")
    path = write_notebook(tmp_path / "kept.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")', "%%export\nkept = t.filter(_.k > 1)"])
    assert cli("build", path, "-o", tmp_path / "b", "-q")[0] == 0
    pipeline = jvm.pipeline(tmp_path / "b" / "kept-0.1.0.jar", "kept")
    assert "SELECT\n  *" in str(pipeline.sql("kept"))
    wide = jvm.spark.read().parquet(str(tmp_path / "t.parquet")).selectExpr("42 AS extra", "*")
    inputs = jpype.JClass("java.util.HashMap")()
    inputs.put("t", wide)
    out = pipeline.run(jvm.spark, "kept", inputs)
    assert list(out.columns()) == ["k", "x"] and out.count() == 2


def test_ties_are_reported_as_nondeterministic_not_as_mismatch(cli, jvm, tmp_path):
    # Ten rows tie on `k`; row_number() and limit() then may pick rows differently per engine.
    pq.write_table(pa.table({"k": [1] * 10, "v": list(range(10))}), tmp_path / "t.parquet")
    path = write_notebook(tmp_path / "ties.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\n"
        "numbered = t.mutate(n=ibis.row_number().over(order_by='k'))\n"
        "first3 = t.order_by('k').limit(3)\n"
        "plain = t.mutate(w=_.v * 2)"])
    code, out, err = cli("check", path)
    assert code == 0 and err.count("warning W300") == 2
    assert "make the last order key unique" in err

    def other_tie_order(lowered):
        # Spark breaking the ties the other way round, as it may on a cluster.
        key = "`t0`.`k` ASC NULLS LAST"
        flipped = [dataclasses.replace(lf, sql=lf.sql.replace(key, key + ", `t0`.`v` DESC"))
                   for lf in lowered.lowered]
        return dataclasses.replace(lowered, lowered=tuple(flipped))

    report = verify(path, Options(), tamper=other_tie_order)
    verdicts = {v.name: v for v in report.feature_sets}
    assert verdicts["numbered"].status == "nondeterministic"
    assert "1 group(s) of rows tie" in verdicts["numbered"].message
    assert verdicts["first3"].status == "nondeterministic"
    assert verdicts["plain"].status == "conformant"
    assert report.exit_code == 1


@pytest.mark.parametrize("path", sorted(QUICKSTART.parent.glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_example_notebook_is_conformant(jvm, path):
    report = verify(path, Options())
    assert report.feature_sets and report.exit_code == 0, [
        (v.name, v.status, v.message) for v in report.feature_sets]


def test_spark_submit_runs_a_feature_set_from_the_jar(cli, jvm, tmp_path):
    import os
    import subprocess

    from transpiler.jvm.spark import find_jdk, spark_jars_dir

    assert cli("build", QUICKSTART, "-o", tmp_path / "b", "-q")[0] == 0
    jar = tmp_path / "b" / "quickstart-0.1.0.jar"
    data = QUICKSTART.parent / "data" / "transactions.parquet"
    spark_home = spark_jars_dir().parent  # the Spark distribution inside the pyspark wheel
    submit = str(spark_home / "bin" / "spark-submit")
    env = {**os.environ, "JAVA_HOME": str(find_jdk().home), "SPARK_HOME": str(spark_home),
           "SPARK_LOCAL_IP": "127.0.0.1"}
    base = [submit, "--master", "local[2]", "--conf", "spark.ui.enabled=false", str(jar)]
    out = subprocess.run(base + ["--feature", "user_features", "--input",
                                 f"transactions={data}", "--output", str(tmp_path / "uf")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert ComparisonPolicy().compare(_quickstart_user_features(data),
                                      pq.read_table(tmp_path / "uf")).equal
    bad = subprocess.run(base + ["--feature", "nope", "--output", str(tmp_path / "x")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 2 and "no feature set 'nope'" in bad.stderr
    check = subprocess.run(base + ["--self-check"], capture_output=True, text=True, env=env,
                           timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr[-2000:]
    assert "nb2jvm self-check: user_features: ok" in check.stdout
    assert "nb2jvm self-check: PASSED (2 of 2 feature sets)" in check.stdout
    # quiet: the result lines, not Spark's INFO log around them (was ~1,700 lines)
    logged = (check.stdout + check.stderr).splitlines()
    assert len(logged) < 60, "\n".join(logged[:80])


CUSTOMER_RISK = QUICKSTART.parent / "customer_risk.ipynb"


def test_udf_scala_and_sql_golden():
    """The generated Scala of the example UDFs, and the SQL that calls them by stable names.
    A change here must be reviewed and the snapshot updated in the same commit."""
    lowered = transpile(CUSTOMER_RISK, Options())
    assert lowered.udfs.scala == (SNAPSHOTS / "customer_risk" / "Udfs.scala").read_text()
    for lf in lowered.lowered:
        assert lf.sql + "\n" == (SNAPSHOTS / "customer_risk" / f"{lf.name}.sql").read_text()


def test_build_with_udfs_is_byte_identical_across_fresh_compiles(cli, tmp_path, monkeypatch):
    """scalac runs afresh for each build (separate caches): the jars are still identical."""
    for name in ("a", "b"):
        monkeypatch.setenv("NB2JVM_CACHE", str(tmp_path / f"cache-{name}"))
        code, out, err = cli("build", CUSTOMER_RISK, "-o", tmp_path / name, "-q")
        assert code == 0, err
    jar = "customer-risk-0.1.0.jar"
    assert (tmp_path / "a" / jar).read_bytes() == (tmp_path / "b" / jar).read_bytes()
    names = zipfile.ZipFile(tmp_path / "a" / jar).namelist()
    assert any(n.startswith("nb2jvm/udf/") and n.endswith(".class") for n in names)
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert sorted(u["name"] for u in manifest["udfs"]) == [
        "luhn_valid", "name_key", "normalize_email", "risk_bucket"]
    assert all(u["mode"] == "compiled" for u in manifest["udfs"])
    # as compiled: against the runtime relocated into its content hash's package
    assert (tmp_path / "a" / "scala" / "Udfs.scala").read_text() == (
        SNAPSHOTS / "customer_risk" / "Udfs.scala").read_text().replace(
            "import nb2jvm.runtime.", f"import {runtime_package()}.")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_spark_submit_to_a_standalone_cluster(cli, tmp_path):
    """A real Spark standalone cluster on 127.0.0.1 (one master, two workers, from the Spark that
    pyspark ships) runs the jar with spark-submit; the rows equal the notebook's.  The cluster
    is shut down even when the test fails."""
    import os
    import subprocess
    import time

    from transpiler.jvm.spark import find_jdk, spark_jars_dir

    assert cli("build", QUICKSTART, "-o", tmp_path / "b", "-q")[0] == 0
    jar = tmp_path / "b" / "quickstart-0.1.0.jar"
    spark_home = spark_jars_dir().parent
    env = {**os.environ, "JAVA_HOME": str(find_jdk().home), "SPARK_HOME": str(spark_home),
           "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(tmp_path / "logs"),
           "SPARK_WORKER_DIR": str(tmp_path / "work")}
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    spark_class = str(spark_home / "bin" / "spark-class")
    logs = tmp_path / "cluster.log"
    procs = []
    try:
        with open(logs, "w") as log:
            procs.append(subprocess.Popen(
                [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                 "--port", str(port), "--webui-port", str(_free_port())],
                stdout=log, stderr=subprocess.STDOUT, env=env))
            for k in range(2):
                procs.append(subprocess.Popen(
                    [spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host",
                     "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port",
                     str(_free_port()), "--work-dir", str(tmp_path / f"work{k}")],
                    stdout=log, stderr=subprocess.STDOUT, env=env))
        deadline = time.time() + 90
        while logs.read_text().count("Successfully registered with master") < 2:
            assert time.time() < deadline, logs.read_text()[-3000:]
            assert all(p.poll() is None for p in procs), logs.read_text()[-3000:]
            time.sleep(0.5)
        data = QUICKSTART.parent / "data" / "transactions.parquet"
        out = subprocess.run(
            [str(spark_home / "bin" / "spark-submit"), "--master", url, "--conf",
             "spark.ui.enabled=false", "--executor-memory", "1g", str(jar), "--feature",
             "user_features", "--input", f"transactions={data}", "--output",
             str(tmp_path / "uf")], capture_output=True, text=True, env=env, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        assert "app-" in logs.read_text()  # the master ran an application on its workers
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    assert ComparisonPolicy().compare(_quickstart_user_features(data),
                                      pq.read_table(tmp_path / "uf")).equal
