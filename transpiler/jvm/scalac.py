"""Compile generated Scala with the Scala compiler that ships in the pyspark wheel's jars.

No network and no separate Scala install: ``scala-compiler``, ``scala-library`` and
``scala-reflect`` are among Spark's jars.  Classes are cached by the hash of the source, the
compiler version and the runtime library, so a rebuild with nothing changed compiles nothing.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from ..ir.errors import JvmError, error
from .spark import find_jdk, runtime_classes, spark_jar
from ..common.paths import cached_dir


def scala_version() -> str:
    match = re.search(r"scala-compiler-(.+)\.jar$", spark_jar("scala-compiler-*.jar").name)
    return match.group(1) if match else "?"


# Compiles started ahead (`compile_ahead`), by cache key: a later `compile_scala` of the same
# source waits for it instead of compiling again.
_ahead: dict[str, Future] = {}
_ahead_lock = threading.Lock()


def _key(source: str) -> str:
    digest = hashlib.sha256()
    for part in (source, scala_version(), find_jdk().version, runtime_classes().name):
        digest.update(part.encode() + b"\0")
    return f"scala-{digest.hexdigest()[:16]}"


def compile_ahead(source: str) -> None:
    """Start compiling ``source`` in the background (on the compiler JVM, while Python goes on
    with other stages); :func:`compile_scala` collects the result."""
    name = _key(source)
    with _ahead_lock:
        if name in _ahead:
            return
        future = _ahead[name] = Future()

    def run() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(_compile(source, name))
            except BaseException as exc:  # handed to whoever collects the result
                future.set_exception(exc)
    # a daemon thread: an interrupted process does not wait for it at exit
    threading.Thread(target=run, name="nb2jvm-scalac", daemon=True).start()


def drop_ahead() -> None:
    """Forget compiles started ahead and not collected (a build that failed after starting
    them); one still running finishes into the cache or fails there, unseen."""
    with _ahead_lock:
        for future in _ahead.values():
            future.cancel()
        _ahead.clear()


def compile_scala(source: str) -> Path:
    """Compile one Scala source; return the directory of its classes (cached, read-only use)."""
    name = _key(source)
    with _ahead_lock:
        started = _ahead.pop(name, None)
    return started.result() if started is not None else _compile(source, name)


def _compile(source: str, name: str) -> Path:
    from .compile_server import compile_with, scalac_args
    from .relocate import in_package

    source = in_package(source)  # the runtime it calls is the relocated one

    def build(classes: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="scalac-") as src:
            (Path(src) / "Udfs.scala").write_text(source, encoding="utf-8")
            ok, detail = compile_with("scala", scalac_args(classes, Path(src) / "Udfs.scala"))
        if not ok:
            detail = detail.strip()
            hint = ("a UDF compiled to a method over the JVM's 64 KB limit: split it into helper "
                    "functions" if "too large" in detail.lower() else None)
            raise error("SCALA002", "scalac failed on the generated Scala (an nb2jvm bug unless "
                        "the hint says otherwise):\n" + detail[-3000:], hint=hint, cls=JvmError)
    return cached_dir(name, build)
