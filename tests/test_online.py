"""The online path (issue #25): each row-local feature set as a plain-Java row function in the
artifact, run with only the artifact jar and the JDK, judged against the notebook (DuckDB).

The differential table runs every case three ways (tests/test_differential.py::test_online_case);
here: a Java service's program on the typed and by-name APIs, the JSON-lines command line and
its bad input, the refusals and their reasons, a planted wrong rule, and the Scala-library
check of compiled UDFs."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import NOTEBOOKS, QUICKSTART, SETUP, notebook_rows, write_notebook
from transpiler.common.escape import java_string
from transpiler.jvm.online_run import read_jsonl, run_online, write_jsonl
from transpiler.jvm.relocate import runtime_package
from transpiler.jvm.spark import find_jdk
from transpiler.reference.compare import ComparisonPolicy

CUSTOMER_RISK = NOTEBOOKS / "customer_risk.ipynb"


@pytest.fixture(scope="module")
def customer_risk(tmp_path_factory):
    from transpiler.interfaces.cli import main

    out = tmp_path_factory.mktemp("cr") / "build"
    assert main(["build", str(CUSTOMER_RISK), "-o", str(out), "-q"]) == 0
    return out


def _jar(build):
    (jar,) = [p for p in build.glob("*.jar") if not p.name.endswith("-sources.jar")]
    return jar


def test_the_manifest_says_which_feature_sets_have_an_online_path(customer_risk):
    man = json.loads((customer_risk / "manifest.json").read_text())
    by_name = {f["name"]: f for f in man["feature_sets"]}
    assert man["online"]["feature_sets"] == ["identity"]
    assert by_name["identity"]["online"] is True
    assert by_name["risk"]["online"] is False
    assert "group-by" in by_name["risk"]["online_refused"]
    assert [c["name"] for c in by_name["identity"]["online_input"]["columns"]] == [
        "user_id", "full_name", "email", "card_number"]


JAVA_SERVICE = """import java.util.*;
import java.util.concurrent.*;
import nb2jvm.generated.customer_risk.CustomerRisk;
import nb2jvm.online.OnlinePipeline;

public final class Service {{
  public static void main(String[] args) throws Exception {{
    List<CustomerRisk.Online.IdentityInput> rows = new ArrayList<>();
{rows}
    OnlinePipeline pipeline = OnlinePipeline.load();
    StringBuilder typed = new StringBuilder(), byName = new StringBuilder();
    for (CustomerRisk.Online.IdentityInput in : rows) {{
      CustomerRisk.Online.IdentityRow r = CustomerRisk.Online.identity(in);
      line(typed, List.of("user_id", "email", "name", "card_ok"),
           Arrays.asList(r.userId(), r.email(), r.name(), r.cardOk()));
      Map<String, Object> m = new HashMap<>();
      m.put("user_id", in.userId()); m.put("full_name", in.fullName());
      m.put("email", in.email()); m.put("card_number", in.cardNumber());
      Map<String, Object> out = pipeline.evaluate("identity", m);
      line(byName, new ArrayList<>(out.keySet()), new ArrayList<>(out.values()));
    }}
    // the same rows from 4 threads at once: the row function shares no state
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<String>> runs = new ArrayList<>();
    for (int t = 0; t < 4; t++) runs.add(pool.submit(() -> {{
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < 200; k++) for (CustomerRisk.Online.IdentityInput in : rows) {{
        CustomerRisk.Online.IdentityRow r = CustomerRisk.Online.identity(in);
        if (k == 0) line(b, List.of("user_id", "email", "name", "card_ok"),
                         Arrays.asList(r.userId(), r.email(), r.name(), r.cardOk()));
      }}
      return b.toString();
    }}));
    for (Future<String> f : runs) {{
      if (!f.get().equals(typed.toString())) throw new AssertionError("threads differ");
    }}
    pool.shutdown();
    System.out.print(typed);
    System.out.print("--\\n");
    System.out.print(byName);
  }}

