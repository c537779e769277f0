"""The order of the stages, in one place.

    notebook path --extract--> Notebook --parse--> ParsedNotebook --bind_inputs--> BoundNotebook
    --evaluate--> FeatureSets --lower--> LoweredNotebook --translate UDFs--> LoweredNotebook
    (every notebook of a build) --package--> Artifact

Each stage is a module with one public function of one input type and one output type; the
options a stage needs come in one explicit :class:`Options` object.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .artifact.package import check_unique, package
from .frontend.evaluate import evaluate
from .frontend.extract import extract
from .frontend.inputs import bind_inputs
from .frontend.parse import parse
from .ir.artifact import Artifact, Coordinates
from .ir.errors import InputError, SubsetError
from .ir.features import FeatureSets, LoweredNotebook
from .ir.notebook import BoundNotebook, DataBinding, Notebook, ParsedNotebook
from .lowering.lower import lower
from .udf.udfs import translate_udfs


@dataclass(frozen=True)
class Options:
    """Everything a run of the pipeline is told from outside."""

    data: tuple[DataBinding, ...] = ()
    coordinates: Coordinates = field(default_factory=Coordinates)
    progress: Callable[[str], None] | None = None
    # Python UDFs with an exact SQL form: "auto" inlines where that is the faster form
    # (udf_inline.MAX_REPEATED_WORK), "always" wherever possible, "never" (or False) compiles all
    inline_udfs: bool | str = "auto"
    # folders besides the notebook's own tree that input files may be read from (--allow-read)
    allow_read: tuple[Path, ...] = ()
    output: Path | None = None  # the build directory (packaging only)
    # build the feature sets that lower and list the refused ones in the manifest ("skipped"),
    # instead of failing the build
    skip_refused: bool = False
    timings: Timings | None = None  # where the stages' times go, if anywhere
    # the self-check's golden rows from the real inputs' first rows (customer data in the jar)
    golden_from_data: bool = False


# One signature for every stage, (input, options) -> output, so one loop runs them and a test
# checks that each stage's output type is the next one's input type.


def extract_stage(path: Path, opts: Options) -> Notebook:
    """The notebook file's cells, exported ones marked."""
    return extract(path)


def parse_stage(notebook: Notebook, opts: Options) -> ParsedNotebook:
    """Each exported cell as an AST, inside the subset."""
    return parse(notebook)


def bind_stage(parsed: ParsedNotebook, opts: Options) -> BoundNotebook:
    """A schema (and data where known) for every input table."""
    return bind_inputs(parsed, opts.data, opts.allow_read)


def evaluate_stage(bound: BoundNotebook, opts: Options) -> FeatureSets:
    """The exported tables as ibis expressions, interpreted."""
    return evaluate(bound)


def lower_stage(features: FeatureSets, opts: Options) -> LoweredNotebook:
    """Spark SQL per feature set, or the reasons it is refused."""
    return lower(features, inline=opts.inline_udfs)


def translate_stage(lowered: LoweredNotebook, opts: Options) -> LoweredNotebook:
    """The Python UDFs the feature sets call, as Scala."""
    return translate_udfs(lowered)


STAGES: tuple[tuple[str, Callable], ...] = (
    ("extract", extract_stage),
    ("parse", parse_stage),
    ("bind inputs", bind_stage),
    ("evaluate", evaluate_stage),
    ("lower", lower_stage),
    ("translate UDFs", translate_stage),
)


@dataclass
class Timings:
    """Seconds spent per stage, for progress output and the benchmarks."""

    stages: dict[str, float] = field(default_factory=dict)

    def record(self, name: str, seconds: float) -> None:
        self.stages[name] = self.stages.get(name, 0.0) + seconds


def transpile(path: Path, opts: Options, timings: Timings | None = None) -> LoweredNotebook:
    """Run every stage up to Spark SQL.  Refused feature sets are kept, with their reasons."""
    return _run(STAGES, path, opts, timings)


