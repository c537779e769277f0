"""Maps, structs, JSON, times of day, intervals, ranges, buckets and shifts in every argument
position over the generated value space (``tests/value_space.py``), ibis on DuckDB against the
artifact on Spark; what the notebook's engine refuses must fail on Spark too; and planted wrong
rules (ibis's own Spark rules, where nb2jvm has its own) must be caught."""

from __future__ import annotations

import pyarrow as pa
import sqlglot.expressions as sge
import pytest
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from tests.conftest import fails_on_both, verify_cells
from tests.value_space import FAILING_JSON, rows

COLUMNS = {"s": "text", "s2": "text", "i": "width", "j": "width", "n": "position",
           "f": "float", "f2": "float", "d": "date", "ts": "timestamp", "k": "integer",
           "js": "json"}
TYPES = {"text": pa.string(), "width": pa.int64(), "position": pa.int64(),
         "float": pa.float64(), "date": pa.date32(), "timestamp": pa.timestamp("us"),
         "integer": pa.int64(), "json": pa.string()}

# dates and timestamps one year inside DuckDB's range, so that adding an interval stays in it
D = "ibis.ifelse(t.d.year().between(2, 9998), t.d, ibis.date(2000, 1, 1))"
TS = "ibis.ifelse(t.ts.year().between(2, 9998), t.ts, ibis.timestamp(2000, 1, 1, 0, 0, 0))"
AB = 'ibis.map(ibis.array(["a", "b"]), ibis.array([t.i, t.j]))'
JS = 't.js.cast("json")'

