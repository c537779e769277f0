"""The typed Java facade of an artifact: one class per notebook, one method per feature set.

    Dataset<Row> f = CustomerRisk.identity(spark, CustomerRisk.Customers.of(customers));
    Dataset<Row> p = FraudFeatures.userProfile(spark, FraudFeatures.TxFeatures.of(tx), users);

Plain Java (no Scala types in signatures). Each input table and feature set is a nested class
with its ``SCHEMA`` (a ``StructType``), a constant per column name and a typed wrapper, so
inputs are named by type and a swap does not compile; a feature set built on another exported
one has a form that takes it pre-computed; ``all(...)`` computes every feature set sharing the
upstream work. Javadoc names each column's type and cell; ``pipeline()`` is the API by name.
"""

from __future__ import annotations

import keyword
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ibis.expr.operations as ops

from ..common import escape
from ..ir.errors import InputError, JvmError, error
from ..jvm.relocate import runtime_package
from ..lowering.lineage import lineage
from ..lowering.lower import spark_type
from ..ir.features import LoweredNotebook

JAVA_KEYWORDS = frozenset("""abstract assert boolean break byte case catch char class const continue
default do double else enum extends final finally float for goto if implements import instanceof
int interface long native new package private protected public return short static strictfp super
switch synchronized this throw throws transient try void volatile while true false null var
record yield sealed permits""".split())


@dataclass(frozen=True)
class Facade:
    """The generated Java source and where it goes in the jar."""

    package: str
    class_name: str
    source: str

    @property
    def path(self) -> str:
        return f"{self.package.replace('.', '/')}/{self.class_name}.java"


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]


def class_name(notebook_stem: str) -> str:
    """``customer_risk`` -> ``CustomerRisk`` (a leading digit gets a prefix)."""
    name = "".join(w[:1].upper() + w[1:] for w in _words(notebook_stem)) or "Features"
    return name if name[0].isalpha() else "Nb" + name


def member_name(name: str) -> str:
    words = _words(name) or ["value"]
    ident = words[0][:1].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:]
                                                          for w in words[1:])
    if not ident[0].isalpha():
        ident = "f" + ident
    return ident + "_" if ident in JAVA_KEYWORDS or keyword.iskeyword(ident) else ident


def java_package(group_id: str, artifact_id: str) -> str:
    parts = [p for p in re.split(r"[.]", group_id) if p] + [artifact_id]
    out = []
    for p in parts:
        seg = re.sub(r"[^0-9A-Za-z_]", "_", p).lower()
        if not seg or seg[0].isdigit() or seg in JAVA_KEYWORDS:
            seg = "_" + seg
        out.append(seg)
    return ".".join(out)


_doc, _java_string = escape.comment, escape.java_string

# Simple names the generated file uses unqualified: a nested class must not shadow them.
_USED_NAMES = frozenset({"Dataset", "Row", "SparkSession", "StructType", "StructField",
                         "DataType", "DataTypes", "Metadata", "FeaturePipeline", "Map",
                         "LinkedHashMap", "List", "Arrays", "Objects", "String", "Object",
                         "Override", "Deprecated"})

_SIMPLE_TYPES = {"Boolean": "BooleanType", "Int8": "ByteType", "Int16": "ShortType",
                 "Int32": "IntegerType", "Int64": "LongType", "Float32": "FloatType",
                 "Float64": "DoubleType", "String": "StringType", "Binary": "BinaryType",
                 "Date": "DateType", "UInt8": "ShortType", "UInt16": "IntegerType",
                 "UInt32": "LongType"}


