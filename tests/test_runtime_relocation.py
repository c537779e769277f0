"""Two artifacts built by two nb2jvm versions in one Spark application: each carries its runtime
in a package of its own content hash, so on one flat class path each facade runs on the runtime
it was built with, and both give the notebook's rows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq

from transpiler.jvm import spark as jvm_mod
from transpiler.jvm.compile_server import compile_with
from transpiler.jvm.relocate import package_of, runtime_package
from transpiler.pipeline import Options, transpile
from transpiler.reference.compare import ComparisonPolicy
from transpiler.reference.engine import notebook_engine, notebook_results

from .conftest import NOTEBOOKS, ROOT

MAIN = """import com.example.customer_risk.CustomerRisk;
import com.example.quickstart.Quickstart;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

public final class Both {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("both")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    Quickstart.enriched(spark, Quickstart.Transactions.of(spark.read().parquet(args[0])))
        .write().mode("overwrite").parquet(args[2]);
    CustomerRisk.identity(spark, CustomerRisk.Customers.of(spark.read().parquet(args[1])))
        .write().mode("overwrite").parquet(args[3]);
    System.out.println("quickstart runtime: " + Quickstart.pipeline().getClass().getName());
    System.out.println("customer_risk runtime: " + CustomerRisk.pipeline().getClass().getName());
    for (Object p : new Object[] {Quickstart.pipeline(), CustomerRisk.pipeline()}) {
      try {
        p.getClass().getMethod("inputsOf", String.class).invoke(p, "nope");
      } catch (ReflectiveOperationException e) {
        System.out.println("message: " + e.getCause().getMessage());
      }
    }
    spark.stop();
  }
}
"""


def _older_nb2jvm(tmp_path: Path) -> Path:
    """A source checkout of nb2jvm whose runtime differs (as another version's would): its
    FeaturePipeline words a refusal differently."""
    old = tmp_path / "old-nb2jvm"
    for part in ("transpiler", "grammar", "runtime-jvm"):
        shutil.copytree(ROOT / part, old / part,
                        ignore=shutil.ignore_patterns("__pycache__", "target", "*.pyc"))
    src = old / "runtime-jvm/src/main/java/nb2jvm/runtime/FeaturePipeline.java"
    text = src.read_text()
    assert "' has no feature set '" in text
    src.write_text(text.replace("' has no feature set '", "' (older runtime) has no feature set '"))
    return old


def test_two_runtimes_on_one_class_path(cli, tmp_path):
    code, _, err = cli("build", NOTEBOOKS / "quickstart.ipynb", "-o", tmp_path / "a", "-q",
                       "--group-id", "com.example")
    assert code == 0, err
    old = _older_nb2jvm(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from transpiler.interfaces.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "build", str(NOTEBOOKS / "customer_risk.ipynb"),
         "-o", str(tmp_path / "b"), "-q", "--group-id", "com.example"],
        cwd=old, env={**os.environ, "PYTHONPATH": str(old)}, capture_output=True, text=True,
        timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    a, b = tmp_path / "a" / "quickstart-0.1.0.jar", tmp_path / "b" / "customer-risk-0.1.0.jar"
    ours, theirs = runtime_package(), package_of(old / "runtime-jvm/src/main/java")
    assert ours != theirs
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["runtime"] == {
        "package": theirs}
    # no class name in both jars with different bytes: nothing for the class path to pick,
    # except the online path's by-name entry points (nb2jvm.online.Main, OnlinePipeline: one
    # per nb2jvm version; the first on the class path sees its version's artifacts; the typed
    # API of each artifact lives in its own package; docs/online.md)
    by_version = {"nb2jvm/online/Main.class", "nb2jvm/online/OnlinePipeline.class"}
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        shared = {n for n in za.namelist() if n.endswith(".class")} & set(zb.namelist()) - \
            by_version
        assert all(za.read(n) == zb.read(n) for n in shared), sorted(shared)[:5]
        assert any(n.startswith(theirs.replace(".", "/") + "/") for n in zb.namelist())
        assert za.read("META-INF/MANIFEST.MF").decode().count(ours + ".Main") == 1
    classes = tmp_path / "classes"
    classes.mkdir()
    (tmp_path / "Both.java").write_text(MAIN)
    spark = os.pathsep.join(str(j) for j in sorted(jvm_mod.spark_jars_dir().glob("*.jar")))
    ok, detail = compile_with("java", ["--release", jvm_mod.JAVA_RELEASE, "-nowarn", "-cp",
                                       os.pathsep.join([str(a), str(b), spark]), "-d",
                                       str(classes), str(tmp_path / "Both.java")])
    assert ok, detail
    data = NOTEBOOKS / "data"
    outs = tmp_path / "enriched.parquet", tmp_path / "identity.parquet"
    done = subprocess.run(
        [str(jvm_mod.find_jdk().java), *jvm_mod.JAVA_MODULE_OPTIONS, "-cp",
         os.pathsep.join([str(classes), str(a), str(b), str(jvm_mod.spark_jars_dir() / "*")]),
         "Both", str(data / "transactions.parquet"), str(data / "customers.parquet"),
         *map(str, outs)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"quickstart runtime: {ours}.FeaturePipeline" in done.stdout
    assert f"customer_risk runtime: {theirs}.FeaturePipeline" in done.stdout
    messages = [ln for ln in done.stdout.splitlines() if ln.startswith("message: ")]
    assert len(messages) == 2 and "(older runtime)" not in messages[0] \
        and "(older runtime)" in messages[1], messages
    for notebook, name, out, inputs in (
            ("quickstart.ipynb", "enriched", outs[0], ("transactions",)),
            ("customer_risk.ipynb", "identity", outs[1], ("customers",))):
        lowered = transpile(NOTEBOOKS / notebook, Options())
        engine = notebook_engine({n: data / f"{n}.parquet" for n in inputs})
        want = notebook_results(lowered, engine)[name]
        result = ComparisonPolicy().compare(want, pq.read_table(out))
        assert result.equal, f"{name}: {result.message}"
