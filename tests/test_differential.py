"""Differential table: each case is a one-line exported cell over adversarial data, run with ibis
on DuckDB (the notebook's engine) and through nb2jvm on Spark in the JVM, then compared.

Every op in ``spark_rules.CONFORMANT_OPS`` appears in at least one ``conformant`` case (checked by
``test_every_conformant_op_is_exercised``); ops that would differ must come out ``refused``.
"""

from __future__ import annotations

import datetime as dt
import math

import ibis.expr.operations as ops
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, write_notebook
from transpiler.lowering.spark_rules import CONFORMANT_OPS
from transpiler.pipeline import Options
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

INF, NAN = math.inf, math.nan
ROWS = {
    "id": list(range(1, 13)),
    "g": [1, 1, 2, 2, 2, None, 3, 3, None, 4, 4, 4],
    "i": [0, 1, -1, 7, -7, None, 42, 3, 1000000, -2, 5, 9],
    "f": [0.0, -0.0, 1.5, -2.25, NAN, INF, -INF, None, 1e308, 5e-324, 0.1, 2.5],
    "s": ["", "abc", "straße", "İstanbul", "ΣΑΣ", "emoji 😀", "e\u0301", "\u00a0x\u00a0", None,
          "MiXeD", "abc", "Ǆ"],
    "ns": [" 7 ", "1.5", "1e3", "+5", "0x10", "\u0663", "9223372036854775808", "-0", "", None,
           "12", "abc"],
    "b": [True, False, None, True, False, True, None, False, True, True, False, None],
    "ts": [dt.datetime(1969, 12, 31, 23, 59, 59), dt.datetime(2024, 2, 29, 12, 30),
           dt.datetime(2026, 3, 29, 1, 30), dt.datetime(2026, 10, 25, 2, 30), None,
           dt.datetime(2000, 1, 1), dt.datetime(1900, 6, 15, 8, 5, 7),
           dt.datetime(2026, 12, 31, 23, 59), dt.datetime(2026, 1, 1, 0, 0, 1),
           dt.datetime(1970, 1, 1), dt.datetime(2038, 1, 19, 3, 14, 8),
           dt.datetime(2024, 2, 29, 0, 0)],
}
# A second table for joins: duplicate, missing and NULL keys.
U_ROWS = {"g": [1, 2, 2, None, 5], "label": ["one", "two", "deux", "null", None]}
SCHEMA = pa.schema([("id", pa.int64()), ("g", pa.int64()), ("i", pa.int64()),
                    ("f", pa.float64()), ("s", pa.string()), ("ns", pa.string()),
                    ("b", pa.bool_()),
                    ("ts", pa.timestamp("us"))])

