"""Compile generated Scala with the Scala compiler that ships in the pyspark wheel's jars.

No network and no separate Scala install: ``scala-compiler``, ``scala-library`` and
``scala-reflect`` are among Spark's jars.  Classes are cached by the hash of the source, the
compiler version and the runtime library, so a rebuild with nothing changed compiles nothing.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from .errors import EnvironmentProblem, JvmError, error
from .jvm import find_jdk, runtime_classes, spark_jars_dir
from .paths import cached_dir

# What the generated code is compiled against: Spark's Java UDF interfaces and the runtime.
CLASSPATH_JARS = ("spark-sql-api_*.jar", "scala-library-*.jar")


def _jar(pattern: str) -> Path:
    found = sorted(spark_jars_dir().glob(pattern))
    if not found:
        raise error("SCALA001", f"no {pattern} among the pyspark jars ({spark_jars_dir()})",
                    cls=EnvironmentProblem)
    return found[-1]


def scala_version() -> str:
    match = re.search(r"scala-compiler-(.+)\.jar$", _jar("scala-compiler-*.jar").name)
    return match.group(1) if match else "?"


def compile_scala(source: str, name: str = "Udfs.scala") -> Path:
    """Compile one Scala source; return the directory of its classes (cached, read-only use)."""
    jdk = find_jdk()
    runtime = runtime_classes()
    digest = hashlib.sha256()
    for part in (source, scala_version(), jdk.version, runtime.name):
        digest.update(part.encode() + b"\0")
    from .compile_server import compile_with, compiler_classpath

    def build(classes: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="scalac-") as src:
            (Path(src) / name).write_text(source, encoding="utf-8")
            user_cp = ":".join([str(runtime), *(str(_jar(p)) for p in CLASSPATH_JARS)])
            args = ["-nowarn", "-encoding", "UTF-8", "-release", "17", "-d", str(classes),
                    "-cp", user_cp, str(Path(src) / name)]
            cold = [str(jdk.java), "-Xss8m", "-cp", compiler_classpath(),
                    "scala.tools.nsc.Main", *args]
            ok, detail = compile_with("scala", args, cold)
        if not ok:
            detail = detail.strip()
            hint = ("a UDF compiled to a method over the JVM's 64 KB limit: split it into helper "
                    "functions" if "too large" in detail.lower() else None)
            raise error("SCALA002", "scalac failed on the generated Scala (an nb2jvm bug unless "
                        "the hint says otherwise):\n" + detail[-3000:], hint=hint, cls=JvmError)
    return cached_dir(f"scala-{digest.hexdigest()[:16]}", build)
