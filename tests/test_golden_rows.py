"""The self-check's golden rows hold no customer data: generated from each input's schema by
default (every value of every data file is looked for in the built jars and not found), the
real first rows only with ``--golden-from-data`` (then found, and said so); and the artifact's
self-check passes on generated rows wherever ``verify`` calls a feature set conformant."""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from transpiler.reference.edge_cases import edge_values

from .conftest import NOTEBOOKS, verify_cells

EXAMPLES = ["quickstart.ipynb", "customer_risk.ipynb", "fraud_features.ipynb"]
DATA = NOTEBOOKS / "data"
SMALL_INT = 200  # keys and counts any generator produces: not evidence of a leak


def _flat(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _flat(v)
    elif isinstance(value, list):
        for v in value:
            yield from _flat(v)
    else:
        yield value


def _data_values() -> dict:
    """Every value of every example data file, with the column it is in."""
    out = {}
    for path in sorted(DATA.glob("*.parquet")):
        table = pq.read_table(path)
        for name in table.column_names:
            for v in table.column(name).to_pylist():
                for x in _flat(v):
                    out.setdefault(_key(x), f"{path.name}:{name}")
    return out


def _key(value):
    return ("nan",) if isinstance(value, float) and math.isnan(value) else (type(value), value)


def _notebook_text(notebook: Path) -> str:
    nb = json.loads(notebook.read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _innocent(key, text: str) -> bool:
    """NULL, booleans, small integers, the edge-case generator's constants, and the notebook's
    own literals (a value the notebook spells out is not customer data)."""
    if key == ("nan",):
        return True
    kind, value = key
    if value is None or kind is bool:
        return True
    if kind in (int, float) and float(value).is_integer() and abs(value) <= SMALL_INT:
        return True
    import ibis.expr.datatypes as dt
    for t in (dt.int64, dt.float64, dt.string, dt.timestamp, dt.date, dt.boolean):
        if any(value == e and type(e) is kind for e in edge_values(t)):
            return True
    if kind is str:
        return f'"{value}"' in text or f"'{value}'" in text
    if kind in (int, float):
        return re.search(rf"(?<![\w.]){re.escape(repr(value))}(?![\w.])", text) is not None
    return False


def _leaks(build: Path, notebook: Path) -> list[str]:
    """Data values found in the build's jars: every value of every golden input, decoded; the
    strings of the golden outputs (their numbers are arithmetic on the generated inputs: 5.09 *
    0.92 may round to an amount of the data without anything leaking); and as bytes (every
    string of four characters or more) in every other entry but the runtime's own (fixed
    code, the same in every jar: "travel" in a comment there is no leak)."""
    text = _notebook_text(notebook)
    data = {k: where for k, where in _data_values().items() if not _innocent(k, text)}
    strings = {k[1].encode(): where for k, where in data.items()
               if k[0] is str and len(k[1]) >= 4}
    found = []
    for jar in sorted(build.glob("*.jar")):
        with zipfile.ZipFile(jar) as z:
            for entry in z.namelist():
                if entry.startswith("nb2jvm/runtime/"):
                    continue
                blob = z.read(entry)
                if entry.endswith(".parquet"):
                    table = pq.read_table(io.BytesIO(blob))
                    for name in table.column_names:
                        for v in table.column(name).to_pylist():
                            for x in _flat(v):
                                if _key(x) in data and (
                                        "/input-" in entry or isinstance(x, str)):
                                    found.append(f"{jar.name}!{entry} column {name}: {x!r} "
                                                 f"(from {data[_key(x)]})")
                else:
                    found += [f"{jar.name}!{entry}: {s!r} (from {where})"
                              for s, where in strings.items() if s in blob]
    return found


@pytest.mark.parametrize("notebook", EXAMPLES)
def test_no_value_of_the_input_files_is_in_the_built_jars(cli, tmp_path, notebook):
    path = NOTEBOOKS / notebook
    code, _, err = cli("build", path, "-o", tmp_path / "b", "-q")
    assert code == 0, err
    assert "warning: the golden rows" not in err
    check = json.loads((tmp_path / "b" / "manifest.json").read_text())["self_check"]
    assert check["source"] == "generated" and "warning" not in check
    assert check["feature_sets"] and not check["skipped"], check
    assert _leaks(tmp_path / "b", path) == []


def test_golden_from_data_puts_the_data_in_and_says_so(cli, tmp_path):
    """The scan above finds a leak when there is one (the test can fail), and the opt-in is
    loud: on stderr (also with -q) and in the manifest."""
    path = NOTEBOOKS / "customer_risk.ipynb"
    code, _, err = cli("build", path, "-o", tmp_path / "b", "-q", "--golden-from-data")
    assert code == 0, err
    assert "warning: the golden rows are the first rows of the real inputs" in err
    check = json.loads((tmp_path / "b" / "manifest.json").read_text())["self_check"]
    assert check["source"] == "data" and "customer data" in check["warning"]
    leaks = _leaks(tmp_path / "b", path)
    assert any("customers.parquet:email" in f for f in leaks), leaks[:5]
    assert any("customers.parquet:full_name" in f for f in leaks), leaks[:5]


def test_generated_rows_reach_the_interesting_paths(cli, tmp_path):
    """Joins meet, filters on the notebook's literals pass, string shapes survive (e-mails keep
    their @): the golden rows exercise the features, not only NULL paths."""
    code, _, err = cli("build", NOTEBOOKS / "fraud_features.ipynb", NOTEBOOKS /
                       "quickstart.ipynb", NOTEBOOKS / "customer_risk.ipynb",
                       "-o", tmp_path / "b", "-q")
    assert code == 0, err
    z = zipfile.ZipFile(tmp_path / "b" / "b-0.1.0.jar")
    out = {}
    for entry in z.namelist():
        m = re.search(r"golden/(?:(\d)/)?(input|output)-(\w+)(\.plain)?\.parquet$", entry)
        if m:  # inputs under golden/<k>/ for the k-th notebook; outputs by feature set
            key = (m[2], m[3]) if m[2] == "output" else (m[2], m[3], int(m[1]))
            out.setdefault(key, pq.read_table(io.BytesIO(z.read(entry))))
    assert out[("output", "user_profile")].num_rows >= 10  # the join to users meets
    enriched = out[("output", "enriched")]
    assert enriched.num_rows >= 50
    assert {"USD", "GBP"} <= set(out[("input", "transactions", 2)].column("currency").to_pylist())
    emails = [e for e in out[("input", "customers", 3)].column("email").to_pylist() if e]
    assert sum("@" in e for e in emails) >= len(emails) // 3
    identity = out[("output", "identity")]
    assert sum(bool(e) for e in identity.column("email").to_pylist()) >= 20


def test_the_same_notebook_gives_the_same_golden_rows(cli, tmp_path):
    for run in ("a", "b"):
        code, _, err = cli("build", NOTEBOOKS / "fraud_features.ipynb", "-o", tmp_path / run,
                           "-q")
        assert code == 0, err
    jar = "fraud-features-0.1.0.jar"
    assert (tmp_path / "a" / jar).read_bytes() == (tmp_path / "b" / jar).read_bytes()


@pytest.mark.jvm
def test_self_check_on_generated_rows_agrees_with_verify_on_generated_pipelines(
        cli, jvm, tmp_path):
    """Forty generated relational pipelines (windows, offsets, as_scalar, IN subqueries, wide
    sums): each feature set that ``verify`` calls conformant and that has golden rows passes
    its self-check; most of them have golden rows."""
    from .test_relational_generated import lookup, pipelines, table

    cases = pipelines()
    verdicts = verify_cells(tmp_path, {"t": table(), "u": lookup()},
                            [f"{name} = {code}" for name, code in cases])
    code, _, err = cli("build", tmp_path / "nb.ipynb", "-o", tmp_path / "b", "-q")
    assert code == 0, err
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    recorded = manifest["self_check"]["feature_sets"]
    assert len(recorded) >= len(cases) * 2 // 3, manifest["self_check"]["skipped"]
    jar = next((tmp_path / "b").glob("*-0.1.0.jar"))
    results = {str(r.featureSet): (bool(r.passed), str(r.message))
               for r in jvm.pipeline(jar, manifest["artifact"]["artifact_id"]).selfCheck(
                   jvm.spark)}
    assert set(results) == set(recorded)
    wrong = {n: results[n] for n in recorded
             if verdicts[n].status == "conformant" and not results[n][0]}
    assert wrong == {}


@pytest.mark.jvm
@pytest.mark.parametrize("revert", ["in_subquery", "nth_frame", "window_first_last"])
def test_a_wrong_rule_fails_the_self_check_on_generated_rows(cli, jvm, tmp_path, monkeypatch,
                                                             revert):
    """The generated golden rows are adversarial enough to catch a planted wrong rule (ibis's
    own Spark rules, which differ from DuckDB on NULLs and frames)."""
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    from transpiler.lowering.spark_compiler import Nb2jvmSparkCompiler

    from .conftest import SETUP, write_notebook
    from .test_relational_generated import lookup, pipelines, table

    rules = {"in_subquery": (("visit_InSubquery",), "(u.g)"),
             "nth_frame": (("visit_WindowFunction",), ".nth("),
             "window_first_last": (("visit_LastValue", "visit_FirstValue"), "().over(ibis.window(")}
    names, marker = rules[revert]
    for name in names:
        monkeypatch.setattr(Nb2jvmSparkCompiler, name, getattr(PySparkCompiler, name))
    cases = [(n, c) for n, c in pipelines() if marker in c]
    for name, data in (("t", table()), ("u", lookup())):
        pq.write_table(data, tmp_path / f"{name}.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")\nu = con.read_parquet("u.parquet")'] +
        [f"%%export\n{n} = {c}" for n, c in cases])
    code, _, err = cli("build", nb, "-o", tmp_path / "b", "-q")
    assert code == 0, err
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    jar = next((tmp_path / "b").glob("*-0.1.0.jar"))
    results = [(str(r.featureSet), bool(r.passed)) for r in
               jvm.pipeline(jar, manifest["artifact"]["artifact_id"]).selfCheck(jvm.spark)]
    assert results and not all(ok for _, ok in results), results