# (case name, expression over table t, expected status).  Projection cases compute `r` per row.
PROJECTIONS = [
    ("add_int", "t.i + 3", "conformant"),
    ("sub_float", "t.f - 1.5", "conformant"),
    ("mul_int_float", "t.i * t.f", "conformant"),
    ("negate_float", "-t.f", "conformant"),
    ("gt_float_nan", "t.f > 0", "conformant"),
    ("ge_le", "(t.f >= -2.25) & (t.f <= 1.5)", "conformant"),
    ("eq_ne_str", "(t.s == 'abc') | (t.s != 'MiXeD')", "conformant"),
    ("lt_str_codepoint", "t.s < 'b'", "conformant"),
    ("upper_duckdb_mapping", "t.s.upper()", "conformant"),
    ("lower_duckdb_mapping", "t.s.lower() + t.s.upper().lower()", "conformant"),
    ("three_valued_logic", "((t.i > 0) & ~t.b) | t.b.isnull()", "conformant"),
    ("ifelse_null_cond", "ibis.ifelse(t.b, t.i, -1)", "conformant"),
    ("cases", "ibis.cases((t.i > 0, 'pos'), (t.i < 0, 'neg'), else_='zero')", "conformant"),
    ("isnull_notnull", "t.f.isnull() | t.s.notnull()", "conformant"),
    ("coalesce", "ibis.coalesce(t.i, t.g, 0)", "conformant"),
    ("fill_null_str", "t.s.fill_null('?')", "conformant"),
    ("between", "t.i.between(-1, 7)", "conformant"),
    ("isin", "t.s.isin(['abc', 'straße', ''])", "conformant"),
    ("length_codepoints", "t.s.length()", "conformant"),
    ("year_month_day", "t.ts.year() * 10000 + t.ts.month() * 100 + t.ts.day()", "conformant"),
    ("hour_minute", "t.ts.hour() * 100 + t.ts.minute()", "conformant"),
    ("div_by_constant", "t.f / 4", "conformant"),
    ("cast_int_to_float", "t.i.cast('float64')", "conformant"),
    ("cast_int_to_string", "t.i.cast('string')", "conformant"),
    ("cast_bool_to_int", "t.b.cast('int64')", "conformant"),
    # strings
    ("substr", "t.s.substr(1, 3)", "conformant"),
    ("contains", "t.s.contains('a')", "conformant"),
    ("startswith_endswith", "t.s.startswith('e') | t.s.endswith('x\u00a0')", "conformant"),
    ("like", "t.s.like('%a%')", "conformant"),
    ("strip", "t.s.strip()", "conformant"),
    ("replace", "t.s.replace('a', 'AA')", "conformant"),
    ("concat", "t.s + '|' + t.s", "conformant"),
    # Spark substitutes ${name} in SQL text, string literals included, unless it is split.
    ("dollar_brace_literal", "t.s + '${x} ${hiveconf:y}'", "conformant"),
    ("find", "t.s.find('a')", "conformant"),
    ("lpad", "t.s.lpad(6, '*')", "conformant"),
    ("re_search", "t.s.re_search('^[a-z]+')", "conformant"),
    ("re_search_dollar", "t.s.re_search('[a-z]+$')", "conformant"),
    ("re_search_space_class", "t.s.re_search('\\\\s')", "conformant"),
    ("re_replace_backreference", "t.s.re_replace('(a)', '\\\\1\\\\1')", "conformant"),
    ("split_regex_metachar", "t.s.split('.')", "conformant"),
    ("re_search_unicode_class", "t.s.re_search('\\\\pL')", "refused"),
    ("re_search_inner_anchor", "t.s.re_search('a^b')", "refused"),
    ("strftime_weekday_name", "t.ts.strftime('%A %-d %j %U')", "conformant"),
    ("strftime_unknown_directive", "t.ts.strftime('%e')", "refused"),
    ("add_month", "t.ts + ibis.interval(months=1)", "conformant"),
    ("power_fractional", "t.f ** 0.5", "refused"),
    ("floordiv_by_column", "t.i // t.g", "refused"),
    ("lstrip_rstrip", "t.s.lstrip() + '|' + t.s.rstrip()", "conformant"),
    ("re_replace", "t.s.re_replace('[aeiou]', '_')", "conformant"),
    ("re_extract", "t.s.re_extract('([a-z]+)', 1)", "conformant"),
    ("split", "t.s.split(' ')", "conformant"),
    ("rpad", "t.s.rpad(6, '*')", "conformant"),
    ("left_right", "t.s.left(2) + t.s.right(2)", "conformant"),
    ("reverse", "t.s.reverse()", "refused"),
    ("ilike", "t.s.ilike('%A%')", "conformant"),
    ("notin", "t.s.notin(['abc'])", "conformant"),
    ("try_cast_numeric_strings", "t.ns.try_cast('int64')", "conformant"),
    ("nullif", "t.i.nullif(0)", "conformant"),
    ("greatest_least", "ibis.greatest(t.i, t.g) + ibis.least(t.i, t.g)", "conformant"),
    ("clip", "t.i.clip(lower=0, upper=10)", "conformant"),
    ("round_float_to_int", "t.i.cast('float64').round()", "conformant"),
    ("exp", "t.f.exp()", "conformant"),
    ("power_int", "t.i ** 2", "conformant"),
    ("floordiv_const", "t.i // 3", "conformant"),
    # temporal
    ("timestamp_add_interval", "t.ts + ibis.interval(days=1)", "conformant"),
    ("timestamp_sub_intervals", "(t.ts - ibis.interval(hours=30)) - ibis.interval(seconds=61)",
     "conformant"),
    ("date_add_days", "t.ts.date() + ibis.interval(days=3)", "conformant"),
    ("date_sub_weeks", "t.ts.date() - ibis.interval(weeks=1)", "conformant"),
    ("delta_days", "t.ts.delta(ibis.timestamp('2020-01-01 00:00:00'), unit='day')",
     "conformant"),
    ("delta_units", "t.ts.delta(ibis.timestamp('1970-01-01 12:00:00'), unit='hour') + "
     "t.ts.date().delta(ibis.date('2000-03-31'), unit='month')", "conformant"),
    ("strftime", "t.ts.strftime('%Y-%m-%d %H')", "conformant"),
    ("quarter_day_of_year", "t.ts.quarter() * 1000 + t.ts.day_of_year()", "conformant"),
    ("week_of_year", "t.ts.week_of_year()", "conformant"),
    ("epoch_seconds", "ibis.ifelse(t.ts.year().between(1902, 2037), t.ts, "
     "ibis.timestamp('2000-01-01 00:00:00')).epoch_seconds()", "conformant"),
    ("day_of_week", "t.ts.day_of_week.index()", "conformant"),
    ("date_part", "t.ts.date()", "conformant"),
    ("truncate_day", "t.ts.truncate('D')", "conformant"),
    ("second", "t.ts.second()", "conformant"),
    # numeric
    ("abs_sign", "t.i.abs() + t.i.sign()", "conformant"),
    ("isnan", "t.f.isnan()", "conformant"),
    # outside their domain DuckDB raises (tests/test_numeric_types.py shows Spark raising too)
    ("sqrt_ln_in_domain", "t.i.abs().cast('float64').sqrt() + ibis.ifelse(t.i > 0, t.i, 1)"
     ".cast('float64').ln()", "conformant"),
    ("log_base", "ibis.ifelse(t.i > 0, t.i, 7).cast('float64').log(3) + "
     "ibis.ifelse(t.i > 0, t.i, 7).cast('float64').log(ibis.ifelse(t.g > 0, t.g, 2))",
     "conformant"),
    ("log10_log2_in_domain", "ibis.ifelse(t.i > 0, t.i, 7).cast('float64').log10() * "
     "ibis.ifelse(t.i > 0, t.i, 7).cast('float64').log2()", "conformant"),
    ("floor_ceil_in_range", "ibis.ifelse(t.f.isnan() | t.f.isinf() | (t.f.abs() > 1e18), "
     "-2.5, t.f).floor() * 10 + ibis.ifelse(t.f.isnan() | t.f.isinf() | (t.f.abs() > 1e18), "
     "-2.5, t.f).ceil()", "conformant"),
    ("isinf", "t.f.isinf()", "conformant"),
    ("isnull_float_nan", "t.f.isnull()", "conformant"),
    ("notnull_float_nan", "t.f.notnull()", "conformant"),
    ("modulo", "t.i % 3", "conformant"),
    # windows (order keys are unique or ties are rank-stable, so both engines are deterministic)
    ("win_row_number", "ibis.row_number().over(group_by='g', order_by='id')", "conformant"),
    ("win_rank_null_ties", "ibis.rank().over(order_by='g')", "conformant"),
    ("win_dense_rank", "ibis.dense_rank().over(order_by=ibis.desc('g'))", "conformant"),
    ("win_percent_rank", "ibis.percent_rank().over(order_by='g')", "conformant"),
    ("win_cume_dist", "ibis.cume_dist().over(order_by='g')", "conformant"),
    ("win_ntile", "ibis.ntile(3).over(order_by='id')", "conformant"),
    ("win_lag_lead", "t.i.lag().over(order_by='id') * 1000 + t.i.lead(2, -1).over("
     "order_by='id')", "conformant"),
    ("win_cumsum", "t.i.cumsum(order_by='id')", "conformant"),
    ("win_rolling_sum", "t.i.sum().over(ibis.window(order_by='id', preceding=2, following=0))",
     "conformant"),
    ("win_partition_mean", "t.f.mean().over(group_by='g')", "conformant"),
    ("win_partition_count_max", "t.i.count().over(group_by='g') + t.i.max().over("
     "group_by='g')", "conformant"),
    ("win_range_interval", "t.i.sum().over(ibis.range_window(order_by='ts', "
     "preceding=ibis.interval(days=1), following=0))", "conformant"),
    # Refused at transpile time, with the reason (never a silent difference).
    ("div_by_column", "t.f / t.i", "conformant"),
    # found by tests/test_generated.py: Spark reads 2.25 as a DECIMAL literal
    ("int_div_float_literal", "t.g / ibis.coalesce(t.g / -2.25, 1e300)", "conformant"),
    ("int_times_float_literal", "(t.i * 0.1) / 7", "conformant"),
    ("div_float_by_float", "t.f / t.f", "conformant"),
    ("div_int_by_int", "t.i / t.g", "conformant"),
    ("div_by_signed_zero", "t.i / (t.f * 0)", "conformant"),
    ("modulo_by_column", "t.i % t.g", "refused"),
    # float -> int: DuckDB rounds half to even and raises on NaN/inf/overflow (emulated; the
    # failing values are in tests/test_value_space.py)
    ("cast_float_to_int", "ibis.ifelse(t.f.isnan() | t.f.isinf() | (t.f.abs() > 1e18), 0.5, "
                          "t.f).cast('int64')", "conformant"),
    ("round_digits", "t.f.round(1) + t.f.round(-1)", "conformant"),
]
AGGREGATES = [
    ("agg_counts", "n=_.count(), nf=_.f.count(), ns=_.s.nunique()", "conformant"),
    ("agg_sum_int", "r=_.i.sum()", "conformant"),
    ("agg_sum_mean_float", "r=_.f.sum(), m=_.f.mean()", "conformant"),
    ("agg_min_max_nan", "lo=_.f.min(), hi=_.f.max()", "conformant"),
    ("agg_min_max_str", "lo=_.s.min(), hi=_.s.max()", "conformant"),
    ("agg_bool_sum", "r=_.b.sum()", "conformant"),
    ("agg_std_var", "sd=_.i.std(), v=_.i.var(how='pop')", "conformant"),
    ("agg_median_quantile", "m=_.i.median(), q=_.i.quantile(0.25)", "conformant"),
    ("agg_first_last_ordered", "a=_.i.first(order_by='id'), b=_.i.last(order_by='id')",
     "conformant"),
    ("agg_any_all", "a=_.b.any(), b=_.b.all()", "conformant"),
    ("agg_collect_ordered", "c=_.i.collect(order_by='id')", "conformant"),
    ("agg_where_filtered", "n=_.i.sum(where=_.i > 0), c=_.count(where=_.b)", "conformant"),
]
RELATIONS = [
    ("filter_order_limit", "t.filter(t.i > 0).order_by([t.i.desc(), 'id']).limit(3)",
     "conformant"),
    ("distinct_drop", "t.select('g').distinct()", "conformant"),
    ("drop_columns", "t.drop('s', 'ts')", "conformant"),
    ("named_value", "t.select('id', (t.i + 1).name('r'))", "conformant"),
    ("join_inner", "t.join(u, 'g')", "conformant"),
    ("join_left", "t.left_join(u, 'g')", "conformant"),
    ("join_outer", "t.outer_join(u, 'g')", "conformant"),
    ("join_semi", "t.semi_join(u, 'g')", "conformant"),
    ("join_anti_predicate", "t.anti_join(u, t.g == u.g)", "conformant"),
    ("join_self", "t.join(t.view(), 'id')", "conformant"),
    ("join_cross", "t.select('id').cross_join(u.select('label'))", "conformant"),
    ("join_chain", "t.join(u, 'g').left_join(t.select('id', r='i'), 'id')", "conformant"),
    ("union_all", "t.select('g').union(u.select('g'))", "conformant"),
    ("union_distinct", "t.select('g').union(u.select('g'), distinct=True)", "conformant"),
    ("intersect", "t.select('g').intersect(u.select('g'))", "conformant"),
    ("intersect_all", "t.select('g').intersect(t.select('g').filter(_.g != 3), distinct=False)",
     "conformant"),
    ("difference", "t.select('g').difference(u.select('g'))", "conformant"),
    ("difference_all", "t.select('g', 'b').difference(u.select('g', b=_.g > 1), distinct=False)",
     "conformant"),
    ("unnest_split", "t.select('id', p=t.s.split(' ')).unnest('p')", "conformant"),
    ("unnest_offset_keep_empty", "t.select('id', p=t.s.split('a')).unnest('p', offset='i', "
     "keep_empty=True)", "conformant"),
    ("memtable_join", "t.select('id', 'g').left_join(ibis.memtable({'g': [1, 2, 4], 'w': [0.5, "
     "None, 2.0], 'label': ['a', '${x}', None]}), 'g')", "conformant"),
    ("memtable_inner_string_key", "t.inner_join(ibis.memtable({'s': ['abc', 'straße', 'ΣΑΣ', "
     "'x', None], 'n': [1, 2, None, 4, 5]}), 's').mutate(m=_.n * 2)", "conformant"),
    ("memtable_two_keys", "t.left_join(ibis.memtable({'g': [1, 2, 2, 3, 4], 'b': [True, "
     "True, False, True, False], 'w': ['a', 'b', 'c', 'd', None]}), ['g', 'b'])", "conformant"),
    ("memtable_then_filter", "t.select('id', 'g', 'f').left_join(ibis.memtable({'g': [1, 3], "
     "'rate': [0.5, 2.0]}), 'g').mutate(r=_.f * _.rate.fill_null(1.0)).filter(_.id > 2)",
     "conformant"),
    ("memtable_duplicate_keys", "t.select('id', 'g').inner_join(ibis.memtable({'g': [1, 1, 2], "
     "'w': [1, 2, 3]}), 'g')", "conformant"),
    ("memtable_alone", "ibis.memtable({'k': ['ß', 'x', None], 'n': [1, None, 3]}).mutate("
     "u=_.k.upper(), m=_.n * 2)", "conformant"),
    ("asof_join", "t.asof_join(u.filter(u.label != 'deux').rename(id='g'), on='id')",
     "conformant"),
    ("asof_join_ties", "t.asof_join(u, on=t.id >= u.g)", "nondeterministic"),
]