def transpile_notebook(notebook: Notebook, opts: Options,
                       timings: Timings | None = None) -> LoweredNotebook:
    """:func:`transpile` from cells already in hand (the kernel's, for the magic)."""
    return _run(STAGES[1:], notebook, opts, timings)


def _run(stages, value, opts: Options, timings: Timings | None):
    for name, stage in stages:
        if opts.progress:
            opts.progress(name)
        started = time.perf_counter()
        value = stage(value, opts)
        if timings is not None:
            timings.record(name, time.perf_counter() - started)
    return value


def package_stage(lowered: tuple[LoweredNotebook, ...], opts: Options) -> Artifact:
    """Golden rows, scalac and javac, the jar: one artifact for every notebook of a build."""
    from .artifact.golden import merge, record
    from .artifact.package import bundles
    from .jvm.scalac import compile_ahead, drop_ahead

    check_unique(lowered)  # before the golden rows: a clash is found in seconds
    try:
        for bundle in bundles(lowered):  # scalac runs on the compiler JVM meanwhile
            compile_ahead(bundle.scala)
        if opts.progress:
            opts.progress("golden rows for the self-check")
        started = time.perf_counter()
        golden = merge(record(part, opts.golden_from_data) for part in lowered)
        if opts.timings is not None:
            opts.timings.record("golden rows", time.perf_counter() - started)
        if opts.progress:
            opts.progress("compile and package")
        return package(lowered[0] if len(lowered) == 1 else lowered, opts.output,
                       opts.coordinates, golden,
                       opts.timings.record if opts.timings is not None else None)
    finally:
        drop_ahead()


def only(lowered: LoweredNotebook, name: str) -> LoweredNotebook:
    """The lowered notebook cut down to one feature set and the inputs it reads (what `run
    --feature` packages): the other feature sets, refused or not, do not concern it."""
    import ibis.expr.operations as ops

    # alone in its artifact, the feature set has no upstream feature set to be given
    keep = [dataclasses.replace(lf, variants=()) for lf in lowered.lowered if lf.name == name]
    used = {op.name for lf in keep for op in lf.feature.expr.op().find(ops.UnboundTable)}
    features = lowered.features
    bound = dataclasses.replace(features.bound, inputs=tuple(
        t for t in features.inputs if t.name in used))
    return dataclasses.replace(
        lowered, lowered=tuple(keep), refused=(),
        features=dataclasses.replace(features, bound=bound, refused=()))


# The last stage takes every notebook of a build at once (one artifact, a facade per notebook).
PACKAGE_STAGE: tuple[str, Callable] = ("package", package_stage)


def build(path, out_dir: Path, opts: Options, timings: Timings | None = None) -> Artifact:
    """Transpile and package; any refused feature set fails the build with every diagnostic.

    ``path`` is a notebook or a sequence of notebooks (one artifact, one facade per notebook).
    The compiler JVM starts first and warms up while the notebooks are transpiled.
    """
    from .jvm.compile_server import warm

    with warm():
        return _build(path, dataclasses.replace(opts, output=out_dir, timings=timings))


def _build(path, opts: Options) -> Artifact:
    paths = list(path) if isinstance(path, (list, tuple)) else [path]
    lowered, diagnostics, kind = [], [], SubsetError
    for nb in paths:
        if opts.progress and len(paths) > 1:
            opts.progress(f"notebook {Path(nb).name}")
        try:
            part = transpile(nb, opts, opts.timings)
        except (SubsetError, InputError) as exc:  # every notebook's problems, not the first's
            diagnostics += exc.diagnostics
            kind = InputError if isinstance(exc, InputError) else kind
            continue
        if part.refused and not (opts.skip_refused and part.lowered):
            diagnostics += part.diagnostics
        lowered.append(part)
    if diagnostics:
        raise kind(diagnostics)
    _, stage = PACKAGE_STAGE
    return stage(tuple(lowered), opts)