# (case, expression over t): each must be conformant on every row of the value space
SPECS = [
    # maps
    ("map_of_columns", AB),
    ("map_get_default", f'{AB}.get("a", 0)'),
    ("map_get_column_key", 'ibis.map(ibis.array(["a", "b"]), ibis.array([t.s, t.s2]))'
                           '.get(t.s, "none")'),
    ("map_get_missing", 'ibis.map({"x": 1.5}).get(t.s)'),
    ("map_literal_index", 'ibis.map({"a": 1, "b": 2})[t.s]'),
    ("map_contains", f"{AB}.contains(t.s)"),
    ("map_keys", f"{AB}.keys()"),
    ("map_values", 'ibis.map(ibis.array(["a", "b"]), ibis.array([t.f, t.f2])).values()'),
    ("map_length", f"{AB}.length()"),
    ("map_float_key", "ibis.map(ibis.array([t.f.fill_null(1.0)]), ibis.array([1])).get(0.0)"),
    ("map_merge", f'{AB} + ibis.map(ibis.array(["c", "a"]), ibis.array([t.j, t.i]))'),
    ("map_merge_reordered", f'{AB} + ibis.map(ibis.array(["b", "a"]), ibis.array([t.j, t.i]))'),
    ("map_merge_null", 'ibis.ifelse(t.i > 3, ibis.map(ibis.array(["a"]), ibis.array([t.i])), '
                       'ibis.null()) + ibis.map(ibis.array(["b"]), ibis.array([t.j]))'),
    # structs
    ("struct", 'ibis.struct({"a": t.i, "b": t.s})'),
    ("struct_field", 'ibis.struct({"a": t.i, "b": t.s})["b"]'),
    ("struct_attribute", 'ibis.struct({"a": t.i, "b": t.s}).a + 1'),
    ("struct_field_of_zip", "ibis.array([t.i, t.j]).zip(ibis.array([t.s]))[1].f2"),
    ("struct_field_of_case", 'ibis.ifelse(t.i > 3, ibis.struct({"a": t.f}), '
                             'ibis.struct({"a": t.f2}))["a"]'),
    ("struct_wide_timestamp", "ibis.struct({'a': t.ts + ibis.interval(years=1)})"),
    ("struct_of_map", 'ibis.struct({"a": t.i, "b": ibis.map(ibis.array(["k"]), '
                      'ibis.array([t.s]))})'),
    # arrays
    ("flatten", "ibis.array([ibis.array([t.i]), ibis.array([t.j, t.i])]).flatten()"),
    ("flatten_null_inner", "ibis.array([t.s.split('zz9'), t.s2.split('zz9')]).flatten()"),
    ("array_times", "ibis.array([t.i, t.j]) * 2"),
    ("array_repeat", "ibis.array([t.i]).repeat(t.j)"),
    ("array_repeat_null", "ibis.ifelse(t.j > 3, ibis.array([t.s, t.s2]), ibis.null())"
                          ".repeat(t.i)"),
    ("zip", "ibis.array([t.i, t.j]).zip(ibis.array([t.s]))"),
    ("range", "ibis.range(t.i % 7, t.j % 9)"),
    ("range_down", "ibis.range(t.j % 9, t.i % 7, -1)"),
    ("range_step", "ibis.range(0, t.i % 20, 3)"),
    ("range_step_column", "ibis.range(t.i % 7, 10, ibis.ifelse(t.j > 3, 2, -2))"),
    ("range_zero_step", "ibis.range(t.i % 7, t.j % 9, 0)"),
    ("range_of_timestamps", f"ibis.range({TS}, {TS} + t.i.as_interval('h'), "
                            "ibis.interval(hours=5))"),
    ("range_of_timestamps_down", f"ibis.range({TS}, {TS} - t.j.as_interval('m'), "
                                 "ibis.interval(minutes=-7))"),
    ("range_of_timestamps_past_9999", "ibis.range(t.ts, t.ts + ibis.interval(days=3), "
                                      "ibis.interval(days=1))"),
    ("range_of_weeks_length", "ibis.range(t.ts, ibis.timestamp(2024, 3, 1, 0, 0, 0), "
                              "ibis.interval(weeks=1)).length()"),
    # try_cast: NULL where cast fails (not from strings: checked)
    ("try_cast_float_int64", "t.f.try_cast('int64')"),
    ("try_cast_float_int16", "t.f.try_cast('int16')"),
    ("try_cast_two_to_the_63", "(t.i.cast('float64') * 0.0 + 9223372036854775808.0)"
                               ".try_cast('int64')"),
    ("try_cast_narrowing", "t.k.try_cast('int8')"),
    ("try_cast_int32", "t.k.try_cast('int32')"),
    ("try_cast_to_float", "t.k.try_cast('float64')"),
    ("try_cast_date_string", "t.d.try_cast('string')"),
    ("try_cast_timestamp_date", "t.ts.try_cast('date')"),
    # strftime with every DuckDB directive, of timestamps and dates
    ("strftime_all", "t.ts.strftime('%a %A %w %u %d %-d %b %h %B %m %-m %y %-y %Y %G %V %H %-H "
                     "%I %-I %p %M %-M %S %-S %f %g %z %Z %j %-j %U %W %c|%x|%X|%T %% %%Y %%n')"),
    ("strftime_date", "t.d.strftime('%Y/%j %U %W %G-W%V-%u %a %b %-d %-m %-y')"),
    ("strftime_week_numbers", "(t.d + t.i.as_interval('D')).strftime('%U %W %V %G %w')"),
    # buckets
    *[(f"bucket_{k}", f"t.ts.bucket({k}={v})") for k, v in (
        ("hours", 2), ("minutes", 15), ("days", 1), ("weeks", 1), ("months", 2), ("years", 1),
        ("quarters", 1), ("seconds", 7))],
    ("bucket_offset", "t.ts.bucket(hours=3, offset=ibis.interval(minutes=-30))"),
    ("bucket_days_offset", "t.ts.bucket(days=3, offset=ibis.interval(hours=5))"),
    # intervals
    *[(f"date_plus_{u}", f'{D} + t.i.as_interval("{u}")') for u in ("D", "W", "M", "Q", "Y")],
    *[(f"timestamp_plus_{u}", f'{TS} + t.i.as_interval("{u}")')
      for u in ("s", "m", "h", "D", "M", "Q")],
    ("timestamp_minus_minutes", f'{TS} - t.j.as_interval("m")'),
    ("date_minus_days", f'{D} - t.j.as_interval("D")'),
    ("interval_sum", f'{D} + (t.i.as_interval("D") + t.j.as_interval("D"))'),
    ("interval_difference", f'{D} + (t.i.as_interval("D") - t.j.as_interval("D"))'),
    ("interval_times", f'{D} + t.i.as_interval("D") * 3'),
    ("interval_times_column", f'{D} - t.i.as_interval("M") * t.j'),
    ("interval_mixed_units", f'{D} + (ibis.interval(months=1) + t.j.as_interval("D"))'),
    ("interval_literal_times", f"{D} + ibis.interval(days=1) * t.i"),
    ("interval_plus_literal", f'{TS} + (t.i.as_interval("s") + ibis.interval(seconds=1))'),
    ("interval_scaled_difference", f'{TS} + (t.i.as_interval("D") - t.j.as_interval("D")) * 2'),
    # times of day
    ("time_compare", 't.ts.time() < ibis.time("12:00:00")'),
    ("time_hour", "t.ts.time().hour()"),
    ("time_minute", "t.ts.time().minute()"),
    ("time_second", "t.ts.time().second()"),
    ("time_plus_hour", "(t.ts.time() + ibis.interval(hours=1)).hour()"),
    ("time_minus_90_minutes", "(t.ts.time() - ibis.interval(minutes=90)).minute()"),
    ("time_plus_column", '(t.ts.time() + t.i.as_interval("m")).hour()'),
    *[(f"time_delta_{u}", f't.ts.time().delta(ibis.time("01:00:00"), unit="{u}")')
      for u in ("hour", "minute", "second", "millisecond", "microsecond")],
    ("time_delta_columns", 't.ts.time().delta((t.ts + ibis.interval(minutes=7)).time(), '
                           'unit="second")'),
    ("time_from_parts", "ibis.time(t.i.abs() % 24, t.j.abs() % 60, t.i.abs() % 61).hour()"),
    ("time_from_parts_24", "ibis.ifelse(t.i.abs() % 25 == 24, ibis.time(24, 0, 0), "
                           "ibis.time(t.i.abs() % 24, t.j.abs() % 60, 60)).hour()"),
    ("time_parsed", 't.ts.strftime("%H:%M").as_time("%H:%M").hour()'),
    ("time_max", 't.ts.time().max() > ibis.time("00:00:01")'),
    ("time_case", 'ibis.ifelse(t.ts.time() > ibis.time("12:00:00"), "pm", "am")'),
    # shifts
    ("shift_left_literal", "t.i.abs() << 3"),
    ("shift_left", "ibis.ifelse((t.k >= 0) & (t.k < 2**40) & t.j.between(0, 23), t.k, 0) << "
                   "ibis.ifelse(t.j.between(0, 23), t.j, 0)"),
    ("shift_left_zero", "0 << ibis.ifelse(t.k >= 0, t.k, 0)"),
    ("shift_left_one", "1 << ibis.ifelse(t.j.between(0, 62), t.j, 0)"),
    ("shift_right", "t.k >> t.j"),
    ("shift_right_by_integers", "t.k >> ibis.ifelse(t.k.isnull(), 0, t.k)"),
    ("shift_right_negative", "(-t.i) >> t.j"),
    ("shift_right_int32", "t.i.cast('int32') >> t.j.cast('int32')"),
    ("shift_right_literal", "t.k >> 40"),
    ("shift_left_int32", "ibis.ifelse((t.i >= 0) & (t.j >= 0) & (t.j < 26), t.i, 0)"
                         ".cast('int32') << ibis.ifelse((t.i >= 0) & (t.j >= 0) & (t.j < 26), "
                         "t.j, 0).cast('int32')"),
    # JSON
    ("json_int", f'{JS}["a"].int'),
    ("json_float", f'{JS}["a"].float'),
    ("json_str", f'{JS}["b"].str'),
    ("json_bool", f'{JS}["b"].bool'),
    ("json_nested_index", f'{JS}["c"][1].float'),
    ("json_first", f"{JS}[0].str"),
    ("json_past_end", f"{JS}[6].float"),
    ("json_array_length", f"{JS}.array.length()"),
    ("json_map_keys", f"{JS}.map.keys()"),
    ("json_array_null_element", f'{JS}["c"].array[2].isnull()'),
    ("json_top_str", f"{JS}.str"),
    ("json_top_float", f"{JS}.float"),
    ("json_top_bool", f"{JS}.bool"),
    ("json_null_member", f'{JS}["d"].isnull()'),
    ("json_map_get", f'{JS}.map["a"].float'),
    ("json_path", f'{JS}["d"]["e"].int'),
    ("json_deep", f'{JS}["c"][0][1][0].int'),
    ("json_inner_length", f'{JS}["c"].array.length()'),
    ("json_map_length", f"{JS}.map.length()"),
    ("json_key_with_space", f'{JS}["A"].int'),
    ("json_minus_zero", f"1.0 / {JS}['d']['e'].float"),
    ("json_literal", "ibis.literal('{\"a\": 5}', type='json')['a'].int + t.i"),
    ("json_duplicate_key", 'ibis.literal(\'{"a": 1, "a": 2}\').cast("json")["a"].int + t.i'),
]