def _java_type(dtype) -> str:
    """The Spark DataType of an ibis type as Java code (built, not parsed: a class
    initialiser that parses DDL could fail where no compiler sees it)."""
    kind = type(dtype).__name__
    if kind in _SIMPLE_TYPES:
        return f"DataTypes.{_SIMPLE_TYPES[kind]}"
    if dtype.is_timestamp():
        # the runtime writes a naive timestamp as Spark's TIMESTAMP (the session is UTC)
        return "DataTypes.TimestampType"
    if dtype.is_decimal():
        return f"DataTypes.createDecimalType({dtype.precision or 38}, {dtype.scale or 0})"
    if dtype.is_array():
        return f"DataTypes.createArrayType({_java_type(dtype.value_type)}, true)"
    if dtype.is_map():
        return (f"DataTypes.createMapType({_java_type(dtype.key_type)}, "
                f"{_java_type(dtype.value_type)}, true)")
    if dtype.is_struct():
        return f"DataTypes.createStructType(new StructField[] {{{_fields(dtype.items())}}})"
    return f"DataType.fromDDL({_java_string(spark_type(dtype))})"


def _field_list(items) -> list[str]:
    return [f"DataTypes.createStructField({_java_string(n)}, {_java_type(t)}, true)"
            for n, t in items]


def _fields(items) -> str:
    return ", ".join(_field_list(items))


def _constant(name: str, taken: set[str]) -> str:
    words = _words(name) or ["column"]
    ident = "_".join(w.upper() for w in words)
    if not ident[0].isalpha():
        ident = "C_" + ident
    while ident in taken:
        ident += "_"
    taken.add(ident)
    return ident


def _unique_class(name: str, taken: set[str]) -> str:
    ident = class_name(name)
    while ident in taken:
        ident += "_"
    taken.add(ident)
    return ident


def _rows_class(cls: str, title: str, schema, column_doc, what: str) -> list[str]:
    """A nested class wrapping the rows of one input or feature set: its schema, its column
    names as constants, and of()/rows() (a distinct type per table: inputs cannot be swapped
    without a compile error)."""
    lines = ["", "  /** " + title + " */", f"  public static final class {cls} {{",
             f"    /** The columns {what}, as Spark types (every field nullable). */",
             "    public static final StructType SCHEMA = DataTypes.createStructType("
             "new StructField[] {",
             *(f"        {field}," for field in _field_list(schema.items())), "    });"]
    taken = {"SCHEMA"}
    for n, t in schema.items():
        lines += [f"    /** {column_doc(n, t)} */",
                  f"    public static final String {_constant(n, taken)} = {_java_string(n)};"]
    lines += ["", "    private final Dataset<Row> rows;", "",
              f"    private {cls}(Dataset<Row> rows) {{",
              f"      this.rows = Objects.requireNonNull(rows, {_java_string(cls)});", "    }",
              "", "    /** Wraps rows as this table (their columns are checked when used). */",
              f"    public static {cls} of(Dataset<Row> rows) {{", f"      return new {cls}(rows);",
              "    }", "", "    /** The wrapped rows. */", "    public Dataset<Row> rows() {",
              "      return rows;", "    }", "  }"]
    return lines


