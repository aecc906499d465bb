"""Stopping a program a test started: asked first (SIGTERM), killed if it does not end in time."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen, seconds: float = 10.0) -> None:  # type: ignore[type-arg]
    """Terminate ``process`` and wait for it; SIGKILL after ``seconds``. Nothing if it already ended."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)