def value_table() -> pa.Table:
    data = rows(COLUMNS, seed=20261202, extra=40)
    return pa.table({n: pa.array(v, TYPES[COLUMNS[n]]) for n, v in data.items()})


def _verify(folder, specs) -> dict:
    return verify_cells(folder, {"t": value_table()},
                        [f"{name} = t.mutate(r={source})" for name, source in specs])


@pytest.mark.jvm
def test_nested_temporal_and_bitwise_operations_agree_on_the_value_space(tmp_path, jvm):
    verdicts = _verify(tmp_path, SPECS)
    wrong = {n: f"{v.status}: {v.message}\n{v.details}" for n, v in verdicts.items()
             if v.status != "conformant"}
    assert wrong == {}
    assert all(v.rows_compared == len(value_table()) for v in verdicts.values())


def _planted_bucket(self, op, *, arg, interval, offset):
    # a remainder that truncates towards zero: wrong before 1970
    micros = self.f.unix_micros(arg)
    size = int(op.interval.value) * 3_600_000_000
    return self.f.timestamp_micros(micros - (micros.copy() % size))


@pytest.mark.jvm
@pytest.mark.parametrize("op,spec,planted", [
    # ibis's Spark rule: a key present with a NULL value gives NULL, not the default
    ("MapGet", "map_get_default", PySparkCompiler.visit_MapGet),
    # Spark's map_concat: fails on a duplicate key
    ("MapMerge", "map_merge", lambda self, op, *, left, right: self.f.map_concat(left, right)),
    # Spark's shiftleft: the shift modulo 64, wrapping
    ("BitwiseLeftShift", "shift_left_one",
     lambda self, op, *, left, right: self.f.shiftleft(left, right)),
    ("BitwiseRightShift", "shift_right",
     lambda self, op, *, left, right: self.f.shiftright(left, right)),
    # ibis's Spark rule: [] for a NULL argument
    ("IntegerRange", "range", PySparkCompiler.visit_IntegerRange),
    # ibis's Spark rule: Spark's get_json_object reads with Jackson
    ("JSONGetItem", "json_str", PySparkCompiler.visit_JSONGetItem),
    ("TimestampBucket", "bucket_hours", _planted_bucket),
    # a time plus an interval without wrapping around midnight
    ("TimeAdd", "time_plus_hour", lambda self, op, *, left, right: left + 3_600_000_000),
    # ibis's Spark rule: date_format patterns
    ("Strftime", "strftime_date", PySparkCompiler.visit_Strftime),
    # Spark's try_cast truncates a double
    ("TryCast", "try_cast_float_int64",
     lambda self, op, *, arg, to: sge.TryCast(this=arg, to=self.type_mapper.from_ibis(to),
                                              safe=True)),
    # ibis's Spark rule: text cast to an interval, NULL for quarters
    ("IntervalFromInteger", "date_plus_Q", PySparkCompiler.visit_IntervalFromInteger),
])
def test_a_planted_wrong_rule_is_caught(tmp_path, jvm, monkeypatch, op, spec, planted):
    from transpiler.lowering.spark_compiler import Nb2jvmSparkCompiler

    monkeypatch.setattr(Nb2jvmSparkCompiler, f"visit_{op}", planted)
    verdicts = _verify(tmp_path, [s for s in SPECS if s[0] == spec])
    # caught: different values, or a Spark failure
    assert verdicts[spec].status in ("mismatch", "error"), verdicts[spec].message


