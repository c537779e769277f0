"""Stage 7, package: :class:`LoweredNotebook` (one or several) -> :class:`Artifact`.

The directory holds one ``sql/<feature>.sql`` per feature set, ``manifest.json``, ``A-V.pom``,
``A-V.jar`` (the SQL and manifest as resources under ``nb2jvm/<artifact>/``, the runtime
classes, the compiled UDF classes and the typed Java facade) and ``A-V-sources.jar`` (the
generated SQL, Scala and Java, readable).  The jar is reproducible (sorted
entries, fixed timestamps), and the directory appears whole or not at all: it is written beside
the target and renamed into place.

Several notebooks can share one artifact: their feature sets (names unique across the
notebooks), UDFs and golden rows go into one manifest, and each notebook gets its own facade
class.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops

from ..common import escape as esc
from ..jvm.relocate import in_package, runtime_package
from ..jvm import spark as jvm
from ..ir.errors import InputError, Span, error
from ..lowering.lineage import lineage
from ..ir.features import LoweredNotebook
from ..udf.udfs import manifest_entry
from ..ir.artifact import Coordinates, Artifact

ZIP_EPOCH = (1980, 2, 1, 0, 0, 0)
# Written into every build directory; `-o` replaces a non-empty directory only if it has one.
BUILD_MARKER = ".nb2jvm-build"
MARKER_TEXT = "This directory is an nb2jvm build output; `nb2jvm build -o` replaces it whole.\n"
SPARK_VERSION, SCALA_BINARY = jvm.SPARK_VERSION, jvm.SCALA_BINARY

# Spark type names (DataType.simpleString) an input column may have for an ibis type.  A naive
# ibis timestamp is a wall-clock time: Spark reads it from Parquet as timestamp_ntz; a
# session-zoned timestamp is accepted too because the runtime pins the session time zone to UTC.
SPARK_INPUT_TYPES = {
    dt.Int8: "tinyint", dt.Int16: "smallint", dt.Int32: "int", dt.Int64: "bigint",
    dt.Float32: "float", dt.Float64: "double", dt.String: "string", dt.Boolean: "boolean",
    dt.Date: "date", dt.Binary: "binary",
}



def spark_input_type(dtype: dt.DataType) -> str:
    if isinstance(dtype, dt.Timestamp):
        return "timestamp" if dtype.timezone else "timestamp_ntz|timestamp"
    if isinstance(dtype, dt.Decimal):
        return f"decimal({dtype.precision},{dtype.scale})"
    simple = SPARK_INPUT_TYPES.get(type(dtype))
    if simple is None:
        from ..lowering.lower import spark_type

        simple = spark_type(dtype)
    return simple


def _spark_type(dtype: dt.DataType) -> str:
    from ..lowering.lower import spark_type

    return spark_type(dtype)


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


def parts(lowered) -> tuple[LoweredNotebook, ...]:
    """The notebooks of an artifact: one lowered notebook or a sequence of them."""
    return tuple(lowered) if isinstance(lowered, (list, tuple)) else (lowered,)


def _notebook_name(part: LoweredNotebook) -> str:
    return Path(part.features.bound.parsed.notebook.path).name


def check_unique(lowered) -> None:
    """Feature-set names are the runtime's keys: they must be unique across the notebooks of
    one artifact (facade class names are checked where the facades are made)."""
    seen: dict[str, tuple[str, int]] = {}
    for part in parts(lowered):
        name = _notebook_name(part)
        for lf in part.lowered:
            if lf.name in seen:
                other, cell = seen[lf.name]
                raise error("OUT005", f"feature set '{lf.name}' is exported by {other} (cell "
                            f"{cell}) and by {name} (cell {lf.feature.cell.index}); names must "
                            "be unique in one artifact",
                            lf.feature.cell.span(part.features.bound.parsed.notebook.path,
                                                 lf.feature.pos.line, lf.feature.pos.column),
                            hint="rename one of them, or build the notebooks separately",
                            cls=InputError)
            seen[lf.name] = (name, lf.feature.cell.index)


def variant_sql_name(lf, k: int) -> str:
    """The SQL file of ``lf``'s ``k``-th variant (a feature-set name is an identifier)."""
    return f"{lf.name}.from-{k}.sql"