notimpl = pytest.mark.notimpl


def _gap(name, source, reason):
    """A case that should become conformant once its lowering exists (strict xfail)."""
    return pytest.param(f"gap_{name}", source, "conformant", id=f"gap_{name}",
                        marks=notimpl(raises=AssertionError, reason=reason))


# Gaps: the op is refused today; when a lowering lands these start passing and must be unmarked.
# (upper()/lower() were gaps until the runtime got DuckDB's case tables.)
GAPS: list = []


def _cells():
    yield from ((n, f"t.select('id', r={e})", s) for n, e, s in PROJECTIONS)
    yield from ((n, f"t.group_by('g').aggregate({e})", s) for n, e, s in AGGREGATES)
    yield from RELATIONS


CASES = list(_cells())
ALL_CELLS = CASES + [(p.values[0], p.values[1], p.values[2]) for p in GAPS]


@pytest.fixture(scope="module")
def report(tmp_path_factory, jvm):
    folder = tmp_path_factory.mktemp("differential")
    pq.write_table(pa.Table.from_pydict(ROWS, schema=SCHEMA), folder / "t.parquet")
    pq.write_table(pa.table(U_ROWS), folder / "u.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")\nu = con.read_parquet("u.parquet")']
    cells += [f"%%export\ncase_{name} = {source}" for name, source, _ in ALL_CELLS]
    path = write_notebook(folder / "differential.ipynb", cells)
    result = verify(path, Options(), online=True)
    return {v.name: v for v in result.feature_sets}


