"""``sijpro serve`` from the command line: its options, and a clear refusal before it listens."""

from __future__ import annotations

import socket

import pytest

from ui.launcher import main


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
