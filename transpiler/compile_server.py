"""One warm JVM that compiles Scala and Java for a batch of builds.

A cold ``scalac`` costs ~9 s, most of it loading and JIT-compiling the compiler; a batch build
(``nb2jvm build --each``, several notebooks in one artifact) starts
``runtime-jvm/compiler/.../CompileServer.java`` once inside :func:`warm` and sends it every
compile.  Outside :func:`warm`, :func:`compile_with` runs the compiler as a process of its own, as
before.
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import threading
from pathlib import Path

from .errors import JvmError, error
from .paths import PACKAGE, cached_dir

SOURCE = PACKAGE.parent / "runtime-jvm" / "compiler" / "nb2jvm" / "tools" / "CompileServer.java"
COMPILER_JARS = ("scala-compiler-*.jar", "scala-library-*.jar", "scala-reflect-*.jar")

_lock = threading.Lock()
_server: "_Server | None" = None


def compiler_classpath() -> str:
    from .scalac import _jar

    return ":".join(str(_jar(p)) for p in COMPILER_JARS)


def _server_classes() -> Path:
    from .jvm import find_jdk

    jdk = find_jdk()
    digest = hashlib.sha256(SOURCE.read_bytes() + jdk.version.encode()).hexdigest()[:16]

    def build(classes: Path) -> None:
        out = subprocess.run([str(jdk.javac), "--release", "17", "-nowarn", "-cp",
                              compiler_classpath(), "-d", str(classes), str(SOURCE)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise error("JVM005", "javac failed on the compile server:\n" + out.stderr.strip(),
                        cls=JvmError)
    return cached_dir(f"compile-server-{digest}", build)


class _Server:
    """The compile-server process and its request/reply pipe."""

    def __init__(self):
        from .jvm import find_jdk

        cmd = [str(find_jdk().java), "-Xss8m", "-cp",
               f"{_server_classes()}:{compiler_classpath()}", "nb2jvm.tools.CompileServer"]
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.compiles = 0

    def compile(self, kind: str, args: list[str]) -> tuple[bool, str]:
        if any("\n" in a for a in args):  # the protocol is one argument per line
            raise ValueError("compiler arguments cannot contain newlines")
        request = "\n".join([kind, *args, "", ""]).encode()
        try:
            self.process.stdin.write(request)
            self.process.stdin.flush()
            status, _, size = self.process.stdout.readline().decode().partition(" ")
            text = self.process.stdout.read(int(size)).decode() if size.strip() else ""
        except (OSError, ValueError):
            raise error("JVM005", "the compile server stopped unexpectedly", cls=JvmError) \
                from None
        self.compiles += 1
        return status == "OK", text

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextlib.contextmanager
def warm():
    """Compile through one warm compiler JVM until the block ends (nested blocks share it)."""
    global _server
    with _lock:
        owner = _server is None
        if owner:
            _server = _Server()
    try:
        yield _server
    finally:
        if owner:
            with _lock:
                server, _server = _server, None
            server.close()


def compile_with(kind: str, args: list[str], cold_cmd: list[str]) -> tuple[bool, str]:
    """Run a compile (``kind`` "scala" or "java" with compiler ``args``): on the warm server when
    one is running, else as ``cold_cmd`` (the same compile as a process of its own)."""
    with _lock:
        server = _server
        if server is not None:
            return server.compile(kind, args)
    out = subprocess.run(cold_cmd, capture_output=True, text=True)
    return out.returncode == 0, (out.stdout + out.stderr)
