"""The ``%%export`` cell magic: run the cell as usual, check it, show what it becomes.

``%%export [NAME ...] [--strict] [--verify] [--show-divergence] [--unique=COL,...]``.  The cell runs in the notebook's namespace exactly as it would
without the magic (the last expression still displays).  Then the exported cells of this kernel
so far are checked with the same pipeline and messages as ``nb2jvm check``; the magic displays
the feature sets of the cell (columns and types), the inputs they read and the generated Spark
SQL, or the diagnostics.  A cell outside the subset still runs; ``--strict`` makes that an error.
The input tables' schemas are recorded in the cell's output, so that ``nb2jvm build`` on the saved
notebook needs no data files.  ``--verify`` runs the cell's feature sets on Spark in this
kernel's JVM (started once, in the background after the first ``%%export``) over a sample of
the live input tables and shows the verdicts, with the first mismatching rows side by side.
``--show-divergence`` also runs feature sets refused only for a measured engine difference, to
show that difference on the data at hand (they still never reach a build).
``%verify_exports`` verifies every feature set exported so far.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import os
from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display

from ..common import escape
from ..ir.errors import Nb2jvmError, Span
from ..ir.notebook import Cell, ExportMark, Notebook
from ..frontend.inputs import RECORDED_MIME

_EXPORTED: list[Cell] = []
_DEFINED: set[str] = set()
_RECORDED: dict[str, dict] = {}
KERNEL_NOTEBOOK = "<this notebook>"
SAMPLE_ROWS = 10_000
EXPORT_OPTIONS = ("--strict", "--verify", "--show-divergence", "--unique=COL,...")


def _names(source: str) -> tuple[list[str], set[str]]:
    """Names the cell reads (in order of first use) and names it assigns."""
    try:
        tree = ast.parse("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                   for ln in source.split("\n")))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], set()
    read, assigned = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id not in read:
                read.append(node.id)
            elif isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
    return read, assigned


def input_schemas(source: str, namespace: dict, defined: set[str]) -> dict:
    """``{variable: {"table", "schema"}}`` for the ibis tables the cell reads as inputs."""
    import ibis.expr.operations as ops
    import ibis.expr.types as ir

    read, _ = _names(source)
    found = {}
    for name in read:
        value = namespace.get(name)
        if name in defined or not isinstance(value, ir.Table):
            continue
        op = value.op()
        table = op.name if isinstance(op, ops.UnboundTable) else name
        found[name] = {"table": table,
                       "schema": [[col, str(dtype)] for col, dtype in value.schema().items()]}
    return found


def check_exported(cells: list[Cell], recorded: dict) -> tuple[object | None, list]:
    """Run the pipeline up to Spark SQL on the kernel's exported cells, inputs from ``recorded``.

    Returns the lowered notebook (or None) and every diagnostic, warnings included.
    """
    from ..pipeline import Options, transpile_notebook

    first = Cell(0, "recorded-inputs", "", None,
                 ({"output_type": "display_data", "data": {RECORDED_MIME: {"inputs": recorded}}},))
    notebook = Notebook(KERNEL_NOTEBOOK, Path.cwd(), (first, *cells))
    try:
        lowered = transpile_notebook(notebook, Options())
    except Nb2jvmError as exc:
        return None, exc.diagnostics
    return lowered, lowered.diagnostics + lowered.warnings


def _local(problems, cell: Cell) -> list:
    """This cell's diagnostics, placed in 'this cell' (kernel cell numbers mean nothing)."""
    here = Span("%%export cell")
    return [dataclasses.replace(d, span=dataclasses.replace(d.span, notebook=here.notebook,
                                                              cell=None, cell_id=None))
            for d in problems if d.span.cell == cell.index]


def _html(cell: Cell, lowered, problems) -> str:
    parts = ['<div class="nb2jvm-export" style="font-family: sans-serif; font-size: 90%">']
    mine = [lf for lf in (lowered.lowered if lowered else []) if lf.feature.cell is cell]
    local = _local(problems, cell)
    errors = [d for d in local if d.severity == "error"]
    warnings = [d for d in local if d.severity != "error"]
    if errors:
        parts.append("<b>nb2jvm: outside the exported-cell subset</b>")
    for d in errors + warnings:
        parts.append(f"<pre>{html.escape(d.render())}</pre>")
    for lf in mine:
        cols = ", ".join(f"{html.escape(n)}: <i>{html.escape(str(t))}</i>"
                         for n, t in lf.schema.items())
        parts.append(f"<b>feature set <code>{html.escape(lf.name)}</code></b> ({cols})")
        parts.append(f"<details><summary>Spark SQL</summary><pre>{html.escape(lf.sql)}</pre>"
                     "</details>")
    udfs = [u for u in _cell_udfs(cell, lowered) if u.mode == "compiled"]
    if udfs:
        names = ", ".join(f"<code>{html.escape(u.name)}</code>" for u in udfs)
        parts.append(f"<details><summary>Scala (UDFs {names}, compiled to JVM bytecode)"
                     f"</summary><pre>{html.escape(lowered.udfs.scala)}</pre></details>")
    if lowered is not None:
        inputs = ", ".join(f"<code>{html.escape(t.name)}</code> ({len(t.schema)} columns, "
                           f"{html.escape(t.origin)})" for t in lowered.features.inputs)
        parts.append(f"<div>inputs: {inputs or 'none'}</div>")
    parts.append("</div>")
    return "\n".join(parts)


