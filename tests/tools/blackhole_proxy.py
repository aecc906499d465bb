"""A TCP proxy on loopback that can cut the network the ways Wi-Fi does: for tests and the soak bench.

``pass``: bytes flow both ways. ``blackhole``: connections stay open but nothing gets through, either
way, and new connections are accepted and hang (a dead access point: no reset, no error, only
silence). ``refuse``: the listening socket is closed and every connection dropped (a stopped server).
Switching back to ``pass`` lets new connections through; connections that lived through a blackhole are
dropped when it ends, as a router that lost its state does.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from typing import Literal

Mode = Literal["pass", "blackhole", "refuse"]


class BlackholeProxy:
    def __init__(self, target_host: str, target_port: int, listen_port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "pass"
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._stopped = threading.Event()
        self._listener: socket.socket | None = None
        self.port = listen_port
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, name="blackhole-proxy", daemon=True)
        self._thread.start()

    # --- control ---------------------------------------------------------------------------------------

    def set(self, mode: Mode) -> None:
        with self._lock:
            previous, self.mode = self.mode, mode
        if mode == "refuse":
            self._close_listener()
            self._drop_all()
        elif previous == "refuse":
            self._listen()
        elif previous == "blackhole" and mode == "pass":
            self._drop_all()

    def close(self) -> None:
        self._stopped.set()
        self._close_listener()
        self._drop_all()

    # --- plumbing ----------------------------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.close()

    def _drop_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.close()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                self._stopped.wait(0.05)
                continue
            try:
                ready, _, _ = select.select([listener], [], [], 0.1)
                if not ready:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        ends = [client, server]
        try:
            while not self._stopped.is_set():
                try:
                    ready, _, _ = select.select(ends, [], [], 0.1)
                except (OSError, ValueError):
                    return
                if self.mode == "blackhole":
                    for end in ready:  # read and drop: nothing reaches the other side
                        try:
                            if not end.recv(65536):
                                return
                        except OSError:
                            return
                    continue
                for end in ready:
                    try:
                        data = end.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    other = server if end is client else client
                    try:
                        other.sendall(data)
                    except OSError:
                        return
        finally:
            for end in ends:
                with contextlib.suppress(OSError):
                    end.close()
