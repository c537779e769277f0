"""The JVM side, driven in-process through JPype: JDK discovery, the runtime library, Spark.

One JVM per Python process (JPype cannot restart it), started lazily by :func:`session` with
Spark in local mode.  The Java runtime in ``runtime-jvm/`` is compiled here with ``javac``
against the Spark jars that the pyspark wheel ships, and cached by content hash.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import re
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..ir.errors import EnvironmentProblem, JvmError, Span, error
from ..common.paths import RESOURCES, RUNTIME_SRC, cached_dir
from .relocate import relocated, runtime_package

JAVA_RELEASE = "17"
# The Spark the pyspark wheel ships and the artifact's pom names (`provided`): pinned to a
# release that Maven Central serves, so a JVM team resolves exactly the Spark the tests ran on.
SPARK_VERSION = "4.2.0"
SCALA_BINARY = "2.13"
INSTALL_HINT = ("install a JDK 17 or newer (e.g. `apt-get install openjdk-17-jdk-headless`, or "
                "https://adoptium.net) and put `java` and `javac` on PATH or set JAVA_HOME")

# What Spark's own launcher passes to a Java 17 JVM (JavaModuleOptions): Spark reaches into
# these JDK internals and fails at start without them.
JAVA_MODULE_OPTIONS = (
    "-XX:+IgnoreUnrecognizedVMOptions",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
    "-Djdk.reflect.useDirectMethodHandle=false",
    "-Dio.netty.tryReflectionSetAccessible=true",
)

# The settings the lowering assumes; recorded in every manifest and checked by the runtime.
SPARK_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
}
LOCAL_CONF = {
    "spark.master": "local[2]",
    "spark.app.name": "nb2jvm",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    **SPARK_CONF,
}


@dataclass(frozen=True)
class Jdk:
    """The JDK tools nb2jvm runs."""

    home: Path
    java: Path
    javac: Path
    version: str


def _jdk_version(home: Path, javac: Path) -> str:
    # The JDK's `release` file says it without starting a JVM (`javac -version` costs 0.3 s of
    # every build); a JDK without one is asked.
    with contextlib.suppress(OSError):
        for line in (home / "release").read_text().splitlines():
            if line.startswith("JAVA_VERSION="):
                return line.partition("=")[2].strip().strip('"')
    out = subprocess.run([str(javac), "-version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().split()[-1] if out.returncode == 0 else ""


# The Java versions Spark 4.2 runs on ("Spark runs on Java 17/21/25", its docs/index.md); the test
# suite runs on 17. A JDK outside this list is refused rather than tried: Spark fails on it late,
# in the middle of a job, with an error about JDK internals.
SUPPORTED_JDKS = (17, 21, 25)


def _jdk_major(version: str) -> int:
    head = version.split(".")[0].split("-")[0].split("+")[0]
    return int(head) if head.isdigit() else 0


@lru_cache(maxsize=None)
def find_jdk() -> Jdk:
    """The JDK nb2jvm uses, chosen on purpose: ``NB2JVM_JAVA_HOME``, else ``JAVA_HOME``, else the
    ``javac`` on PATH; the first of these that exists must be a Java Spark runs on."""
    candidates = []
    chosen = os.environ.get("NB2JVM_JAVA_HOME")
    if chosen and not ((Path(chosen) / "bin" / "java").exists()
                       and (Path(chosen) / "bin" / "javac").exists()):
        raise error("JDK001", f"NB2JVM_JAVA_HOME={chosen} has no bin/java and bin/javac",
                    hint="point it at a JDK 17, 21 or 25, or unset it", cls=EnvironmentProblem)
    for var in ("NB2JVM_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            candidates.append((var, Path(os.environ[var]) / "bin"))
    javac_on_path = shutil.which("javac")
    if javac_on_path:
        candidates.append(("PATH", Path(javac_on_path).resolve().parent))
    for source, bindir in candidates:
        java, javac = bindir / "java", bindir / "javac"
        if java.exists() and javac.exists():
            version = _jdk_version(bindir.parent, javac)
            if _jdk_major(version) not in SUPPORTED_JDKS:
                raise error("JDK002", f"found JDK {version or '?'} at {bindir.parent} (from "
                            f"{source}), but Spark {SPARK_VERSION} runs on Java "
                            f"{'/'.join(map(str, SUPPORTED_JDKS))}",
                            hint="set NB2JVM_JAVA_HOME (or JAVA_HOME) to a JDK 17, 21 or 25; "
                            + INSTALL_HINT, cls=EnvironmentProblem)
            return Jdk(bindir.parent, java, javac, version)
    raise error("JDK001", "no JDK found: nb2jvm needs `java` and `javac` (JDK 17+) to build and "
                "run JVM artifacts", hint=INSTALL_HINT, cls=EnvironmentProblem)


@lru_cache(maxsize=None)
def spark_jars_dir() -> Path:
    """The jars/ folder of the installed pyspark wheel: Spark, Scala and their dependencies."""
    import importlib.util

    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise error("JDK003", "pyspark is not installed; it provides the Spark jars",
                    hint=f"pip install pyspark=={SPARK_VERSION}", cls=EnvironmentProblem)
    jars = Path(list(spec.submodule_search_locations)[0]) / "jars"
    if not jars.is_dir():
        raise error("JDK003", f"the pyspark installation has no jars/ folder ({jars})",
                    cls=EnvironmentProblem)
    return jars


def spark_jar(pattern: str) -> Path:
    """The one jar of the pyspark wheel matching ``pattern`` (the last in name order if several:
    the wheel ships one of each)."""
    found = sorted(spark_jars_dir().glob(pattern))
    if not found:
        raise error("SCALA001", f"no {pattern} among the pyspark jars ({spark_jars_dir()})",
                    cls=EnvironmentProblem)
    return found[-1]


def runtime_sources() -> dict[str, bytes]:
    """The runtime's sources as compiled: relocated (:mod:`transpiler.jvm.relocate`)."""
    return relocated(RUNTIME_SRC)