@pytest.mark.jvm
@pytest.mark.parametrize("text", FAILING_JSON)
def test_json_the_notebook_refuses_fails_on_spark_too(tmp_path, jvm, text):
    table = pa.table({"s": [text, '{"a": 1}']})
    assert fails_on_both(jvm, tmp_path, table, "t.s.cast('json')['a'].int")


@pytest.mark.jvm
@pytest.mark.parametrize("value,expr", [
    ('{"a": 18446744073709551615}', "t.s.cast('json')['a'].int"),  # beyond int64
    (-1, "t.k << 1"), (3, "t.k << -1"), (1, "t.k << 64"), (3, "t.k << 62"), (1, "t.k << 63"),
    (24, "ibis.time(t.k, 0, 1).hour()"), (-1, "ibis.time(t.k, 0, 0).hour()"),
    (1, "ibis.time(t.k, 60, 0).hour()"), (1, "ibis.time(t.k, 0, 61).hour()"),
])
def test_values_the_notebook_refuses_fail_on_spark_too(tmp_path, jvm, value, expr):
    column = pa.array([value], pa.string() if isinstance(value, str) else pa.int64())
    table = pa.table({"s" if isinstance(value, str) else "k": column})
    assert fails_on_both(jvm, tmp_path, table, expr)


@pytest.mark.jvm
def test_a_json_object_with_duplicate_keys_as_a_map_fails_on_spark(tmp_path, jvm):
    # DuckDB's cast builds a map with the key twice (its length counts both, a lookup of the
    # twice-present key is NULL or the first value); a Spark map cannot hold one: the artifact
    # fails instead of returning one of those values
    table = pa.table({"s": ['{"b": 1, "a": 2, "b": 3}']})
    (verdict,) = verify_cells(tmp_path, {"t": table},
                              ["f = t.select(r=t.s.cast('json').map.length())"]).values()
    assert verdict.status == "error" and "Map keys must be unique" in verdict.message


