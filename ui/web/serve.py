"""``sijpro [--db URL] serve [--host H] [--port P]``: the at-home web app under waitress.

It binds 127.0.0.1 by default: it is meant to sit behind the clinic's HTTPS reverse proxy (README), which
alone talks to it. The client's address (for the door's rate limits) and the scheme (for the Secure
cookie) are read from X-Forwarded-For / X-Forwarded-Proto only when the request comes from the trusted
proxy's address (``--trusted-proxy``, default 127.0.0.1); from anyone else those headers are dropped.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sijpro.errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
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
    parser.add_argument("--threads", type=int, default=16, help="requests answered at once (default 16)")
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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        from waitress import serve

        from sijpro.commands.clinic_access import open_clinic
        from sijpro.services.invitations import WebDoor
        from ui.web.app import create_app
        from ui.web.clinic_door import ClinicDoor

        clinic = open_clinic(args)
        app = create_app(ClinicDoor(WebDoor(clinic.database)))
    except UserError as error:
        print(f"sijpro: {error}", file=sys.stderr)
        return 1
    proxy = {} if args.trusted_proxy == "none" else {
        "trusted_proxy": args.trusted_proxy, "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}, "clear_untrusted_proxy_headers": True}
    print(f"sijpro serve: the web app on http://{args.host}:{args.port}/ over {clinic.where}", flush=True)
    try:
        # waitress stops accepting past 100 open connections by default: phones keep theirs open between
        # questions, so 200 patients at once would leave half of them waiting at the door
        serve(app, host=args.host, port=args.port, threads=args.threads, ident="SIJ-PRO",
              connection_limit=CONNECTION_LIMIT, **proxy)
    except OSError as error:
        print(f"sijpro: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        clinic.close()
    return 0