@lru_cache(maxsize=None)
def runtime_classes() -> Path:
    """Compile ``runtime-jvm/`` (relocated) with javac, once per content hash; the classes dir."""
    return compile_runtime(RUNTIME_SRC)


def compile_runtime(root: Path) -> Path:
    """javac the runtime whose sources are under ``root``, relocated into its own package."""
    jdk = find_jdk()
    sources = relocated(root)
    # Compiled against the Spark jars of the pinned pyspark (SPARK_VERSION): a new Spark is a
    # new cache entry.
    digest = hashlib.sha256(f"{jdk.version}\0{SPARK_VERSION}".encode())
    for name, data in sources.items():
        digest.update(name.encode() + b"\0" + data + b"\0")

    def build(classes: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="nb2jvm-runtime-src-") as tmp:
            files = []
            for name, data in sources.items():
                path = Path(tmp) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                files.append(str(path))
            cmd = [str(jdk.javac), "--release", JAVA_RELEASE, "-encoding", "UTF-8", "-nowarn",
                   "-cp", str(spark_jars_dir() / "*"), "-d", str(classes), *files]
            out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise error("JVM001", "javac failed on the nb2jvm runtime:\n" + out.stderr.strip(),
                        cls=JvmError)
    return cached_dir(f"runtime-{digest.hexdigest()[:16]}", build)


