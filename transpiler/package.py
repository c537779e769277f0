"""Stage 6, package: :class:`LoweredNotebook` -> :class:`Artifact` (a build directory).

The directory holds one ``sql/<feature>.sql`` per feature set, ``manifest.json``, ``A-V.pom``,
``A-V.jar`` (the SQL and manifest as resources under ``nb2jvm/<artifact>/``, the runtime
classes, the compiled UDF classes and the typed Java facade) and ``A-V-sources.jar`` (the
generated SQL, Scala and Java, readable).  The jar is reproducible (sorted
entries, fixed timestamps), and the directory appears whole or not at all: it is written beside
the target and renamed into place.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops

from . import jvm
from .errors import InputError, Span, error
from .lineage import lineage
from .lower import LoweredNotebook

ZIP_EPOCH = (1980, 2, 1, 0, 0, 0)
SPARK_VERSION = "4.3.0"
SCALA_BINARY = "2.13"

# Spark type names (DataType.simpleString) an input column may have for an ibis type.  A naive
# ibis timestamp is a wall-clock time: Spark reads it from Parquet as timestamp_ntz; a
# session-zoned timestamp is accepted too because the runtime pins the session time zone to UTC.
SPARK_INPUT_TYPES = {
    dt.Int8: "tinyint", dt.Int16: "smallint", dt.Int32: "int", dt.Int64: "bigint",
    dt.Float32: "float", dt.Float64: "double", dt.String: "string", dt.Boolean: "boolean",
    dt.Date: "date", dt.Binary: "binary",
}


@dataclass(frozen=True)
class Coordinates:
    """Maven coordinates of the artifact."""

    group_id: str = "nb2jvm.generated"
    artifact_id: str = ""
    version: str = "0.1.0"
    facade: str = ""  # the facade class name; default from the notebook's name


@dataclass(frozen=True)
class Artifact:
    """A finished build directory and what is in it."""

    directory: Path
    jar: Path
    manifest: dict
    coordinates: Coordinates
    sql_files: dict[str, Path] = field(default_factory=dict)
    warnings: tuple = ()


def spark_input_type(dtype: dt.DataType) -> str:
    if isinstance(dtype, dt.Timestamp):
        return "timestamp" if dtype.timezone else "timestamp_ntz|timestamp"
    if isinstance(dtype, dt.Decimal):
        return f"decimal({dtype.precision},{dtype.scale})"
    simple = SPARK_INPUT_TYPES.get(type(dtype))
    if simple is None:
        from .lower import spark_type

        simple = spark_type(dtype)
    return simple


def default_artifact_id(notebook: str) -> str:
    stem = Path(notebook).stem.lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "features"


def _columns(schema) -> list[dict]:
    return [{"name": n, "type": str(t), "spark_type": spark_input_type(t)}
            for n, t in schema.items()]


def _versions() -> dict:
    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "unknown"

    return {"nb2jvm": version("nb2jvm"), "ibis-framework": version("ibis-framework"),
            "sqlglot": version("sqlglot"), "spark": SPARK_VERSION, "scala": SCALA_BINARY}


def manifest(lowered: LoweredNotebook, coords: Coordinates) -> dict:
    """The artifact's description: what the JVM runtime and a reviewer need to know."""
    features = lowered.features
    notebook = features.bound.parsed.notebook
    inputs = {t.name: t for t in features.inputs}
    digest = hashlib.sha256()
    for cell in notebook.exported:
        digest.update(cell.source.encode())
        digest.update(b"\0")
    feature_sets = []
    for lf in lowered.lowered:
        used = sorted({op.name for op in lf.feature.expr.op().find(ops.UnboundTable)})
        feature_sets.append({
            "name": lf.name,
            "sql": f"{lf.name}.sql",
            "cell": lf.feature.cell.index,
            "cell_id": lf.feature.cell.cell_id,
            "ordered": lf.ordered,
            "inputs": [{"name": n, "columns": _columns(inputs[n].schema)} for n in used],
            "columns": [{"name": n, "type": str(t)} for n, t in lf.schema.items()],
            "lineage": lineage(lf.feature.expr),
        })
    return {
        "format": 1,
        "notebook": Path(notebook.path).name,
        "artifact": {"group_id": coords.group_id, "artifact_id": coords.artifact_id,
                     "version": coords.version},
        "content_hash": "sha256:" + digest.hexdigest(),
        "spark_conf": dict(jvm.SPARK_CONF),
        "versions": _versions(),
        "inputs": [{"name": t.name, "variable": t.var, "origin": t.origin,
                    "columns": _columns(t.schema)} for t in features.inputs],
        "feature_sets": feature_sets,
        "udfs": [u.to_json() for u in lowered.udfs.udfs] if lowered.udfs else [],
    }


def pom_xml(coords: Coordinates, description: str) -> str:
    g, a, v = (escape(x) for x in (coords.group_id, coords.artifact_id, coords.version))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>{g}</groupId>
  <artifactId>{a}</artifactId>
  <version>{v}</version>
  <packaging>jar</packaging>
  <description>{escape(description)}</description>
  <properties>
    <maven.compiler.release>{jvm.JAVA_RELEASE}</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.apache.spark</groupId>
      <artifactId>spark-sql_{SCALA_BINARY}</artifactId>
      <version>{SPARK_VERSION}</version>
      <scope>provided</scope>
    </dependency>
  </dependencies>
