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

    def variant(plan_s, run_s):
        def plan():
            common.time.sleep(plan_s)
            return lambda: common.time.sleep(run_s)
        return plan

    out = common.interleave({n: variant(*s) for n, s in sleeps.items()}, reps=2,
                            baseline=("expert",), close_reps=4)["variants"]
    # a slow setup does not count in the ratio, and is reported on its own
    assert out["close"]["ratio_median"] < 1.5 and out["close"]["plan_ms"] >= 50
    assert out["slow"]["ratio_median"] > 2
    assert [out[n]["repetitions"] for n in ("expert", "close", "slow")] == [4, 4, 2]


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
