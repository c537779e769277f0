"""The warm server's client: hand ``nb2jvm verify``, ``run`` and ``build`` to the user's server.

A fresh process pays for Python's imports (ibis, DuckDB, pandas: ~2 s) and the JVM with Spark
(~8 s, plus a cold JIT that makes the first queries several times slower than later ones) on
every call.  The server (:mod:`.server`) keeps all of that warm between calls, as a Jupyter
kernel does: measured on 2 cores, a quickstart ``verify`` takes ~18 s in a fresh process and
~2 s on a warm one.  This module is the whole client and imports only the standard library
(the console command, :mod:`.entry`, imports the CLI only for a call that runs in-process).

- One server per user, nb2jvm version and setting (the key below: a server never runs another
  version's code, nor with another JDK, cache folder or time zone than the caller would get).
- It listens only on a Unix socket in a folder that is the user's alone (mode 0700, owned by the
  user, checked before use); each request carries the per-user secret from a 0600 file in that
  folder, and the server also checks the peer's uid (``SO_PEERCRED``).
- The server runs the request with the caller's arguments, working folder, environment and
  umask, and streams its stdout and stderr back; the exit code is the server's.  Output,
  exit codes and reports are those of an in-process run.
- In-process instead (``NB2JVM_SERVER=off``, ``-v``, ``--watch``, ``--help``, or when the
  server cannot be used: it says why on stderr and goes on in this process).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

from ..common.version import __version__

SERVED = frozenset({"verify", "run", "build"})
# Options under which the caller's own process must run: Spark's INFO log goes to the JVM's
# stderr (the server's log file, not this terminal), a watch loop never ends, help needs nothing.
IN_PROCESS_FLAGS = frozenset({"-v", "--verbose", "--watch", "-h", "--help"})
# What a server's behaviour depends on beyond its code: read when it starts (the JDK, the JVM's
# options, the cache folder, the time zone DuckDB and Spark see), so a caller with other values
# gets another server.
KEY_ENV = ("NB2JVM_JAVA_OPTS", "NB2JVM_JAVA_HOME", "JAVA_HOME", "NB2JVM_CACHE", "XDG_CACHE_HOME",
           "HOME", "PATH", "TZ", "NB2JVM_PRESTART", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
           "JDK_JAVA_OPTIONS", "LANG", "LC_ALL", "SPARK_HOME", "SPARK_CONF_DIR",
           "NB2JVM_SERVER_IDLE", "PYTHONPATH")
# The libraries whose versions decide what a call computes (a pip install gets a new server).
KEY_DISTRIBUTIONS = ("ibis-framework", "sqlglot", "duckdb", "pyarrow", "pyspark", "JPype1",
                     "lark", "nbformat", "pandas")
MAX_SERVERS = 4  # per user: starting one more stops the longest-idle one (each holds two JVMs)
START_TIMEOUT = 60.0  # seconds for a new server to listen (it binds before any heavy import)
MAX_REQUEST = 8 << 20  # bytes of one request line (arguments and environment)
FRAME = struct.Struct(">cI")  # kind (o: stdout, e: stderr, x: exit code), payload length

PACKAGE = Path(__file__).resolve().parent.parent


class ServerUnavailable(Exception):
    """The warm server cannot be used for this call: the reason, for the caller's stderr."""


def enabled() -> bool:
    return os.environ.get("NB2JVM_SERVER", "on").strip().lower() not in ("off", "0", "no",
                                                                         "false")


def _in_process_flag(arg: str) -> bool:
    # argparse takes unique prefixes (--verb, --wat) and clusters of short flags (-qv)
    if arg.startswith("--"):
        name = arg.split("=", 1)[0]
        return len(name) > 2 and any(f.startswith(name) for f in IN_PROCESS_FLAGS
                                     if f.startswith("--"))
    return arg.startswith("-") and len(arg) > 1 and ("v" in arg[1:] or "h" in arg[1:])


def served(argv: list[str]) -> bool:
    """Whether this command line goes to the server: a served command, none of the flags
    that need the caller's own process (the server checks again on the parsed arguments)."""
    command = next((a for a in argv if not a.startswith("-")), None)
    return command in SERVED and not any(_in_process_flag(a) for a in argv) and enabled()


def server_dir() -> Path:
    """``$NB2JVM_SERVER_DIR``, else ``$XDG_RUNTIME_DIR/nb2jvm``, else ``/tmp/nb2jvm-<uid>``:
    created 0700, and refused unless it is a real folder of this user that nobody else may
    enter (a socket in a shared folder could be swapped for another user's)."""
    base = os.environ.get("NB2JVM_SERVER_DIR")
    if not base:
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        base = os.path.join(runtime, "nb2jvm") if runtime and os.path.isdir(runtime) else \
            os.path.join("/tmp", f"nb2jvm-{os.getuid()}")
    path = Path(base)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    st = os.lstat(path)
    import stat

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise ServerUnavailable(f"{path} is not a folder of this user alone (mode 0700)")
    return path