@pytest.mark.parametrize("name,source,expected",
                         [pytest.param(*c, id=c[0]) for c in CASES] + GAPS)
def test_case(report, name, source, expected):
    verdict = report[f"case_{name}"]
    assert verdict.status == expected, f"{source}: {verdict.message}\n{verdict.details}"
    if expected == "conformant":
        assert verdict.rows_compared > 0


# The online path (a plain-JVM row function compiled from the batch SQL) runs every case too:
# the third way.  Row-local cases must agree with the notebook unless listed here with the reason
# the build gives; every other case must be refused for the online path.
ROW_LOCAL = {n for n, _, _ in PROJECTIONS if not n.startswith("win_")} | {
    "drop_columns", "named_value", "memtable_join", "memtable_inner_string_key",
    "memtable_two_keys", "memtable_then_filter", "memtable_duplicate_keys"}
ONLINE_REFUSED = {
    "memtable_duplicate_keys": "two rows with one join key",  # one row in would be two out
    "second": "EXTRACT(SECOND)",  # Spark's EXTRACT(SECOND) is a DECIMAL(8, 6)
    "int_times_float_literal": "decimal",  # Spark multiplies by 0.1 as a DECIMAL
}


@pytest.mark.parametrize("name,source,expected",
                         [pytest.param(*c, id=c[0]) for c in CASES if c[2] == "conformant"])
