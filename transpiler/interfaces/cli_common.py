"""What the CLI's command modules share: exit codes, the start time, options from arguments,
and atomic writes of small outputs (imported by :mod:`cli` and :mod:`cli_build`, importing
neither)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from ..ir.errors import Span

EXIT_OK, EXIT_MISMATCH, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
STARTED = time.perf_counter()


def bindings(args) -> tuple:
    """``--data`` arguments as the pipeline's DataBindings."""
    from ..ir.notebook import DataBinding

    # The origin names the option, not the path as spelled: the manifest (and so the jar
    # bytes) must not depend on `./data/x.parquet` versus `data/x.parquet`.
    return tuple(DataBinding(name, path, f"--data {name}", Span(f"--data {text}"))
                 for name, path, text in getattr(args, "data", []) or [])


def options(args, progress):
    """The pipeline's Options from parsed arguments (those a command lacks take defaults)."""
    from ..ir.artifact import Coordinates
    from ..pipeline import Options

    coords = Coordinates(getattr(args, "group_id", "nb2jvm.generated"),
                         getattr(args, "artifact_id", None) or "",
                         getattr(args, "artifact_version", "0.1.0"),
                         getattr(args, "facade_class", "") or "")
    return Options(bindings(args), coords, progress, getattr(args, "inline_udfs", "auto"),
                   tuple(getattr(args, "allow_read", None) or ()),
                   skip_refused=getattr(args, "skip_refused", False),
                   golden_from_data=getattr(args, "golden_from_data", False))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file beside it, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
