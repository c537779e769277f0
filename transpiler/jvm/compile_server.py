"""The compiler JVM: scalac and javac in one process, started before they are needed.

A compile in a fresh JVM spends most of its time before compiling: loading scalac's classes and
running them in the interpreter (measured on 2 cores: 5.5 s for ten UDFs cold, 0.6-0.9 s on a
warm compiler).  So a build

- starts ``runtime-jvm/compiler/.../CompileServer.java`` first thing (:func:`warm`, entered by the
  CLI before it even imports the pipeline) and sends it a small Scala and Java sample to compile:
  the JVM warms up on one core while Python parses and lowers the notebook on the other;
- loads the compiler's classes from a class-data-sharing archive that the first server run
  writes at exit (``-XX:ArchiveClassesAtExit``; later runs map it instead of parsing ~5000
  classes from three jars);
- JIT-compiles with C1 only when the server is short-lived (one build): C2 would not pay off in
  seconds.  Long-lived hosts (a Jupyter kernel, ``build --watch``, ``build --each``) call
  :func:`keep` or ``warm(long_lived=True)`` and get the full tiered JIT.

Requests and replies go through the server's stdin/stdout (see the Java file for the protocol).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from ..ir.errors import JvmError, error
from ..common.paths import COMPILER_SRC, cache_dir, cached_dir

SOURCE = COMPILER_SRC / "nb2jvm" / "tools" / "CompileServer.java"
COMPILER_JARS = ("scala-compiler-*.jar", "scala-library-*.jar", "scala-reflect-*.jar")
# Flags of every server: a deep stack for scalac's recursive typer, a bounded heap (it may live
# as long as a kernel), no JVM log lines on stdout (the reply channel: e.g. a warning that the
# class archive is stale), and the serial collector (one compile thread; smallest footprint).
JAVA_FLAGS = ("-Xss8m", "-Xmx2g", "-Xlog:disable", "-XX:+UseSerialGC")
SHORT_LIVED_FLAGS = ("-XX:TieredStopAtLevel=1",)

# What the warm-up compiles: it touches the runtime classes and the Spark API the generated code
# uses, through the same classpath, so their jar indexes are loaded as well as the compilers.
WARMUP_SCALA = """package nb2jvm.warmup
import nb2jvm.runtime.{Py, PyError, PyFormat, PyStr}
object Fns {
  def f(p_x: Double, p_n: Long, p_s: String): String = {
    var ln = 1
    try {
      val label = PyStr.slice(PyStr.casefold(PyStr.strip(p_s)), PyStr.NONE, 3L, 1L)
      ln = 2;
      if (Py.round(p_x * 1.5, 2L) > 1.0) return label + PyFormat.format(p_x, ".2f")
      return label + "-" + Py.str(Py.floordiv(p_n, 2L))
    } catch { case e: PyError => throw e.at("f", "warmup", 1, ln) }
  }
}
"""
WARMUP_JAVA = """package nb2jvm.warmup;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
public final class Facade {
  public static Dataset<Row> f(SparkSession spark, Dataset<Row> t) {
    Map<String, Dataset<Row>> inputs = new LinkedHashMap<>();
    inputs.put("t", t);
    return nb2jvm.runtime.FeaturePipeline.load(Facade.class.getClassLoader(), "w")
        .run(spark, "f", inputs);
  }
}
"""

_lock = threading.Lock()
_server: "_Server | None" = None
_keep = False


# What generated code is compiled against besides the runtime: Spark's Java API (the UDF
# interfaces, Dataset/Row/SparkSession for facades) and Scala's library; not all ~250 Spark jars,
# whose indexes javac would read (measured: 3.0 s vs 1.5 s for a cold facade compile).
CLASSPATH_JARS = ("spark-sql-api_*.jar", "scala-library-*.jar")


def compiler_classpath() -> str:
    from .spark import spark_jar

    return ":".join(str(spark_jar(p)) for p in COMPILER_JARS)


def user_classpath() -> str:
    """What generated Scala and Java compile against: the runtime, Spark's API, Scala's library."""
    from .spark import runtime_classes, spark_jar

    return ":".join([str(runtime_classes()), *(str(spark_jar(p)) for p in CLASSPATH_JARS)])


def _server_jar() -> Path:
    # a jar, not a folder of classes: the JVM's class archive refuses non-empty folders on the
    # classpath
    from .spark import find_jdk

    jdk = find_jdk()
    digest = hashlib.sha256(SOURCE.read_bytes() + jdk.version.encode()).hexdigest()[:16]

    def build(folder: Path) -> None:
        import zipfile

        classes = folder / "classes"
        out = subprocess.run([str(jdk.javac), "--release", "17", "-nowarn", "-cp",
                              compiler_classpath(), "-d", str(classes), str(SOURCE)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise error("JVM005", "javac failed on the compile server:\n" + out.stderr.strip(),
                        cls=JvmError)
        with zipfile.ZipFile(folder / "compile-server.jar", "w") as jar:
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        shutil.rmtree(classes)
    return cached_dir(f"compile-server-jar-{digest}", build) / "compile-server.jar"


def scalac_args(out_dir: Path, source: Path) -> list[str]:
    """scalac's arguments for one generated source (the warm-up uses the same)."""
    from .spark import JAVA_RELEASE

    return ["-nowarn", "-encoding", "UTF-8", "-release", JAVA_RELEASE, "-d", str(out_dir), "-cp",
            user_classpath(), str(source)]