def test_online_case(report, name, source, expected):
    verdict = report[f"case_{name}"]
    if name in ROW_LOCAL and name not in ONLINE_REFUSED:
        assert verdict.online == "conformant", f"{source}: {verdict.online_message}"
    else:
        assert verdict.online == "refused", f"{source}: {verdict.online_message}"
        assert ONLINE_REFUSED.get(name, "") in verdict.online_message.lower() or \
            ONLINE_REFUSED.get(name, "") in verdict.online_message


def test_every_conformant_op_is_exercised(tmp_path):
    """The op table and the differential table must not drift apart."""
    import ibis

    t = ibis.table(SCHEMA, name="t")
    u = ibis.table(pa.table(U_ROWS).schema, name="u")
    from ibis import _

    seen = set()
    for _name, source, expected in CASES:
        if expected == "conformant":
            expr = eval(source, {"t": t, "u": u, "ibis": ibis, "_": _})  # test-owned literals
            seen |= {type(op) for op in expr.op().find(ops.Node)}
    # and the generated value-space tables (tests/test_value_space*.py)
    from tests.test_value_space import SPECS, value_table

    from tests import test_value_space_nested as nested

    for specs, table in ((SPECS, value_table()), (nested.SPECS, nested.value_table())):
        v = ibis.table(table.schema, name="t")
        for _name, source in specs:
            expr = eval(source, {"t": v, "ibis": ibis, "_": _})  # test-owned literals
            seen |= {type(op) for op in expr.op().find(ops.Node)}
    # and the relational examples (tests/test_relational.py), over their own tables
    from tests import test_relational as relational

    namespace = {"ibis": ibis, "_": _}
    for name, table in relational.tables().items():
        namespace[name] = ibis.table(ibis.Schema.from_pyarrow(table.schema), name=name)
    for _name, source, expected, _fragment in relational.CASES:
        if expected == "conformant":
            expr = eval(source, namespace)  # test-owned literals
            seen |= {type(op) for op in expr.op().find(ops.Node)}
    # a table of the notebook's database never reaches an expression: the binder makes it an
    # input (tests/test_relational.py::test_a_table_of_the_notebooks_database_is_an_input)
    seen.add(ops.DatabaseTable)
    missing = {op.__name__ for op in CONFORMANT_OPS - seen}
    assert not missing, f"ops marked conformant without a differential case: {sorted(missing)}"


