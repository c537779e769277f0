"""The warm server behind `nb2jvm verify|run|build`: real `nb2jvm` processes, a real server
process with its JVM, each test module's servers in a folder of its own (and stopped after).

What a served call prints, exits with and writes must be what the same call prints, exits with
and writes in its own process (NB2JVM_SERVER=off); a server is started on first use, reused,
stopped when idle or asked, and a dead one (stale socket, killed mid-run) never breaks a call.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import NOTEBOOKS, QUICKSTART, write_notebook
from transpiler.interfaces import client

ROOT = Path(__file__).resolve().parent.parent


def _folder() -> Path:
    # short: a Unix socket's path has at most 107 bytes
    path = Path(tempfile.mkdtemp(prefix="nb2jvm-srv-"))
    os.chmod(path, 0o700)
    return path


def _env(folder: Path, **extra) -> dict:
    return {**os.environ, "NB2JVM_SERVER": "on", "NB2JVM_SERVER_DIR": str(folder), **extra}


def nb2jvm(*args, env: dict, cwd: Path = ROOT, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "transpiler.interfaces.entry",
                           *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=600, **kw)


def _busy(folder: Path, env: dict, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _pids(folder) and any(st["busy"] for st in _status(folder, env)):
                return True
        except (OSError, client.ServerUnavailable, ValueError):
            pass
        time.sleep(0.05)
    return False


def _popen(*args, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "transpiler.interfaces.entry",
                             *map(str, args)], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _pids(folder: Path) -> dict[str, int]:
    return {p.stem: int(p.read_text()) for p in folder.glob("*.pid")}


_alive = client.alive


@contextlib.contextmanager
def _environ(env: dict):
    """This process's environment as a call with ``env`` has it (the client reads it)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _status(folder: Path, env: dict) -> list[dict]:
    with _environ(env):
        return [client.request(p, {"op": "status"}) for p in client.running()]


def _stop(env: dict) -> None:
    nb2jvm("server", "stop", env=env)


@pytest.fixture(scope="module")
def served():
    """A server folder for the module's calls; its servers are stopped at the end."""
    folder = _folder()
    env = _env(folder)
    yield folder, env
    _stop(env)


@pytest.fixture
def refused_notebook(tmp_path):
    return write_notebook(tmp_path / "refused.ipynb", [
        "import ibis\nfrom ibis import _\nt = ibis.table({'x': 'int64'}, name='t')",
        "%%export\nbad = t.execute()"])


# (command line, what it is about): each runs served and in-process, and must give the same
# exit code, stdout, stderr and files.  {tmp} is the test's folder, {nb} the quickstart.
SAME = [
    (["verify", "{nb}", "--report", "{tmp}/report.json"], "a conformant verify"),
    (["verify", "{nb}", "-q"], "a quiet one"),
    (["verify", "{refused}"], "a refused feature set: exit 2 and its diagnostic"),
    (["verify", "{tmp}/missing.ipynb"], "no such notebook"),
    (["verify", "--no-such-flag", "{nb}"], "an argparse usage error"),
    (["build", "{nb}", "-o", "{tmp}/build", "-q"], "a build"),
    (["run", "{nb}", "--feature", "user_features", "--output", "{tmp}/out.parquet"],
     "a run"),
    (["run", "{nb}", "--feature", "nope", "--output", "{tmp}/out.parquet"],
     "a run of a feature set that does not exist"),
]


def _line(args, tmp: Path, refused: Path) -> list[str]:
    return [a.format(nb=QUICKSTART, tmp=tmp, refused=refused) for a in args]