class Jvm:
    """The process's JVM with a local SparkSession, and helpers to load artifacts into it."""

    def __init__(self, verbose: bool = False):
        import jpype

        jdk = find_jdk()
        classes = runtime_classes()
        log_conf = RESOURCES / ("log4j2-verbose.properties" if verbose
                                else "log4j2-quiet.properties")
        started = time.perf_counter()
        jvm_path = _libjvm(jdk)
        extra = os.environ.get("NB2JVM_JAVA_OPTS", "").split() + list(EXTRA_FLAGS)
        jpype.startJVM(jvm_path, "-Xmx4g", *JAVA_MODULE_OPTIONS, *extra,
                       f"-Dlog4j2.configurationFile={log_conf.as_uri()}",
                       classpath=[str(classes), str(spark_jars_dir() / "*")],
                       convertStrings=False)
        self.jvm_start_seconds = time.perf_counter() - started
        started = time.perf_counter()
        SparkSession = jpype.JClass("org.apache.spark.sql.SparkSession")
        builder = SparkSession.builder()
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
        self.spark = builder.getOrCreate()
        self.spark_start_seconds = time.perf_counter() - started
        self.jpype = jpype
        self._jars: Path | None = None  # this session's content-addressed jar copies
        atexit.register(self.stop)

    def attach(self) -> None:
        """Give the calling thread the JVM's application class loader as its context loader.
        A thread JPype attaches after the JVM was started in another thread (a background
        start, a server's request thread) has none, and Scala reflection in Spark then fails
        (`ScalaReflectionException: class org.apache.spark.sql.catalog.Table in JavaMirror
        with primordial classloader`)."""
        Thread = self.jpype.JClass("java.lang.Thread")
        current = Thread.currentThread()
        if current.getContextClassLoader() is None:
            current.setContextClassLoader(
                self.jpype.JClass("java.lang.ClassLoader").getSystemClassLoader())

    def stop(self) -> None:
        try:
            self.spark.stop()
        except Exception:  # the JVM may already be shutting down
            pass

    def pipeline(self, jar: Path, artifact_id: str):
        """Load an artifact jar in its own class loader and return its FeaturePipeline (of the
        runtime the jar carries: another nb2jvm's artifact has its runtime in another
        package)."""
        import json
        import zipfile

        jpype = self.jpype
        URL = jpype.JClass("java.net.URL")
        URLClassLoader = jpype.JClass("java.net.URLClassLoader")
        own = jpype.JClass(f"{runtime_package()}.FeaturePipeline")
        with zipfile.ZipFile(jar) as z:
            try:
                man = json.loads(z.read(f"nb2jvm/{artifact_id}/manifest.json"))
            except (KeyError, ValueError):
                man = {}
        package = (man.get("runtime") or {}).get("package") if isinstance(
            man.get("runtime"), dict) else None
        if not isinstance(package, str) or not re.fullmatch(r"nb2jvm\.runtime\.r[0-9a-f]{10}",
                                                             package):
            package = runtime_package()  # an artifact from before relocation, or not ours
        jar = self._session_copy(jar)
        urls = jpype.JArray(URL)([jpype.JClass("java.io.File")(str(jar)).toURI().toURL()])
        loader = URLClassLoader(urls, own.class_.getClassLoader())
        # Tasks deserialise compiled UDFs with the executor's class loader, which sees only
        # the jars added to the SparkContext (as spark-submit --jars would add them).
        self.spark.sparkContext().addJar(str(jar))
        pipeline = own if package == runtime_package() else \
            jpype.JClass(f"{package}.FeaturePipeline", loader=loader)
        return pipeline.load(loader, artifact_id)

    def _session_copy(self, jar: Path) -> Path:
        # Spark keys added jars by file name and refuses a second path with the same name, so
        # each distinct jar gets a content-addressed name in this session's folder.
        if self._jars is None or not self._jars.is_dir():  # a long-lived process: its
            # first caller's TMPDIR may be gone since
            self._jars = Path(tempfile.mkdtemp(prefix="nb2jvm-session-jars-"))
            atexit.register(shutil.rmtree, self._jars, True)
        data = jar.read_bytes()
        copy = self._jars / f"{jar.stem}-{hashlib.sha256(data).hexdigest()[:16]}.jar"
        if not copy.exists():
            copy.write_bytes(data)
        return copy

    def run_parquet(self, pipeline, feature: str, inputs: dict[str, Path], output: Path) -> None:
        """Run one feature set from Parquet inputs to a Parquet output (a Spark directory)."""
        jpype = self.jpype
        HashMap = jpype.JClass("java.util.LinkedHashMap")
        paths = HashMap()
        for name, path in inputs.items():
            paths.put(name, str(path))
        try:
            pipeline.runParquet(self.spark, feature, paths, str(output))
        except jpype.JException as exc:
            raise JvmRunError(*_java_message(exc)) from None


    def run_all_parquet(self, pipeline, features: list[str], inputs: dict[str, Path],
                        outputs: dict[str, Path], share_upstreams: bool = False) -> None:
        """Run several feature sets in one call, each input read once, each to its Parquet
        output (see ``FeaturePipeline.runAllParquet``)."""
        jpype = self.jpype
        HashMap = jpype.JClass("java.util.LinkedHashMap")
        ArrayList = jpype.JClass("java.util.ArrayList")
        paths, outs, names = HashMap(), HashMap(), ArrayList()
        for name, path in inputs.items():
            paths.put(name, str(path))
        for name in features:
            names.add(name)
            outs.put(name, str(outputs[name]))
        try:
            pipeline.runAllParquet(self.spark, names, paths, outs, share_upstreams)
        except jpype.JException as exc:
            raise JvmRunError(*_java_message(exc)) from None


class JvmRunError(Exception):
    """A feature set failed while running on Spark: one line (the root cause's exception class
    and message, with Spark's error class); ``trace`` keeps the whole Java text for ``-v``."""

    def __init__(self, message: str, trace: str = ""):
        super().__init__(message)
        self.trace = trace


# `org.apache.spark.SparkArithmeticException: [DIVIDE_BY_ZERO] ...`: a Java exception and its
# message, as they appear on any line of a failure's text (a task failure nests the cause).
_JAVA_EXCEPTION = re.compile(r"(?:[A-Za-z_$][\w$]*\.)+([A-Z][\w$]*(?:Exception|Error))(?::\s*|$)")
MAX_MESSAGE = 400


