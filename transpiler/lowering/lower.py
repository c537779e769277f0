"""Stage 5, lower: :class:`FeatureSets` -> :class:`LoweredNotebook` (Spark SQL per feature set).

Every op of every feature set must first pass the tables of :mod:`transpiler.lowering.spark_rules` (never a
silent difference); nb2jvm's compiler (:mod:`transpiler.lowering.spark_compiler`, ibis's PySpark compiler
with overrides) then turns the ibis IR into sqlglot, and sqlglot prints Spark SQL.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

import ibis
import ibis.config
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from sqlglot.transforms import eliminate_qualify

from . import determinism
from .spark_rules import in_context, measured_divergence
from .unordered import outputs as unordered_outputs
from .spark_compiler import SparkDialect, compiler as spark_compiler
from ..ir.errors import Diagnostic
from ..udf.udf_source import source_of, translatable
from ..ir.features import FeatureSet, FeatureSets, Refused, in_cell_order
from ..ir.features import LoweredFeature, LoweredNotebook, Variant


def spark_type(dtype: dt.DataType) -> str:
    """The Spark SQL type name (``simpleString``) of an ibis type, as the runtime checks it."""
    return spark_compiler.type_mapper.from_ibis(dtype).sql("spark").lower()


class _PySparkOptions(ibis.config.Config):
    """The one option ibis's PySpark compiler reads (the backend's own ``Options``)."""

    treat_nan_as_null: bool = False


def _register_pyspark_options() -> None:
    # ibis's PySpark compiler reads ibis.options.pyspark, which only the PySpark backend
    # registers; importing the backend costs a second (pandas, pyspark) that the compiler does
    # not need, so an equal options object is registered unless the backend already did.
    if ibis.config.options.pyspark is None:
        ibis.config.options.pyspark = _PySparkOptions()


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def marker_name(table: str) -> str:
    """The parameter marker an input table is bound through: its own name when that is a plain
    identifier, else an internal one (a marker is not quoted, so `:my table` would not parse)."""
    return table if _PLAIN.fullmatch(table) else f"nb2jvm_in_{_digest(table)}"


def internal_name(identifier: str) -> str:
    """The name an identifier has in the SQL text when Spark would expand part of it."""
    return f"nb2jvm_id_{_digest(identifier)}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _bind_inputs(node: sge.Expression, inputs: frozenset[str]) -> sge.Expression:
    # Input tables become IDENTIFIER(:name) markers: the runtime binds each to a fresh temporary
    # view, so a run never reads or replaces a view the caller happens to have with that name.
    if isinstance(node, sge.Table) and node.name in inputs and not node.args.get("db"):
        marker = sge.Anonymous(this="IDENTIFIER",
                               expressions=[sge.Placeholder(this=marker_name(node.name))])
        return sge.Table(this=marker, alias=node.args.get("alias"))
    return node


def _no_substituted_identifiers(node: sge.Expression) -> sge.Expression:
    # The same substitution expands ${env:HOME} inside a back-quoted identifier (an output column
    # named so came back as `/root`): such identifiers get internal names in the SQL text, and
    # the runtime renames input columns to them and output columns back, through the Dataset
    # API, which substitutes nothing.
    if isinstance(node, sge.Identifier) and "${" in node.name:
        return sge.Identifier(this=internal_name(node.name), quoted=True)
    return node


def _no_substitution(node: sge.Expression) -> sge.Expression:
    # Spark substitutes ${name} in SQL text before parsing (spark.sql.variable.substitute, on
    # by default), even inside string literals: split such a literal so no `${` remains.
    if isinstance(node, sge.Literal) and node.is_string and "${" in node.this:
        pieces = node.this.split("${")
        parts = [sge.Literal.string(pieces[0])]
        for piece in pieces[1:]:
            parts += [sge.Literal.string("$"), sge.Literal.string("{" + piece)]
        return sge.Concat(expressions=parts)
    return node


def _qualify_as_subquery(node: sge.Expression) -> sge.Expression:
    # Spark has no QUALIFY (ibis's filter on a window function).  sqlglot's rewrite into a
    # subquery `_t` keeps the inner tables' names on the outer filter's columns (`t0`.`x` >
    # _w), which Spark cannot resolve: they are the subquery's columns
    if not (isinstance(node, sge.Select) and node.args.get("qualify")):
        return node
    outer = eliminate_qualify(node)
    source = (outer.args.get("from") or outer.args["from_"]).this
    for column in list(outer.args["where"].find_all(sge.Column)):
        if column.table and column.find_ancestor(sge.Select) is outer:
            column.set("table", sge.to_identifier(source.alias))
    return outer


def _qualify_all(tree: sge.Expression) -> sge.Expression:
    """Every QUALIFY of the tree as a subquery, innermost first (a filter on a window over a
    filter on a window nests them; a transform would stop at the first one it replaces)."""
    selects = [s for s in tree.find_all(sge.Select) if s.args.get("qualify")]
    # a select inside another is the smaller tree: the smallest go first
    for select in sorted(selects, key=lambda s: len(list(s.walk()))):
        rewritten = _qualify_as_subquery(select.copy())
        if select is tree:
            tree = rewritten
        else:
            select.replace(rewritten)
    return tree


def to_spark_sql(expr: ibis.Table) -> str:
    """Spark SQL for a table expression, with its input tables as IDENTIFIER(:name) markers."""
    _register_pyspark_options()
    inputs = frozenset(op.name for op in expr.op().find(ops.UnboundTable))
    tree = spark_compiler.to_sqlglot(expr.unbind())
    tree = tree.transform(_bind_inputs, inputs).transform(_no_substitution) \
        .transform(_no_substituted_identifiers)
    tree = _qualify_all(tree)
    return tree.sql(dialect=SparkDialect, pretty=True)


def _nested_names(schema: ibis.Schema) -> set[str]:
    """The field names inside the struct types of a schema (at any depth)."""
    found, stack = set(), list(schema.types)
    while stack:
        dtype = stack.pop()
        if isinstance(dtype, dt.Struct):
            found.update(dtype.names)
            stack.extend(dtype.types)
        elif isinstance(dtype, dt.Array):
            stack.append(dtype.value_type)
        elif isinstance(dtype, dt.Map):
            stack.extend([dtype.key_type, dtype.value_type])
    return found


def _unwritable(dtype: dt.DataType) -> str | None:
    """Why a column of this type cannot be an output of the artifact, or None."""
    if dtype.is_interval():
        return ("an interval, which Spark's Parquet writer refuses (and a JVM consumer has no "
                "one type for DuckDB's months-days-microseconds intervals)")
    if dtype.is_json():
        return ("a JSON value, which DuckDB prints in its own form (1e3 as 1000.0); take it "
                "apart with .str, .int, .float or .bool")
    if dtype.is_time():
        return ("a time of day, which Spark writes to Parquet as a plain integer with no time "
                "type")
    children = (dtype.value_type,) if dtype.is_array() else tuple(dtype.types) \
        if dtype.is_struct() else (dtype.key_type, dtype.value_type) if dtype.is_map() else ()
    return next((why for child in children if (why := _unwritable(child))), None)


def _names(expr: ibis.Table) -> tuple[tuple, tuple]:
    """The markers and renamed identifiers of :func:`to_spark_sql` for ``expr``'s SQL."""
    inputs = sorted(expr.op().find(ops.UnboundTable), key=lambda t: t.name)
    markers = tuple((t.name, marker_name(t.name)) for t in inputs
                    if marker_name(t.name) != t.name)
    names = {c for t in inputs for c in t.schema.names} | set(expr.schema().names)
    renamed = tuple(sorted((n, internal_name(n)) for n in names if "${" in n))
    return markers, renamed


