"""The caller's SparkSession stays the caller's: a service whose session is not UTC and not ANSI
gets the notebook's results (the feature sets run in a session derived from its own, with the
settings the SQL was lowered for) and keeps its settings, temporary views and cache."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from transpiler.pipeline import Options, transpile
from transpiler.reference.compare import ComparisonPolicy

from .conftest import NOTEBOOKS, notebook_rows

# Time zones where an hour of a timestamp, a day boundary and a 24-hour window all move.
CALLERS = [("America/Los_Angeles", "false"), ("Asia/Kolkata", "false"), ("UTC", "false"),
           ("Pacific/Chatham", "true")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from transpiler.interfaces.cli import main

    out = tmp_path_factory.mktemp("caller")
    code = main(["build", str(NOTEBOOKS / "fraud_features.ipynb"),
                 str(NOTEBOOKS / "quickstart.ipynb"), "-o", str(out / "b"), "-q"])
    assert code == 0
    return out


def _caller(jvm, zone: str, ansi: str):
    session = jvm.spark.newSession()
    session.conf().set("spark.sql.session.timeZone", zone)
    session.conf().set("spark.sql.ansi.enabled", ansi)
    return session


@pytest.mark.jvm
@pytest.mark.parametrize("zone,ansi", CALLERS)
def test_a_caller_session_with_other_settings_gets_the_notebooks_rows(jvm, built, zone, ansi):
    manifest = json.loads((built / "b" / "manifest.json").read_text())
    pipeline = jvm.pipeline(built / "b" / "b-0.1.0.jar", manifest["artifact"]["artifact_id"])
    caller = _caller(jvm, zone, ansi)
    caller.sql("CREATE TEMPORARY VIEW mine AS SELECT 1 AS one")
    HashMap = jvm.jpype.JClass("java.util.LinkedHashMap")
    for notebook in ("fraud_features.ipynb", "quickstart.ipynb"):
        work = built / f"{zone.replace('/', '_')}-{notebook}"
        lowered, inputs, expected = notebook_rows(NOTEBOOKS / notebook, work)
        for lf in lowered.lowered:
            paths = HashMap()
            for name, path in inputs.items():
                paths.put(name, str(path))
            out = work / f"out-{lf.name}"
            pipeline.runParquet(caller, lf.name, paths, str(out))
            result = ComparisonPolicy().compare(expected[lf.name], pq.read_table(out),
                                                ordered=lf.ordered, unordered=lf.unordered)
            assert result.equal, f"{zone} {lf.name}: {result.message}"
    # the caller's own settings and views are as they were; nb2jvm's views are gone
    assert str(caller.conf().get("spark.sql.session.timeZone")) == zone
    assert str(caller.conf().get("spark.sql.ansi.enabled")) == ansi
    assert [str(t.name()) for t in caller.catalog().listTables().collectAsList()] == ["mine"]
    assert not [t for t in caller.catalog().listTables("global_temp").collectAsList()
                if str(t.name()).startswith("nb2jvm_")]


@pytest.mark.jvm
def test_the_self_check_passes_in_a_caller_session_and_leaves_it_alone(jvm, built):
    manifest = json.loads((built / "b" / "manifest.json").read_text())
    pipeline = jvm.pipeline(built / "b" / "b-0.1.0.jar", manifest["artifact"]["artifact_id"])
    caller = _caller(jvm, "America/Los_Angeles", "false")
    results = [(str(r.featureSet), bool(r.passed), str(r.message))
               for r in pipeline.selfCheck(caller)]
    assert results and all(ok for _, ok, _ in results), results
    assert str(caller.conf().get("spark.sql.session.timeZone")) == "America/Los_Angeles"
    assert str(caller.conf().get("spark.sql.ansi.enabled")) == "false"


@pytest.mark.jvm
def test_each_artifact_runs_in_its_own_session_derived_from_the_callers(jvm, built, tmp_path):
    """One derived session per caller session and artifact (so two artifacts never share a
    registered function name), on the caller's cluster, with the caller's tuning copied."""
    manifest = json.loads((built / "b" / "manifest.json").read_text())
    pipeline = jvm.pipeline(built / "b" / "b-0.1.0.jar", manifest["artifact"]["artifact_id"])
    from transpiler.interfaces.cli import main

    assert main(["build", str(NOTEBOOKS / "quickstart.ipynb"), "-o", str(tmp_path / "q"),
                 "-q"]) == 0
    other_artifact = jvm.pipeline(tmp_path / "q" / "quickstart-0.1.0.jar", "quickstart")
    caller = _caller(jvm, "UTC", "true")
    caller.conf().set("spark.sql.shuffle.partitions", "3")
    tx = str(NOTEBOOKS / "data" / "transactions.parquet")
    Map = jvm.jpype.JClass("java.util.Map")
    first = pipeline.run(caller, "enriched", Map.of("transactions", caller.read().parquet(tx)))
    derived = first.sparkSession()
    assert derived != caller and derived.sparkContext() == caller.sparkContext()
    assert str(derived.conf().get("spark.sql.shuffle.partitions")) == "3"  # the caller's
    again = pipeline.run(caller, "enriched", Map.of("transactions", caller.read().parquet(tx)))
    assert again.sparkSession() == derived  # derived once per caller session
    caller.conf().set("spark.sql.shuffle.partitions", "5")  # re-tuned: followed on the next run
    assert str(pipeline.run(caller, "enriched", Map.of("transactions", caller.read().parquet(
        tx))).sparkSession().conf().get("spark.sql.shuffle.partitions")) == "5"
    # a setting that changes what a query means is not followed (a quoted name stays a name)
    caller.conf().set("spark.sql.parser.quotedRegexColumnNames", "true")
    assert pipeline.run(caller, "enriched", Map.of("transactions", caller.read().parquet(
        tx))).count() == 234
    theirs = other_artifact.run(caller, "enriched",
                                Map.of("transactions", caller.read().parquet(tx)))
    assert theirs.sparkSession() not in (caller, derived)  # another artifact, another session
    assert first.count() == theirs.count() == 234
    assert str(caller.conf().get("spark.sql.shuffle.partitions")) == "5"


@pytest.mark.jvm
def test_an_overflow_raises_in_a_non_ansi_caller_session(jvm, tmp_path):
    """DuckDB raises on an int64 overflow; Spark raises only under ANSI, and a non-ANSI caller
    session would wrap around silently if the SQL ran in it."""
    import pyarrow as pa

    from transpiler.artifact.package import package

    from .conftest import SETUP, write_notebook

    pq.write_table(pa.table({"a": pa.array([1, 2**62], pa.int64())}), tmp_path / "t.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [SETUP + 't = con.read_parquet("t.parquet")',
                                                "%%export\nf = t.mutate(b=t.a + t.a + t.a)"])
    artifact = package(transpile(nb, Options()), tmp_path / "build")
    pipeline = jvm.pipeline(artifact.jar, artifact.coordinates.artifact_id)
    caller = _caller(jvm, "UTC", "false")
    Map = jvm.jpype.JClass("java.util.Map")
    rows = pipeline.run(caller, "f", Map.of("t", caller.read().parquet(str(tmp_path / "t.parquet"))))
    with pytest.raises(jvm.jpype.JException) as caught:
        rows.collectAsList()
    assert "ARITHMETIC_OVERFLOW" in str(caught.value)
    wrapped = caller.sql("SELECT CAST(4611686018427387904 AS BIGINT) * 3 AS b").collectAsList()
    assert int(wrapped[0].getLong(0)) < 0  # the caller's own SQL still wraps: its setting
