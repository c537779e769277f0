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
        # A stop (or SIGTERM) lets the running call finish; the waiting ones are refused and
        # run in their callers' processes.
        self.stopping.set()
        with self.run_lock:
            self.close()
        warm.join(timeout=120)  # never exit with the JVM half-started (JPype's exit would hang)

    def close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.sock.close()
        # Only our own files: a newer server may already own the names.
        with contextlib.suppress(OSError):
            if os.stat(self.paths.sock).st_ino == self.inode:
                self.paths.sock.unlink()
        with contextlib.suppress(OSError):
            if self.paths.pid.read_text().strip() == str(os.getpid()):
                self.paths.pid.unlink()

    def _handle(self, sock: socket.socket) -> None:
        conn = _Conn(sock)
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
                    self.stopping.set()
                elif op == "run":
                    self._run(conn, message)
        finally:
            with self.state:
                self.active -= 1
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
            with self.state:
                self.requests += 1
            code = _run_cli(conn, message)
            conn.send(b"x", json.dumps(code).encode())
        finally:
            self.run_lock.release()


def _run_cli(conn: _Conn, message: dict) -> int:
    """``cli.main(argv)`` as the caller would run it: its folder, environment, umask, and
    streams; everything is put back afterwards."""
    from . import cli

    tty = message.get("tty") or {}
    enc = message.get("encoding") or {}
    out = _Stream(_Frames(conn, b"o"), enc.get("stdout") or [], tty.get("stdout"))
    err = _Stream(_Frames(conn, b"e"), enc.get("stderr") or [], tty.get("stderr"))
    env = message.get("env")
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdout, sys.stderr
    saved_umask = os.umask(0o022)
    try:
        os.umask(int(message.get("umask", saved_umask)) & 0o777)
        if isinstance(env, dict):
            os.environ.clear()
            os.environ.update({str(k): str(v) for k, v in env.items()})
        try:
            os.chdir(str(message.get("cwd")))
        except (OSError, TypeError) as exc:
            err.write(f"nb2jvm: cannot enter the working folder: {exc}\n")
            return 2
        sys.stdout, sys.stderr = out, err
        try:
            code = cli.main(list(message["argv"]))
        except SystemExit as exc:  # argparse's --version and usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            if exc.code is not None and not isinstance(exc.code, int):
                err.write(f"{exc.code}\n")
        with contextlib.suppress(Exception):
            out.flush()
            err.flush()
        return int(code or 0)
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        os.umask(saved_umask)


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
    server = Server(folder, key)
    signal.signal(signal.SIGTERM, lambda *_: server.stopping.set())
    try:
        server.serve()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
