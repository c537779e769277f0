"""The benchmark suite's own machinery (no timing is asserted anywhere): the interleaved timer's
ratios, and that the benchmarked notebook still inlines/compiles the UDFs it claims to."""

from __future__ import annotations

import sys

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))


def test_interleave_reports_ratios_against_the_faster_baseline(monkeypatch):
    import common

    clock = iter(range(1000))
    monkeypatch.setattr(common.time, "perf_counter", lambda: next(clock) * 1.0)
    variants = {"a": lambda: lambda: 1, "b": lambda: lambda: 1, "expert": lambda: lambda: 1}
    out = common.interleave(variants, reps=3, baseline=("expert",))
    assert set(out["variants"]) == {"a", "b", "expert"}
    assert out["variants"]["expert"]["ratio_median"] == 1.0
    assert out["results_agree"] is True
    out = common.interleave({"x": lambda: lambda: 1, "y": lambda: lambda: 2}, reps=2,
                            baseline=("x", "y"))
    assert out["results_agree"] is False


def test_interleave_times_running_apart_from_planning_and_repeats_close_variants():
    import common

    sleeps = {"expert": (0.0, 0.02), "close": (0.05, 0.021), "slow": (0.0, 0.06)}
    runs = {n: 0 for n in sleeps}

    def variant(name, plan_s, run_s):
        def plan():
            common.time.sleep(plan_s)

            def execute():
                runs[name] += 1
                common.time.sleep(run_s)
            return execute
        return plan

    out = common.interleave({n: variant(n, *s) for n, s in sleeps.items()}, reps=2,
                            baseline=("expert",), close_reps=4, close_warmup=3)["variants"]
    # a slow setup does not count in the ratio, and is reported on its own
    assert out["close"]["ratio_median"] < 1.5 and out["close"]["plan_ms"] >= 50
    assert out["slow"]["ratio_median"] > 2
    # close variants: their screening rounds are replaced by more rounds after more warm-up
    assert [out[n]["repetitions"] for n in ("expert", "close", "slow")] == [4, 4, 2]
    assert runs == {"expert": 1 + 2 + 3 + 4, "close": 1 + 2 + 3 + 4, "slow": 1 + 2}


def test_prepared_plans_before_the_timed_call():
    """The setup a variant's plan() does includes Spark's optimiser; the timed call only runs."""
    import common

    class Jdf:
        planned = 0

        def queryExecution(self):
            return self

        def executedPlan(self):
            Jdf.planned += 1

    class Frame:
        _jdf = Jdf()

        def collect(self):
            assert Jdf.planned == 1
            return [(42,)]

    execute = common.prepared(Frame())
    assert Jdf.planned == 1 and execute() == 42


def test_benchmarked_udfs_are_inlined_and_compiled_as_claimed(tmp_path):
    import udfs

    from transpiler.pipeline import Options, transpile

    modes = {u.name: u.mode for u in transpile(udfs.notebook(tmp_path), Options()).udfs.udfs}
    # by cost: risk_score's SQL would compute `score` once per branch, discount's each value once
    assert modes == {"risk_score": "compiled", "discount": "inlined",
                     "normalize_email": "compiled"}
    always = transpile(udfs.notebook(tmp_path), Options(inline_udfs="always")).udfs.udfs
    assert {u.name: u.mode for u in always}["risk_score"] == "inlined"
    compiled = transpile(udfs.notebook(tmp_path), Options(inline_udfs="never")).udfs.udfs
    assert {u.mode for u in compiled} == {"compiled"}


def test_markdown_renders_only_the_sections_measured():
    """`run.py --only udfs --out <new dir>` has no other sections to render."""
    import run

    variant = {"ratio_median": 1.0, "ratio_min": 1.0, "ratio_max": 1.1, "repetitions": 5,
               "median_s": 0.2, "plan_ms": 12.0}
    text = run.markdown({"mode": "quick", "machine": "m", "udfs": [
        {"udf": "f", "rows": 10, "variants": {"v": variant}, "results_agree": True}]})
    assert "| f | 10 | v | 1.00 [1.00–1.10] |  | 5 | 0.200 | 12 |" in text
    assert "## Feature sets" not in text and "## Build" not in text


def test_median_interval_brackets_the_median_and_narrows_with_rounds():
    import common

    few = [1.0, 1.3, 0.9, 1.1, 1.2]
    lo, hi = common.median_interval(few)
    assert lo <= 1.1 <= hi and (lo, hi) == common.median_interval(few)  # seeded
    many = few * 6
    lo6, hi6 = common.median_interval(many)
    assert lo6 <= 1.1 <= hi6 and hi6 - lo6 < hi - lo
