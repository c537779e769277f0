"""The warm server: one long-lived process per user that runs ``nb2jvm verify|run|build`` calls.

Started by :mod:`.client` on first use (``python -m transpiler.interfaces.server DIR KEY``), it
binds its Unix socket before any heavy import (so the caller connects at once), then warms up
in the background: the stages' imports, the JVM with Spark, the compiler JVM.  Requests run one
at a time, each with the caller's arguments, folder, environment and umask, its stdout and stderr
streamed back as frames (see :data:`.client.FRAME`); a second caller waits, and is told so.

It stops by itself after ``$NB2JVM_SERVER_IDLE`` seconds without a request (default 900), after
:data:`MAX_REQUESTS` requests (each artifact's classes stay loaded in the JVM: the bound keeps
that finite), on ``nb2jvm server stop``, or on SIGTERM; it then removes its socket and pid file.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path

from . import client
from ..common.version import __version__

IDLE_DEFAULT = 900.0
MAX_REQUESTS = 200
MAX_WAITING = 8  # connections beyond the running one; more are refused (the caller runs itself)


class _Frames(io.RawIOBase):
    """A writable stream that sends what is written as frames of one kind; after the caller
    left, writes are dropped (the run finishes and cleans up, as after a closed terminal)."""

    def __init__(self, conn: "_Conn", kind: bytes):
        self.conn, self.kind = conn, kind

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.conn.send(self.kind, bytes(data))
        return len(data)


class _Stream(io.TextIOWrapper):
    """The caller's stdout or stderr: its encoding and whether it is a terminal."""

    def __init__(self, raw: _Frames, encoding: list, tty: bool):
        enc, errors = (encoding + [None, None])[:2] if isinstance(encoding, list) else (None, None)
        try:
            "".encode(enc or "utf-8")
        except (LookupError, TypeError):
            enc = "utf-8"
        super().__init__(io.BufferedWriter(raw), encoding=enc or "utf-8",
                         errors=errors if errors in ("strict", "replace", "backslashreplace",
                                                     "surrogateescape") else "strict",
                         line_buffering=True, write_through=True)
        self._tty = bool(tty)

    def isatty(self) -> bool:
        return self._tty

    def fileno(self) -> int:  # no descriptor of the caller's here
        raise io.UnsupportedOperation("fileno")