@pytest.mark.parametrize("source,why", [
    # DuckDB's operand types, not ibis's: year() and length() are BIGINT there, a difference of
    # an int32 column and a literal an INTEGER
    ("(-t.ts.year()) >> 40", "ExtractYear"),
    ("(-t.s.length()) >> 40", "StringLength"),
    ("(t.i.cast('int32') - 100) >> 35", "Subtract"),
    ("t.i.sum().over(group_by=t.i) >> 64", "WindowFunction"),
    # DuckDB carries a fraction of a month into days
    ("t.ts + ibis.interval(months=1) * 1.5", "fraction"),
    ("t.d + (ibis.interval(months=1) + ibis.interval(days=1)) * 0.5", "fraction"),
    ("t.ts.time() == '10:00:00'", "another type"),
    ("t.k.try_cast('uint32')", "unsigned"),
    ("ibis.literal('10:30:15.250').as_time('%H:%M:%S.%f')", "format"),
    ("t.ts.strftime('%n')", "NUL"),
    ("t.s.cast('float32')", "float reader"),
])
def test_what_differs_is_refused_with_the_reason(source, why):
    import ibis
    import ibis.expr.operations as ops

    from transpiler.lowering.spark_rules import refusal

    t = ibis.table(value_table().schema, name="t")
    expr = eval(source, {"t": t, "ibis": ibis})  # test-owned literals
    reasons = [r for node in expr.op().find(ops.Node) if (r := refusal(node))]
    assert any(why in r for r in reasons), reasons