def _ordered(op: ops.Relation) -> bool:
    return isinstance(op, ops.Sort) or (isinstance(op, ops.Limit)
                                        and isinstance(op.parent, ops.Sort))


def inline_udfs(expr: ibis.Table, always: bool = False) -> tuple[ibis.Table, tuple]:
    """Replace each call of a UDF that has an exact SQL form by that form (udf_inline), where
    that is the faster form, or wherever possible if ``always``."""
    from ..udf.udf_inline import inline

    inlined = {}
    for _ in range(8):  # a UDF call nested in another's arguments is replaced on a later pass
        mapping = {}
        for udf in expr.op().find(ops.ScalarUDF):
            src = source_of(udf)
            if src is None or not translatable(src):
                continue  # the translator reports why, with the same rules inlined or not
            body = inline(src.fn.body, [arg.to_expr() for arg in udf.args], always=always)
            if body is not None:
                mapping[udf] = body.op()
                inlined[src.sql_name] = src
        if not mapping:
            break
        expr = expr.op().replace(mapping).to_expr()
    return expr, tuple(inlined[k] for k in sorted(inlined))


def written(cell, node) -> str:
    """What the author wrote for ``node``: its source text (shortened), for diagnostics."""
    pos = node.pos
    line = cell.line_text(pos.line) or ""
    if pos.end_line == pos.line and pos.end_column:
        text = line[pos.column - 1: pos.end_column - 1]
    else:
        text = line[pos.column - 1:] + " ..."
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _origin(node: ops.Node, origins: dict):
    """Where the author wrote ``node``: its own origin, else that of the smallest noted
    expression that contains it."""
    if node in origins:
        return origins[node]
    best = None
    for op, origin in origins.items():
        if isinstance(op, ops.Value) and node in op.find(ops.Node):
            size = sum(1 for _ in op.find(ops.Node))
            if best is None or size < best[0]:
                best = (size, origin)
    return best[1] if best else None