class _Conn:
    """One caller's connection; sends are serialised (the JVM's start thread may report too)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.lock = threading.Lock()
        self.gone = False

    def send(self, kind: bytes, payload: bytes) -> None:
        with self.lock:
            if self.gone:
                return
            try:
                self.sock.sendall(client.FRAME.pack(kind, len(payload)) + payload)
            except OSError:
                self.gone = True


class Server:
    """The accept loop, the run lock and the idle clock."""

    def __init__(self, folder: Path, key: str):
        self.paths = client.Paths(folder, key)
        self.idle = float(os.environ.get("NB2JVM_SERVER_IDLE", IDLE_DEFAULT))
        self.run_lock = threading.Lock()
        self.state = threading.Lock()
        self.active = 0
        self.requests = 0
        self.last = time.monotonic()
        self.started = time.time()
        self.stopping = threading.Event()
        self.secret = self.paths.read_secret()
        if len(self.secret) < 32:
            raise SystemExit(f"the secret file {self.paths.secret} is empty or too short")
        self.closed = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket file: 0600 from its first moment
        try:
            self.sock.bind(str(self.paths.sock))
        finally:
            os.umask(old)
        self.inode = os.stat(self.paths.sock).st_ino
        self.sock.listen(MAX_WAITING)
        self.sock.settimeout(0.5)
        self.paths.pid.write_text(f"{os.getpid()}\n")

    def serve(self) -> None:
        warm = threading.Thread(target=_warm_up, name="nb2jvm-server-warm-up", daemon=True)
        warm.start()
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                with self.state:
                    idle = self.active == 0 and time.monotonic() - self.last > self.idle
                    done = self.active == 0 and self.requests >= MAX_REQUESTS
                if idle or done:
                    break
                continue
            except OSError:
                break
            with self.state:
                if self.active > MAX_WAITING:
                    busy = True
                else:
                    busy = False
                    self.active += 1
            if busy:
                _Conn(conn).send(b"r", b"too many waiting calls")
                conn.close()
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        # A stop (or SIGTERM, idle, the call bound) closes the socket at once, so a new call
        # starts a new server instead of waiting here; the running call finishes, the waiting
        # ones are refused and run in their callers' processes.
        self.close()
        with self.run_lock:
            pass
        warm.join(timeout=120)  # never exit with the JVM half-started (JPype's exit would hang)

    def close(self) -> None:
        """Stop listening and remove this server's files (once; never a newer server's: the
        pid file names the owner, and a newer server writes its own before it listens)."""
        self.stopping.set()
        with self.state:
            if self.closed:
                return
            self.closed = True
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(OSError):
            if self.paths.pid.read_text().strip() == str(os.getpid()):
                if os.stat(self.paths.sock).st_ino == self.inode:
                    self.paths.sock.unlink()
                self.paths.pid.unlink()

    def _handle(self, sock: socket.socket) -> None:
        conn = _Conn(sock)
        message = None
        try:
            with sock:
                sock.settimeout(30.0)
                uid = struct.unpack("3i", sock.getsockopt(
                    socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))[1]
                try:
                    message = json.loads(client.read_line(sock))
                except (ValueError, OSError):
                    return
                if uid != os.getuid() or not isinstance(message, dict) or not hmac.compare_digest(
                        str(message.get("secret", "")).encode(), self.secret.encode()):
                    conn.send(b"r", b"not authorised")
                    return
                sock.settimeout(None)
                op = message.get("op", "run")
                if op == "status":
                    conn.send(b"j", json.dumps(self.status()).encode())
                elif op == "stop":
                    conn.send(b"j", json.dumps(self.status()).encode())
                    self.close()  # at once: the next call starts a new server
                elif op == "run":
                    self._run(conn, message)
        finally:
            with self.state:
                self.active -= 1
                if message_is_run(message):  # a status poll keeps no server alive
                    self.last = time.monotonic()

    def status(self) -> dict:
        with self.state:
            return {"pid": os.getpid(), "version": __version__, "key": self.paths.key,
                    "started": round(self.started, 3), "requests": self.requests,
                    "busy": self.run_lock.locked(),
                    "idle_seconds": round(time.monotonic() - self.last, 1),
                    "idle_timeout": self.idle, "rss_mib": _rss_mib()}

    def _run(self, conn: _Conn, message: dict) -> None:
        argv = message.get("argv")
        if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
            conn.send(b"r", b"bad request")
            return
        if not self.run_lock.acquire(blocking=False):
            tty = bool((message.get("tty") or {}).get("stderr"))
            if tty or message.get("env", {}).get("NB2JVM_PROGRESS") == "1":
                conn.send(b"e", b"nb2jvm: waiting for another call on the warm server\n")
            self.run_lock.acquire()
        try:
            if self.stopping.is_set():
                conn.send(b"r", b"the server is stopping")
                return
            if _hung_up(conn.sock):  # the caller left while it waited (Ctrl-C): nothing to do
                return
            from . import cli

            try:
                with contextlib.redirect_stderr(io.StringIO()):
                    args = cli.make_parser().parse_args(argv)
            except SystemExit:  # a usage error: the call prints it, as in its own process
                args = None
            if getattr(args, "watch", False) or getattr(args, "verbose", False):
                conn.send(b"r", b"--watch and -v run in the caller's own process")
                return
            with self.state:
                self.requests += 1
            code = _run_cli(conn, message)
            conn.send(b"x", json.dumps(code).encode())
            from ..jvm import spark as jvm_mod

            if code == 3 or not jvm_mod.healthy():
                # An internal error or a dead SparkContext may have left the process broken:
                # the next call gets a fresh server rather than the same failure.
                self.close()
        finally:
            self.run_lock.release()


def message_is_run(message) -> bool:
    return isinstance(message, dict) and message.get("op", "run") == "run"


def _hung_up(sock: socket.socket) -> bool:
    """Whether the caller closed its end (nothing more to read, ever); a peek that does not
    block, so any descriptor number works (select() refuses those past 1023)."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


