"""Start SIJ-PRO: ``python main.py`` opens the app, ``python main.py CMD ...`` runs the ``sijpro`` CLI."""

from __future__ import annotations

import importlib.util
import sys


def _wants_cli(argv: list[str]) -> bool:
    """A command name or a help/version flag means the CLI; anything else is for the GUI."""
    from sijpro.cli import command_names

    commands = command_names()
    return any(arg in commands or arg in {"-h", "--help", "--version"} for arg in argv)


def main() -> int:
    argv = sys.argv[1:]
    if _wants_cli(argv):
        from sijpro.cli import main as cli_main

        return cli_main(argv)
    if importlib.util.find_spec("ui.app") is None:
        from sijpro.cli import build_parser

        build_parser().print_help()
        return 0
    from ui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