def fingerprint() -> str:
    """The version and the code the server would run: the package's and the JVM runtime's
    sources by name, size and change time (a checkout edited since the server started gets a
    new server, never the old code)."""
    digest = hashlib.sha256(f"{__version__}\0{sys.executable}\0{PACKAGE}\0".encode())
    from importlib import metadata

    from ..common.paths import GRAMMAR_DIR, JVM_SRC

    for dist in KEY_DISTRIBUTIONS:
        try:
            digest.update(f"{dist}={metadata.version(dist)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=-\0".encode())
    for root in (PACKAGE, JVM_SRC, GRAMMAR_DIR):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith((".py", ".java", ".lark", ".properties", ".json", ".scala")):
                    st = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for name in KEY_ENV:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    return digest.hexdigest()[:16]


class Paths:
    """The files of one server: socket, secret, pid, start lock and log."""

    def __init__(self, folder: Path, key: str):
        self.folder, self.key = folder, key
        self.sock = folder / f"{key}.sock"
        self.secret = folder / f"{key}.secret"
        self.pid = folder / f"{key}.pid"
        self.lock = folder / f"{key}.lock"
        self.log = folder / f"{key}.log"

    def read_secret(self) -> str:
        return self.secret.read_text().strip()


def paths() -> Paths:
    return Paths(server_dir(), fingerprint())


def connect(p: Paths, timeout: float | None = None) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(str(p.sock))
    except OSError:
        s.close()
        raise
    s.settimeout(None)
    return s


def _new_secret(p: Paths) -> None:
    import secrets

    if p.secret.exists():
        return
    fd = os.open(p.secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")


def ensure_server(p: Paths) -> socket.socket:
    """A connection to the running server, starting one first when there is none (a socket
    file left by a server that died is removed: it refuses connections)."""
    with contextlib.suppress(OSError):
        return connect(p)
    import fcntl
    import subprocess

    with open(p.lock, "a") as lock:  # one starter at a time; the others wait and connect
        fcntl.flock(lock, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            return connect(p)
        with contextlib.suppress(FileNotFoundError):
            p.sock.unlink()  # stale: nobody listens on it (checked just above, under the lock)
        _new_secret(p)
        _retire_others(p)
        # The server imports this very package (PYTHONPATH), and checks that it did.
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(PACKAGE.parent)] + [e for e in os.environ.get("PYTHONPATH", "").split(
                os.pathsep) if e]))
        big = p.log.exists() and p.log.stat().st_size > (1 << 20)
        with open(p.log, "wb" if big else "ab") as log:  # bounded: restarted past 1 MiB
            proc = subprocess.Popen(
                [sys.executable, "-m", "transpiler.interfaces.server", str(p.folder), p.key,
                 str(PACKAGE)], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, close_fds=True, cwd=str(p.folder), env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                return connect(p)
            if proc.poll() is not None:
                raise ServerUnavailable(f"the server exited at start (code {proc.returncode}; "
                                        f"see {p.log})")
            time.sleep(0.05)
        raise ServerUnavailable(f"the server did not listen within {START_TIMEOUT:.0f} s "
                                f"(see {p.log})")


def _retire_others(p: Paths) -> None:
    """At most MAX_SERVERS per user: stop the longest-idle others beyond that (a checkout
    edited all day would otherwise keep one server, two JVMs, per edit until each idles out)."""
    others = []
    for q in running():
        if q.key == p.key:
            continue
        with contextlib.suppress(ServerUnavailable, OSError, ValueError):
            answer = request(q, {"op": "status"})
            if not answer.get("busy"):
                others.append((answer.get("idle_seconds") or 0, q))
    others.sort(key=lambda item: -item[0])
    for _, q in others[:max(0, len(others) - (MAX_SERVERS - 1))]:
        with contextlib.suppress(ServerUnavailable, OSError, ValueError):
            request(q, {"op": "stop"})


def send_json(s: socket.socket, message: dict) -> None:
    s.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
              + b"\n")


def read_line(s: socket.socket, limit: int = MAX_REQUEST) -> bytes:
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise ValueError("message too long")
    return bytes(data)


def read_frames(s: socket.socket):
    """(kind, payload) frames until the exit frame or the end of the connection."""
    reader = s.makefile("rb")
    while True:
        try:
            head = reader.read(FRAME.size)
            if len(head) < FRAME.size:
                return
            kind, size = FRAME.unpack(head)
            payload = reader.read(size)
        except (ConnectionError, socket.timeout):  # the server died: the caller says so
            return
        if len(payload) < size:
            return
        yield kind, payload


