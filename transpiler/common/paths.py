"""Where nb2jvm finds its own files and keeps its cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

PACKAGE = Path(__file__).resolve().parent.parent  # the top package, `transpiler/`


def _shipped(installed: str, checkout: str) -> Path:
    """A folder of nb2jvm's own files: inside the installed package (a wheel, see
    pyproject.toml's package-dir), else beside the package (a source checkout)."""
    inside = PACKAGE / installed
    return inside if inside.is_dir() else PACKAGE.parent / checkout


GRAMMAR_DIR = _shipped("grammar", "grammar")
JVM_SRC = _shipped("jvm_src", "runtime-jvm")
RUNTIME_SRC = JVM_SRC / "src" / "main" / "java"
COMPILER_SRC = JVM_SRC / "compiler"
RESOURCES = PACKAGE / "resources"


def cache_dir() -> Path:
    """``$NB2JVM_CACHE``, else ``$XDG_CACHE_HOME/nb2jvm``, else ``~/.cache/nb2jvm``."""
    base = os.environ.get("NB2JVM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nb2jvm")
    return Path(base)


def cached_dir(name: str, build: Callable[[Path], None]) -> Path:
    """``cache_dir()/name``, built once: ``build`` fills a staging folder beside it, which is
    renamed into place whole, so a reader never sees half a build; when another process
    finished the same build first, its (identical) result is kept."""
    target = cache_dir() / name
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=target.parent))
    try:
        build(staging)
        (staging / ".complete").write_text("ok\n")
        staging.rename(target)
    except OSError:
        if not (target / ".complete").exists():
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return target
