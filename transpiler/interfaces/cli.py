"""The ``nb2jvm`` command line: check, build, verify and run exported notebook features."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..artifact import manifests
from ..common.version import __version__
from .cli_common import EXIT_ERROR, EXIT_INTERNAL, EXIT_OK, bindings, options, write_atomic
from ..ir.errors import Diagnostic, InputError, Nb2jvmError, Span, error, terminal_safe

# The stages import ibis, DuckDB and pandas (a second); commands import them when they need them,
# so that `--help`, bad arguments and an up-to-date `build` answer at once, and `build` starts its
# compiler JVM before the import.



class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: exit 2 with usage, no traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"nb2jvm: error: {message}\n")


def _data_binding(text: str) -> tuple[str, Path, str]:
    name, sep, path = text.partition("=")
    if not sep or not name.isidentifier() or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH (e.g. transactions=tx.parquet), "
                                         f"got {text!r}")
    return name, Path(path).expanduser().resolve(), text


def _add_common(p: argparse.ArgumentParser, data: bool = True) -> None:
    if data:
        p.add_argument("--data", metavar="NAME=PATH", action="append", type=_data_binding,
                       default=[], help="bind input table NAME to a Parquet or CSV file "
                       "(repeatable; overrides what the notebook's setup cells read)")
        p.add_argument("--allow-read", metavar="DIR", action="append", type=Path, default=[],
                       help="also read input files under DIR (repeatable); by default only the "
                       "notebook's folder tree (and, for --data, the current directory's)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show Spark's INFO logging and every stage")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    p.add_argument("--inline", dest="inline_udfs", default="auto",
                   choices=("auto", "always", "never"),
                   help="Python UDFs with an exact Spark SQL form: inline them where that is "
                   "faster (auto: when the SQL evaluates each value once), always, or never "
                   "(compile every UDF to a JVM class)")
    p.add_argument("--no-inline", dest="inline_udfs", action="store_const", const="never",
                   help="the same as --inline never")


def _add_coordinates(p: argparse.ArgumentParser) -> None:
    p.add_argument("--group-id", default="nb2jvm.generated", help="Maven groupId")
    p.add_argument("--artifact-id", help="Maven artifactId (default: from the notebook name)")
    p.add_argument("--version", dest="artifact_version", default="0.1.0",
                   help="Maven version (default: 0.1.0)")
    p.add_argument("--facade-class", default="", metavar="NAME",
                   help="name of the generated Java facade class (default: from the notebook, "
                   "e.g. customer_risk.ipynb -> CustomerRisk)")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nb2jvm", description="Turn the %%export cells of a Jupyter notebook "
                     "(an Ibis subset) into Spark SQL in a JVM artifact, and prove that Spark "
                     "computes what the notebook computes.")
    parser.add_argument("--version", action="version", version=f"nb2jvm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("check", help="check exported cells against the subset (no JVM)",
                       description="Report every exported cell that is outside the subset, "
                       "with notebook, cell, line and column. Exit 0 when clean, 2 otherwise.")
    p.add_argument("notebook", type=Path)
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_common(p)

    p = sub.add_parser("build", help="build the JVM artifact (SQL, manifest, jar, pom)",
                       description="Transpile the exported cells and write DIR with one .sql per "
                       "feature set, manifest.json, A-V.pom, A-V.jar and A-V-sources.jar. "
                       "Several notebooks go into one artifact (one facade class each; the "
                       "artifact id defaults to DIR's name); with --each, one artifact per "
                       "notebook.")
    p.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK",
                   help="notebooks (one artifact), or with --each notebooks and folders of them")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    p.add_argument("--each", action="store_true",
                   help="build every notebook (and every *.ipynb in each folder) on its own, "
                   "one artifact each in DIR/<notebook>/, with one warm compiler; go on past "
                   "failures; exit 1 if any failed")
    p.add_argument("--force", action="store_true",
                   help="build even when nothing changed since the last build into DIR "
                   "(by default an up-to-date DIR is left as it is)")
    p.add_argument("--watch", action="store_true",
                   help="stay running: rebuild whenever a notebook or a data file it reads "
                   "changes, on one warm compiler (Ctrl-C stops)")
    p.add_argument("--timings", type=Path, metavar="FILE.json",
                   help="write the seconds spent in each stage to FILE.json")
    p.add_argument("--skip-refused", action="store_true",
                   help="build the feature sets that are fine and list each refused one, with "
                   "its reason, under \"skipped\" in manifest.json (by default any refused "
                   "feature set fails the build, exit 2, nothing written)")
    p.add_argument("--golden-from-data", action="store_true",
                   help="record the self-check's golden rows on the first 200 rows of each real "
                   "input instead of rows generated from its schema (puts that data in the jar; "
                   "the build summary and the manifest say so)")
    _add_coordinates(p)
    _add_common(p)

    p = sub.add_parser("verify", help="run on the JVM and compare with the notebook",
                       description="Build, run every feature set on Spark in a local JVM, run "
                       "the same cells with ibis on DuckDB, and compare. Exit 0 when all are "
                       "conformant, 1 on any mismatch, 2 when any is refused or errors.")
    p.add_argument("notebook", type=Path)
    p.add_argument("--report", type=Path, metavar="FILE.json", help="write the JSON report")
    p.add_argument("-o", "--output", type=Path, metavar="DIR", help="keep the built artifact")
    p.add_argument("--edge-cases", action="store_true",
                   help="add adversarial rows (NULL, NaN, ±inf, -0.0, extremes, unicode, "
                   "dates before 1970) derived from each input's schema")
    p.add_argument("--online", action="store_true",
                   help="also run each feature set's online path (plain JVM, no Spark: java -cp "
                   "ARTIFACT.jar nb2jvm.online.Main) on the same rows and compare it too; a "
                   "feature set without one says why")
    _add_coordinates(p)
    _add_common(p)

    p = sub.add_parser("publish", help="publish a build directory to a Maven repository",
                       description="Copy DIR's A-V.jar, A-V.pom and A-V-sources.jar into a Maven "
                       "repository (standard layout, .md5/.sha1/.sha256, maven-metadata.xml). A "
                       "release version is immutable; a -SNAPSHOT version is replaced.")
    p.add_argument("build_dir", type=Path, metavar="DIR")
    p.add_argument("--repo", required=True, metavar="PATH_OR_FILE_URL",
                   help="the repository root, e.g. ~/.m2/repository or file:///srv/maven")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")

    p = sub.add_parser("diff", help="what changed between two builds (for a review)",
                       description="Compare two build directories or artifact jars: feature sets "
                       "added, removed or changed (columns, inputs, SQL), UDFs and required Spark "
                       "settings. Exit 0 when nothing changed, 1 when something did.")
    p.add_argument("old", type=Path, metavar="OLD")
    p.add_argument("new", type=Path, metavar="NEW")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("ops", help="every ibis operation and what nb2jvm does with it",
                       description="List every ibis operation class (from the installed ibis) "
                       "with how it is written, its family and its status on Spark: conformant, "
                       "emulated, checked (conformant under a condition), refused (a measured "
                       "difference), not-in-notebook-engine (ibis's DuckDB backend cannot run "
                       "it) or unverified (refused at transpile time until it is proven).")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--status", choices=("conformant", "emulated", "checked", "refused",
                                        "not-in-notebook-engine", "unverified"),
                   help="only the operations with this status")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("-q", "--quiet", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("server", help="the warm server that runs verify, run and build",
                       description="verify, run and build go to a warm server of this user "
                       "(started on first use, stopped after $NB2JVM_SERVER_IDLE seconds "
                       "idle, default 900); NB2JVM_SERVER=off runs every call in its own "
                       "process. status lists the running servers, stop stops them, start "
                       "starts this version's.")
    p.add_argument("action", choices=("status", "stop", "start"))

    p = sub.add_parser("run", help="run one feature set on the JVM and write its rows",
                       description="Run one feature set on Spark and write its rows to a "
                       "Parquet file, without comparing.")
    p.add_argument("source", type=Path, metavar="NOTEBOOK_OR_BUILD_DIR")
    p.add_argument("--feature", required=True, metavar="NAME")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.parquet")
    _add_common(p)
    return parser


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled, self.started = enabled, time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"  [{time.perf_counter() - self.started:5.1f}s] {message}", file=sys.stderr,
                  flush=True)


def cmd_check(args, progress) -> int:
    from ..pipeline import transpile

    warnings, lowered = [], None
    try:
        lowered = transpile(args.notebook, options(args, progress))
        diagnostics, warnings = lowered.diagnostics, lowered.warnings
    except Nb2jvmError as exc:
        diagnostics = exc.diagnostics
    if args.format == "json":
        print(json.dumps([d.to_json() for d in diagnostics + warnings], indent=2,
                         ensure_ascii=False))
        return EXIT_ERROR if diagnostics else EXIT_OK
    if diagnostics or warnings:
        print("\n".join(d.render() for d in diagnostics + warnings), file=sys.stderr)
    if lowered is not None:
        ok = [lf.name for lf in lowered.lowered]
        total = len(ok) + len(lowered.refused)
        line = f"{args.notebook}: {len(ok)} of {total} feature set(s) ok" + \
            (f": {', '.join(ok)}" if ok else "")
        if lowered.refused:
            line += "; refused: " + ", ".join(
                f"{r.name} (cell {r.diagnostics[0].span.cell})" for r in lowered.refused)
        print(line)
    return EXIT_ERROR if diagnostics else EXIT_OK


def cmd_diff(args, progress) -> int:
    from ..artifact.diff import diff, load, render

    result = diff(load(args.old), load(args.new))
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(render(result), end="")
    changed = result["feature_sets"]["added"] or result["feature_sets"]["removed"] or \
        result["feature_sets"]["changed"] or result["udfs"]["added"] or \
        result["udfs"]["removed"] or result["spark_conf"]
    return 1 if changed else EXIT_OK


def cmd_publish(args, progress) -> int:
    from ..artifact.publish import publish

    done = publish(args.build_dir, args.repo)
    if not args.quiet:
        verb = "replaced" if done.replaced else "published"
        print(f"{verb} {done.version_dir}")
        for name in done.files:
            if not name.endswith((".md5", ".sha1", ".sha256")):
                print(f"  {name} (+ .md5 .sha1 .sha256)")
    return EXIT_OK


def cmd_verify(args, progress) -> int:
    from ..jvm import spark as jvm_mod

    # The JVM and Spark (~4 s) start on the other core while this one imports the stages
    # (ibis, DuckDB, pandas: ~2 s) and transpiles; verify then finds them ready.
    if args.notebook.is_file():
        jvm_mod.start_in_background(verbose=args.verbose)
    try:
        return _verify(args, progress)
    finally:
        jvm_mod.wait_for_start()  # never leave the process with a JVM half-started


def _verify(args, progress) -> int:
    from ..verify import verify

    if args.report:  # fail before the run, not after it
        args.report.parent.mkdir(parents=True, exist_ok=True)

    report = verify(args.notebook, options(args, progress), keep_dir=args.output,
                    verbose=args.verbose, edge_cases=args.edge_cases, online=args.online)
    if args.report:
        write_atomic(args.report, report.to_json().encode())
    width = max((len(v.name) for v in report.feature_sets), default=10)
    print(f"nb2jvm verify {args.notebook}")
    exported = [f"{v.name} (cell {v.cell})" for v in report.feature_sets]
    print(f"  exported: {', '.join(exported)}")
    for i in report.inputs:
        shown = _shown_path(i['path']) if i['path'] else 'a schema, no data file'
        print(f"  input:    {i['name']} <- {shown} ({i['origin']})")
    if report.artifact:
        print(f"  artifact: {_shown_path(report.artifact)}")
    for v in report.feature_sets:
        print(f"  {v.name:<{width}}  {v.status:<10}  {v.message}")
        if v.details and not args.quiet:
            print("\n".join("      " + ln for ln in v.details.splitlines()))
        for risk in v.risks if not args.quiet else ():
            print(f"      risk: {risk}")
        if v.online:
            first, _, rest = v.online_message.partition("\n")
            print(f"  {'':<{width}}  online: {v.online:<10}  {first}")
            if rest and not args.quiet:
                print("\n".join("      " + ln for ln in rest.splitlines()))
    print(f"  result:   {report.summary()}")
    if args.report:
        print(f"  report:   {_shown_path(args.report)}")
    return report.exit_code


def _shown_path(path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cmd_run(args, progress) -> int:
    from ..jvm import spark as jvm_mod
    from ..reference.engine import handoff_inputs

    source: Path = args.source
    if args.output.is_dir():
        raise error("CLI004", f"--output {args.output} is a directory; give a file name",
                    Span(f"--output {args.output}"),
                    hint=f"e.g. --output {args.output / 'features.parquet'}")
    work = Path(tempfile.mkdtemp(prefix="nb2jvm-run-"))
    try:
        if source.is_dir():
            build_dir, inputs = _build_dir_inputs(source, args)
        else:
            from ..ir.errors import SubsetError
            from ..artifact.package import package
            from ..pipeline import transpile

            from ..pipeline import only

            opts = options(args, progress)
            lowered = transpile(source, opts)
            refused = [r for r in lowered.refused if r.name == args.feature]
            if refused:  # only this feature set's own problems stop it
                raise SubsetError(list(refused[0].diagnostics))
            if not any(lf.name == args.feature for lf in lowered.lowered):
                names = [lf.name for lf in lowered.lowered] + [r.name for r in lowered.refused]
                raise error("CLI002", f"no feature set named '{args.feature}'",
                            Span(str(source)), hint="feature sets: " + ", ".join(names))
            lowered = only(lowered, args.feature)
            build_dir = package(lowered, work / "build", opts.coordinates).directory
            inputs = lowered.features.inputs
            from ..frontend.inputs import require_data

            require_data(inputs, str(source))
        man = manifests.read(build_dir / "manifest.json")
        names = [fs["name"] for fs in man["feature_sets"]]
        if args.feature not in names:
            raise error("CLI002", f"no feature set named '{args.feature}'",
                        Span(str(source)), hint="feature sets: " + ", ".join(names))
        coords = man["artifact"]
        jar = build_dir / f"{coords['artifact_id']}-{coords['version']}.jar"
        progress("hand-off of the inputs to Parquet")
        paths = handoff_inputs(inputs, work)
        jvm = jvm_mod.session(verbose=args.verbose, progress=progress)
        pipeline = jvm.pipeline(jar, coords["artifact_id"])
        progress(f"feature set '{args.feature}' on Spark")
        try:
            jvm.run_parquet(pipeline, args.feature, paths, work / "out")
        except jvm_mod.JvmRunError as exc:
            if args.verbose:
                print(exc.trace, file=sys.stderr)
            raise error("RUN001", f"feature set '{args.feature}' failed on Spark: {exc}",
                        Span(str(source)), cls=InputError) from None
        import pyarrow.parquet as pq

        table = pq.read_table(work / "out")
        buffer = work / "result.parquet"
        pq.write_table(table, buffer)
        _move_atomic(buffer, args.output)
        print(f"wrote {table.num_rows} rows of '{args.feature}' to {args.output}")
        return EXIT_OK
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_dir_inputs(build_dir: Path, args):
    from ..frontend.inputs import confine, read_schema
    from ..ir.notebook import InputTable

    manifest_path = build_dir / "manifest.json"
    if not manifest_path.exists():
        raise error("CLI001", f"{build_dir} is not an nb2jvm build directory (no manifest.json)",
                    Span(str(build_dir)), hint="pass a notebook or the -o DIR of `nb2jvm build`")
    man = manifests.read(manifest_path)
    given = {b.name: b for b in bindings(args)}
    missing = [i["name"] for i in man["inputs"] if i["name"] not in given]
    if missing:
        raise error("CLI003", "a build directory does not carry data: bind every input with "
                    "--data NAME=PATH", Span(str(build_dir)),
                    hint="missing: " + ", ".join(missing))
    tables = []
    roots = [Path.cwd().resolve(), *(Path(a).resolve() for a in args.allow_read or ())]
    for i in man["inputs"]:
        given[i["name"]] = confine(given[i["name"]], roots)
        schema, fmt = read_schema(given[i["name"]])
        tables.append(InputTable(i["name"], schema, given[i["name"]].path, fmt, "--data",
                                 i.get("variable", i["name"])))
    return build_dir, tuple(tables)


def _move_atomic(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", dir=dst.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cmd_server(args, progress) -> int:
    from .client import control

    return control(args.action)


def cmd_build(args, progress) -> int:
    from .cli_build import cmd_build

    return cmd_build(args, progress)


def cmd_ops(args, progress) -> int:
    from ..lowering import coverage

    rows = [r for r in coverage.table() if args.status in (None, r.status)]
    if args.format == "json":
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return EXIT_OK
    width = max((len(r.op) for r in rows), default=10)
    for r in rows:
        print(f"{r.op:<{width}}  {r.status:<22}  {r.family:<10}  {r.spelling}")
        if r.status in ("checked", "refused"):
            print(f"{'':<{width}}  {r.reason}")
    table = coverage.table()
    for label, (done, total) in (("scalar", coverage.scalar_share(table)),
                                 ("relational, aggregate and window",
                                  coverage.relational_share(table))):
        print(f"{label} operations the notebook's engine runs: {done} of {total} lowered "
              f"({100 * done // max(total, 1)}%)")
    return EXIT_OK


COMMANDS = {"check": cmd_check, "build": cmd_build, "verify": cmd_verify, "run": cmd_run,
            "publish": cmd_publish, "diff": cmd_diff, "ops": cmd_ops, "server": cmd_server}


class _SafeStream:
    """stdout/stderr as the CLI writes them: names and values from notebooks and data files
    (a CSV header, a recorded table name, a mismatching row) may hold terminal escapes or bidi
    controls, so every write goes through errors.terminal_safe."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _Terminated(BaseException):
    """SIGTERM, turned into an exception so that every `finally` and temporary directory on
    the way out cleans up (Python's default SIGTERM ends the process on the spot)."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    import signal
    import threading

    previous = None
    # only as the console command: a kernel calling main([...]) keeps its own SIGTERM
    if argv is None and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(sys.stdout), _SafeStream(sys.stderr)
    try:
        return _main(argv)
    except _Terminated:
        print("nb2jvm: terminated", file=sys.stderr)
        return 143
    finally:
        sys.stdout, sys.stderr = streams
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)  # `server` has neither -v nor -q
    progress = _Progress(enabled=not getattr(args, "quiet", False) and (
        verbose or sys.stderr.isatty() or os.environ.get("NB2JVM_PROGRESS") == "1"))
    try:
        return COMMANDS[args.command](args, progress)
    except Nb2jvmError as exc:
        print(exc.render(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nb2jvm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `nb2jvm ... | head`: the reader left; stop quietly, as cat does
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # an output path we cannot write: the user's to fix, not a bug
        where = exc.filename or ""
        d = Diagnostic("OUT003", f"cannot write {where}: {exc.strerror or exc}", Span(str(where)),
                       hint="choose a writable output location")
        print(d.render(), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug in nb2jvm: say so plainly, show the trace only on request
        if verbose or os.environ.get("NB2JVM_DEBUG"):
            raise
        d = Diagnostic("INTERNAL", f"internal error: {type(exc).__name__}: {exc}", Span(),
                       hint="this is a bug in nb2jvm; rerun with --verbose for the trace")
        print(d.render(), file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