def java_message(text: str) -> str:
    """The one line a user needs from a Java failure's text: the innermost cause's exception
    class and message, without the stack (``at ...`` lines, ``Driver stacktrace``)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("at ", "... ", "Driver stacktrace"))]
    causes = [ln[len("Caused by: "):] for ln in lines if ln.startswith("Caused by: ")]
    line = causes[-1] if causes else (lines[0] if lines else "")
    found = list(_JAVA_EXCEPTION.finditer(line))
    if found:  # the last exception named on the line is the innermost one
        last = found[-1]
        line = f"{last.group(1)}: {line[last.end():].strip()}".rstrip(": ")
    line = " ".join(line.split())
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 3] + "..."


def _java_message(exc) -> tuple[str, str]:
    text = str(exc.message() if hasattr(exc, "message") else exc) or type(exc).__name__
    trace = text
    with contextlib.suppress(Exception):
        trace = str(exc.stacktrace())
    return java_message(text) or type(exc).__name__, trace


def _libjvm(jdk: Jdk) -> str:
    for rel in ("lib/server/libjvm.so", "jre/lib/amd64/server/libjvm.so", "lib/server/libjvm.dylib",
                "lib/libjli.dylib"):
        if (jdk.home / rel).exists():
            return str(jdk.home / rel)
    import jpype

    return jpype.getDefaultJVMPath()


_JVM: Jvm | None = None
# Flags a host adds to the JVM it will start (the warm server: -Xrs, so that SIGTERM reaches
# its Python handler and it stops cleanly instead of HotSpot ending the process).
EXTRA_FLAGS: list[str] = []
_FAILED = threading.Event()  # a start failed: JPype cannot start another JVM in this process
_LOCK = threading.Lock()
_BACKGROUND: threading.Thread | None = None
_BACKGROUND_ERROR: BaseException | None = None


def start_in_background(verbose: bool = False) -> None:
    """Start the JVM and Spark in a daemon thread, so a later :func:`session` finds them ready
    (a kernel keeps running cells meanwhile).  A failure is kept and raised by :func:`session`."""
    global _BACKGROUND
    if _JVM is not None or _BACKGROUND is not None:
        return  # never wait for _LOCK here: a starting JVM holds it for seconds
    with _LOCK:
        if _JVM is not None or _BACKGROUND is not None:
            return

        def start() -> None:
            global _BACKGROUND_ERROR
            try:
                session(verbose=verbose)
            except BaseException as exc:  # re-raised in the caller's thread by session()
                _BACKGROUND_ERROR = exc

        _BACKGROUND = threading.Thread(target=start, name="nb2jvm-jvm-start", daemon=True)
        _BACKGROUND.start()


def healthy() -> bool:
    """Whether this process can run the next call: no JVM yet, or one whose SparkContext
    runs (JPype cannot start a second JVM, so a process whose Spark died stays broken)."""
    if _BACKGROUND_ERROR is not None or _FAILED.is_set():
        return False
    if _JVM is None:
        return True
    try:
        return not bool(_JVM.spark.sparkContext().isStopped())
    except Exception:
        return False


def wait_for_start() -> None:
    """Wait for a background start to finish (its failure, if any, stays for :func:`session`)."""
    background = _BACKGROUND
    if background is not None and background is not threading.current_thread():
        background.join()


def starting() -> bool:
    """Whether a background start is still under way."""
    return _BACKGROUND is not None and _BACKGROUND.is_alive()


def session(verbose: bool = False, progress=None) -> Jvm:
    """The process's JVM with Spark, started on first use (about 5 s) and reused after."""
    global _JVM, _BACKGROUND_ERROR
    background = _BACKGROUND
    if background is not None and background is not threading.current_thread():
        if background.is_alive() and progress:
            progress("waiting for the JVM and Spark started in the background")
        background.join()
        if _BACKGROUND_ERROR is not None:
            failure, _BACKGROUND_ERROR = _BACKGROUND_ERROR, None
            raise failure
    with _LOCK:
        if _JVM is None:
            if progress:
                progress("starting the JVM and Spark (local[2])")
            try:
                _JVM = Jvm(verbose=verbose)
            except (EnvironmentProblem, JvmError):
                _FAILED.set()
                raise
            except Exception as exc:  # JPype raises plain exceptions for a broken JDK
                _FAILED.set()
                raise error("JVM002", f"the JVM failed to start: {exc}", Span(),
                            hint=INSTALL_HINT, cls=JvmError) from None
    _JVM.attach()
    return _JVM
