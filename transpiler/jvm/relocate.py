"""The runtime's package, unique to its content (as Maven's shade plugin relocates): every
artifact carries the runtime it was built with under ``nb2jvm.runtime.r<hash>``, so a Spark
application with feature jars built by two nb2jvm versions gets two runtimes side by side
instead of one class name with two meanings on its class path.

The sources in ``runtime-jvm/`` say ``package nb2jvm.runtime;`` (Maven builds them as they
are); every compile nb2jvm runs, for its own JVM and for artifacts, uses the relocated text.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from ..common.paths import RUNTIME_SRC

SOURCE_PACKAGE = "nb2jvm.runtime"


def sources(root: Path = RUNTIME_SRC) -> list[Path]:
    """The runtime's Java sources, in a stable order."""
    return sorted(root.rglob("*.java"))


def package_of(root: Path) -> str:
    """The relocated package of the runtime whose sources are under ``root``."""
    digest = hashlib.sha256()
    for src in sources(root):
        digest.update(src.relative_to(root).as_posix().encode() + b"\0")
        digest.update(src.read_bytes() + b"\0")
    return f"{SOURCE_PACKAGE}.r{digest.hexdigest()[:10]}"


@lru_cache(maxsize=None)
def runtime_package() -> str:
    """The package this nb2jvm's runtime classes live in (``nb2jvm.runtime.r<10 hex>``)."""
    return package_of(RUNTIME_SRC)


def relocated(root: Path = RUNTIME_SRC) -> dict[str, bytes]:
    """Each runtime source under its relocated path, with the relocated package in its text."""
    package = package_of(root)
    prefix = package.replace(".", "/")
    out = {}
    for src in sources(root):
        rel = src.relative_to(root / SOURCE_PACKAGE.replace(".", "/")).as_posix()
        out[f"{prefix}/{rel}"] = src.read_text(encoding="utf-8").replace(
            SOURCE_PACKAGE, package).encode("utf-8")
    return out


def in_package(text: str) -> str:
    """Generated code written against ``nb2jvm.runtime`` (goldens stay stable) as compiled."""
    return text.replace(SOURCE_PACKAGE + ".", runtime_package() + ".")