def _cell_udfs(cell: Cell, lowered) -> list:
    """The compiled UDFs defined in ``cell``."""
    if lowered is None or lowered.udfs is None:
        return []
    return [u for u in lowered.udfs.udfs if u.cell == cell.index]


def _text(cell: Cell, lowered, problems) -> str:
    lines = [d.render() for d in _local(problems, cell)]
    for lf in (lowered.lowered if lowered else []):
        if lf.feature.cell is cell:
            cols = ", ".join(f"{n}: {t}" for n, t in lf.schema.items())
            lines.append(f"nb2jvm: feature set '{lf.name}' ({cols})")
    for u in _cell_udfs(cell, lowered):
        lines.append(f"nb2jvm: UDF '{u.name}' compiled to Scala as {u.class_name}"
                     if u.mode == "compiled" else
                     f"nb2jvm: UDF '{u.name}' inlined into the Spark SQL (exact SQL form)")
    return "\n".join(lines) or "nb2jvm: no feature set in this cell"


@magics_class
class ExportMagics(Magics):
    """Holds the ``%%export`` cell magic."""

    @cell_magic
    def export(self, line: str, cell: str):
        """Run the cell unchanged, then check it and show what it becomes."""
        args = line.split()
        strict, divergence = "--strict" in args, "--show-divergence" in args
        verify = "--verify" in args or divergence
        unknown = [a for a in args if a.startswith("-") and a not in EXPORT_OPTIONS
                   and not a.startswith("--unique=")]
        if unknown:
            raise UsageError(f"%%export: unknown option {unknown[0]} (known: "
                             f"{', '.join(EXPORT_OPTIONS)})")
        source = f"%%export {line}".rstrip() + "\n" + cell
        # Check first, with the input tables as they are now: --strict must not run the cell.
        inputs = input_schemas(cell, self.shell.user_ns, _DEFINED)
        this = Cell(len(_EXPORTED) + 1, None, source, ExportMark(
            tuple(a for a in args if not a.startswith("-")), 2,
            tuple(c for a in args if a.startswith("--unique=")
                  for c in a[len("--unique="):].split(",") if c)))
        lowered, problems = check_exported([*_EXPORTED, this], {**_RECORDED, **inputs})
        errors = [d for d in _local(problems, this) if d.severity == "error"]
        bundle = {"text/plain": _text(this, lowered, problems),
                  "text/html": _html(this, lowered, problems)}
        if strict and errors:
            display(bundle, raw=True)
            raise ExportRefused(errors)
        result = self.shell.run_cell(cell, store_history=False)
        if result.error_in_exec is not None or result.error_before_exec is not None:
            return None
        if not errors:
            # A cell outside the subset ran, but stays out of the kernel's exported set: later
            # cells are checked without it (and say so if they use its names).
            _EXPORTED.append(this)
        _DEFINED.update(_names(cell)[1])
        _RECORDED.update(inputs)
        if inputs:
            summary = ", ".join(f"{v}({len(e['schema'])} columns)" for v, e in inputs.items())
            bundle[RECORDED_MIME] = {"inputs": inputs}
            bundle["text/plain"] += f"\nnb2jvm: recorded input schemas: {summary}"
        display(bundle, raw=True)
        if lowered is not None and os.environ.get("NB2JVM_PRESTART", "1") != "0":
            # Most data scientists verify soon after exporting: start Spark (~10 s) meanwhile.
            from ..jvm import spark as jvm_mod

            jvm_mod.start_in_background()
        if lowered is not None and (divergence or (verify and not errors)):
            self._verify(lowered, lambda f: f.cell is this, divergence)
        return None

    def _verify(self, lowered, chosen, divergence: bool = False,
                sample_rows: int = SAMPLE_ROWS) -> None:
        """Run the chosen feature sets on the JVM over a sample of the live input tables;
        with ``divergence``, also those refused only for a measured difference."""
        import tempfile

        import pyarrow.parquet as pq

        from ..jvm import spark as jvm_mod
        from ..lowering.lower import lower_feature
        from ..pipeline import Options
        from ..verify import verify_lowered

        keep = [lf for lf in lowered.lowered if chosen(lf.feature)]
        names = {lf.name for lf in keep}
        if divergence:
            keep += [lf for f in lowered.features.features if chosen(f) and f.name not in names
                     for lf in [lower_feature(f, KERNEL_NOTEBOOK, show_divergence=True)[0]]
                     if lf is not None]
        if not keep:
            print("nb2jvm: no feature set to verify", flush=True)
            return
        if jvm_mod.starting():
            print("nb2jvm: waiting for the JVM and Spark, starting in the background...",
                  flush=True)
        elif jvm_mod._JVM is None:
            print("nb2jvm: starting the JVM and Spark for this kernel (once, about 10 s)...",
                  flush=True)
        with tempfile.TemporaryDirectory(prefix="nb2jvm-magic-") as tmp:
            data = {}
            for table in lowered.features.inputs:
                live = self.shell.user_ns.get(table.var)
                path = Path(tmp) / f"{escape.file_component(table.name)}.parquet"
                pq.write_table(live.limit(sample_rows).to_pyarrow(), path)
                data[table.name] = path
            only = dataclasses.replace(lowered, lowered=tuple(keep), refused=())
            report = verify_lowered(only, Options(), KERNEL_NOTEBOOK, data=data)
        notes = {lf.name: " ".join(w.message for w in lf.warnings if w.code == "W400")
                 for lf in keep}
        display(_verdicts(report, notes), raw=True)

    @line_magic
    def verify_exports(self, line: str):
        """``%verify_exports [--show-divergence]``: verify every feature set exported so far in
        this kernel on the JVM, over a sample of the live input tables."""
        args = line.split()
        unknown = [a for a in args if a != "--show-divergence"]
        if unknown:
            raise UsageError(f"%verify_exports: unknown argument {unknown[0]} "
                             "(known: --show-divergence)")
        if not _EXPORTED:
            print("nb2jvm: no %%export cell has run in this kernel yet", flush=True)
            return
        lowered, problems = check_exported(list(_EXPORTED), dict(_RECORDED))
        if lowered is None:
            print("\n".join(d.render() for d in problems), flush=True)
            return
        self._verify(lowered, lambda f: True, "--show-divergence" in args)

    @line_magic
    def nb2jvm(self, line: str):
        """``%nb2jvm COMMAND [ARGS]``: the nb2jvm CLI from inside the notebook (same options).

        Without a notebook argument, the notebook JupyterLab reports for this kernel
        (``__session__``) is used; it reads the *saved* file, so save first.
        """
        import shlex

        from .cli import main

        argv = shlex.split(line)
        if not argv:
            raise UsageError("usage: %nb2jvm {check,build,verify,run} [NOTEBOOK] [options]")
        session = self.shell.user_ns.get("__session__")
        if len(argv) == 1 or argv[1].startswith("-"):
            if not (isinstance(session, str) and session.endswith(".ipynb")):
                raise UsageError("%nb2jvm: name the notebook file, e.g. %nb2jvm build "
                                 "features.ipynb -o out/ (this kernel does not know its notebook)")
            argv.insert(1, session)
        code = main(argv)
        if code:
            raise UsageError(f"nb2jvm {argv[0]} exited with status {code} (see above)")


