"""``sijpro [--db URL] serve [--host H] [--port P] [--workers N]``: the at-home web app under waitress.

It binds 127.0.0.1 by default: it is meant to sit behind the clinic's HTTPS reverse proxy (README), which
alone talks to it. The client's address (for the door's rate limits) and the scheme (for the Secure
cookie) are read from X-Forwarded-For / X-Forwarded-Proto only when the request comes from the trusted
proxy's address (``--trusted-proxy``, default 127.0.0.1); from anyone else those headers are dropped.

waitress answers with threads in one process, and one Python process uses one core at a time; on a
server with several cores ``--workers N`` forks N processes that take turns at the one listening socket
(``ui.web.workers``). They share nothing but the database, which is all the web app's state.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sijpro.errors import UserError
from sijpro.services.clinic_settings import LOCAL_WEB_HOST, LOCAL_WEB_PORT

if TYPE_CHECKING:
    from sijpro.services.clinic import Clinic

DEFAULT_HOST = LOCAL_WEB_HOST
DEFAULT_PORT = LOCAL_WEB_PORT
"""Where an invitation made before the clinic has a web address points (``clinic_settings.LOCAL_WEB_URL``)."""
MAX_DEFAULT_WORKERS = 4
CONNECTION_LIMIT = 2000
"""Open connections held at once (kept alive between a patient's questions; waitress's default is 100)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sijpro serve", description="The at-home patient web app that invitation links open.")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="database: an SQLAlchemy URL or an SQLite file (default: $SIJPRO_DATABASE_URL, "
                        "else sijpro.sqlite in the user data directory)")
    parser.add_argument("--passphrase-stdin", action="store_true",
                        help="read the passphrase of an encrypted database from standard input")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: only the reverse proxy on this machine)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--threads", type=int, default=16, help="requests answered at once by each worker (default 16)")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes answering (default: two per core, at most 4, over a PostgreSQL database; "
                        "1 over an SQLite file or where processes cannot fork)")
    parser.add_argument("--trusted-proxy", metavar="ADDRESS", default=DEFAULT_HOST,
                        help="the reverse proxy whose X-Forwarded-For/-Proto headers are believed "
                        f"(default {DEFAULT_HOST}; 'none' believes nobody's)")
    return parser


def _arguments(argv: Sequence[str]) -> list[str]:
    """The words without the command itself: ``--db X serve --port 1`` and ``serve --db X --port 1`` alike."""
    words = list(argv)
    words.remove("serve")
    return words


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(_arguments(argv))
    if not 0 < args.port < 65536:
        parser.error(f"--port: {args.port} is not a port number")
    if args.threads < 1:
        parser.error("--threads: at least 1")
    if args.workers is not None and (args.workers < 1 or (args.workers > 1 and not hasattr(os, "fork"))):
        parser.error("--workers: at least 1" if args.workers < 1 else "--workers: only 1 on this system (no fork)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        clinic = open_web_clinic(args)  # the database checked before anything listens: a clear refusal
        where = clinic.where
        if args.workers is None:
            args.workers = default_workers(clinic)
        if args.workers > 1:
            clinic.close()  # each worker opens its own after the fork; nothing of it may be shared
    except UserError as error:
        print(f"sijpro: {error}", file=sys.stderr)
        return 1
    try:
        listening = listen(args.host, args.port)
    except OSError as error:
        if args.workers == 1:
            clinic.close()  # with workers it is closed already
        print(f"sijpro: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"sijpro serve: the web app on http://{args.host}:{args.port}/ over {where}"
          + (f", {args.workers} workers" if args.workers > 1 else ""), flush=True)
    if args.workers == 1:
        try:
            answer(args, clinic, listening)
        except KeyboardInterrupt:
            pass
        finally:
            clinic.close()
        return 0
    from ui.web.workers import run_workers

    return run_workers(args.workers, lambda: answer(args, open_web_clinic(args), listening))


def default_workers(clinic: Clinic) -> int:
    """Two processes per core (at most 4) over a server database: a request spends part of its time
    waiting on the database, when another process can use the core (measured with 200 patients on 2
    cores, bench/web_load.py: p95 of an answer 63-83 ms with 4 workers, 64-146 ms with 2). Over a file,
    whose writes take turns anyway, one."""
    if clinic.database.file is not None or not hasattr(os, "fork"):
        return 1
    return max(1, min(MAX_DEFAULT_WORKERS, 2 * (os.cpu_count() or 1)))


def open_web_clinic(args: argparse.Namespace) -> Clinic:
    from sijpro.commands.clinic_access import open_clinic

    return open_clinic(args)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before any worker starts, so that all of them answer on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(1024)
    except OSError:
        listening.close()
        raise
    return listening


def answer(args: argparse.Namespace, clinic: Clinic, listening: socket.socket) -> None:
    """Serve on ``listening`` until stopped: one process's waitress over its own clinic."""
    from waitress import serve

    from sijpro.services.invitations import WebDoor
    from ui.web.app import create_app
    from ui.web.clinic_door import ClinicDoor

    app = create_app(ClinicDoor(WebDoor(clinic.database)))
    proxy = {} if args.trusted_proxy == "none" else {
        "trusted_proxy": args.trusted_proxy, "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}, "clear_untrusted_proxy_headers": True}
    # waitress stops accepting past 100 open connections by default: phones keep theirs open between
    # questions, so 200 patients at once would leave half of them waiting at the door
    serve(app, sockets=[listening], threads=args.threads, ident="SIJ-PRO", connection_limit=CONNECTION_LIMIT,
          **proxy)