def render(lowered: LoweredNotebook, group_id: str, artifact_id: str,
           name: str | None = None) -> Facade:
    """The facade class of one notebook: a nested class per input table and per feature set
    (schema, column-name constants, a typed wrapper), and one method per feature set and form
    (from the inputs, or from pre-computed upstream feature sets)."""
    notebook = Path(lowered.features.bound.parsed.notebook.path)
    cls = name or class_name(notebook.stem)
    if not name and cls in _USED_NAMES:  # objects.ipynb: `Objects` is imported by the facade
        cls += "Features"
    if not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", cls) or cls in JAVA_KEYWORDS:
        raise error("OUT004", f"--facade-class {cls!r} is not a Java class name",
                    hint="use letters, digits and _, starting with a letter, e.g. FraudFeatures",
                    cls=InputError)
    if cls in _USED_NAMES:
        raise error("OUT004", f"--facade-class {cls!r} is a class the facade uses",
                    hint=f"choose another name, e.g. {cls}Features", cls=InputError)
    pkg = java_package(group_id, artifact_id)
    nb = _doc(notebook.name)
    inputs = {t.name: t for t in lowered.features.inputs}
    used_inputs = sorted({op.name for lf in lowered.lowered
                          for op in lf.feature.expr.op().find(ops.UnboundTable)})
    taken = set(_USED_NAMES) | {cls}
    input_cls = {n: _unique_class(n, taken) for n in used_inputs}
    feature_cls = {lf.name: _unique_class(lf.name, taken) for lf in lowered.lowered}
    lines = [f"// Generated by nb2jvm from {nb}. Do not edit.", f"package {pkg};", "",
             "import java.util.Arrays;", "import java.util.LinkedHashMap;",
             "import java.util.Map;", "import java.util.Objects;",
             f"import {runtime_package()}.FeaturePipeline;",
             "import org.apache.spark.sql.Dataset;",
             "import org.apache.spark.sql.Row;", "import org.apache.spark.sql.SparkSession;",
             "import org.apache.spark.sql.types.DataType;",
             "import org.apache.spark.sql.types.DataTypes;",
             "import org.apache.spark.sql.types.StructField;",
             "import org.apache.spark.sql.types.StructType;", "",
             "/**", f" * The feature sets exported from {nb}, computed on Spark.", " *",
             " * <p>Each input table and each feature set has a nested class: its {@code SCHEMA},",
             " * a constant per column name, and {@code of(rows)}, the typed form a method takes",
             " * (two inputs cannot be swapped without a compile error). A feature set built on",
             " * another exported one can be given that one already computed.", " */",
             f"public final class {cls} {{",
             "  private static final FeaturePipeline PIPELINE =",
             f"      FeaturePipeline.load({cls}.class.getClassLoader(), "
             f"{_java_string(artifact_id)});", "",
             f"  private {cls}() {{}}", "",
             "  /** The generic API, for callers that work with feature-set names. */",
             "  public static FeaturePipeline pipeline() {", "    return PIPELINE;", "  }"]
    for n in used_inputs:
        lines += _rows_class(input_cls[n], f"Input table {{@code {_doc(n)}}} of {nb}.",
                             inputs[n].schema,
                             lambda c, t, n=n: f"Column {{@code {_doc(c)}}} of input "
                             f"{{@code {_doc(n)}}}: {_doc(spark_type(t))}.",
                             "the artifact reads")
    for lf in lowered.lowered:
        cell = f"cell {lf.feature.cell.index} of {nb}"
        sources = lineage(lf.feature.expr)
        lines += _rows_class(feature_cls[lf.name],
                             f"Feature set {{@code {_doc(lf.name)}}} ({cell}).", lf.schema,
                             lambda c, t, cell=cell, sources=sources: f"Column {{@code "
                             f"{_doc(c)}}}: {_doc(spark_type(t))}, computed in {cell}"
                             + (f" from {_doc(', '.join(sources[c]))}" if sources.get(c) else "")
                             + ".", "of its rows")
    seen: set[str] = {"pipeline", "all"}
    for lf in lowered.lowered:
        method = member_name(lf.name)
        while method in seen:
            method += "_"
        seen.add(method)
        used = sorted({op.name for op in lf.feature.expr.op().find(ops.UnboundTable)})
        forms = [((), used)] + [(v.upstreams, [i for i in v.inputs if i not in v.upstreams])
                                for v in lf.variants]
        cols = ", ".join(f"{c} {spark_type(t)}" for c, t in lf.schema.items())
        for upstreams, tables in forms:
            unique = _parameters([(u, feature_cls[u]) for u in upstreams] +
                                 [(t, input_cls[t]) for t in tables], {"spark", "inputs"})
            doc = ["  /**", f"   * Feature set {{@code {_doc(lf.name)}}} ({cell_of(lf, nb)})"
                   + (", from " + ", ".join(f"{{@code {_doc(u)}}}" for u in upstreams)
                      + " already computed" if upstreams else "") + ".", "   *",
                   f"   * <p>Output columns ({{@link {feature_cls[lf.name]}#SCHEMA}}): "
                   f"{_doc(cols)}.", "   *"]
            for key, typ, p in unique:
                what = "feature set" if key in upstreams else "input table"
                doc.append(f"   * @param {p} {what} {{@code {_doc(key)}}}")
            doc += ["   * @param spark the caller's session (its settings are left as they "
                    "are)", "   * @return the feature set's rows", "   */"]
            args = ", ".join(["SparkSession spark", *(f"{typ} {p}" for _, typ, p in unique)])
            lines += ["", *doc, f"  public static Dataset<Row> {method}({args}) {{",
                      "    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();",
                      *(f"    inputs.put({_java_string(k)}, {p}.rows());" for k, _, p in unique),
                      f"    return PIPELINE.run(spark, {_java_string(lf.name)}, inputs);", "  }"]
    if lowered.lowered:
        unique = _parameters([(t, input_cls[t]) for t in used_inputs],
                             {"spark", "persist", "inputs"})
        args = ", ".join(["SparkSession spark", "boolean persist",
                          *(f"{typ} {p}" for _, typ, p in unique)])
        featurelist = ", ".join(_java_string(lf.name) for lf in lowered.lowered)
        lines += ["", "  /**", f"   * Every feature set of {nb}, each computed from the ones it is "
                  "built on (an upstream's plan is built once).", "   *",
                  "   * @param persist whether to persist each feature set another one reads, "
                  "so Spark computes it once",
                  *(f"   * @param {p} input table {{@code {_doc(k)}}}" for k, _, p in unique),
                  "   * @return the feature sets by name, in notebook order", "   */",
                  f"  public static Map<String, Dataset<Row>> all({args}) {{",
                  "    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();",
                  *(f"    inputs.put({_java_string(k)}, {p}.rows());" for k, _, p in unique),
                  f"    return PIPELINE.runAll(spark, Arrays.asList({featurelist}), inputs, "
                  "persist);", "  }"]
    lines += ["}", ""]
    return Facade(pkg, cls, "\n".join(lines))


