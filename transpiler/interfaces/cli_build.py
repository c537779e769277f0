"""``nb2jvm build``: one artifact from one or several notebooks, ``--each`` (one artifact per
notebook), ``--watch`` (rebuild on every save, on one warm compiler), and the up-to-date check
that makes an unchanged rebuild a no-op (:mod:`transpiler.artifact.uptodate`).

Only light modules are imported here: an up-to-date build answers before ibis is imported, and
a real one starts its compiler JVM first, so that it warms up during the import and the stages.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..artifact import uptodate
from .cli_common import EXIT_OK, STARTED, options, write_atomic
from ..ir.errors import InputError, Nb2jvmError, Span, error

WATCH_POLL_SECONDS = 0.5
_first = [True]  # the first build of the process counts the interpreter's start and imports


def cmd_build(args, progress) -> int:
    if args.each and args.watch:
        raise error("CLI001", "--watch rebuilds one artifact; it does not combine with --each",
                    Span(str(args.output)), cls=InputError)
    if args.timings:  # fail before the build, not after it
        args.timings.parent.mkdir(parents=True, exist_ok=True)
    if args.each:
        return cmd_build_each(args, progress)
    for given in args.notebooks:
        if given.is_dir():
            raise error("CLI001", f"{given} is a folder", Span(str(given)),
                        hint="add --each to build every notebook in it on its own, or name "
                        "the notebooks to put them into one artifact", cls=InputError)
    if len(set(map(Path.resolve, args.notebooks))) != len(args.notebooks):
        raise error("CLI001", "a notebook is named twice", Span(str(args.notebooks[0])),
                    cls=InputError)
    if args.watch:
        return watch(args, progress)
    build_once(args, progress)
    return EXIT_OK


def build_once(args, progress) -> list[str]:
    """Build (or find up to date) and report; returns the data files the build read."""
    started = STARTED if _first[0] else time.perf_counter()
    _first[0] = False
    build_key = uptodate.key(args.notebooks, _settings(args))
    record = None if args.force or build_key is None else uptodate.check(args.output, build_key)
    if record is not None:
        for warning in record.warnings:
            print(warning, file=sys.stderr)
        man = json.loads((args.output / "manifest.json").read_text())
        _report(args, man, f"up to date: {jar_of(args.output, man)} (nothing changed since the "
                "last build; --force rebuilds)")
        _write_timings(args, {"up to date check": time.perf_counter() - started}, started)
        return list(record.data_files)
    from ..jvm.compile_server import warm

    with warm():  # the compiler JVM starts now and warms up while the stages run
        progress("start the compiler JVM; import the stages")
        from ..pipeline import Timings, build

        timings = Timings({"start and import": time.perf_counter() - started})
        notebooks = args.notebooks[0] if len(args.notebooks) == 1 else tuple(args.notebooks)
        artifact = build(notebooks, args.output, options(args, progress), timings)
    if build_key is not None:
        uptodate.save(args.output, build_key, list(artifact.data_files),
                      [w.render() for w in artifact.warnings])
    for warning in artifact.warnings:
        print(warning.render(), file=sys.stderr)
    _report(args, artifact.manifest, f"built {artifact.jar}")
    _write_timings(args, timings.stages, started)
    return [str(p) for p in artifact.data_files]


def watch(args, progress) -> int:
    """Rebuild whenever a notebook or a data file it reads changes, until Ctrl-C.  The process
    keeps one compiler JVM, so every build after the first is a warm one."""
    from ..jvm import compile_server

    compile_server.keep()
    names = ", ".join(str(nb) for nb in args.notebooks)
    print(f"nb2jvm: watching {names} (Ctrl-C stops)", file=sys.stderr, flush=True)
    data: list[str] = []
    seen = None
    try:
        while True:
            now = [uptodate.stat_of(Path(p)) for p in [*args.notebooks, *data]]
            if now != seen:
                seen = now
                started = time.perf_counter()
                print(f"[{time.strftime('%H:%M:%S')}] building ...", file=sys.stderr,
                      flush=True)
                try:
                    data = build_once(args, progress)
                    outcome = "done"
                except Nb2jvmError as exc:
                    print(exc.render(), file=sys.stderr)
                    outcome = "failed; fix the notebook and save it"
                seen = [uptodate.stat_of(Path(p)) for p in [*args.notebooks, *data]]
                print(f"[{time.strftime('%H:%M:%S')}] {outcome} in "
                      f"{time.perf_counter() - started:.1f} s; watching", file=sys.stderr,
                      flush=True)
                sys.stdout.flush()
            time.sleep(WATCH_POLL_SECONDS)
    except KeyboardInterrupt:
        print("nb2jvm: stopped watching", file=sys.stderr)
        return EXIT_OK


def cmd_build_each(args, progress) -> int:
    """Batch mode: one artifact per notebook, a progress line each, a summary at the end."""
    import dataclasses

    from ..pipeline import build

    notebooks = []
    for given in args.notebooks:
        if given.is_dir():
            found = sorted(given.glob("*.ipynb"))
            if not found:
                raise error("CLI001", f"no *.ipynb in {given}", Span(str(given)), cls=InputError)
            notebooks += found
        elif given.is_file():
            notebooks.append(given)
        else:
            raise error("CLI001", f"no such notebook or folder: {given}", Span(str(given)),
                        cls=InputError)
    stems = [nb.stem for nb in notebooks]
    if len(set(stems)) != len(stems):
        twice = sorted({s for s in stems if stems.count(s) > 1})
        raise error("CLI001", f"two notebooks named {twice[0]}.ipynb would share the output "
                    f"{args.output / twice[0]}", Span(str(args.output)), cls=InputError)
    from ..jvm.compile_server import warm

    rows = []
    with warm(long_lived=True):  # one compiler JVM for the whole batch, warming up already
        opts = options(args, None)
        for k, nb in enumerate(notebooks, 1):
            started = time.perf_counter()
            done = round(20 * (k - 1) / len(notebooks))
            print(f"[{'#' * done}{'.' * (20 - done)}] [{k}/{len(notebooks)}] {nb.name} ...",
                  file=sys.stderr, flush=True)
            out = args.output / nb.stem
            build_key = uptodate.key([nb], _settings(args, each=True))
            record = None if args.force or build_key is None else uptodate.check(out, build_key)
            if record is not None:
                man = json.loads((out / "manifest.json").read_text())
                rows.append((nb.name, "ok", f"{len(man['feature_sets'])} feature sets, "
                             "up to date", time.perf_counter() - started, str(jar_of(out, man))))
                continue
            coords = dataclasses.replace(opts.coordinates, artifact_id="", facade="")
            try:
                art = build(nb, out, dataclasses.replace(opts, coordinates=coords))
                if build_key is not None:
                    uptodate.save(out, build_key, list(art.data_files),
                                  [w.render() for w in art.warnings])
                rows.append((nb.name, "ok", f"{len(art.manifest['feature_sets'])} feature sets",
                             time.perf_counter() - started, str(art.jar)))
            except Nb2jvmError as exc:
                for d in exc.diagnostics:
                    print(d.render(), file=sys.stderr)
                rows.append((nb.name, "FAILED", f"{len(exc.diagnostics)} diagnostic(s)",
                             time.perf_counter() - started, ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'notebook':<{width}}  status  seconds  result")
    for name, status, what, secs, jar in rows:
        print(f"{name:<{width}}  {status:<6}  {secs:7.1f}  {what}{'  ' + jar if jar else ''}")
    failed = sum(1 for r in rows if r[1] != "ok")
    print(f"{len(rows) - failed} built, {failed} failed")
    return 1 if failed else EXIT_OK


def _settings(args, each: bool = False) -> dict:
    """What of the command line decides what `build` writes (the up-to-date check's key)."""
    return {"each": each, "output": str(args.output.resolve()), "group_id": args.group_id,
            "artifact_id": None if each else args.artifact_id, "version": args.artifact_version,
            "facade": None if each else args.facade_class, "inline": args.inline_udfs,
            "data": [[name, str(path)] for name, path, _ in args.data],
            **({"skip_refused": True} if getattr(args, "skip_refused", False) else {}),
            **({"golden_from_data": True} if getattr(args, "golden_from_data", False) else {})}


def jar_of(build_dir: Path, man: dict) -> Path:
    a = man["artifact"]
    return build_dir / f"{a['artifact_id']}-{a['version']}.jar"


def _write_timings(args, stages: dict, started: float) -> None:
    if args.timings:
        total = time.perf_counter() - started
        write_atomic(args.timings, json.dumps({"stages": stages, "total_s": total},
                                               indent=1).encode())


def _report(args, man: dict, headline: str) -> None:
    check = man.get("self_check") or {}
    if check.get("warning"):  # even with --quiet: customer data is about to be published
        print(f"nb2jvm: warning: {check['warning']}", file=sys.stderr)
    if args.quiet:
        return
    print(headline)
    several = len(man["notebooks"]) > 1
    for fs in man["feature_sets"]:
        cols = ", ".join(c["name"] for c in fs["columns"])
        where = f"{fs['notebook']} cell {fs['cell']}" if several else f"cell {fs['cell']:<3}"
        print(f"  {fs['name']:<20} {where} sql/{fs['sql']}  ({cols})")
    for nb in man["notebooks"]:
        print(f"  facade {nb['facade']} ({nb['name']})")
    print("  inputs: " + ", ".join(i["name"] for i in man["inputs"]))
    for fs in man.get("skipped", []):
        print(f"  skipped {fs['name']} (cell {fs['cell']}): {fs['code']} {fs['reason']}")