def _refusals(feature: FeatureSet, notebook: str, nodes: list, check, code: str,
              origins: dict) -> list[Diagnostic]:
    """One diagnostic per reason ``check`` gives, at the expression that first causes it."""
    by_reason: dict[str, ops.Node] = {}
    for node in nodes:
        reason = check(node)
        if reason and reason not in by_reason:
            by_reason[reason] = node
    found = []
    for reason in sorted(by_reason):
        origin = _origin(by_reason[reason], origins)
        if origin is not None and origin[0] is not None:
            cell, where = origin
            pos = where.pos
            found.append(Diagnostic(
                code, f"feature set '{feature.name}' cannot be lowered with the notebook's "
                f"semantics: `{written(cell, where)}`: {reason}",
                cell.span(notebook, pos.line, pos.column, pos.end_line, pos.end_column),
                source_line=cell.line_text(pos.line)))
        else:
            found.append(Diagnostic(
                code, f"feature set '{feature.name}' cannot be lowered with the notebook's "
                f"semantics: {reason}",
                feature.cell.span(notebook, feature.pos.line, feature.pos.column),
                source_line=feature.cell.line_text(feature.pos.line)))
    return found


def lower_feature(feature: FeatureSet, notebook: str, *, show_divergence: bool = False,
                  inline: bool = True, origins: dict | None = None
                  ) -> tuple[LoweredFeature | None, list[Diagnostic]]:
    """One feature set to Spark SQL, or the diagnostics that refuse it.

    ``show_divergence`` lowers a feature set refused only for measured differences anyway (each
    difference becomes a W400 warning), so that a notebook can show where Spark differs; such a
    feature set never reaches a build.
    """
    expr, inlined = inline_udfs(feature.expr, always=inline == "always") \
        if inline not in (False, "never") else (feature.expr, ())
    op = expr.op()
    nodes = list(op.find(ops.Node))
    check = in_context(nodes, op)
    reasons = sorted({r for node in nodes if (r := check(node))})
    measured = sorted({r for node in nodes if (r := measured_divergence(node))})
    shown: list[Diagnostic] = []
    if show_divergence and reasons and reasons == measured:
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        shown = [Diagnostic("W400", f"feature set '{feature.name}' is refused for builds and "
                            f"lowered only to show the difference: {r}", span, severity="warning",
                            source_line=feature.cell.line_text(feature.pos.line))
                 for r in reasons]
        reasons = []
    if reasons:
        return None, _refusals(feature, notebook, nodes, check, "L100", origins or {})
    nested = sorted({n for t in [*(u.schema for u in op.find(ops.UnboundTable)),
                                 feature.expr.schema()] for n in _nested_names(t) if "${" in n})
    if nested:
        # Top-level names with ${...} are renamed in the SQL and back by the runtime; a struct
        # field's name cannot be renamed through the Dataset API the same way.
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        return None, [Diagnostic("L102", f"feature set '{feature.name}' has a struct field named "
                                 f"{nested[0]!r}: Spark would expand its ${{...}}", span,
                                 source_line=feature.cell.line_text(feature.pos.line))]
    unwritable = [(name, why) for name, dtype in feature.expr.schema().items()
                  if (why := _unwritable(dtype))]
    if unwritable:
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        name, why = unwritable[0]
        return None, [Diagnostic("L104", f"feature set '{feature.name}': column {name!r} is "
                                 f"{why}", span, hint="compute a number, a string or a "
                                 "timestamp from it (e.g. delta(), hour(), .str)",
                                 source_line=feature.cell.line_text(feature.pos.line))]
    ordered = _ordered(op)
    try:
        sql = to_spark_sql(expr)
    except Exception as exc:  # ibis raises OperationNotDefinedError and friends
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        return None, [Diagnostic("L101", f"feature set '{feature.name}' cannot be compiled "
                                 f"to Spark SQL: {type(exc).__name__}: {exc}", span,
                                 source_line=feature.cell.line_text(feature.pos.line))]
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError:
        # a lone surrogate (written as '\ud800' in the cell) has no UTF-8 form: neither the
        # SQL file nor Spark's parser could carry it
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        return None, [Diagnostic("L103", f"feature set '{feature.name}' has a string or name "
                                 "with a lone surrogate (\\ud800-\\udfff), which Spark SQL "
                                 "cannot carry", span,
                                 source_line=feature.cell.line_text(feature.pos.line))]
    markers, renamed = _names(expr)
    unordered = unordered_columns(op, nodes)
    if unordered:
        # the notebook shows one order of these arrays; another run of it may show another
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        shown = [*shown, Diagnostic(
            "W302", f"feature set '{feature.name}': the arrays of {', '.join(unordered)} come "
            "from collect() without order_by, so their element order is arbitrary on both "
            "engines; verify compares them as multisets", span, severity="warning",
            hint="pass order_by= to collect() for an order a consumer can rely on",
            source_line=feature.cell.line_text(feature.pos.line))]
    return LoweredFeature(feature.name, sql, feature.expr.schema(), ordered, feature,
                          tuple(determinism.without_declared_unique(
                              determinism.risks(feature.expr), feature.cell.export.unique)),
                          tuple(shown), expr, inlined,
                          markers, renamed, unordered), []


