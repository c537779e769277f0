"""The Maven artifact as JVM teams consume it: publish layout, checksums, immutability and
atomicity; the typed facade called from plain Java; a real Maven build of a consumer that
resolves Spark from Maven Central."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from transpiler.jvm import spark as jvm_mod
from transpiler.pipeline import Options, transpile
from transpiler.reference.engine import notebook_engine, notebook_results

from . import maven
from .conftest import NOTEBOOKS, QUICKSTART

CUSTOMER_RISK = NOTEBOOKS / "customer_risk.ipynb"


def _build(cli, out: Path, notebook: Path = QUICKSTART, *extra) -> Path:
    code, _, err = cli("build", notebook, "-o", out, "-q", *extra)
    assert code == 0, err
    return out


def test_publish_layout_checksums_and_metadata(cli, tmp_path):
    build = _build(cli, tmp_path / "b", QUICKSTART, "--group-id", "com.example.features",
                   "--version", "1.2.0")
    repo = tmp_path / "repo"
    code, out, err = cli("publish", build, "--repo", repo.as_uri())
    assert code == 0, err
    vdir = repo / "com" / "example" / "features" / "quickstart" / "1.2.0"
    for name in ("quickstart-1.2.0.jar", "quickstart-1.2.0.pom", "quickstart-1.2.0-sources.jar"):
        data = (vdir / name).read_bytes()
        assert data == (build / name).read_bytes()
        for ext, fn in (("md5", hashlib.md5), ("sha1", hashlib.sha1), ("sha256", hashlib.sha256)):
            assert (vdir / f"{name}.{ext}").read_text() == fn(data).hexdigest()
    meta = (vdir.parent / "maven-metadata.xml").read_text()
    assert "<version>1.2.0</version>" in meta and "<release>1.2.0</release>" in meta
    assert (vdir.parent / "maven-metadata.xml.sha1").read_text() == hashlib.sha1(
        meta.encode()).hexdigest()
    sources = zipfile.ZipFile(vdir / "quickstart-1.2.0-sources.jar").namelist()
    assert "nb2jvm/quickstart/user_features.sql" in sources
    assert "com/example/features/quickstart/Quickstart.java" in sources
    # every class compiled into the jar has its source beside (the runtime's too)
    classes = {n[:-len(".class")].split("$")[0] for n in zipfile.ZipFile(
        vdir / "quickstart-1.2.0.jar").namelist() if n.endswith(".class")}
    given = {n.rsplit(".", 1)[0] for n in sources if n.endswith((".java", ".scala"))}
    missing = sorted(c for c in classes if c not in given and not any(
        g.endswith("/Udfs") and c.startswith(g.rsplit("/", 1)[0] + "/") for g in given))
    assert not missing, missing


def test_release_is_immutable_snapshot_is_replaced(cli, tmp_path):
    repo = tmp_path / "repo"
    build = _build(cli, tmp_path / "b1", QUICKSTART, "--version", "1.0.0")
    assert cli("publish", build, "--repo", repo)[0] == 0
    vdir = repo / "nb2jvm" / "generated" / "quickstart" / "1.0.0"
    before = {p.name: p.read_bytes() for p in vdir.iterdir()}
    code, out, err = cli("publish", build, "--repo", repo)
    assert code == 2 and "PUB002" in err and "immutable" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in vdir.iterdir()} == before
    snap = _build(cli, tmp_path / "b2", QUICKSTART, "--version", "1.1.0-SNAPSHOT")
    assert cli("publish", snap, "--repo", repo)[0] == 0
    code, out, _ = cli("publish", snap, "--repo", repo)
    assert code == 0 and out.startswith("replaced")
    meta = (vdir.parent / "maven-metadata.xml").read_text()
    assert "<latest>1.1.0-SNAPSHOT</latest>" in meta and "<release>1.0.0</release>" in meta


def test_interrupted_publish_leaves_no_half_version(cli, tmp_path, monkeypatch):
    from transpiler.artifact import publish as publish_mod

    build = _build(cli, tmp_path / "b")
    real = publish_mod._write_with_checksums
    calls = []

    def failing(folder, name, data):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # e.g. Ctrl-C in the middle of the copy
        return real(folder, name, data)

    monkeypatch.setattr(publish_mod, "_write_with_checksums", failing)
    with pytest.raises(KeyboardInterrupt):
        publish_mod.publish(build, str(tmp_path / "repo"))
    artifact_dir = tmp_path / "repo" / "nb2jvm" / "generated" / "quickstart"
    # no version, no staging, no metadata (the publish lock is the only file, and empty)
    assert [p.name for p in artifact_dir.iterdir()] == [".nb2jvm-publish.lock"]
    assert (artifact_dir / ".nb2jvm-publish.lock").read_bytes() == b""


def test_publish_bad_input(cli, tmp_path):
    code, _, err = cli("publish", tmp_path, "--repo", tmp_path / "repo")
    assert code == 2 and "PUB001" in err
    build = _build(cli, tmp_path / "b")
    code, _, err = cli("publish", build, "--repo", "https://repo.example.com/maven")
    assert code == 2 and "PUB003" in err


CONSUMER_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>consumer</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository><id>features</id><url>{repo}</url></repository>
  </repositories>
  <dependencies>
    <dependency>
      <groupId>com.example.nb2jvmtest</groupId>
      <artifactId>features</artifactId>
      <version>1.0.0</version>
    </dependency>
    <!-- Spark is the cluster's: `provided`, from Maven Central, the version the artifact names -->
    <dependency>
      <groupId>org.apache.spark</groupId>
      <artifactId>spark-sql_{scala}</artifactId>
      <version>{spark}</version>
      <scope>provided</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
{plugins}
    </plugins>
  </build>
</project>
"""
CONSUMER_MAIN = """package com.example;

import com.example.nb2jvmtest.features.CustomerRisk;
import com.example.nb2jvmtest.features.FraudFeatures;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

public final class Main {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("consumer")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    Dataset<Row> identity = CustomerRisk.identity(spark,
        CustomerRisk.Customers.of(spark.read().parquet(args[0])));
    same(CustomerRisk.Identity.SCHEMA, identity.schema());
    identity.select(CustomerRisk.Identity.USER_ID, CustomerRisk.Identity.EMAIL)
        .write().mode("overwrite").parquet(args[1]);
    // named inputs, a pre-computed upstream, and every feature set sharing the upstream work
    FraudFeatures.Transactions tx = FraudFeatures.Transactions.of(spark.read().parquet(args[2]));
    FraudFeatures.Users users = FraudFeatures.Users.of(spark.read().parquet(args[3]));
    FraudFeatures.MerchantRisk risk =
        FraudFeatures.MerchantRisk.of(spark.read().parquet(args[4]));
    Dataset<Row> txFeatures = FraudFeatures.txFeatures(spark, tx).cache();
    Dataset<Row> profile =
        FraudFeatures.userProfile(spark, FraudFeatures.TxFeatures.of(txFeatures), users);
    same(FraudFeatures.UserProfile.SCHEMA, profile.schema());
    profile.write().mode("overwrite").parquet(args[5]);
    Map<String, Dataset<Row>> all = FraudFeatures.all(spark, true, risk, tx, users);
    System.out.println("all: " + all.keySet() + " " + all.get("user_profile").count() + " = "
        + profile.count());
    System.out.println("feature sets: " + CustomerRisk.pipeline().featureSets());
    spark.stop();
  }

  /** The facade's schema constant names the Dataset's columns and types, in order. */
  private static void same(StructType declared, StructType actual) {
    if (declared.fields().length != actual.fields().length) throw new AssertionError(actual);
    for (int i = 0; i < declared.fields().length; i++) {
      StructField d = declared.fields()[i], a = actual.fields()[i];
      if (!d.name().equals(a.name()) || !d.dataType().equals(a.dataType())) {
        throw new AssertionError("column " + i + ": declared " + d + ", got " + a);
      }
    }
  }
}
"""