@pytest.mark.parametrize("args,about", SAME, ids=[about for _, about in SAME])
def test_a_served_call_prints_exits_and_writes_what_an_in_process_call_does(
        served, tmp_path, refused_notebook, args, about):
    folder, env = served
    results, files = {}, {}
    for mode in ("on", "off"):
        tmp = tmp_path / mode
        tmp.mkdir()
        done = nb2jvm(*_line(args, tmp, refused_notebook),
                      env={**env, "NB2JVM_SERVER": mode})
        results[mode] = (done.returncode, done.stdout.replace(str(tmp), "TMP"),
                         done.stderr.replace(str(tmp), "TMP"))
        files[mode] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*"))
    assert results["on"] == results["off"], about
    assert results["on"][0] != 3, results["on"]  # user input never gives an internal error
    assert files["on"] == files["off"]
    if (tmp_path / "on" / "report.json").exists():
        on, off = (json.loads((tmp_path / m / "report.json").read_text()) for m in ("on", "off"))
        on.pop("timings"), off.pop("timings")
        assert on == off
    if (tmp_path / "on" / "build").exists():
        for rel in ("quickstart-0.1.0.jar", "manifest.json", "sql/user_features.sql"):
            assert (tmp_path / "on" / "build" / rel).read_bytes() == \
                (tmp_path / "off" / "build" / rel).read_bytes()
    assert _pids(folder), "the served call started no server"


def test_the_server_is_started_once_and_reused(served, tmp_path):
    folder, env = served
    first = nb2jvm("verify", QUICKSTART, "-q", env=env)
    assert first.returncode == 0, first.stderr
    pids = _pids(folder)
    assert len(pids) == 1
    before = _status(folder, env)[0]["requests"]
    again = nb2jvm("verify", QUICKSTART, "-q", env=env)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert _pids(folder) == pids
    assert _status(folder, env)[0]["requests"] == before + 1
    p = _paths(env)
    assert p.sock.stat().st_mode & 0o777 == 0o600
    assert p.secret.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def test_the_working_folder_environment_and_terminal_are_the_callers(served, tmp_path):
    folder, env = served
    (tmp_path / "nb").mkdir()
    data = NOTEBOOKS / "data" / "transactions.parquet"
    nb = tmp_path / "nb" / "q.ipynb"
    nb.write_bytes(QUICKSTART.read_bytes())
    (tmp_path / "nb" / "data").mkdir()
    (tmp_path / "nb" / "data" / "transactions.parquet").write_bytes(data.read_bytes())
    # a relative notebook path and report path, from the caller's folder; progress by env
    done = nb2jvm("verify", "q.ipynb", "--report", "r.json", env={**env, "NB2JVM_PROGRESS": "1"},
                  cwd=tmp_path / "nb")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nb" / "r.json").is_file()
    assert "] package" in done.stderr  # the progress lines NB2JVM_PROGRESS=1 asks for
    assert "report:   r.json" in done.stdout
    # the server's own folder and environment are as they were
    quiet = nb2jvm("verify", "q.ipynb", "-q", env=env, cwd=tmp_path / "nb")
    assert quiet.returncode == 0 and "] package" not in quiet.stderr


def test_two_calls_at_once_both_get_their_answer(served, tmp_path):
    folder, env = served
    procs = [_popen("verify", QUICKSTART, "-q", env=env) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert outs[0][0] == outs[1][0] and "CONFORMANT" in outs[0][0]


def test_status_and_stop(tmp_path):
    folder = _folder()
    env = _env(folder)
    none = nb2jvm("server", "status", env=env)
    assert none.returncode == 0 and "no nb2jvm server is running" in none.stdout
    started = nb2jvm("server", "start", env=env)
    assert started.returncode == 0, started.stderr
    (pid,) = _pids(folder).values()
    status = nb2jvm("server", "status", env=env)
    assert f"(pid {pid}," in status.stdout and "call(s) served" in status.stdout
    stopped = nb2jvm("server", "stop", env=env)
    assert stopped.returncode == 0 and "stopping" in stopped.stdout
    assert not _pids(folder) and not list(folder.glob("*.sock"))
    assert not _alive(pid)  # stop returns once the server has exited


def test_an_idle_server_stops_by_itself(tmp_path):
    folder = _folder()
    env = _env(folder, NB2JVM_SERVER_IDLE="2")
    done = nb2jvm("verify", QUICKSTART, "-q", env=env)
    assert done.returncode == 0, done.stderr
    (pid,) = _pids(folder).values()
    deadline = time.monotonic() + 90
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid)
    assert not _pids(folder) and not list(folder.glob("*.sock"))


def _paths(env: dict) -> client.Paths:
    """The files of the server a call with ``env`` uses."""
    with _environ(env):
        return client.paths()