def test_case_mapping_of_every_code_point(tmp_path, jvm):
    """upper()/lower() of each code point (surrogates aside), DuckDB against the JVM, exactly;
    and the runtime's table is the installed DuckDB's (regenerate it when DuckDB changes)."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("gen", ROOT / "runtime-jvm" / "tools" /
                                                  "gen_duckdb_case.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    version, upper, lower = gen.tables()
    data = (ROOT / "runtime-jvm/src/main/java/nb2jvm/runtime/DuckDbCaseData.java").read_text()
    assert f'UPPER = "{gen.encode(upper)}"' in data and f'LOWER = "{gen.encode(lower)}"' in data, \
        f"DuckDbCaseData.java is not DuckDB {version}'s: run runtime-jvm/tools/gen_duckdb_case.py"
    cps = [c for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000]
    pq.write_table(pa.table({"cp": cps, "c": [chr(c) for c in cps]}), tmp_path / "c.parquet")
    path = write_notebook(tmp_path / "case.ipynb", [
        SETUP + 'c = con.read_parquet("c.parquet")',
        "%%export\nmapped = c.select('cp', u=c.c.upper(), l=c.c.lower(), "
        "w=(c.c + 'ß' + c.c).upper())"])
    (verdict,) = verify(path, Options()).feature_sets
    assert verdict.status == "conformant", verdict.message + verdict.details
    assert verdict.rows_compared == len(cps)


def test_compiler_rules_are_not_shadowed():
    """Every visit_ rule written in nb2jvm's compiler is the one the compiler runs (ibis's
    __init_subclass__ re-creates SIMPLE_OPS methods on subclasses: visit_Log10 was lost so)."""
    import ast
    import inspect

    from transpiler.lowering import spark_compiler

    declared = set()
    for cls in (spark_compiler.Nb2jvmSparkCompiler, *spark_compiler.RULES):
        tree = ast.parse(inspect.getsource(cls))
        declared |= {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                     for t in node.targets if isinstance(t, ast.Name)}
        declared |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    rules = sorted(n for n in declared if n.startswith("visit_"))
    assert len(rules) > 30
    shadowed = [n for n in rules if not getattr(spark_compiler.Nb2jvmSparkCompiler, n)
                .__module__.startswith("transpiler.")]
    assert not shadowed, shadowed


def test_lowering_is_deterministic(tmp_path):
    """Every case's Spark SQL is the same on a second lowering (ibis names some things at
    random, e.g. unnest columns and memtables: those must not reach the SQL)."""
    from transpiler.pipeline import transpile

    pq.write_table(pa.Table.from_pydict(ROWS, schema=SCHEMA), tmp_path / "t.parquet")
    pq.write_table(pa.table(U_ROWS), tmp_path / "u.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")\nu = con.read_parquet("u.parquet")']
    cells += [f"%%export\ncase_{name} = {source}" for name, source, status in ALL_CELLS
              if status != "refused"]
    path = write_notebook(tmp_path / "differential.ipynb", cells)
    first, second = ({f.name: f.sql for f in transpile(path, Options()).lowered}
                     for _ in range(2))
    assert len(first) > 100
    assert first == second, [n for n in first if first[n] != second.get(n)]