@pytest.mark.jvm
def test_maven_consumer_calls_the_typed_facade(cli, tmp_path):
    """Publish customer_risk (compiled UDFs) and fraud_features in one artifact to a `file://`
    repository; a consumer project resolves it from there and Spark (`provided`) from Maven
    Central, builds with real Maven, runs its Java main on the Spark jars Maven resolved (named
    inputs, schema constants checked against the rows, a pre-computed upstream, `all`), and
    gets the notebook's rows."""
    code, _, err = cli("build", CUSTOMER_RISK, NOTEBOOKS / "fraud_features.ipynb", "-o",
                       tmp_path / "features", "-q", "--group-id", "com.example.nb2jvmtest",
                       "--version", "1.0.0")
    assert code == 0, err
    build = tmp_path / "features"
    repo = tmp_path / "repo"
    assert cli("publish", build, "--repo", repo)[0] == 0
    project = tmp_path / "consumer"
    (project / "src/main/java/com/example").mkdir(parents=True)
    (project / "pom.xml").write_text(CONSUMER_POM.format(
        repo=repo.as_uri(), scala=jvm_mod.SCALA_BINARY, spark=jvm_mod.SPARK_VERSION,
        plugins=maven.plugins_xml()))
    (project / "src/main/java/com/example/Main.java").write_text(CONSUMER_MAIN)
    cached = maven.LOCAL_REPO / "com" / "example" / "nb2jvmtest"
    try:
        _consume(project, tmp_path)
    finally:  # the artifact Maven cached from the test repository
        shutil.rmtree(cached, ignore_errors=True)