class _Watcher:
    """Interrupts the running call when its caller goes away (Ctrl-C, SIGTERM, a killed
    client), as Ctrl-C interrupts it in its own process: KeyboardInterrupt in the thread
    that runs it, so every `finally` and temporary folder cleans up."""

    def __init__(self, sock: socket.socket):
        self.sock, self.target = sock, threading.get_ident()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True,
                                       name="nb2jvm-server-watch")
        self.thread.start()

    def _watch(self) -> None:
        import ctypes

        while not self.done.wait(0.2):
            if _hung_up(self.sock):
                self.fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self.target), ctypes.py_object(KeyboardInterrupt))
                return

    fired = False

    def stop(self) -> None:
        """No interrupt after this returns: one sent but not yet delivered is withdrawn."""
        import ctypes

        self.done.set()
        self.thread.join()
        if self.fired:  # NULL clears the thread's pending asynchronous exception
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.target), None)


def _run_cli(conn: _Conn, message: dict) -> int:
    """``cli.main(argv)`` as the caller would run it: its folder, environment, umask, and
    streams; everything is put back afterwards."""
    from . import cli

    tty = message.get("tty") or {}
    enc = message.get("encoding") or {}
    out = _Stream(_Frames(conn, b"o"), enc.get("stdout") or [], tty.get("stdout"))
    err = _Stream(_Frames(conn, b"e"), enc.get("stderr") or [], tty.get("stderr"))
    env = message.get("env")
    import tempfile
    import traceback

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdout, sys.stderr
    saved_umask = os.umask(0o022)
    try:
        os.umask(int(message.get("umask", saved_umask)) & 0o777)
        if isinstance(env, dict):
            _set_environ({str(k): str(v) for k, v in env.items()})
        tempfile.tempdir = None  # gettempdir() reads the caller's TMPDIR again
        try:
            os.chdir(str(message.get("cwd")))
        except (OSError, TypeError) as exc:
            err.write(f"nb2jvm: cannot enter the working folder: {exc}\n")
            return 2
        sys.stdout, sys.stderr = out, err
        try:
            watcher = _Watcher(conn.sock)
            try:
                code = cli.main(list(message["argv"]))
            finally:
                watcher.stop()
        except SystemExit as exc:  # argparse's --version and usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                err.write(f"{exc.code}\n")
        except BaseException:  # what escapes main in its own process: a traceback, exit 1
            traceback.print_exc(file=err)
            code = 1
        with contextlib.suppress(Exception):
            out.flush()
            err.flush()
        return int(code or 0)
    finally:
        sys.stdout, sys.stderr = saved_streams
        _set_environ(saved_env)
        tempfile.tempdir = None
        os.chdir(saved_cwd)
        os.umask(saved_umask)


def _set_environ(wanted: dict) -> None:
    """Make os.environ ``wanted`` by changing only what differs (never empty for a moment:
    the warm-up thread may be reading it)."""
    for key in [k for k in os.environ if k not in wanted]:
        del os.environ[key]
    for key, value in wanted.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _warm_up() -> None:
    """What every call needs, loaded while the server waits: the stages' imports, the JVM with
    Spark, the compiler JVM (kept for the server's life: a build then compiles warm)."""
    try:
        import importlib

        for name in ("cli", "cli_build"):
            importlib.import_module(f"{__package__}.{name}")
        for name in ("pipeline", "verify", "reference.engine", "artifact.package"):
            importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.{name}")
        from ..jvm import compile_server
        from ..jvm import spark as jvm_mod

        compile_server.keep()
        jvm_mod.start_in_background()
        jvm_mod.wait_for_start()  # the server's exit joins this thread: never mid-start
    except Exception as exc:  # the first call starts them itself and reports the failure
        print(f"warm-up failed: {type(exc).__name__}: {exc}", file=sys.__stderr__, flush=True)


def _rss_mib() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main(argv: list[str]) -> int:
    import faulthandler

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID`: every thread's stack, in the log
    folder, key = Path(argv[0]), argv[1]
    here = Path(__file__).resolve().parent.parent
    if len(argv) > 2 and Path(argv[2]).resolve() != here:
        # the key was computed on that package's code: never serve it with this one's
        print(f"this server would run {here}, not {argv[2]}", file=sys.stderr)
        return 2
    server = Server(folder, key)
    from ..jvm import spark as jvm_mod

    jvm_mod.EXTRA_FLAGS.append("-Xrs")  # SIGTERM stays Python's: a clean stop, files removed
    signal.signal(signal.SIGTERM, lambda *_: server.stopping.set())
    try:
        server.serve()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