def request(p: Paths, message: dict) -> dict:
    """A control request (status, stop) to a running server; its JSON answer."""
    with connect(p, timeout=5.0) as s:
        s.settimeout(30.0)
        send_json(s, dict(message, secret=p.read_secret()))
        for kind, payload in read_frames(s):
            if kind == b"j":
                return json.loads(payload)
    raise ServerUnavailable("no answer")


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _encoding(stream) -> list:
    return [getattr(stream, "encoding", None) or "utf-8", getattr(stream, "errors", None)
            or "strict"]


def run_on_server(argv: list[str], echo: bool = True) -> int | None:
    """Run the command line on the warm server; its exit code, or None when it must run in
    this process (said on stderr when that is not the caller's choice).  ``echo=False``
    drops the call's stdout and stderr (a caller that reads its report file instead)."""
    out, err = sys.stdout, sys.stderr
    wrote_out = False
    try:
        p = paths()
        s = ensure_server(p)
    except (ServerUnavailable, OSError) as exc:
        print(f"nb2jvm: the warm server cannot be used ({exc}); running in this process",
              file=err)
        return None
    with s:
        umask = os.umask(0)
        os.umask(umask)
        try:
            send_json(s, {"secret": p.read_secret(), "argv": argv, "cwd": os.getcwd(),
                          "env": dict(os.environ), "umask": umask,
                          "tty": {"stdout": echo and _isatty(out),
                                  "stderr": echo and _isatty(err)},
                          "encoding": {"stdout": _encoding(out), "stderr": _encoding(err)}})
        except OSError as exc:  # no working folder, the secret gone, the server gone
            print(f"nb2jvm: the warm server cannot be used ({exc}); running in this process",
                  file=err)
            return None
        try:
            for kind, payload in read_frames(s):
                if kind == b"o":
                    wrote_out = True
                    if echo:
                        out.buffer.write(payload)
                        out.flush()
                elif kind == b"e":
                    if echo:
                        err.buffer.write(payload)
                        err.flush()
                elif kind == b"x":
                    return int(json.loads(payload))
                elif kind == b"r":  # refused before running: nothing done yet
                    print(f"nb2jvm: the warm server refused the call "
                          f"({payload.decode(errors='replace')}); running in this process",
                          file=err)
                    return None
        except KeyboardInterrupt:  # the server sees the hang-up and interrupts the call
            if not echo:
                raise
            print("nb2jvm: interrupted", file=err)
            return 130
        except BrokenPipeError:
            return 141
    # The connection ended without an exit code: the server died during the run.
    if wrote_out:
        print(f"nb2jvm: the warm server stopped during the run (see {p.log})", file=err)
        return 3
    print(f"nb2jvm: the warm server stopped during the run (see {p.log}); running in this "
          f"process", file=err)
    return None


def alive(pid) -> bool:
    """Whether process ``pid`` runs (a zombie does not: nobody may reap it in a container)."""
    try:
        with open(f"/proc/{int(pid)}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, ValueError, TypeError, IndexError):
        return False


def running() -> list[Paths]:
    """Every server of this user that has a pid file (any version)."""
    folder = server_dir()
    return [Paths(folder, f.stem) for f in sorted(folder.glob("*.pid"))]


def control(action: str) -> int:
    """``nb2jvm server status|stop|start``: what runs, stop every server of this user, or start
    this version's (it warms up in the background)."""
    try:
        folder = server_dir()
    except (ServerUnavailable, OSError) as exc:
        print(f"nb2jvm server: {exc}", file=sys.stderr)
        return 2
    if action == "start":
        try:
            ensure_server(paths()).close()
        except (ServerUnavailable, OSError) as exc:
            print(f"nb2jvm server: cannot start: {exc}", file=sys.stderr)
            return 2
    found, pids = 0, []
    for p in running():
        try:
            answer = request(p, {"op": "stop" if action == "stop" else "status"})
        except (ConnectionRefusedError, FileNotFoundError):
            # nobody listens: a killed server's files (only if its process is gone)
            with contextlib.suppress(OSError, ValueError):
                if not alive(int(p.pid.read_text())):
                    for f in (p.pid, p.sock):
                        f.unlink(missing_ok=True)
            continue
        except (ServerUnavailable, OSError, ValueError) as exc:  # alive, but did not answer
            found += 1
            print(f"nb2jvm server (key {p.key}): did not answer ({exc})")
            continue
        found += 1
        pids.append(answer.get("pid"))
        state = "stopping" if action == "stop" else "busy" if answer.get("busy") else "idle"
        print(f"nb2jvm server {answer.get('version')} (pid {answer.get('pid')}, key "
              f"{answer.get('key')}): {state}, {answer.get('requests')} call(s) served, "
              f"idle {answer.get('idle_seconds')} s of {answer.get('idle_timeout')} s, "
              f"{answer.get('rss_mib')} MiB resident")
    if action == "stop":  # wait for each to finish its call, remove its files and exit
        deadline = time.monotonic() + 120
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
    if not found:
        print(f"no nb2jvm server is running (folder {folder})")
    return 0