def test_a_stale_socket_is_replaced(tmp_path):
    folder = _folder()
    env = _env(folder)
    p = _paths(env)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(p.sock))  # a socket file nobody listens on, as a killed server leaves it
    dead.close()
    p.pid.write_text("999999\n")
    try:
        done = nb2jvm("verify", QUICKSTART, "-q", env=env)
        assert done.returncode == 0, done.stderr
        assert "cannot be used" not in done.stderr
        assert _pids(folder)[p.key] != 999999
    finally:
        _stop(env)


def test_a_server_killed_mid_run_leaves_this_call_and_the_next_working(tmp_path):
    folder = _folder()
    env = _env(folder)
    try:
        call = _popen("verify", QUICKSTART, env=env)
        assert _busy(folder, env)
        (pid,) = _pids(folder).values()
        os.kill(pid, signal.SIGKILL)
        out, err = call.communicate(timeout=600)
        # nothing was printed yet, so the call ran again in its own process, and says so
        assert call.returncode == 0, err
        assert "stopped during the run" in err and "CONFORMANT" in out
        after = nb2jvm("verify", QUICKSTART, "-q", env=env)
        assert after.returncode == 0, after.stderr
        assert "cannot be used" not in after.stderr
        assert pid not in _pids(folder).values()
    finally:
        _stop(env)


def test_another_setting_gets_another_server_and_stop_stops_both(tmp_path):
    folder = _folder()
    env = _env(folder)
    other = {**env, "NB2JVM_JAVA_OPTS": "-Dnb2jvm.test.other=1"}
    try:
        assert nb2jvm("server", "start", env=env).returncode == 0
        assert nb2jvm("server", "start", env=other).returncode == 0
        pids = _pids(folder)
        assert len(pids) == 2 and all(_alive(p) for p in pids.values())
        status = nb2jvm("server", "status", env=env).stdout
        assert all(f"(pid {p}," in status for p in pids.values())
    finally:
        _stop(env)
    assert not _pids(folder)


def test_a_folder_others_may_enter_is_refused_and_the_call_runs_in_process(tmp_path):
    folder = _folder()
    os.chmod(folder, 0o755)
    done = nb2jvm("verify", QUICKSTART, "-q", env=_env(folder))
    assert done.returncode == 0 and "CONFORMANT" in done.stdout
    assert "the warm server cannot be used" in done.stderr and "0700" in done.stderr
    assert not list(folder.iterdir())


def test_a_request_without_the_secret_or_from_another_user_is_refused(served, tmp_path):
    folder, env = served
    assert nb2jvm("server", "start", env=env).returncode == 0
    sock = _paths(env).sock
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(sock))
        client.send_json(s, {"secret": "0" * 64, "argv": ["build", str(QUICKSTART), "-o",
                                                          str(tmp_path / "x")]})
        frames = list(client.read_frames(s))
    assert frames == [(b"r", b"not authorised")]
    assert not (tmp_path / "x").exists()
    if os.getuid() == 0:  # another user cannot even reach the socket: the folder is 0700
        child = os.fork()
        if child == 0:  # as user nobody: only socket calls, then _exit
            code = 3
            try:
                os.setgid(65534)
                os.setuid(65534)
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(str(sock))
                code = 0
            except PermissionError:
                code = 1
            finally:
                os._exit(code)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 1  # PermissionError


@pytest.mark.parametrize("argv,served_", [
    (["verify", "nb.ipynb"], True),
    (["run", "nb.ipynb", "--feature", "f", "--output", "o"], True),
    (["build", "nb.ipynb", "-o", "out"], True),
    (["build", "nb.ipynb", "-o", "out", "--watch"], False),  # never ends
    (["verify", "nb.ipynb", "-v"], False),  # Spark's log goes to the caller's terminal
    (["verify", "nb.ipynb", "-qv"], False),  # argparse's clusters and prefixes too
    (["verify", "nb.ipynb", "--verb"], False),
    (["build", "nb.ipynb", "-o", "out", "--wat"], False),
    (["build", "nb.ipynb", "-o", "out", "--watch=x"], False),
    (["verify", "nb.ipynb", "-q", "--report", "r.json"], True),
    (["verify", "--help"], False),
    (["check", "nb.ipynb"], False),  # no JVM: nothing to keep warm
    (["server", "status"], False),
    ([], False),
])
def test_which_calls_go_to_the_server(argv, served_, monkeypatch):
    monkeypatch.setenv("NB2JVM_SERVER", "on")
    assert client.served(argv) is served_
    monkeypatch.setenv("NB2JVM_SERVER", "off")
    assert client.served(argv) is False


