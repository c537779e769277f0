"""Every string operation in every argument position over the generated value space
(``tests/value_space.py``), ibis on DuckDB against the artifact on Spark; and a test of the
tests: a planted wrong rule (``lpad`` lowered to Spark's ``lpad``, as ibis's Spark backend does)
must be caught."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from tests.conftest import SETUP, write_notebook
from tests.value_space import FAILING_POSITION, SPACES, rows
from transpiler.pipeline import Options
from transpiler.verify import verify

COLUMNS = {"s": "text", "s2": "text", "pad": "pad", "pos": "position", "len": "position",
           "w": "width", "f": "float", "f2": "float", "d": "date", "ts": "timestamp"}
TYPES = {"text": pa.string(), "pad": pa.string(), "position": pa.int64(), "width": pa.int64(),
         "float": pa.float64(), "date": pa.date32(), "timestamp": pa.timestamp("us")}

# (case, expression over t): each must be conformant on every row of the value space
SPECS = [
    ("substr", "t.s.substr(t.pos, t.len)"),
    ("substr_to_end", "t.s.substr(t.pos)"),
    ("substr_negative_literal", "t.s.substr(-3, 2)"),
    ("substr_zero", "t.s.substr(0, t.len)"),
    ("lpad", "t.s.lpad(t.w, t.pad)"),
    ("rpad", "t.s.rpad(t.w, t.pad)"),
    ("lpad_literal", "t.s.lpad(5, 'xy')"),
    ("rpad_space", "t.s.rpad(t.w)"),
    ("strip", "t.s.strip()"),
    ("lstrip", "t.s.lstrip()"),
    ("rstrip", "t.s.rstrip()"),
    ("ilike_sharp_s", "t.s.ilike('%SS%')"),
    ("ilike_dotted_i", "t.s.ilike('i%')"),
    ("ilike_sigma", "t.s.ilike('%σ')"),
    ("ilike_istanbul", "t.s.ilike('istanbul')"),
    ("ilike_underscore", "t.s.ilike('_')"),
    ("ilike_mixed", "t.s.ilike('%mixed%')"),
    ("like", "t.s.like('%_b%')"),
    ("upper", "t.s.upper()"),
    ("lower", "t.s.lower()"),
    ("length", "t.s.length()"),
    ("contains", "t.s.contains(t.s2)"),
    ("startswith", "t.s.startswith(t.s2)"),
    ("endswith", "t.s.endswith(t.s2)"),
    ("find", "t.s.find(t.s2)"),
    ("concat", "t.s + t.s2"),
    ("right", "t.s.right(t.w)"),
    ("capitalize", "t.s.capitalize()"),
    ("repeat", "t.s.repeat(t.w)"),
    ("slice", "t.s[1:3]"),
    ("slice_open", "t.s[2:]"),
    ("translate", "t.s.translate('abß', 'xyz')"),
    ("ascii", "t.s.ascii_str()"),
    ("md5", "t.s.hexdigest('md5')"),
    ("sha256", "t.s.hexdigest('sha256')"),
    ("levenshtein", "t.s.levenshtein(t.s2)"),
    ("identical_to", "t.s.identical_to(t.s2)"),
    ("simple_case", "t.w.cases((1, 'one'), (0, 'zero'), else_='other')"),
    ("xor", "(t.w > 2) ^ (t.pos > 3)"),
    ("bit_and", "t.w & t.pos"),
    ("bit_or", "t.w | t.pos"),
    ("bit_xor", "t.w ^ t.pos"),
    ("bit_not", "~t.pos"),
    # numbers
    ("sign", "t.f.sign()"),
    ("sign_int", "t.pos.sign()"),
    ("atan", "t.f.atan()"),
    ("atan2", "t.f.atan2(t.f2)"),
    ("radians", "t.f.radians()"),
    ("degrees", "t.f.degrees()"),
    ("pi_e", "t.f * ibis.pi + ibis.e"),
    ("acos", "t.f.clip(-1, 1).acos()"),
    ("asin", "t.f.clip(-1, 1).asin()"),
    ("sin", "ibis.ifelse(t.f.isinf(), 0.0, t.f).sin()"),
    ("cos", "ibis.ifelse(t.f.isinf(), 0.0, t.f).cos()"),
    ("tan", "ibis.ifelse(t.f.isinf(), 0.0, t.f).tan()"),
    ("cot", "ibis.ifelse(t.f.isinf() | (t.f == 0), 1.0, t.f).cot()"),
    # time
    ("day_name", "t.d.day_of_week.full_name()"),
    ("millisecond", "t.ts.millisecond()"),
    ("epoch_days", "t.d.epoch_days()"),
    ("date_trunc_year", "t.d.truncate('Y')"),
    ("date_trunc_quarter", "t.d.truncate('Q')"),
    ("date_trunc_month", "t.d.truncate('M')"),
    ("date_trunc_week", "t.d.truncate('W')"),
    ("date_trunc_day", "t.d.truncate('D')"),
    ("iso_year", "t.d.iso_year()"),
    ("iso_year_ts", "t.ts.iso_year()"),
    ("find_in_set", "t.s.find_in_set(['a', 'abc', '', 'ß'])"),
    ("date_from_ymd", "ibis.date(2024, t.w.clip(1, 12), t.w.clip(1, 28))"),
    ("from_unix_seconds", "t.pos.as_timestamp('s')"),
    # arrays from split
    ("split_length", "t.s.split('a').length()"),
    ("split_index", "t.s.split('a')[t.w]"),
    ("split_first", "t.s.split(' ')[0]"),
    ("split_contains", "t.s.split('a').contains('b')"),
    ("split_join", "t.s.split('a').join('-')"),
    ("split_slice", "t.s.split('a')[1:3]"),
    ("split_sort", "t.s.split('a').sort()"),
    ("split_concat", "t.s.split('a').concat(t.s2.split('b'))"),
    ("split_position", "t.s.split('a').index('b')"),
    ("split_remove", "t.s.split('a').remove('')"),
    ("split_max", "t.s.split('a').maxs()"),
    ("split_min", "t.s.split('a').mins()"),
    ("split_filter", "t.s.split('a').filter(lambda x: x.length() > 1)"),
    ("split_map", "t.s.split('a').map(lambda x: x.upper())"),
    ("split_any", "t.s.split('a').map(lambda x: x == 'b').anys()"),
    ("split_all", "t.s.split('a').map(lambda x: x.length() > 0).alls()"),
    ("string_join", "ibis.literal('-').join([t.s, t.s2])"),
    ("array_of_columns", "ibis.array([t.w, t.pos])"),
    ("array_sum", "ibis.array([t.w, t.w.clip(0, 3), ibis.null('int64')]).sums()"),
    ("array_mean", "ibis.array([t.f, t.f2]).means()"),
    ("array_sum_split_lengths", "t.s.split('a').map(lambda x: x.length()).sums()"),
    ("array_index_of_columns", "ibis.array([t.s, t.s2])[1]"),
    ("microsecond", "t.ts.microsecond()"),
    # casts
    ("float_to_int", "ibis.ifelse(t.f.isnan() | t.f.isinf() | (t.f.abs() > 1e18), 0.5, t.f)"
                     ".cast('int64')"),
    ("float_to_int32", "ibis.ifelse(t.f.isnan() | t.f.isinf() | (t.f.abs() > 1e9), -2.5, t.f)"
                       ".cast('int32')"),
    ("halves_to_int", "(t.w.cast('float64') / 2).cast('int64')"),
    ("bool_to_string", "(t.w > 3).cast('string')"),
    ("date_to_string", "t.d.cast('string')"),
    ("timestamp_to_string", "t.ts.cast('string')"),
    ("int_to_bool", "t.w.cast('boolean')"),
    ("timestamp_from_parts", "ibis.timestamp(2024, t.w.clip(1, 12), 1, t.w.clip(0, 23), 4, 5)"),
]


def value_table() -> pa.Table:
    data = rows(COLUMNS, seed=20261201, extra=40)
    return pa.table({n: pa.array(v, TYPES[COLUMNS[n]]) for n, v in data.items()})


def test_every_value_appears_in_every_argument_position():
    table = value_table()
    import math

    key = lambda v: "nan" if isinstance(v, float) and math.isnan(v) else v  # noqa: E731
    for name, kind in COLUMNS.items():
        present = {key(v) for v in table.column(name).to_pylist()}
        assert all(key(v) in present for v in SPACES[kind]), name


def _verify(folder, specs, **kw):
    pq.write_table(value_table(), folder / "t.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")'] + [
        f"%%export\n{name} = t.mutate(r={source})"
        for name, source in specs]
    path = write_notebook(folder / "nb.ipynb", cells)
    return {v.name: v for v in verify(path, Options(), **kw).feature_sets}


@pytest.mark.jvm
def test_string_operations_agree_on_the_value_space(tmp_path, jvm):
    verdicts = _verify(tmp_path, SPECS)
    wrong = {n: f"{v.status}: {v.message}\n{v.details}" for n, v in verdicts.items()
             if v.status != "conformant"}
    assert wrong == {}
    assert all(v.rows_compared == len(value_table()) for v in verdicts.values())


@pytest.mark.jvm
@pytest.mark.parametrize("op,planted", [
    # what ibis's own Spark backend does: Spark's lpad/rpad cut to the width
    ("LPad", lambda self, op, *, arg, length, pad: self.f.lpad(
        arg, self.f.greatest(self.f.length(arg), length), pad)),
    # Spark's substring as it is
    ("Substring", lambda self, op, *, arg, start, length: self.f.substring(
        arg, start + 1, length)),
    # Spark's ltrim: spaces only
    ("LStrip", lambda self, op, *, arg: self.f.ltrim(arg)),
    # ibis's Spark rule: signum(NaN) is NaN
    ("Sign", lambda self, op, *, arg: self.f.signum(arg)),
    # ibis's Spark fold: a NULL element resets the running sum
    ("ArraySum", lambda self, op, *, arg: PySparkCompiler.visit_ArraySum(self, op, arg=arg)),
    # Spark's ilike: Java's lower-casing
    ("StringSQLILike", lambda self, op, *, arg, pattern, escape: arg.ilike(pattern)),
])
def test_a_planted_wrong_rule_is_caught(tmp_path, jvm, monkeypatch, op, planted):
    from transpiler.lowering.spark_compiler import Nb2jvmSparkCompiler

    monkeypatch.setattr(Nb2jvmSparkCompiler, f"visit_{op}", planted)
    spec = {"LPad": "lpad", "Substring": "substr", "LStrip": "lstrip",
            "StringSQLILike": "ilike_sigma", "Sign": "sign", "ArraySum": "array_sum"}[op]
    verdicts = _verify(tmp_path, [s for s in SPECS if s[0] == spec])
    # caught: different values, or (Spark's substring takes int positions) a Spark failure
    assert verdicts[spec].status in ("mismatch", "error"), verdicts[spec].message


@pytest.mark.jvm
@pytest.mark.parametrize("position", FAILING_POSITION)
def test_positions_the_notebook_refuses_fail_on_spark_too(tmp_path, jvm, position):
    from tests.conftest import fails_on_both

    table = pa.table({"s": ["abc", "é"], "pos": pa.array([position, 1], pa.int64())})
    message = fails_on_both(jvm, tmp_path, table, "t.s.substr(t.pos, 2)")
    assert message


@pytest.mark.jvm
@pytest.mark.parametrize("value,to", [(float("nan"), "int64"), (float("inf"), "int64"),
                                      (1e19, "int64"), (3e9, "int32"), (-129.0, "int8")])
def test_float_to_int_casts_the_notebook_refuses_fail_on_spark_too(tmp_path, jvm, value, to):
    from tests.conftest import fails_on_both

    table = pa.table({"f": pa.array([value, 1.0], pa.float64())})
    assert fails_on_both(jvm, tmp_path, table, f"t.f.cast('{to}')")