def _variant_entry(lf, k: int, variant, declared: dict, part) -> dict:
    schemas = {u.name: u.schema for u in part.lowered}
    markers = dict(variant.markers)
    return {"upstreams": list(variant.upstreams), "sql": variant_sql_name(lf, k),
            "inputs": [{"name": n, "columns": _columns(declared[n].schema) if n in declared
                        else _upstream_columns(schemas[n]),
                        **({"marker": markers[n]} if n in markers else {})}
                       for n in variant.inputs],
            **({"renamed": dict(variant.renamed)} if variant.renamed else {})}


def _upstream_columns(schema) -> list[dict]:
    # An upstream comes in as the artifact's own rows of that feature set, whose Spark types
    # are what the whole computation's subquery has (a decimal product may be wider than ibis
    # says, a literal 1 is INT): the same SQL on them is the whole computation, so any type
    # is accepted ("*"); the columns must be there.
    return [{"name": n, "type": str(t), "spark_type": "*"} for n, t in schema.items()]


def manifest(lowered, coords: Coordinates, facades: tuple) -> dict:
    """The artifact's description: what the JVM runtime and a reviewer need to know."""
    digest = hashlib.sha256()
    feature_sets, inputs, udfs, notebooks, skipped = [], [], {}, [], []
    for k, (part, facade) in enumerate(zip(parts(lowered), facades, strict=True)):
        features = part.features
        notebook = features.bound.parsed.notebook
        name = _notebook_name(part)
        if k:  # a single notebook keeps the hash it always had
            digest.update(b"\0notebook\0" + name.encode() + b"\0")
        for cell in notebook.exported:
            digest.update(cell.source.encode())
            digest.update(b"\0")
        declared = {t.name: t for t in features.inputs}
        for lf in part.lowered:
            used = sorted({op.name for op in lf.feature.expr.op().find(ops.UnboundTable)})
            feature_sets.append({
                "name": lf.name,
                "notebook": name,
                "sql": f"{lf.name}.sql",
                "cell": lf.feature.cell.index,
                "cell_id": lf.feature.cell.cell_id,
                "ordered": lf.ordered,
                **({"unordered_arrays": list(lf.unordered)} if lf.unordered else {}),
                "inputs": [{"name": n, "columns": _columns(declared[n].schema),
                            **({"marker": dict(lf.markers)[n]} if n in dict(lf.markers) else {})}
                           for n in used],
                "columns": [{"name": n, "type": str(t), "spark_type": _spark_type(t)}
                            for n, t in lf.schema.items()],
                **({"renamed": dict(lf.renamed)} if lf.renamed else {}),
                "lineage": lineage(lf.feature.expr),
                **({"from_upstream": [_variant_entry(lf, k, v, declared, part)
                                      for k, v in enumerate(lf.variants, 1)]}
                   if lf.variants else {}),
            })
        for t in features.inputs:
            entry = {"name": t.name, "variable": t.var, "origin": t.origin,
                     "columns": _columns(t.schema)}
            if entry not in inputs:  # the same input read by two notebooks is listed once
                inputs.append(entry)
        for u in (part.udfs.udfs if part.udfs else ()):
            udfs.setdefault(u.sql_name, manifest_entry(u))
        for refused in part.refused:  # only with --skip-refused: a strict build has none
            first = refused.diagnostics[0]
            skipped.append({"name": refused.name, "notebook": name, "cell": first.span.cell,
                            "code": first.code, "reason": first.message})
        notebooks.append({"name": name, "feature_sets": [lf.name for lf in part.lowered],
                          "facade": f"{facade.package}.{facade.class_name}"})
    return {
        "format": 1,
        "notebook": ", ".join(n["name"] for n in notebooks),
        "notebooks": notebooks,
        "artifact": {"group_id": coords.group_id, "artifact_id": coords.artifact_id,
                     "version": coords.version},
        "content_hash": "sha256:" + digest.hexdigest(),
        "spark_conf": dict(jvm.SPARK_CONF),
        "runtime": {"package": runtime_package()},
        "versions": _versions(),
        "inputs": inputs,
        "feature_sets": feature_sets,
        "udfs": list(udfs.values()),
        **({"skipped": skipped} if skipped else {}),
    }