def _parameters(tables: list[tuple[str, str]], taken: set[str]) -> list[tuple[str, str, str]]:
    """(table, Java type, parameter name) for each table, names unique and not in ``taken``."""
    out, names = [], set(taken)
    for key, typ in tables:
        p = member_name(key)
        while p in names:
            p += "_"
        names.add(p)
        out.append((key, typ, p))
    return out


def cell_of(lf, notebook_doc: str) -> str:
    return f"cell {lf.feature.cell.index} of {notebook_doc}"


def compile_facade(facade: Facade, classpath=()) -> dict[str, bytes]:
    """javac the facade (cached by source hash); returns its class files by jar path."""
    import hashlib
    import json

    from ..jvm.spark import JAVA_RELEASE, runtime_classes
    from ..common.paths import cache_dir

    key = hashlib.sha256("\0".join([facade.source, facade.path, str(runtime_classes()),
                                    JAVA_RELEASE, *map(str, classpath)])
                         .encode()).hexdigest()[:16]
    cached = cache_dir() / f"facade-{key}.json"
    if cached.is_file():
        return {k: bytes.fromhex(v) for k, v in json.loads(cached.read_text()).items()}
    with tempfile.TemporaryDirectory(prefix="nb2jvm-facade-") as tmp:
        src = Path(tmp) / "src" / facade.path
        src.parent.mkdir(parents=True)
        src.write_text(facade.source, encoding="utf-8")
        out = Path(tmp) / "classes"
        from ..jvm.compile_server import compile_with, javac_args

        ok, detail = compile_with("java", javac_args(out, src, classpath))
        if not ok:
            raise error("JVM004", "javac failed on the generated facade (an nb2jvm bug):\n"
                        + detail.strip(), cls=JvmError)
        classes = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.class")}
    try:  # written whole, then renamed: a concurrent build never reads half a file
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({k: v.hex() for k, v in classes.items()}))
        partial.replace(cached)
    except OSError:
        pass  # no cache this time
    return classes