def _consume(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "mvn.log"
    out = maven.mvn(project, "dependency:resolve", "package", "dependency:build-classpath",
                    "-Dmdep.outputFile=classpath.txt", "-Dmdep.includeScope=compile", log=log)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    text = log.read_text()
    # The resolution, as Maven logs it: Spark from Central, the features from the file repository.
    spark = f"org.apache.spark:spark-sql_{jvm_mod.SCALA_BINARY}:jar:{jvm_mod.SPARK_VERSION}"
    assert f"{spark}:provided" in text, text[-4000:]
    assert "com.example.nb2jvmtest:features:jar:1.0.0:compile" in text
    scopes = _resolved_scopes(text)
    assert {"compile", "provided"} <= scopes and "system" not in scopes, scopes
    classpath = (project / "classpath.txt").read_text().strip()
    jars = classpath.split(os.pathsep)
    assert any(f"/org/apache/spark/spark-sql_2.13/{jvm_mod.SPARK_VERSION}/" in j for j in jars)
    assert not any(str(jvm_mod.spark_jars_dir()) in j for j in jars)  # not the pyspark wheel's
    output, profile = tmp_path / "identity.parquet", tmp_path / "profile.parquet"
    data = NOTEBOOKS / "data"
    java = str(jvm_mod.find_jdk().java)
    run = subprocess.run([java, *jvm_mod.JAVA_MODULE_OPTIONS, "-cp",
                          f"{project / 'target' / 'consumer-1.0.jar'}{os.pathsep}{classpath}",
                          "com.example.Main", str(data / "customers.parquet"), str(output),
                          str(data / "transactions.parquet"), str(data / "users.parquet"),
                          str(data / "merchant_risk.parquet"), str(profile)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "feature sets: [identity, risk, tx_features, tx_velocity, user_profile]" in run.stdout
    assert "all: [tx_features, tx_velocity, user_profile] " in run.stdout
    count = run.stdout.split("all: ")[1].split("]")[1].split()
    assert count[0] == count[2], run.stdout  # all()'s user_profile has the rows of the other
    lowered = transpile(CUSTOMER_RISK, Options())
    expected = notebook_results(lowered, notebook_engine({"customers": data /
                                                          "customers.parquet"}))["identity"]
    got = pq.read_table(output)
    key = lambda r: r["user_id"]  # noqa: E731
    assert sorted(got.to_pylist(), key=key) == sorted(
        expected.select(["user_id", "email"]).to_pylist(), key=key)
    fraud = transpile(NOTEBOOKS / "fraud_features.ipynb", Options())
    engine = notebook_engine({n: data / f"{n}.parquet"
                              for n in ("transactions", "users", "merchant_risk")})
    want = notebook_results(fraud, engine)["user_profile"]
    from transpiler.reference.compare import ComparisonPolicy
    result = ComparisonPolicy().compare(want, pq.read_table(profile))
    assert result.equal, result.message


def _resolved_scopes(log: str) -> set[str]:
    """The scopes in `dependency:resolve`'s list (lines like `   g:a:jar:v:scope -- module …`)."""
    scopes = set()
    for line in log.splitlines():
        part = line.replace("[INFO]", "").strip().split(" -- ")[0].split()
        if part and part[0].count(":") >= 4:
            scopes.add(part[0].rsplit(":", 1)[1])
    return scopes


def test_artifact_pom_resolves_from_maven_central(cli, tmp_path):
    """The pom inside a built artifact names its dependencies as Maven Central has them:
    `mvn dependency:resolve` on that very pom succeeds and finds Spark as `provided`."""
    build = _build(cli, tmp_path / "b", QUICKSTART, "--group-id", "com.example.features",
                   "--version", "2.0.0")
    project = tmp_path / "p"
    project.mkdir()
    pom = (build / "quickstart-2.0.0.pom").read_text()
    with zipfile.ZipFile(build / "quickstart-2.0.0.jar") as jar:
        assert jar.read("META-INF/maven/com.example.features/quickstart/pom.xml").decode() == pom
    assert "<scope>system</scope>" not in pom and "systemPath" not in pom
    (project / "pom.xml").write_text(pom)
    log = tmp_path / "mvn.log"
    out = maven.mvn(project, f"{maven.DEPENDENCY_PLUGIN}:resolve", log=log)
    assert out.returncode == 0, out.stdout[-6000:]
    spark = f"org.apache.spark:spark-sql_{jvm_mod.SCALA_BINARY}:jar:{jvm_mod.SPARK_VERSION}"
    assert f"{spark}:provided" in log.read_text()


def test_facade_signatures_and_javadoc(cli, tmp_path):
    build = _build(cli, tmp_path / "b", NOTEBOOKS / "fraud_features.ipynb", "--facade-class",
                   "FraudFeatures")
    src = zipfile.ZipFile(build / "fraud-features-0.1.0-sources.jar")
    java = src.read("nb2jvm/generated/fraud_features/FraudFeatures.java").decode()
    assert "public static Dataset<Row> userProfile(SparkSession spark, Transactions " \
        "transactions, Users users)" in java
    assert "public static Dataset<Row> userProfile(SparkSession spark, TxFeatures " \
        "txFeatures, Users users)" in java  # the pre-computed upstream
    assert "@param users input table {@code users}" in java
    assert "Column {@code user_id} of input {@code users}: bigint." in java
    assert "Column {@code n_tx}: bigint, computed in cell 12 of fraud_features.ipynb." in java
    assert "Output columns ({@link UserProfile#SCHEMA}):" in java
    names = zipfile.ZipFile(build / "fraud-features-0.1.0.jar").namelist()
    assert "nb2jvm/generated/fraud_features/FraudFeatures.class" in names
    code, _, err = cli("build", NOTEBOOKS / "fraud_features.ipynb", "-o", tmp_path / "x",
                       "--facade-class", "class")
    assert code == 2 and "OUT004" in err
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["artifact"]["artifact_id"] == "fraud-features"
    assert os.path.exists(build / "fraud-features-0.1.0.pom")


def test_diff_of_two_versions_of_a_notebook(cli, tmp_path):
    from .conftest import SETUP, write_notebook

    def version(name, cells):
        (tmp_path / name).mkdir()
        return write_notebook(tmp_path / name / "features.ipynb", [
            SETUP + "t = ibis.table({'a': 'int64', 's': 'string'}, name='t')", *cells])

    v1 = version("v1", ["%%export\nkeep = t.select('a')\nold = t.filter(_.a > 1)",
                        "%%export\n@ibis.udf.scalar.python\ndef tag(s: str) -> str:\n"
                        "    return f'{s:>4}'\n\ntagged = t.select(r=tag(_.s))"])
    v2 = version("v2", ["%%export\nkeep = t.select('a', b=_.a * 2)\nnew = t.limit(3)",
                        "%%export\n@ibis.udf.scalar.python\ndef tag(s: str) -> str:\n"
                        "    return f'{s:>5}'\n\ntagged = t.select(r=tag(_.s))"])
    _build(cli, tmp_path / "b1", v1)
    _build(cli, tmp_path / "b2", v2)
    code, out, err = cli("diff", tmp_path / "b1", tmp_path / "b2")
    assert code == 1, err
    assert "+ feature set new" in out and "- feature set old" in out
    assert "~ feature set keep" in out and "+ column b int64" in out
    assert "+new/keep.sql" in out.replace("+++ ", "+") and "AS `b`" in out
    assert "+ UDF tag (compiled)" in out and "- UDF tag (compiled)" in out
    jar = next((tmp_path / "b1").glob("*-0.1.0.jar"))
    code, out, _ = cli("diff", jar, tmp_path / "b1", "--format", "json")
    assert code == 0 and json.loads(out)["feature_sets"]["changed"] == {}
    code, _, err = cli("diff", tmp_path, tmp_path / "b1")
    assert code == 2 and "DIFF001" in err


def _tampered(jar: Path, out: Path, old: str, new: str,
              entry: str = "user_features.sql") -> Path:
    with zipfile.ZipFile(jar) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/" + entry):
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            dst.writestr(info, data)
    return out


@pytest.mark.jvm
@pytest.mark.parametrize("notebook", ["quickstart.ipynb", "customer_risk.ipynb",
                                      "fraud_features.ipynb"])
def test_self_check_replays_the_notebooks_golden_rows(cli, jvm, tmp_path, notebook):
    build = _build(cli, tmp_path / "b", NOTEBOOKS / notebook)
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["self_check"]["feature_sets"], manifest["self_check"]
    jar = next(build.glob("*-0.1.0.jar"))
    pipeline = jvm.pipeline(jar, manifest["artifact"]["artifact_id"])
    results = {str(r.featureSet): (bool(r.passed), str(r.message))
               for r in pipeline.selfCheck(jvm.spark)}
    assert set(results) == set(manifest["self_check"]["feature_sets"])
    assert all(ok for ok, _ in results.values()), results
    for fs in manifest["feature_sets"]:  # forms that take an upstream pre-computed are replayed
        if fs.get("from_upstream") and fs["name"] in results:
            assert "pre-computed upstream form" in results[fs["name"]][1], results


@pytest.mark.jvm
def test_self_check_fails_when_an_upstream_form_is_tampered_with(cli, jvm, tmp_path):
    build = _build(cli, tmp_path / "b", NOTEBOOKS / "fraud_features.ipynb")
    bad = _tampered(build / "fraud-features-0.1.0.jar", tmp_path / "bad.jar", "IN ('DE', 'FR')",
                    "NOT IN ('DE', 'FR')", entry="user_profile.from-1.sql")
    results = {str(r.featureSet): (bool(r.passed), str(r.message))
               for r in jvm.pipeline(bad, "fraud-features").selfCheck(jvm.spark)}
    ok, message = results["user_profile"]
    assert not ok and message.startswith("from pre-computed tx_features: row "), message
    assert results["tx_features"][0] is True


@pytest.mark.jvm
def test_self_check_fails_loudly_when_the_sql_is_tampered_with(cli, jvm, tmp_path):
    build = _build(cli, tmp_path / "b")
    bad = _tampered(build / "quickstart-0.1.0.jar", tmp_path / "bad.jar", "0.92", "0.93")
    results = {str(r.featureSet): (bool(r.passed), str(r.message))
               for r in jvm.pipeline(bad, "quickstart").selfCheck(jvm.spark)}
    assert results["enriched"][0] is True
    ok, message = results["user_features"]
    assert not ok and " (sorted) differs: expected (" in message and "), got (" in message


def test_batch_build_each_goes_on_past_a_failure(cli, tmp_path):
    from .conftest import SETUP, write_notebook

    folder = tmp_path / "nbs"
    shutil.copytree(NOTEBOOKS, folder)
    write_notebook(folder / "broken.ipynb", [SETUP + "t = ibis.table({'a': 'int64'}, name='t')",
                                             "%%export\nimport os\nx = t"])
    code, out, err = cli("build", folder, "-o", tmp_path / "out", "--each")
    assert code == 1
    assert "[1/4] broken.ipynb" in err and "E213" in err and "Traceback" not in err
    assert "3 built, 1 failed" in out
    for line in ("customer_risk.ipynb", "fraud_features.ipynb", "quickstart.ipynb"):
        assert any(ln.startswith(line) and " ok " in ln for ln in out.splitlines()), out
    assert (tmp_path / "out" / "quickstart" / "quickstart-0.1.0.jar").exists()
    assert not (tmp_path / "out" / "broken").exists()


def test_manifest_has_per_column_lineage(cli, tmp_path):
    build = _build(cli, tmp_path / "b", NOTEBOOKS / "fraud_features.ipynb")
    fs = {f["name"]: f for f in json.loads((build / "manifest.json").read_text())["feature_sets"]}
    profile = fs["user_profile"]["lineage"]
    assert profile["country"] == ["users.country"]
    assert profile["max_amount"] == ["transactions.amount"]
    assert fs["tx_features"]["lineage"]["is_night"] == ["transactions.ts"]
    assert set(fs["tx_features"]["lineage"]["prev_amount"]) >= {"transactions.amount",
                                                                "transactions.ts"}


MULTI_MAIN = """package com.example;

import com.example.features.CustomerRisk;
import com.example.features.Quickstart;
import org.apache.spark.sql.SparkSession;

public final class Multi {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("multi")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    CustomerRisk.identity(spark, CustomerRisk.Customers.of(spark.read().parquet(args[0])))
        .write().mode("overwrite").parquet(args[2].replace("enriched", "identity"));
    Quickstart.enriched(spark, Quickstart.Transactions.of(spark.read().parquet(args[1])))
        .write().mode("overwrite").parquet(args[2]);
    System.out.println("feature sets: " + Quickstart.pipeline().featureSets());
    spark.stop();
  }
}
"""


@pytest.mark.jvm
def test_several_notebooks_in_one_artifact(cli, jvm, tmp_path):
    """Three notebooks, one jar: a facade class each, one manifest, the golden rows of all of
    them replayed by the self-check, and a Java caller of two notebooks' facades whose rows
    equal the notebooks' own."""
    build = tmp_path / "features"
    code, out, err = cli("build", CUSTOMER_RISK, NOTEBOOKS / "fraud_features.ipynb", QUICKSTART,
                         "-o", build, "--group-id", "com.example")
    assert code == 0, err
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["artifact"]["artifact_id"] == "features"  # from the output directory
    assert [(n["name"], n["facade"]) for n in manifest["notebooks"]] == [
        ("customer_risk.ipynb", "com.example.features.CustomerRisk"),
        ("fraud_features.ipynb", "com.example.features.FraudFeatures"),
        ("quickstart.ipynb", "com.example.features.Quickstart")]
    assert {f["name"]: f["notebook"] for f in manifest["feature_sets"]}["enriched"] == \
        "quickstart.ipynb"
    assert "facade com.example.features.FraudFeatures (fraud_features.ipynb)" in out
    jar = build / "features-0.1.0.jar"
    names = set(zipfile.ZipFile(jar).namelist())
    assert {"com/example/features/CustomerRisk.class", "com/example/features/Quickstart.class",
            "com/example/features/FraudFeatures.class"} <= names

    pipeline = jvm.pipeline(jar, "features")
    results = {str(r.featureSet): (bool(r.passed), str(r.message))
               for r in pipeline.selfCheck(jvm.spark)}
    assert set(results) == {f["name"] for f in manifest["feature_sets"]}
    assert all(ok for ok, _ in results.values()), results

    jdk, jars = jvm_mod.find_jdk(), jvm_mod.spark_jars_dir()
    src = tmp_path / "src" / "com" / "example" / "Multi.java"
    src.parent.mkdir(parents=True)
    src.write_text(MULTI_MAIN)
    subprocess.run([str(jdk.javac), "--release", "17", "-cp", f"{jar}:{jars}/*", "-d",
                    str(tmp_path / "classes"), str(src)], check=True)
    data = NOTEBOOKS / "data"
    paths = {n: data / f"{n}.parquet" for n in ("customers", "transactions", "users")}
    run = subprocess.run([str(jdk.java), *jvm_mod.JAVA_MODULE_OPTIONS, "-cp",
                          f"{tmp_path / 'classes'}:{jar}:{jars}/*", "com.example.Multi",
                          str(paths["customers"]), str(paths["transactions"]),
                          str(tmp_path / "enriched")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for notebook, feature in ((CUSTOMER_RISK, "identity"), (QUICKSTART, "enriched")):
        lowered = transpile(notebook, Options())
        expected = notebook_results(lowered, notebook_engine(
            {t.name: paths[t.name] for t in lowered.features.inputs}))[feature]
        got = pq.read_table(tmp_path / feature)
        key = lambda r: r[got.column_names[0]]  # noqa: E731
        assert sorted(got.to_pylist(), key=key) == sorted(expected.to_pylist(), key=key)


def test_several_notebooks_bad_input(cli, tmp_path):
    from .conftest import SETUP, write_notebook

    a = write_notebook(tmp_path / "a.ipynb", [
        SETUP + "t = ibis.table({'x': 'int64'}, name='t')", "%%export\nsame = t.select('x')"])
    (tmp_path / "sub").mkdir()
    b = write_notebook(tmp_path / "sub" / "b.ipynb", [
        SETUP + "t = ibis.table({'x': 'int64'}, name='t')", "%%export\n\nsame = t.select('x')"])
    code, _, err = cli("build", a, b, "-o", tmp_path / "out")
    assert code == 2 and "OUT005" in err and "'same' is exported by a.ipynb (cell 2)" in err
    assert "sub/b.ipynb: cell 2 [cell-2], line 3" in err and "Traceback" not in err
    code, _, err = cli("build", a, QUICKSTART, "-o", tmp_path / "out", "--facade-class", "X")
    assert code == 2 and "OUT004" in err and "single notebook" in err
    code, _, err = cli("build", tmp_path / "sub", "-o", tmp_path / "out")
    assert code == 2 and "CLI001" in err and "--each" in err
    code, _, err = cli("build", a, a, "-o", tmp_path / "out")
    assert code == 2 and "named twice" in err
    # input errors of every notebook together: a broken one, a missing data file, a bad cell
    (tmp_path / "broken.ipynb").write_text("{ not json")
    c = write_notebook(tmp_path / "c.ipynb", [SETUP + "t = con.read_parquet('missing.parquet')",
                                              "%%export\nother = t.select('x')"])
    d = write_notebook(tmp_path / "d.ipynb", [SETUP + "t = ibis.table({'x': 'int64'}, name='t')",
                                              "%%export\nthird = t.select(y=t.x.foo())"])
    code, _, err = cli("build", tmp_path / "broken.ipynb", c, d, "-o", tmp_path / "out")
    assert code == 2 and "Traceback" not in err, err
    assert "broken.ipynb" in err and "missing.parquet" in err and "d.ipynb" in err, err
    assert not (tmp_path / "out").exists()
