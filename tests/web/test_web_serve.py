"""``sijpro serve`` from the command line: its options, and a clear refusal before it listens."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ui.launcher import main

ROOT = Path(__file__).resolve().parents[2]


def test_serve_is_the_web_apps_and_binds_the_loopback_by_default(capsys) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["serve", "--help"])
    assert ended.value.code == 0
    words = capsys.readouterr().out
    assert "--host" in words and "--port" in words and "127.0.0.1" in words and "--trusted-proxy" in words


def test_a_bad_port_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["serve", "--port", "70000"])
    assert ended.value.code == 2 and "--port" in capsys.readouterr().err


def test_a_missing_database_is_refused_with_its_path(tmp_path, capsys) -> None:
    missing = tmp_path / "nowhere.sqlite"
    assert main(["--db", str(missing), "serve", "--port", "1"]) == 1
    assert str(missing) in capsys.readouterr().err and not missing.exists()


def test_a_port_in_use_is_refused_in_one_line(tmp_path, capsys) -> None:
    from sijpro.services.clinic import Clinic

    url = str(tmp_path / "clinic.sqlite")
    Clinic.init(url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--db", url, "serve", "--port", str(port)]) == 1
    error = capsys.readouterr().err
    assert "cannot listen" in error and "Traceback" not in error


def test_no_workers_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["serve", "--workers", "0"])
    assert ended.value.code == 2 and "--workers" in capsys.readouterr().err


def process_state(pid: int) -> tuple[str, int] | None:
    """(state, parent) of a process from /proc; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    state = process_state(pid)
    return state is not None and state[0] != "Z"  # a zombie has ended; only its parent has not reaped it


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        state = process_state(int(stat.parent.name))
        if state is not None and state[1] == pid and state[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            return page.status == 200
    except OSError:
        return False


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def workers(tmp_path):
    """``sijpro serve --workers 2`` as a process of its own, on a free port."""
    from sijpro.services.clinic import Clinic

    url = str(tmp_path / "clinic.sqlite")
    Clinic.init(url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "serve", "--port", str(port),
                                   "--workers", "2"], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: answers(port) and len(children_of(server.pid)) == 2), log.read_text()
        yield server, port, log
    finally:
        for child in children_of(server.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        server.kill()
        server.wait(timeout=10)


def test_a_dead_worker_is_replaced_and_sigterm_stops_them_all(workers) -> None:
    server, port, log = workers
    first, _second = sorted(children_of(server.pid))
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: len(children_of(server.pid)) == 2 and first not in children_of(server.pid)), log.read_text()
    assert answers(port)
    assert "worker 1" in log.read_text() or "worker 2" in log.read_text()
    children = children_of(server.pid)
    server.terminate()
    assert server.wait(timeout=20) == 0
    assert wait_for(lambda: not any(alive(child) for child in children))
    assert not answers(port)


def test_workers_end_with_their_parent_and_free_the_port(workers) -> None:
    server, port, _log = workers
    children = children_of(server.pid)
    server.kill()  # SIGKILL: the parent cannot tell anyone
    server.wait(timeout=10)
    assert wait_for(lambda: not any(alive(child) for child in children), seconds=10)
    assert not answers(port)
    with socket.socket() as again:  # nothing holds the port: the server can start again at once
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