</project>
"""


def write_jar(path: Path, entries: dict[str, bytes]) -> None:
    """A reproducible jar: sorted entries, fixed timestamps, fixed permissions."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as jar:
        names = ["META-INF/MANIFEST.MF", *sorted(n for n in entries if n != "META-INF/MANIFEST.MF")]
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            jar.writestr(info, entries[name])


def _facade(lowered: LoweredNotebook, coords: Coordinates):
    from .facade import render

    return render(lowered, coords.group_id, coords.artifact_id, coords.facade or None)


def _sources_entries(lowered: LoweredNotebook, coords: Coordinates, man: dict, facade) -> dict:
    entries = {"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\nCreated-By: nb2jvm\r\n\r\n",
               f"nb2jvm/{coords.artifact_id}/manifest.json": _json(man).encode(),
               facade.path: facade.source.encode()}
    for lf in lowered.lowered:
        entries[f"nb2jvm/{coords.artifact_id}/{lf.name}.sql"] = (lf.sql + "\n").encode()
    if lowered.udfs and lowered.udfs.scala:
        path = lowered.udfs.package.replace(".", "/") + "/Udfs.scala"
        entries[path] = lowered.udfs.scala.encode()
    return entries


def _jar_entries(lowered: LoweredNotebook, coords: Coordinates, man: dict, pom: str,
                 facade) -> dict:
    root = f"nb2jvm/{coords.artifact_id}/"
    entries = {
        "META-INF/MANIFEST.MF": (b"Manifest-Version: 1.0\r\nCreated-By: nb2jvm\r\n"
                                 b"Main-Class: nb2jvm.runtime.Main\r\n"
                                 b"Implementation-Title: " + coords.artifact_id.encode()
                                 + b"\r\nImplementation-Version: " + coords.version.encode()
                                 + b"\r\n\r\n"),
        f"META-INF/maven/{coords.group_id}/{coords.artifact_id}/pom.xml": pom.encode(),
        f"META-INF/maven/{coords.group_id}/{coords.artifact_id}/pom.properties": (
            f"groupId={coords.group_id}\nartifactId={coords.artifact_id}\n"
            f"version={coords.version}\n").encode(),
        root + "manifest.json": _json(man).encode(),
        # Lets `spark-submit ... A-V.jar` find the artifact without --artifact.
        "nb2jvm/index": (coords.artifact_id + "\n").encode(),
    }
    for lf in lowered.lowered:
        entries[root + f"{lf.name}.sql"] = (lf.sql + "\n").encode()
    trees = [jvm.runtime_classes()]
    if lowered.udfs and lowered.udfs.scala:
        from .scalac import compile_scala

        trees.append(compile_scala(lowered.udfs.scala))
    for classes in trees:
        for cls in classes.rglob("*.class"):
            entries[cls.relative_to(classes).as_posix()] = cls.read_bytes()
    from .facade import compile_facade

    jdk = jvm.find_jdk()
    entries.update(compile_facade(facade, jvm.runtime_classes(), jvm.spark_jars_dir(), jdk.javac,
                                  jvm.JAVA_RELEASE))
    return entries


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def package(lowered: LoweredNotebook, out_dir: Path, coords: Coordinates | None = None,
            golden=None) -> Artifact:
    """Write the build directory atomically; an existing one is replaced only on success."""
    notebook = lowered.features.bound.parsed.notebook
    coords = coords or Coordinates()
    if not coords.artifact_id:
        coords = Coordinates(coords.group_id, default_artifact_id(notebook.path), coords.version,
                             coords.facade)
    if out_dir.exists() and not out_dir.is_dir():
        raise error("OUT001", f"output path exists and is not a directory: {out_dir}",
                    Span(str(out_dir)), cls=InputError)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").exists():
        raise error("OUT002", f"refusing to replace {out_dir}: it is not empty and is not an "
                    "nb2jvm build directory", Span(str(out_dir)),
                    hint="choose a new or empty output directory", cls=InputError)
    man = manifest(lowered, coords)
    man["self_check"] = golden.manifest() if golden is not None else None
    pom = pom_xml(coords, f"Feature sets exported from {Path(notebook.path).name} by nb2jvm")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        staging.chmod(0o777 & ~_umask())
        (staging / "sql").mkdir()
        sql_files = {}
        for lf in lowered.lowered:
            sql_files[lf.name] = staging / "sql" / f"{lf.name}.sql"
            sql_files[lf.name].write_text(lf.sql + "\n", encoding="utf-8")
        (staging / "manifest.json").write_text(_json(man), encoding="utf-8")
        if lowered.udfs and lowered.udfs.scala:
            (staging / "scala").mkdir()
            (staging / "scala" / "Udfs.scala").write_text(lowered.udfs.scala, encoding="utf-8")
        base = f"{coords.artifact_id}-{coords.version}"
        (staging / f"{base}.pom").write_text(pom, encoding="utf-8")
        facade = _facade(lowered, coords)
        jar_name = f"{base}.jar"
        entries = _jar_entries(lowered, coords, man, pom, facade)
        for name, data in (golden.files.items() if golden is not None else ()):
            entries[f"nb2jvm/{coords.artifact_id}/{name}"] = data
        write_jar(staging / jar_name, entries)
        write_jar(staging / f"{base}-sources.jar",
                  _sources_entries(lowered, coords, man, facade))
        if out_dir.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            backup.rmdir()
            out_dir.rename(backup)
            staging.rename(out_dir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Artifact(out_dir, out_dir / jar_name, man, coords,
                    {n: out_dir / "sql" / p.name for n, p in sql_files.items()},
                    tuple(lowered.warnings))
