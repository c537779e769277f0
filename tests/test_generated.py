"""Generated differential cases: random typed expressions over the conformant operations, on the
adversarial table of ``test_differential``, run by the notebook's engine and on the JVM.

The hand-written table proves each operation alone; compositions are where lowering rules meet
(a division inside a comparison inside a CASE, NULL and NaN flowing through string functions).
Each generated expression must come out ``conformant``, or ``refused`` with a reason, or fail on
both engines; never a mismatch.  The seed is fixed so a failure reproduces; ``NB2JVM_GEN_SEED``
and ``NB2JVM_GEN_COUNT`` explore further.
"""

from __future__ import annotations

import os
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import SETUP, jvm_failure, write_notebook
from tests.test_differential import ROWS, SCHEMA
from transpiler.pipeline import Options, transpile
from transpiler.verify import verify

pytestmark = pytest.mark.jvm

SEED = int(os.environ.get("NB2JVM_GEN_SEED", "20261127"))
COUNT = int(os.environ.get("NB2JVM_GEN_COUNT", "120"))

LEAVES = {
    "int": ["t.i", "t.g", "t.id", *(f"ibis.literal({v}, 'int64')" for v in (0, 1, -3, 7))],
    "float": ["t.f", *(f"ibis.literal({v})" for v in (0.5, -2.25, 0.0, 1e300))],
    "str": ["t.s", "t.ns", "ibis.literal('a')", "ibis.literal('')", "ibis.literal('ß')"],
    "bool": ["t.b", "ibis.literal(True)"],
}


class Gen:
    """Random expressions of a requested type, as ibis source text."""

    def __init__(self, rnd: random.Random):
        self.rnd = rnd

    def pick(self, options):
        return self.rnd.choice(options)

    def leaf(self, t: str) -> str:
        return self.pick(LEAVES[t])

    def col(self, t: str) -> str:
        return self.pick([x for x in LEAVES[t] if x.startswith("t.")])

    def expr(self, t: str, depth: int) -> str:
        if depth <= 0 or self.rnd.random() < 0.2:
            return self.leaf(t) if t != "bool" else self.expr_bool(0)
        return getattr(self, f"expr_{t}")(depth - 1)

    def expr_int(self, d: int) -> str:
        x = lambda: self.expr("int", d)  # noqa: E731
        return self.pick([
            lambda: f"({x()} + {x()})", lambda: f"({x()} - {x()})",
            lambda: f"({self.col('int')} * {self.leaf('int')})",  # one product: no overflow
            lambda: f"(-{x()})", lambda: f"{x()}.abs()",
            lambda: f"ibis.ifelse({self.expr('bool', d)}, {x()}, {x()})",
            lambda: f"{x()}.fill_null({self.leaf('int')})",
            lambda: f"{x()}.nullif({self.leaf('int')})",
            lambda: f"ibis.greatest({x()}, {x()})", lambda: f"ibis.least({x()}, {x()})",
            lambda: f"{self.expr('str', d)}.length()",
            lambda: f"{self.expr('str', d)}.find({self.leaf('str')})",
            lambda: f"({x()} // {self.pick(['2', '3', '-4'])})",
            lambda: f"({x()} % {self.pick(['2', '5', '-3'])})",
        ])()

    def expr_float(self, d: int) -> str:
        x = lambda: self.expr("float", d)  # noqa: E731
        return self.pick([
            lambda: f"({x()} + {x()})", lambda: f"({x()} - {self.expr('int', d)})",
            lambda: f"({x()} * {x()})", lambda: f"({x()} / {x()})",
            lambda: f"({self.expr('int', d)} / {x()})", lambda: f"(-{x()})",
            lambda: f"{x()}.abs()", lambda: f"ibis.ifelse({self.expr('bool', d)}, {x()}, {x()})",
            lambda: f"{x()}.fill_null({self.leaf('float')})",
            lambda: f"ibis.coalesce({x()}, {x()})",
            lambda: f"{x()}.clip(lower=-1.0, upper=2.0)",
        ])()

    def expr_str(self, d: int) -> str:
        x = lambda: self.expr("str", d)  # noqa: E731
        n = lambda: self.pick(["0", "1", "2", "5"])  # noqa: E731
        return self.pick([
            lambda: f"({x()} + {x()})", lambda: f"{x()}.substr({n()}, {n()})",
            lambda: f"{x()}.strip()", lambda: f"{x()}.lstrip()", lambda: f"{x()}.rstrip()",
            lambda: f"{x()}.replace({self.leaf('str')}, {self.leaf('str')})",
            lambda: f"{x()}.lpad({n()}, '*')", lambda: f"{x()}.rpad({n()}, '-')",
            lambda: f"ibis.ifelse({self.expr('bool', d)}, {x()}, {x()})",
            lambda: f"{x()}.fill_null('∅')", lambda: f"{x()}.right({n()})",
            lambda: f"{self.expr('int', d)}.cast('string')",
        ])()

    def expr_bool(self, d: int) -> str:
        t = self.pick(["int", "float", "str"])
        a, b = self.expr(t, d), self.expr(t, d)
        op = self.pick(["<", "<=", "==", "!=", ">", ">="])
        return self.pick([
            lambda: f"({a} {op} {b})",
            lambda: f"({self.expr('bool', d - 1)} & {self.expr('bool', d - 1)})",
            lambda: f"({self.expr('bool', d - 1)} | {self.expr('bool', d - 1)})",
            lambda: f"~{self.expr('bool', d - 1)}",
            lambda: f"{a}.isnull()", lambda: f"{a}.notnull()",
            lambda: f"{self.expr('int', d)}.between(-1, 7)",
            lambda: f"{self.expr('int', d)}.isin([0, 1, 42])",
            lambda: f"{self.expr('str', d)}.contains({self.leaf('str')})",
            lambda: f"{self.expr('str', d)}.startswith('a')",
            lambda: f"{self.expr('float', d)}.isnan()",
            lambda: "t.b.fill_null(False)",
        ])()


