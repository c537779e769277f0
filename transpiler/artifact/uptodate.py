"""Is a build directory already what ``nb2jvm build`` would write?  The no-change rebuild.

Compiled classes are cached by content hash, but a rebuild that repeats the stages still spends
0.5 s per 25 features parsing, evaluating and lowering (and a second importing ibis).  Like make
and Gradle, a successful build records what it read and wrote; the next build with the same
command compares that record with the files on disk *before importing any stage*, and when
nothing changed it leaves the directory alone and reports the recorded result.

What a build read: the notebook files (whole: the magic records schemas in cell outputs), every
data file bound to an input (size and modification time, as make does), the command's options
and working directory, nb2jvm's own sources, grammars and runtime, the versions of ibis, sqlglot,
DuckDB and pyspark, and the JDK.  What it wrote: every file of the build directory (a file
changed or deleted there means a rebuild).  ``--force`` skips the check.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..common.paths import GRAMMAR_DIR, PACKAGE, RUNTIME_SRC, cache_dir

LIBRARIES = ("ibis-framework", "sqlglot", "duckdb", "pyspark", "pyarrow")


@dataclass(frozen=True)
class Record:
    """What the last successful build into a directory read and wrote, and what it said."""

    key: str
    data_files: dict  # resolved path -> [size, mtime_ns]
    outputs: dict  # path relative to the build directory -> [size, mtime_ns]
    warnings: list  # rendered warnings, shown again by an up-to-date build


def stat_of(path: Path) -> list | None:
    """[size, mtime_ns] of a file, None when it is missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _data(path: Path):
    # a Parquet dataset can be a folder: every file in it counts
    return _tree(path, ("",)) if path.is_dir() else stat_of(path)


def _tree(root: Path, suffixes: tuple[str, ...]) -> list:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            if name.endswith(suffixes):
                path = Path(folder) / name
                found.append([str(path.relative_to(root)), *(stat_of(path) or [])])
    return found


def _tool() -> list:
    import importlib.metadata

    from ..common.version import __version__

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "-"

    java_home = os.environ.get("JAVA_HOME", "")
    return [__version__, _tree(PACKAGE, (".py", ".properties")), _tree(GRAMMAR_DIR, (".lark",)),
            _tree(RUNTIME_SRC.parent.parent.parent, (".java",)),
            [version(d) for d in LIBRARIES], java_home, os.environ.get("PATH", "")]


def key(notebooks: list[Path], options: dict) -> str | None:
    """The fingerprint of a build command: its notebooks' bytes, options and nb2jvm itself
    (None when a notebook cannot be read: the build itself reports that)."""
    digest = hashlib.sha256()
    parts = {"cwd": os.getcwd(), "options": options, "tool": _tool(),
             "notebooks": [str(Path(nb).resolve()) for nb in notebooks]}
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode())
    for nb in notebooks:
        try:
            digest.update(b"\0" + Path(nb).read_bytes())
        except OSError:
            return None
    return digest.hexdigest()


def _record_path(out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:20]
    return cache_dir() / "builds" / f"{name}.json"


def _outputs(out_dir: Path) -> dict:
    return {rel: stat for rel, *stat in _tree(out_dir, ("",))}


def check(out_dir: Path, build_key: str) -> Record | None:
    """The record of the last build into ``out_dir`` if it still holds, else None."""
    try:
        data = json.loads(_record_path(out_dir).read_text())
        record = Record(data["key"], data["data_files"], data["outputs"], data["warnings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.key != build_key or not out_dir.is_dir():
        return None
    if any(_data(Path(p)) != stat for p, stat in record.data_files.items()):
        return None
    return record if _outputs(out_dir) == record.outputs else None


def save(out_dir: Path, build_key: str, data_files: list[Path], warnings: list[str]) -> None:
    """Record a successful build (written whole, then renamed)."""
    target = _record_path(out_dir)
    record = {"key": build_key, "out_dir": str(out_dir.resolve()),
              "data_files": {str(Path(p).resolve()): _data(Path(p)) for p in data_files},
              "outputs": _outputs(out_dir), "warnings": warnings}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(record, indent=1))
        partial.replace(target)
    except OSError:
        pass  # no record: the next build repeats the stages, nothing worse