def test_pytest_nb2jvm_verifies_on_the_warm_server(served, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder, env = served
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "t.parquet")
    write_notebook(tmp_path / "mixed.ipynb", [
        "import ibis\nfrom ibis import _\ncon = ibis.duckdb.connect()\n"
        't = con.read_parquet("t.parquet")',
        "%%export\nok = t.mutate(b=_.a * 2)\nbad = t.mutate(u=_.a.cast('string').reverse())"])
    before = sum(s["requests"] for s in _status(folder, env)) if _pids(folder) else 0
    done = subprocess.run([sys.executable, "-m", "pytest", "--nb2jvm", str(tmp_path), "-q",
                           "-p", "no:cacheprovider", "-o", "addopts="], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    assert "refused" in done.stdout and "reverse()" in done.stdout
    # the verify ran on the server (one call more), not in the pytest process
    assert sum(s["requests"] for s in _status(folder, env)) == before + 1


def test_a_call_whose_caller_left_while_it_waited_does_nothing(tmp_path):
    folder = _folder()
    env = _env(folder)
    try:
        first = _popen("verify", QUICKSTART, "-q", env=env)
        assert _busy(folder, env)
        queued = _popen("build", QUICKSTART, "-o", tmp_path / "never", "-q", env=env)
        time.sleep(1.0)  # connected, waiting for the run lock
        queued.kill()
        queued.wait()
        out, err = first.communicate(timeout=600)
        assert first.returncode == 0, err
        time.sleep(1.0)
        assert not (tmp_path / "never").exists()
        assert _status(folder, env)[0]["requests"] == 1
    finally:
        _stop(env)


def test_a_call_during_a_stop_gets_a_new_server_at_once(tmp_path):
    folder = _folder()
    env = _env(folder)
    try:
        first = _popen("verify", QUICKSTART, "-q", env=env)
        assert _busy(folder, env)
        (old,) = _pids(folder).values()
        stopping = _popen("server", "stop", env=env)
        deadline = time.monotonic() + 30
        while folder.joinpath(f"{_paths(env).key}.sock").exists() and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        after = nb2jvm("verify", QUICKSTART, "-q", env=env)
        assert after.returncode == 0 and "cannot be used" not in after.stderr, after.stderr
        assert "stopped during the run" not in after.stderr
        out, err = first.communicate(timeout=600)
        assert first.returncode == 0 and "CONFORMANT" in out, err  # the running call finished
        stopping.communicate(timeout=600)
        assert old not in _pids(folder).values()
    finally:
        _stop(env)


def test_the_server_refuses_watch_and_verbose_from_a_client_that_sent_them(served, tmp_path):
    folder, env = served
    assert nb2jvm("server", "start", env=env).returncode == 0
    p = _paths(env)
    for argv in (["build", str(QUICKSTART), "-o", str(tmp_path / "w"), "--watch"],
                 ["verify", str(QUICKSTART), "--verbose"]):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(p.sock))
            client.send_json(s, {"secret": p.read_secret(), "argv": argv, "cwd": str(tmp_path),
                                 "env": dict(env)})
            frames = list(client.read_frames(s))
        assert [kind for kind, _ in frames] == [b"r"], frames
    assert not (tmp_path / "w").exists()


def test_sigterm_stops_a_server_whose_jvm_runs_and_removes_its_files(tmp_path):
    folder = _folder()
    env = _env(folder)
    try:
        assert nb2jvm("verify", QUICKSTART, "-q", env=env).returncode == 0  # the JVM is up
        (pid,) = _pids(folder).values()
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid)
        assert not _pids(folder) and not list(folder.glob("*.sock"))
    finally:
        _stop(env)