  static void line(StringBuilder b, List<String> names, List<Object> values) {{
    b.append('{{');
    for (int i = 0; i < names.size(); i++) {{
      if (i > 0) b.append(',');
      {rt}.OnlineJson.quote(b, names.get(i));
      b.append(':');
      {rt}.OnlineJson.write(b, values.get(i));
    }}
    b.append("}}\\n");
  }}
}}
"""


def _java_value(v):
    return "null" if v is None else f"{v}L" if isinstance(v, int) else java_string(v)


def test_a_java_service_computes_the_notebooks_rows_with_only_the_artifact_jar(customer_risk,
                                                                              tmp_path):
    jar = _jar(customer_risk)
    with zipfile.ZipFile(jar) as z:
        assert not [n for n in z.namelist() if n.startswith(("org/apache/spark/", "scala/"))]
    _, paths, expected = notebook_rows(CUSTOMER_RISK, tmp_path / "data")
    customers = pq.read_table(paths["customers"]).to_pylist()
    rows = "\n".join(
        "    rows.add(new CustomerRisk.Online.IdentityInput(" + ", ".join(
            _java_value(r[c]) for c in ("user_id", "full_name", "email", "card_number")) + "));"
        for r in customers)
    src = tmp_path / "src" / "Service.java"
    src.parent.mkdir()
    src.write_text(JAVA_SERVICE.format(rows=rows, rt=runtime_package()), encoding="utf-8")
    jdk = find_jdk()
    classes = tmp_path / "classes"
    done = subprocess.run([str(jdk.javac), "-encoding", "UTF-8", "-cp", str(jar), "-d",
                           str(classes), str(src)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ran = subprocess.run([str(jdk.java), "-cp", f"{jar}:{classes}", "Service"],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert ran.returncode == 0, ran.stderr
    typed, by_name = ran.stdout.split("--\n")
    assert typed == by_name
    out = tmp_path / "typed.jsonl"
    out.write_text(typed, encoding="utf-8")
    got = read_jsonl(out, [("user_id", "bigint"), ("email", "string"), ("name", "string"),
                           ("card_ok", "boolean")])
    result = ComparisonPolicy().compare(expected["identity"], got)
    assert result.equal, result.message
    assert result.rows_compared == len(customers) > 0


def test_the_command_line_computes_the_quickstart_rows(tmp_path, cli):
    code, _, err = cli("build", QUICKSTART, "-o", tmp_path / "b", "-q")
    assert code == 0, err
    lowered, paths, expected = notebook_rows(QUICKSTART, tmp_path / "data")
    man = json.loads((tmp_path / "b" / "manifest.json").read_text())
    (entry,) = [f for f in man["feature_sets"] if f["name"] == "enriched"]
    rows, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(pq.read_table(paths["transactions"]),
                [c["name"] for c in entry["online_input"]["columns"]], rows)
    run_online(find_jdk().java, _jar(tmp_path / "b"), "enriched", "transactions", rows, out)
    got = read_jsonl(out, [(c["name"], c["spark_type"]) for c in entry["online_columns"]])
    result = ComparisonPolicy().compare(expected["enriched"], got)
    assert result.equal and result.rows_compared > 100, result.message


@pytest.fixture(scope="module")
def values_build(tmp_path_factory):
    """A row-local feature set over the awkward values of each JSON form."""
    from transpiler.interfaces.cli import main

    folder = tmp_path_factory.mktemp("values")
    pq.write_table(pa.table({
        "f": pa.array([math.nan, math.inf, -math.inf, -0.0, 1e-300, None], pa.float64()),
        "s": pa.array(['"q" \\ \n', "😀 e\u0301", "\u2028", "", None, "x"]),
        "ts": pa.array([dt.datetime(2024, 3, 10, 2, 30, 0, 1), dt.datetime(1969, 12, 31, 23, 59,
                                                                           59, 999999),
                        None, dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59),
                        dt.datetime(2000, 2, 29)], pa.timestamp("us")),
        "i": pa.array([0, -1, 2**62, None, 7, -(2**63)], pa.int64()),
    }), folder / "t.parquet")
    nb = write_notebook(folder / "values.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\nv = t.select('f', 's', 'ts', 'i', d=t.ts.date(), w=t.s.split(' '))"])
    assert main(["build", str(nb), "-o", str(folder / "b"), "-q"]) == 0
    return folder


def test_each_json_form_round_trips_through_the_online_path(values_build, tmp_path):
    jar = _jar(values_build / "b")
    rows, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    table = pq.read_table(values_build / "t.parquet")
    write_jsonl(table, ["f", "s", "ts", "i"], rows)
    run_online(find_jdk().java, jar, "v", "t", rows, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["f"] == "NaN" and first["ts"] == "2024-03-10T02:30:00.000001"
    assert first["d"] == "2024-03-10" and first["s"] == '"q" \\ \n'
    assert [json.loads(x)["f"] for x in lines[1:4]] == ["Infinity", "-Infinity", -0.0]
    assert math.copysign(1, json.loads(lines[3])["f"]) == -1  # the sign of -0.0 survives
    got = read_jsonl(out, [("f", "double"), ("s", "string"), ("ts", "timestamp"),
                           ("i", "bigint"), ("d", "date"), ("w", "array<string>")])
    assert got.column("s").to_pylist() == table.column("s").to_pylist()
    assert got.column("ts").to_pylist() == table.column("ts").to_pylist()
    assert got.column("i").to_pylist() == table.column("i").to_pylist()
    assert got.column("w").to_pylist()[1] == ["😀", "e\u0301"]


BAD_INPUT = [  # (line of input, what the message must say)
    ('{"f": 1.5, "i": 1.5}', "not a whole number"),
    ('{"f": 1.5, "i": 99999999999999999999}', "column \"i\""),
    ('{"f": "1.5"}', "column \"f\""),
    ('{"nope": 1}', "no input column \"nope\""),
    ('{"f": 1.5', "expected"),
    ('[1, 2]', "a JSON object"),
    ('{"ts": "2024-13-01T00:00:00"}', "column \"ts\""),
    ('{"s": 5}', "column \"s\""),
    ('{"f": 1, "f": 2}', "twice"),
    ('{"f": ' + "[" * 200 + "]" * 200 + "}", "nesting"),
]


@pytest.mark.parametrize("line,says", BAD_INPUT)
def test_bad_input_is_exit_2_with_file_and_line_and_no_output(values_build, tmp_path, line, says):
    jar = _jar(values_build / "b")
    rows, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows.write_text('{"f": 1.0}\n' + line + "\n", encoding="utf-8")
    out.write_text("before\n")
    done = subprocess.run([str(find_jdk().java), "-cp", str(jar), "nb2jvm.online.Main",
                           "--feature", "v", "--input", f"t={rows}", "--output", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"{rows}:2: " in done.stderr and says in done.stderr, done.stderr
    assert "Exception" not in done.stderr and "\tat " not in done.stderr
    assert out.read_text() == "before\n"  # untouched: nothing half-written
    assert not (tmp_path / "out.jsonl.partial").exists()


@pytest.mark.parametrize("args,code,says", [
    (["--help"], 0, "usage: java -cp ARTIFACT.jar nb2jvm.online.Main"),
    (["--list"], 0, "v\tt\t[f, s, ts, i]"),
    (["--feature", "nope", "--input", "t=x", "--output", "o"], 2, "no online path for feature"),
    (["--feature", "v", "--input", "u=x", "--output", "o"], 2, "pass --input t=FILE.jsonl"),
    (["--feature", "v"], 2, "--feature and --output are required"),
    (["--bogus", "1"], 2, "unknown option --bogus"),
])
def test_the_command_line_says_how_it_is_used(values_build, args, code, says):
    done = subprocess.run([str(find_jdk().java), "-cp", str(_jar(values_build / "b")),
                           "nb2jvm.online.Main", *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == code
    assert says in done.stdout + done.stderr


REFUSALS = [  # (exported cell over t, what the online refusal says); None: it has one
    ("t.filter(t.i > 0).mutate(r=t.s.upper())", None),
    ("t.group_by('s').aggregate(n=t.i.sum())", "group-by"),
    ("t.mutate(r=ibis.row_number().over(order_by='i'))", "window"),
    ("t.order_by('i').limit(3)", "limit"),
    ("t.select('s').distinct()", "DISTINCT"),
    ("t.select('s').union(t.select('s'))", "UNION"),
    ("t.join(t.view(), 'i')", "a lookup the caller passes"),
    ("t.left_join(ibis.memtable({'i': [1], 'w': [2]}), 'i')", None),
    ("t.left_join(ibis.memtable({'s': ['a', 'b', 'a'], 'w': [1, 2, 3]}), 's')",
     "two rows with one join key"),
    ("t.left_join(ibis.memtable({'x': [0.0, 1.5], 'w': [1, 2]}), 'x')", "double"),
    ("t.cross_join(ibis.memtable({'w': [1, 2]}))", "cross join"),
    ("t.outer_join(ibis.memtable({'i': [1], 'w': [2]}), 'i')", "LEFT and INNER joins"),
    ("t.select(r=t.i * 0.1)", "decimal"),
    ("t.select(r=t.ts.second())", "EXTRACT(SECOND)"),
]


@pytest.mark.parametrize("cell,says", REFUSALS)
def test_what_is_not_row_local_is_refused_with_the_reason(tmp_path, cell, says):
    from transpiler.artifact.online_source import plan
    from transpiler.pipeline import Options, transpile

    pq.write_table(pa.table({"i": [1, 2], "s": ["a", "b"], "x": [-0.0, 1.5],
                             "ts": pa.array([dt.datetime(2024, 1, 1)] * 2, pa.timestamp("us"))}),
                   tmp_path / "t.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [SETUP + 't = con.read_parquet("t.parquet")',
                                                f"%%export\nf = {cell}"])
    lowered = transpile(nb, Options())
    assert [lf.name for lf in lowered.lowered] == ["f"]
    from transpiler.artifact.package import spark_input_type

    inputs = {t.name: tuple((c, spark_input_type(d)) for c, d in t.schema.items())
              for t in lowered.features.inputs}
    online, refused = plan([lowered], runtime_package(), True, [inputs])
    if says is None:
        assert [f.name for _, f in online] == ["f"] and not refused
    else:
        assert not online and says.lower() in refused["f"].lower(), refused


def test_a_planted_wrong_online_rule_is_caught_by_verify(tmp_path, monkeypatch, jvm):
    """Make LN compute log10 on the online path: verify --online must say mismatch, while the
    batch path (Spark) stays conformant."""
    from transpiler.lowering import online
    from transpiler.pipeline import Options
    from transpiler.verify import verify

    pq.write_table(pa.table({"f": [1.0, 2.5, 10.0, None]}), tmp_path / "t.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [SETUP + 't = con.read_parquet("t.parquet")',
                                                "%%export\nf = t.select(r=(t.f + 1).ln())"])
    monkeypatch.setitem(online.CALLS, "Ln", (("double",), "double", "log10"))
    (v,) = verify(nb, Options(), online=True).feature_sets
    assert v.status == "conformant", v.message
    assert v.online == "mismatch" and "JVM (online)" in v.online_message, v.online_message


def test_udfs_that_need_scalas_library_are_refused_for_the_online_path(tmp_path, cli):
    pq.write_table(pa.table({"s": ["a1b", "xyz", None]}), tmp_path / "t.parquet")
    nb = write_notebook(tmp_path / "nb.ipynb", [
        SETUP + 't = con.read_parquet("t.parquet")',
        "%%export\n@ibis.udf.scalar.python\ndef letters(s: str) -> str:\n"
        "    return ''.join([c for c in s if c.isalpha()])\n\n\nf = t.select(r=letters(t.s))"])
    code, _, err = cli("build", nb, "-o", tmp_path / "b", "-q")
    assert code == 0, err
    (entry,) = json.loads((tmp_path / "b" / "manifest.json").read_text())["feature_sets"]
    assert entry["online"] is False and "Scala's library" in entry["online_refused"]


def test_verify_online_on_the_command_line(cli, tmp_path):
    code, out, err = cli("verify", CUSTOMER_RISK, "--online", "--report", tmp_path / "r.json")
    assert code == 0, out + err
    assert "online: conformant" in out and "online: refused" in out
    assert "online path: 1 conformant, 1 refused" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert {f["name"]: f["online"] for f in report["feature_sets"]} == {
        "identity": "conformant", "risk": "refused"}


def test_two_artifacts_on_one_class_path_are_both_found_and_a_clash_is_named(tmp_path, cli):
    for notebook, out, artifact in ((QUICKSTART, "qs", "quickstart"),
                                    (CUSTOMER_RISK, "cr", "customer-risk"),
                                    (QUICKSTART, "qs2", "quickstart-copy")):
        code, _, err = cli("build", notebook, "-o", tmp_path / out, "--artifact-id", artifact,
                           "-q")
        assert code == 0, err
    java = str(find_jdk().java)
    both = f"{_jar(tmp_path / 'qs')}:{_jar(tmp_path / 'cr')}"
    listed = subprocess.run([java, "-cp", both, "nb2jvm.online.Main", "--list"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert [ln.split("\t")[0] for ln in listed.stdout.splitlines()] == ["enriched", "identity"]
    clash = f"{_jar(tmp_path / 'qs')}:{_jar(tmp_path / 'qs2')}"
    done = subprocess.run([java, "-cp", clash, "nb2jvm.online.Main", "--feature", "enriched",
                           "--input", "transactions=x.jsonl", "--output", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "is in two artifacts on the class path" in done.stderr


def test_the_readmes_java_service_example_compiles_and_runs_with_the_jar_alone(tmp_path, cli):
    import re

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Online serving", 1)[1].split("\n## ", 1)[0]
    (java,) = re.findall(r"```java\n(.*?)```", section, re.S)
    code, _, err = cli("build", CUSTOMER_RISK, "-o", tmp_path / "cr", "--group-id",
                       "com.example.features", "--artifact-id", "customer-risk", "--version",
                       "1.0.0", "-q")
    assert code == 0, err
    jar = tmp_path / "cr" / "customer-risk-1.0.0.jar"
    src = tmp_path / "src" / "Scoring.java"
    src.parent.mkdir()
    src.write_text(java, encoding="utf-8")
    jdk = find_jdk()
    done = subprocess.run([str(jdk.javac), "-encoding", "UTF-8", "-cp", str(jar), "-d",
                           str(tmp_path / "classes"), str(src)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ran = subprocess.run([str(jdk.java), "-cp", f"{jar}:{tmp_path / 'classes'}", "Scoring"],
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    # the notebook's own functions, run here in Python (the repository's example notebook)
    cell = next(c for c in json.loads(CUSTOMER_RISK.read_text())["cells"]
                if "def luhn_valid" in "".join(c["source"]))
    source = "".join(cell["source"]).replace("%%export", "").split("\nidentity =")[0]
    namespace = {"ibis": __import__("ibis")}
    exec(source.replace("@ibis.udf.scalar.python", ""), namespace)  # our own example cell
    want = (namespace["normalize_email"]("Ann.Lee+promo@gmail.com") + " "
            + namespace["name_key"]("Ann Lee") + " "
            + str(namespace["luhn_valid"]("4539 1488 0343 6467")).lower())
    assert ran.stdout.strip() == want