def unordered_columns(op: ops.Node, nodes: list) -> tuple[str, ...]:
    """The output columns holding an unordered collect() (compared as multisets)."""
    return tuple(sorted({c for cols in unordered_outputs(op, nodes).values() for c in cols}))


def lower(features: FeatureSets, inline: bool | str = "auto") -> LoweredNotebook:
    """Lower every feature set the evaluator accepted; refused ones keep their diagnostics.
    ``inline``: replace UDF calls by exact SQL where faster ("auto" or True), wherever possible
    ("always"), or never (False or "never"): those UDFs are compiled."""
    lowered, refused, seen = [], list(features.refused), set()
    notebook = features.bound.parsed.notebook.path
    for feature in features.features:
        result, problems = lower_feature(feature, notebook, inline=inline,
                                         origins=features.origins)
        if not result:
            refused.append(Refused(feature.name, tuple(problems)))
            continue
        # Warn once per order-sensitive operation: where it is first defined, not again in
        # every feature set built on top of it.
        new = tuple(r for r in result.risks if r not in seen)
        seen.update(result.risks)
        span = feature.cell.span(notebook, feature.pos.line, feature.pos.column)
        warned = determinism.warnings(feature.name, new, span,
                                      feature.cell.line_text(feature.pos.line))
        lowered.append(dataclasses.replace(result, warnings=result.warnings + tuple(warned)))
    lowered = [dataclasses.replace(lf, variants=upstream_variants(lf, lowered, features, inline))
               for lf in lowered]
    return LoweredNotebook(features, tuple(lowered), in_cell_order(refused))


def upstream_variants(lf: LoweredFeature, lowered: list[LoweredFeature], features: FeatureSets,
                      inline: bool | str) -> tuple[Variant, ...]:
    """``lf`` computed from each exported feature set it is built on (one at a time), and from
    all the outermost ones at once: the upstream's rows come in as an input under its name, so
    a caller that already computed it does not pay for it again. A variant that does not lower
    is left out (the whole computation stays available)."""
    op = lf.feature.expr.op()
    inputs = {t.name for t in features.inputs}
    inside = set(op.find(ops.Relation))
    ups = [u for u in lowered if u.name != lf.name and u.name not in inputs
           and u.feature.expr.op() in inside]
    if not ups:
        return ()
    # outermost: not itself inside another upstream of lf
    outer = [u for u in ups if not any(u.feature.expr.op() in set(v.feature.expr.op().find(
        ops.Relation)) for v in ups if v is not u)]
    choices = [(u,) for u in ups] + ([tuple(outer)] if len(outer) > 1 else [])
    out = []
    for chosen in choices:
        mapping = {u.feature.expr.op(): ibis.table(u.schema, name=u.name).op() for u in chosen}
        expr = op.replace(mapping).to_expr()
        feature = dataclasses.replace(lf.feature, expr=expr)
        result, problems = lower_feature(feature, features.bound.parsed.notebook.path,
                                         inline=inline, origins=features.origins)
        if result is None:
            continue
        used = tuple(sorted(t.name for t in expr.op().find(ops.UnboundTable)))
        out.append(Variant(tuple(sorted(u.name for u in chosen)), result.sql, used,
                           result.markers, result.renamed))
    return tuple(out)
