"""The online path's joins to a constant table of the cell (an ``ibis.memtable``, which the batch
SQL carries as VALUES): a lookup by the join key, built once when the row function's class loads.

Only what keeps one row in and at most one row out: a LEFT or INNER equi-join whose constant
side has each key at most once (two rows with one key would make one input row into two, which
a row function cannot return: refused at build time).  Spark's equality on the key types the
lookup allows (integers, strings, booleans, dates, timestamps) is Java's ``equals`` of the boxed
values once both sides hold the common type; a NULL key matches nothing, on either side.
DOUBLE keys are refused (Spark's join normalizes -0.0 and NaN, ``equals`` would not).  A join to
another input would need a lookup the caller passes: refused with that reason, for now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from .online_types import JAVA, Refusal, Scope, Val

KEY_TYPES = ("int", "bigint", "string", "boolean", "date", "timestamp", "timestamp_ntz")
MAX_CELLS = 100_000  # rows x columns of one constant table (the SQL is bounded before this)


@dataclass
class Lookup:
    """One join's lookup: its key pairs, the constant rows' cells and their static code."""

    index: int
    inner: bool
    right: Scope
    pairs: list[tuple[exp.Column, int]]  # (the left side's key column, the key's right column)
    cells: list[list[Val]]  # per constant row, per right column: its value in the static method
    keys_sql: list[tuple[str, ...]]  # per constant row, its key's SQL (duplicates refused)
    lines: list[str] = field(default_factory=list)  # the static method's statements


class LookupJoins:
    """Mixin of RowCompiler: the join scope (at parse) and its lookup (at emission)."""

    def join_scope(self, joins: list, left: Scope) -> Scope:
        if len(joins) != 1:
            raise Refusal("it joins more than two tables")
        j = joins[0]
        side = (j.args.get("side") or "").upper()
        kind = (j.args.get("kind") or "").upper()
        if side not in ("", "LEFT") or kind not in ("", "INNER", "OUTER") or \
                (side == "" and kind == "OUTER") or j.args.get("using") or j.args.get("method"):
            raise Refusal(f"it has a {' '.join(filter(None, (side, kind))) or 'cross'} join; "
                          "the online path has LEFT and INNER joins to a constant table")
        names, rows = self._constant_table(j.this)
        right_alias = j.this.alias_or_name
        lookup_no = self.lookups
        self.lookups += 1
        # the constant cells, compiled into the lookup's static method (not the row function)
        saved, self.lines = self.lines, []
        try:
            cells = [[self.visit(cell) for cell in row] for row in rows]
            types = [self.common([r[k] for r in cells], "a column of a constant table")
                     for k in range(len(names))]
            cells = [[self.coerce(v, t) for v, t in zip(row, types)] for row in cells]
            static = self.lines
        finally:
            self.lines = saved
        for name, t in zip(names, types):
            if t not in JAVA:
                raise Refusal(f"the constant table's column '{name}' is a {t}, which the online "
                              "path does not hold yet")
        right = Scope(right_alias, {n: ("input", Val(f"j{lookup_no}_{k}", t))
                                    for k, (n, t) in enumerate(zip(names, types))})
        pairs = [self._key_pair(eq, left.alias, right_alias, names)
                 for eq in _conjuncts(j.args.get("on"))]
        if not pairs:
            raise Refusal("its join has no ON condition")
        keys_sql = []
        seen = set()
        for row in rows:
            key = tuple(row[k].sql("spark") for _, k in pairs)
            if any(_is_null(row[k]) for _, k in pairs):
                continue  # a NULL key matches nothing
            if key in seen:
                raise Refusal("its constant table has two rows with one join key (one input "
                              "row would become two)")
            seen.add(key)
            keys_sql.append(key)
        lookup = Lookup(lookup_no, inner=side == "", right=right, pairs=pairs, cells=cells,
                        keys_sql=keys_sql, lines=static)
        columns = {}
        for side_scope in (left, right):
            for n in side_scope.columns:
                columns[n] = ("ambiguous",) if n in columns else ("ref", side_scope, n)
        return Scope(None, columns, None, left, join=lookup)

    def side_of(self, scope: Scope, column: exp.Column) -> Scope:
        """The side of a join a column reads: by its table, else the one side that has it."""
        left, right = scope.inner, scope.join.right
        if column.table:
            for s in (left, right):
                if column.table == s.alias:
                    return s
            raise Refusal(f"it reads a column of '{column.table}', not of its join's tables")
        having = [s for s in (left, right) if column.name in s.columns]
        if len(having) > 1:
            raise Refusal(f"both sides of its join have a column '{column.name}'")
        return having[0] if having else left

    def emit_lookup(self, scope: Scope) -> None:
        """The lookup at its place in the row function; its table as a static field."""
        lk: Lookup = scope.join
        keys = []
        for col, k in lk.pairs:
            lv = self.column(scope.inner, col.name)
            rt = lk.right.columns[list(lk.right.columns)[k]][1].type
            t = self.common([lv, Val("", rt)], "a join key")
            if t not in KEY_TYPES:
                raise Refusal(f"a join key of type {t} is not on the online path yet (Spark "
                              "normalizes -0.0 and NaN in join keys)" if t == "double" else
                              f"a join key of type {t} is not on the online path yet")
            keys.append((self.coerce(lv, t), k, t))
        table = f"L{lk.index}"
        self._static_table(lk, table, keys)
        nulls = " || ".join(f"{v.code} == null" for v, _, _ in keys)
        key = keys[0][0].code if len(keys) == 1 else \
            "java.util.List.of(" + ", ".join(v.code for v, _, _ in keys) + ")"
        row = f"m{lk.index}"
        self.lines.append(f"final Object[] {row} = ({nulls}) ? null : {table}.get({key});")
        if lk.inner:
            self.lines.append(f"if ({row} == null) return null;")
        for k, (name, entry) in enumerate(lk.right.columns.items()):
            v = entry[1]
            self.lines.append(f"final {JAVA[v.type]} {v.code} = {row} == null ? null : "
                              f"({JAVA[v.type]}) {row}[{k}];")

    def _static_table(self, lk: Lookup, table: str, keys: list) -> None:
        saved, self.lines = self.lines, lk.lines
        try:
            key_codes = [[self.coerce(row[k], t).code for _, k, t in keys] for row in lk.cells]
        finally:
            self.lines = saved
        method = f"lookup{lk.index}"
        out = [f"private static final java.util.Map<Object, Object[]> {table} = {method}();",
               f"private static java.util.Map<Object, Object[]> {method}() {{",
               "  final java.util.HashMap<Object, Object[]> t = new java.util.HashMap<>();"]
        out += [f"  {line}" for line in lk.lines]
        for row, codes in zip(lk.cells, key_codes):
            cells = ", ".join(v.code for v in row)
            nulls = " || ".join(f"{c} == null" for c in codes)
            key = codes[0] if len(codes) == 1 else "java.util.List.of(" + ", ".join(codes) + ")"
            out.append(f"  if (!({nulls}) && t.put({key}, new Object[] {{{cells}}}) != null) {{")
            out.append("    throw new IllegalStateException(\"nb2jvm: two rows of a constant "
                       "table with one join key\");")
            out.append("  }")
        out += ["  return java.util.Collections.unmodifiableMap(t);", "}"]
        self.fields.extend(out)

    def _constant_table(self, node) -> tuple[list[str], list[list[exp.Expression]]]:
        """The columns and rows of a memtable's VALUES subquery, each cell as an expression of
        constants (the subquery's projection applied to the row's values)."""
        sel = node.this if isinstance(node, exp.Subquery) else None
        src = sel.args.get("from_") or sel.args.get("from") if isinstance(sel, exp.Select) \
            else None
        values = src.this if src is not None else None
        if not isinstance(values, exp.Values) or any(
                v for k, v in sel.args.items() if k not in ("expressions", "from_", "from")):
            raise Refusal("it joins another table than a constant one of the cell (a join to "
                          "another input needs a lookup the caller passes: not on the online "
                          "path yet)")
        alias = values.args.get("alias")
        value_names = [c.name for c in alias.columns] if alias is not None else []
        rows = [t.expressions for t in values.expressions]
        if len(rows) * max(1, len(sel.expressions)) > MAX_CELLS:
            raise Refusal(f"its constant table has more than {MAX_CELLS} cells")
        if any(len(r) != len(value_names) for r in rows):
            raise Refusal("its constant table's rows are not all of its width")
        names, cells = [], [[] for _ in rows]
        for e in sel.expressions:
            if not isinstance(e, exp.Alias):
                raise Refusal("its constant table has an unnamed column")
            names.append(e.alias_or_name)
            for r, row in enumerate(rows):
                by_name = dict(zip(value_names, row))

                def put(n, by_name=by_name):
                    if isinstance(n, exp.Column) and not n.table and n.name in by_name:
                        return by_name[n.name].copy()
                    if isinstance(n, exp.Column):
                        raise Refusal("its constant table reads a column it does not have")
                    return n

                cells[r].append(e.this.copy().transform(put))
        if len(set(names)) != len(names):
            raise Refusal("its constant table names a column twice")
        return names, cells

    def _key_pair(self, eq, left_alias, right_alias, names) -> tuple[exp.Column, int]:
        if not isinstance(eq, exp.EQ) or not all(isinstance(x, exp.Column)
                                                  for x in (eq.this, eq.expression)):
            raise Refusal("its join condition is not column = column (AND ...)")
        a, b = eq.this, eq.expression
        if a.table == right_alias and b.table == left_alias:
            a, b = b, a
        if a.table != left_alias or b.table != right_alias or b.name not in names:
            raise Refusal("its join condition does not compare its input's column to the "
                          "constant table's")
        return a, names.index(b.name)


def _conjuncts(node) -> list:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [] if node is None else [node]


def _is_null(node) -> bool:
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    return isinstance(node, exp.Null)