def _verdicts(report, notes: dict[str, str]) -> dict:
    """The verify report as a display bundle: one row per feature set, mismatching rows below."""
    rows, text = [], []
    for v in report.feature_sets:
        note = notes.get(v.name, "")
        rows.append(f"<tr><td><code>{html.escape(v.name)}</code></td><td><b>{v.status}</b></td>"
                    f"<td>{html.escape(v.message)}"
                    + (f"<br><i>{html.escape(note)}</i>" if note else "") + "</td></tr>")
        if v.details:
            rows.append(f"<tr><td colspan=3><pre>{html.escape(v.details)}</pre></td></tr>")
        text.append(f"nb2jvm verify: {v.name}: {v.status}: {v.message}"
                    + (f"\n  {note}" if note else "") + (f"\n{v.details}" if v.details else ""))
    return {"text/plain": "\n".join(text),
            "text/html": f"<table class='nb2jvm-verify'>{''.join(rows)}</table>"}


class ExportRefused(Exception):
    """``%%export --strict`` on a cell outside the subset; shown as diagnostics, no traceback."""

    def __init__(self, diagnostics):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics))

    def _render_traceback_(self):  # IPython shows these lines instead of a Python traceback
        return ["%%export --strict: the cell is outside the exported-cell subset and did not run",
                *str(self).splitlines()]


def register(ipython) -> None:
    from ..jvm import compile_server

    # a kernel is the long-lived host the interactive loop needs: its builds share one warm
    # compiler JVM (started by the first build, stopped with the kernel)
    compile_server.keep()
    ipython.register_magics(ExportMagics)