def generated(seed: int = SEED, count: int = COUNT) -> list[tuple[str, str]]:
    gen = Gen(random.Random(seed))
    out = []
    for k in range(count):
        t = gen.pick(["int", "float", "str", "bool"])
        out.append((f"g{k}", gen.expr(t, 3)))
    return out


CASES = generated()


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, jvm):
    folder = tmp_path_factory.mktemp("generated")
    pq.write_table(pa.Table.from_pydict(ROWS, schema=SCHEMA), folder / "t.parquet")
    cells = [SETUP + 't = con.read_parquet("t.parquet")']
    cells += [f"%%export\ncase_{name} = t.select('id', r={source})" for name, source in CASES]
    path = write_notebook(folder / "generated.ipynb", cells)
    report = verify(path, Options())
    return folder, path, {v.name: v for v in report.feature_sets}


def test_generated_expressions_never_mismatch(outcome, jvm):
    folder, path, verdicts = outcome
    failing_in_notebook = []
    for name, source in CASES:
        verdict = verdicts[f"case_{name}"]
        assert verdict.status in ("conformant", "refused", "error"), \
            f"{source}\n{verdict.status}: {verdict.message}\n{verdict.details}"
        if verdict.status == "error":
            assert verdict.message.startswith("the notebook engine failed"), verdict.message
            failing_in_notebook.append(f"case_{name}")
    if failing_in_notebook:  # the notebook raised: Spark must fail too, not return rows
        lowered = transpile(path, Options())
        for name in failing_in_notebook:
            jvm_failure(jvm, lowered, name, {"t": folder / "t.parquet"}, folder / name)
    statuses = [verdicts[f"case_{n}"].status for n, _ in CASES]
    print({s: statuses.count(s) for s in sorted(set(statuses))})
    # the generator must mostly produce lowerable expressions, or it tests nothing
    assert statuses.count("conformant") >= len(CASES) // 2, statuses
