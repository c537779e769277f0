"""The runtime's semantics functions (Python's and DuckDB's) run in a plain JVM: only the
artifact jar and the JDK on the class path, no Spark (the ground the online path of issue #25
stands on).  Each value is judged by the engine whose semantics it implements, Python or DuckDB,
computed here, not copied from the Java."""

from __future__ import annotations

import subprocess
import zipfile

import duckdb

from tests.conftest import QUICKSTART
from transpiler.jvm.relocate import runtime_package
from transpiler.jvm.spark import find_jdk

# Classes that are Spark's glue by nature (they register UDFs, with Spark's types): the only ones
# allowed to need Spark to load.
SPARK_GLUE = {"UdfRegistry", "OnlineReplay"}

# (Java expression in the runtime's package, the reference value computed here)
CASES = [
    ("Py.floordiv(-7L, 2L)", str(-7 // 2)),
    ("Py.round(2.675, 2L)", repr(round(2.675, 2))),
    ("Py.round(-0.5)", str(round(-0.5))),
    ("PyStr.casefold(\"Straße ǅ\")", "Straße ǅ".casefold()),
    ("String.join(\"|\", PyStr.split(\" a  b \"))", "|".join(" a  b ".split())),
    ("DuckDbSubstring.substring(\"héllo wörld\", -5L, 3L)",
     duckdb.sql("SELECT substring('héllo wörld', -5, 3)").fetchone()[0]),
    ("Re2Split.split(\"a1b22c\", java.util.regex.Pattern.compile(\"[0-9]\")).toString()",
     "[" + ", ".join(duckdb.sql("SELECT regexp_split_to_array('a1b22c', '[0-9]')")
                     .fetchone()[0]) + "]"),
    ("Re2Replace.replace(\"aXbXc\", java.util.regex.Pattern.compile(\"X\"), \"-\")",
     duckdb.sql("SELECT regexp_replace('aXbXc', 'X', '-', 'g')").fetchone()[0]),
]

PROBE = """package {pkg};
import java.util.*;
import java.util.zip.*;
public final class SparkFreeProbe {{
  public static void main(String[] args) throws Exception {{
    try (ZipFile z = new ZipFile(args[0])) {{
      for (ZipEntry e : Collections.list(z.entries())) {{
        String n = e.getName();
        if (!n.startsWith("{path}/") || !n.endsWith(".class") || n.contains("$")) continue;
        String cls = n.substring(0, n.length() - 6).replace('/', '.');
        try {{
          Class.forName(cls, true, SparkFreeProbe.class.getClassLoader());
          System.out.println("loads " + cls.substring(cls.lastIndexOf('.') + 1));
        }} catch (Throwable t) {{
          System.out.println("fails " + cls.substring(cls.lastIndexOf('.') + 1) + " " + t);
        }}
      }}
    }}
{calls}
  }}
}}
"""


def test_the_semantics_functions_run_with_only_the_artifact_jar_and_the_jdk(cli, tmp_path):
    code, _, err = cli("build", QUICKSTART, "-o", tmp_path / "b", "-q")
    assert code == 0, err
    jar = tmp_path / "b" / "quickstart-0.1.0.jar"
    with zipfile.ZipFile(jar) as z:
        assert not [n for n in z.namelist() if n.startswith("org/apache/spark/")]
    pkg = runtime_package()
    calls = "\n".join(f'    System.out.println("case {i} " + ({expr}));'
                      for i, (expr, _) in enumerate(CASES))
    src = tmp_path / "probe" / pkg.replace(".", "/") / "SparkFreeProbe.java"
    src.parent.mkdir(parents=True)
    src.write_text(PROBE.format(pkg=pkg, path=pkg.replace(".", "/"), calls=calls),
                   encoding="utf-8")
    jdk = find_jdk()
    classes = tmp_path / "classes"
    compiled = subprocess.run([str(jdk.javac), "-encoding", "UTF-8", "-cp", str(jar), "-d",
                               str(classes), str(src)], capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr
    ran = subprocess.run([str(jdk.java), "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
                          "-cp", f"{jar}:{classes}", f"{pkg}.SparkFreeProbe", str(jar)],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    loaded = {ln.split()[1] for ln in lines if ln.startswith("loads ")}
    failed = {ln.split()[1]: ln for ln in lines if ln.startswith("fails ")}
    assert set(failed) <= SPARK_GLUE, failed
    assert {"Py", "PyStr", "PyFormat", "PyRe", "PyDate", "DuckDbCase", "DuckDbCast",
            "DuckDbRound", "DuckDbStrftime", "DuckDbStrptime", "DuckDbSubstring", "Re2Replace",
            "Re2Split"} <= loaded
    got = {int(ln.split()[1]): ln.split(" ", 2)[2] for ln in lines if ln.startswith("case ")}
    for i, (expr, expected) in enumerate(CASES):
        assert got[i] == expected, expr