def is_build_dir(folder: Path) -> bool:
    """Whether ``folder`` is one nb2jvm wrote: it has the marker, or (written before there was
    one) a valid manifest and nothing but what a build writes."""
    if (folder / BUILD_MARKER).is_file():
        return True
    from . import manifests

    try:
        manifests.read(folder / "manifest.json")
    except InputError:
        return False
    return all(p.name in ("manifest.json", "sql", "scala") or
               (p.is_file() and p.suffix in (".jar", ".pom")) for p in folder.iterdir())


def pom_xml(coords: Coordinates, description: str) -> str:
    escape = esc.xml_text
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


def _facades(lowered, coords: Coordinates) -> tuple:
    """One facade class per notebook (``--facade-class`` names it when there is one)."""
    from .facade import render

    all_parts = parts(lowered)
    if coords.facade and len(all_parts) > 1:
        raise error("OUT004", "--facade-class names the facade of a single notebook; with "
                    f"{len(all_parts)} notebooks each facade is named after its notebook",
                    hint="rename the notebooks, or build them separately", cls=InputError)
    facades = tuple(render(p, coords.group_id, coords.artifact_id, coords.facade or None)
                    for p in all_parts)
    by_class: dict[str, str] = {}
    for part, facade in zip(all_parts, facades):
        other = by_class.setdefault(facade.class_name, _notebook_name(part))
        if other != _notebook_name(part):
            raise error("OUT004", f"{other} and {_notebook_name(part)} would both get the facade "
                        f"class {facade.class_name}", hint="rename one notebook",
                        cls=InputError)
    return facades


def bundles(lowered) -> list:
    """The UDF Scala sources of the notebooks, once each (equal code, equal package)."""
    seen: dict[str, object] = {}
    for part in parts(lowered):
        if part.udfs and part.udfs.scala:
            seen.setdefault(part.udfs.package, part.udfs)
    return list(seen.values())


def sql_texts(lowered) -> dict[str, str]:
    """Every SQL file of the artifact by name: one per feature set, one per upstream variant."""
    out = {}
    for part in parts(lowered):
        for lf in part.lowered:
            out[f"{lf.name}.sql"] = lf.sql + "\n"
            for k, v in enumerate(lf.variants, 1):
                out[variant_sql_name(lf, k)] = v.sql + "\n"
    return out


def _sql_entries(lowered, root: str) -> dict:
    return {f"{root}{name}": text.encode() for name, text in sql_texts(lowered).items()}


def _sources_entries(lowered, coords: Coordinates, man: dict, facades, online=()) -> dict:
    from .online_compile import sources as online_sources

    entries = {"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\nCreated-By: nb2jvm\r\n\r\n",
               f"nb2jvm/{coords.artifact_id}/manifest.json": _json(man).encode(),
               **{f.path: f.source.encode() for f in facades}}
    entries.update({path: text.encode() for path, text in
                    online_sources(online, runtime_package(), coords.artifact_id).items()})
    entries.update(_sql_entries(lowered, f"nb2jvm/{coords.artifact_id}/"))
    for bundle in bundles(lowered):
        entries[bundle.package.replace(".", "/") + "/Udfs.scala"] = \
            in_package(bundle.scala).encode()
    # every source compiled into the jar: the runtime's too (a debugger steps into it)
    entries.update(jvm.runtime_sources())
    return entries


