"""Where nb2jvm finds its own files and keeps its cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
GRAMMAR_DIR = PACKAGE.parent / "grammar"
RUNTIME_SRC = PACKAGE.parent / "runtime-jvm" / "src" / "main" / "java"
RESOURCES = PACKAGE / "resources"


def cache_dir() -> Path:
    """``$NB2JVM_CACHE``, else ``$XDG_CACHE_HOME/nb2jvm``, else ``~/.cache/nb2jvm``."""
    base = os.environ.get("NB2JVM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nb2jvm")
    return Path(base)
