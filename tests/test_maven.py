"""Real Maven on the JVM side: the runtime builds with `mvn` against Spark from Maven Central, and
every version that Maven, pip and the generated pom name is the same one."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import tomllib
import xml.etree.ElementTree as ET
import zipfile

from transpiler.jvm import spark as jvm_mod
from transpiler.jvm.relocate import runtime_package

from . import maven
from .conftest import ROOT

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
RUNTIME_POM = ROOT / "runtime-jvm" / "pom.xml"
OFFLINE = r"mvn[^`]* -o\b|<scope>system</scope>|systemPath|--offline"


def _pom() -> ET.Element:
    return ET.parse(RUNTIME_POM).getroot()


def test_versions_agree_everywhere():
    """pyspark (pip), the runtime's pom, the generated pom and the test poms name one Spark."""
    assert importlib.metadata.version("pyspark") == jvm_mod.SPARK_VERSION
    assert (jvm_mod.spark_jars_dir() / f"spark-sql_{jvm_mod.SCALA_BINARY}-"
            f"{jvm_mod.SPARK_VERSION}.jar").is_file()
    pom = _pom()
    props = pom.find("m:properties", POM_NS)
    assert props.find("m:spark.version", POM_NS).text == jvm_mod.SPARK_VERSION
    assert props.find("m:scala.binary.version", POM_NS).text == jvm_mod.SCALA_BINARY
    assert props.find("m:maven.compiler.release", POM_NS).text == jvm_mod.JAVA_RELEASE
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert pom.find("m:version", POM_NS).text == project["version"]
    assert f'"pyspark=={jvm_mod.SPARK_VERSION}"' in (ROOT / "pyproject.toml").read_text()
    pinned = {p.find("m:artifactId", POM_NS).text: p.find("m:version", POM_NS).text
              for p in pom.iterfind("m:build/m:plugins/m:plugin", POM_NS)}
    assert pinned == maven.PLUGINS


def test_no_offline_maven_or_system_scope_anywhere():
    """No test, script or doc relies on offline Maven or on system-scoped jars."""
    offenders = []
    for path in [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), ROOT / "Makefile", ROOT / ".ci/run",
                 *ROOT.glob("tests/*.py"), *ROOT.glob("benchmarks/*.py"),
                 *ROOT.glob("transpiler/**/*.py"), RUNTIME_POM]:
        text = path.read_text()
        if path.name == "test_maven.py":
            continue
        for line in text.splitlines():
            if "not in" not in line and re.search(OFFLINE, line):  # an assertion of absence
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def test_runtime_builds_with_maven_from_central(tmp_path):
    """`mvn package` of runtime-jvm/ (Spark `provided`, from Central) compiles the same classes
    that nb2jvm's own javac build puts into every artifact."""
    project = tmp_path / "runtime-jvm"
    shutil.copytree(ROOT / "runtime-jvm", project, ignore=shutil.ignore_patterns("target"))
    log = tmp_path / "mvn.log"
    out = maven.mvn(project, "dependency:resolve", "package", log=log)
    assert out.returncode == 0, out.stdout[-6000:]
    text = log.read_text()
    spark = f"org.apache.spark:spark-sql_{jvm_mod.SCALA_BINARY}:jar:{jvm_mod.SPARK_VERSION}"
    assert f"{spark}:provided" in text
    jar = project / "target" / "nb2jvm-runtime-0.1.0.jar"
    with zipfile.ZipFile(jar) as z:
        built = {n for n in z.namelist() if n.endswith(".class")}
    # ours are relocated into the package of the runtime's content hash (transpiler/jvm/relocate)
    relocated = runtime_package().replace(".", "/") + "/"
    ours = {str(p.relative_to(jvm_mod.runtime_classes())).replace(relocated, "nb2jvm/runtime/")
            for p in jvm_mod.runtime_classes().rglob("*.class")}
    assert built == ours and any(n.startswith("nb2jvm/runtime/FeaturePipeline") for n in built)