@contextlib.contextmanager
def _timed(record, name: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        if record is not None:
            record(name, time.perf_counter() - started)


def _online_inputs(part) -> dict[str, tuple]:
    """Each input of a notebook as the online path reads it: (column, Spark type) pairs."""
    return {t.name: tuple((c, spark_input_type(d)) for c, d in t.schema.items())
            for t in part.features.inputs}


def _online_manifest(man: dict, online: list, refused: dict[str, str]) -> None:
    """Which feature sets have an online path (and why the others have none)."""
    have = {f.name: f for f in online}
    for entry in man["feature_sets"]:
        entry["online"] = entry["name"] in have
        if entry["online"]:
            f = have[entry["name"]]
            entry["online_input"] = {"name": f.input, "columns": [
                {"name": c, "spark_type": t} for c, t, _, _ in f.params]}
            entry["online_columns"] = [{"name": c, "spark_type": t} for c, t in f.outputs]
        if entry["name"] in refused:
            entry["online_refused"] = refused[entry["name"]]
    man["online"] = {"feature_sets": [f.name for f in online],
                     "pipeline": "nb2jvm.online.OnlinePipeline", "main": "nb2jvm.online.Main"}


def _jar_entries(lowered, coords: Coordinates, man: dict, pom: str, facades,
                 record=None, udf_trees=(), online_classes=None, online_dir=None) -> dict:
    root = f"nb2jvm/{coords.artifact_id}/"
    entries = {
        "META-INF/MANIFEST.MF": (b"Manifest-Version: 1.0\r\nCreated-By: nb2jvm\r\n"
                                 b"Main-Class: " + runtime_package().encode() + b".Main\r\n"
                                 b"Implementation-Title: "
                                 + esc.manifest_value(coords.artifact_id, "--artifact-id").encode()
                                 + b"\r\nImplementation-Version: "
                                 + esc.manifest_value(coords.version, "--version").encode()
                                 + b"\r\n\r\n"),
        f"META-INF/maven/{coords.group_id}/{coords.artifact_id}/pom.xml": pom.encode(),
        f"META-INF/maven/{coords.group_id}/{coords.artifact_id}/pom.properties": (
            f"groupId={coords.group_id}\nartifactId={coords.artifact_id}\n"
            f"version={coords.version}\n").encode(),
        root + "manifest.json": _json(man).encode(),
        # Lets `spark-submit ... A-V.jar` find the artifact without --artifact.
        "nb2jvm/index": (coords.artifact_id + "\n").encode(),
    }
    entries.update(_sql_entries(lowered, root))
    trees = [jvm.runtime_classes(), *udf_trees]
    for classes in trees:
        for cls in classes.rglob("*.class"):
            entries[cls.relative_to(classes).as_posix()] = cls.read_bytes()
    from .facade import compile_facade

    entries.update(online_classes or {})
    with _timed(record, "compile facade (javac)"):
        for facade in facades:
            entries.update(compile_facade(facade, [online_dir] if online_dir else []))
    return entries


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def package(lowered, out_dir: Path, coords: Coordinates | None = None,
            golden=None, record=None) -> Artifact:
    """Write the build directory atomically; an existing one is replaced only on success.

    ``lowered`` is one lowered notebook or a sequence of them (one artifact, one facade class
    per notebook); ``golden`` is the merged :class:`transpiler.artifact.golden.Golden` of all of them;
    ``record(name, seconds)``, when given, is told the time of each compile."""
    all_parts = parts(lowered)
    names = [_notebook_name(p) for p in all_parts]
    coords = coords or Coordinates()
    if not coords.artifact_id:
        # several notebooks: named after the output directory, as `-o out/fraud` reads
        source = names[0] if len(all_parts) == 1 else out_dir.name
        coords = Coordinates(coords.group_id, default_artifact_id(source), coords.version,
                             coords.facade)
    esc.maven_coordinates(coords.group_id, coords.artifact_id, coords.version)
    if out_dir.exists() and not out_dir.is_dir():
        raise error("OUT001", f"output path exists and is not a directory: {out_dir}",
                    Span(str(out_dir)), cls=InputError)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_build_dir(out_dir):
        # Only a directory nb2jvm wrote is ever replaced: a `manifest.json` alone proves nothing
        # (measured: `-o` at a web app's folder, which had one, deleted its sources).
        raise error("OUT002", f"refusing to replace {out_dir}: it is not empty and is not an "
                    f"nb2jvm build directory (no {BUILD_MARKER})", Span(str(out_dir)),
                    hint="choose a new or empty output directory", cls=InputError)
    check_unique(all_parts)
    facades = _facades(all_parts, coords)
    from ..jvm.scalac import compile_scala
    from .online_compile import compile_online
    from .online_source import artifact_package, plan, uses_scala_library, with_online

    with _timed(record, "compile UDFs (scalac)"):
        udf_trees = [compile_scala(bundle.scala) for bundle in bundles(all_parts)]
    scala_free = not uses_scala_library({
        c.relative_to(t).as_posix(): c.read_bytes() for t in udf_trees for c in t.rglob("*.class")})
    online, online_refused = plan(all_parts, runtime_package(), scala_free,
                                  [_online_inputs(p) for p in all_parts])
    with _timed(record, "compile online path (javac)"):
        online_classes, online_dir, kept, failed = compile_online(
            [of for _, of in online], runtime_package(), coords.artifact_id, udf_trees)
    online = [(p, of) for p, of in online if of in kept]
    online_refused.update(failed)
    facades = tuple(with_online(f, [(k, of) for k, (p, of) in enumerate(online) if p is part],
                                artifact_package(coords.artifact_id))
                    for part, f in zip(all_parts, facades))
    man = manifest(all_parts, coords, facades)
    _online_manifest(man, [of for _, of in online], online_refused)
    man["online"]["package"] = artifact_package(coords.artifact_id)
    man["self_check"] = golden.manifest() if golden is not None else None
    pom = pom_xml(coords, f"Feature sets exported from {', '.join(names)} by nb2jvm")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        staging.chmod(0o777 & ~_umask())
        (staging / "sql").mkdir()
        sql_files = {}
        for lf in (lf for part in all_parts for lf in part.lowered):
            sql_files[lf.name] = staging / "sql" / f"{lf.name}.sql"
        for name, text in sql_texts(all_parts).items():
            (staging / "sql" / name).write_text(text, encoding="utf-8")
        (staging / "manifest.json").write_text(_json(man), encoding="utf-8")
        (staging / BUILD_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        sources = bundles(all_parts)
        if sources:
            (staging / "scala").mkdir()
            for k, bundle in enumerate(sources):
                name = "Udfs.scala" if k == 0 else f"Udfs{k + 1}.scala"
                (staging / "scala" / name).write_text(in_package(bundle.scala),
                                                      encoding="utf-8")
        base = f"{coords.artifact_id}-{coords.version}"
        (staging / f"{base}.pom").write_text(pom, encoding="utf-8")
        jar_name = f"{base}.jar"
        entries = _jar_entries(all_parts, coords, man, pom, facades, record, udf_trees,
                               online_classes, online_dir)
        for name, data in (golden.files.items() if golden is not None else ()):
            entries[f"nb2jvm/{coords.artifact_id}/{name}"] = data
        with _timed(record, "write jars"):
            write_jar(staging / jar_name, entries)
            write_jar(staging / f"{base}-sources.jar",
                      _sources_entries(all_parts, coords, man, facades,
                                       [of for _, of in online]))
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
                    tuple(w for part in all_parts for w in part.warnings),
                    tuple(sorted({t.path for part in all_parts for t in part.features.inputs
                                  if t.path is not None})))