def javac_args(out_dir: Path, source, classpath=()) -> list[str]:
    """javac's arguments for generated Java (the warm-up uses the same): one source or a list,
    against the user class path and ``classpath`` (compiled UDFs, the online classes)."""
    from .spark import JAVA_RELEASE

    sources = [str(source)] if isinstance(source, (str, Path)) else [str(s) for s in source]
    cp = ":".join([user_classpath(), *map(str, classpath)])
    return ["--release", JAVA_RELEASE, "-encoding", "UTF-8", "-nowarn", "-cp", cp,
            "-d", str(out_dir), *sources]


class _ServerDied(Exception):
    """The compiler JVM exited or wrote something that is not a reply."""


class _Server:
    """The compile-server process, its request/reply pipe and its class archive."""

    def __init__(self, long_lived: bool, warmup: bool):
        from .spark import find_jdk

        self.java = str(find_jdk().java)
        self.classpath = f"{_server_jar()}:{compiler_classpath()}"
        key = hashlib.sha256("\0".join([self.classpath, find_jdk().version, *JAVA_FLAGS])
                             .encode())
        self.archive = cache_dir() / f"compiler-{key.hexdigest()[:16]}.jsa"
        self.flags = list(JAVA_FLAGS) + ([] if long_lived else list(SHORT_LIVED_FLAGS))
        self.compiles = 0
        self.scratch = tempfile.TemporaryDirectory(prefix="nb2jvm-warmup-")
        self.lock = threading.Lock()
        self._start(use_archive=True)
        if warmup:
            self._warm_up(Path(self.scratch.name))

    def _start(self, use_archive: bool) -> None:
        flags = list(self.flags)
        self.dumping: Path | None = None
        self.mapped = use_archive and self.archive.is_file()
        if self.mapped:
            flags.append(f"-XX:SharedArchiveFile={self.archive}")
        else:  # this run writes the archive when it exits; close() moves it into place
            self.archive.parent.mkdir(parents=True, exist_ok=True)
            self.dumping = self.archive.with_name(f"{self.archive.name}.{os.getpid()}.tmp")
            flags.append(f"-XX:ArchiveClassesAtExit={self.dumping}")
        self.process = subprocess.Popen([self.java, *flags, "-cp", self.classpath,
                                         "nb2jvm.tools.CompileServer"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.pending = 0  # replies to warm-up requests, read before the next real reply

    def _warm_up(self, root: Path) -> None:
        from .relocate import in_package

        for kind, text, name, make_args in (
                ("scala", in_package(WARMUP_SCALA), "W.scala", scalac_args),
                ("java", in_package(WARMUP_JAVA), "Facade.java", javac_args)):
            (root / kind).mkdir(exist_ok=True)
            source = root / kind / name
            source.write_text(text, encoding="utf-8")
            try:
                self._send(kind, make_args(root / kind, source))
            except OSError:
                return  # a JVM that died at start is restarted by the first compile
            self.pending += 1

    def _send(self, kind: str, args: list[str]) -> None:
        self.process.stdin.write("\n".join([kind, *args, "", ""]).encode())
        self.process.stdin.flush()

    def _reply(self) -> tuple[bool, str]:
        status, _, size = self.process.stdout.readline().decode(errors="replace").partition(" ")
        if status not in ("OK", "FAIL") or not size.strip().isdigit():
            raise _ServerDied(status)
        return status == "OK", self.process.stdout.read(int(size)).decode(errors="replace")

    def warmed_up(self) -> list[tuple[bool, str]]:
        """Wait for the warm-up compiles; their results (a test checks they compile)."""
        with self.lock:
            return self._drain()

    def _drain(self) -> list[tuple[bool, str]]:
        replies = []
        while self.pending:
            replies.append(self._reply())
            self.pending -= 1
        return replies

    def compile(self, kind: str, args: list[str]) -> tuple[bool, str]:
        if any("\n" in a for a in args):  # the protocol is one argument per line
            raise ValueError("compiler arguments cannot contain newlines")
        with self.lock:
            try:
                reply = self._request(kind, args)
            except (OSError, _ServerDied):
                if not self.mapped:
                    raise error("JVM005", "the compile server stopped unexpectedly",
                                cls=JvmError) from None
                # A JVM can die mapping a damaged class archive (it does on a truncated one):
                # drop the archive, and compile on a JVM without it (which writes a new one).
                self._stop()
                self.archive.unlink(missing_ok=True)
                self._start(use_archive=False)
                try:
                    reply = self._request(kind, args)
                except (OSError, _ServerDied):
                    raise error("JVM005", "the compile server stopped unexpectedly",
                                cls=JvmError) from None
            except BaseException:
                # Interrupted between a request and the end of its reply (Ctrl-C, or a warm
                # server's caller that left): the rest of the reply would be read as the next
                # one's, so this JVM is replaced.
                self._stop()
                self._start(use_archive=self.mapped)
                raise
        self.compiles += 1
        return reply

    def _request(self, kind: str, args: list[str]) -> tuple[bool, str]:
        self._send(kind, args)
        self._drain()
        return self._reply()

    def _stop(self) -> None:
        self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
        self.process.wait()

    def close(self) -> None:
        if self.dumping is not None:  # let it exit by itself: it writes the class archive then
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=60)  # a second or two, once per machine
        self._stop()  # nothing to keep: an unread warm-up is not waited for
        if self.dumping is not None:
            if self.process.returncode == 0 and self.dumping.is_file():
                self.dumping.replace(self.archive)
            else:
                self.dumping.unlink(missing_ok=True)
        self.scratch.cleanup()


@contextlib.contextmanager
def warm(long_lived: bool = False, warmup: bool = True):
    """Compile through one compiler JVM until the block ends (nested blocks share it; a kept
    server outlives the block).  The JVM starts and warms up in the background at once."""
    global _server
    with _lock:
        owner = _server is None
        if owner:
            _server = _Server(long_lived or _keep, warmup)
    try:
        yield _server
    finally:
        if owner and not _keep:
            with _lock:
                server, _server = _server, None
            server.close()


def keep() -> None:
    """Keep the compiler JVM for the life of this process (a kernel, a watch loop)."""
    global _keep
    _keep = True
    atexit.register(_close_kept)


def _close_kept() -> None:
    global _server
    with _lock:
        server, _server = _server, None
    if server is not None:
        server.close()


def compile_with(kind: str, args: list[str]) -> tuple[bool, str]:
    """Run a compile (``kind`` "scala" or "java" with compiler ``args``) on the running server,
    or on one started for this compile."""
    with _lock:
        server = _server
    if server is not None:
        return server.compile(kind, args)
    with warm(warmup=False) as server:
        return server.compile(kind, args)
