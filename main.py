"""Start SIJ-PRO: ``python main.py`` opens the app, ``python main.py CMD ...`` runs the ``sijpro`` CLI."""

from __future__ import annotations

import sys

VALUED_OPTIONS = frozenset({
    "--db", "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-style", "-stylesheet", "-session",
    "-qwindowgeometry", "-qwindowicon", "-qwindowtitle", "-display", "-geometry", "-title", "-name",
})
"""Options followed by a value: the GUI's own ``--db`` and Qt's standard command-line options."""


def _wants_cli(argv: list[str]) -> bool:
    """A command (any word that is not an option or an option's value) or help/version means the CLI.

    Told from the words alone: loading every command to learn their names would cost the desktop half
    a second before its first window.
    """
    expecting_value = False
    for arg in argv:
        if expecting_value:
            expecting_value = False
        elif arg in {"-h", "--help", "--version"}:
            return True
        elif arg in VALUED_OPTIONS:
            expecting_value = True
        elif not arg.startswith("-"):
            return True
    return False


def main() -> int:
    argv = sys.argv[1:]
    if _wants_cli(argv):
        from sijpro.cli import main as cli_main

        return cli_main(argv)
    try:
        from ui.app import main as gui_main
    except ModuleNotFoundError as missing:  # a core-only installation: no desktop to start
        if missing.name not in {"ui", "ui.app"}:
            raise
        from sijpro.cli import build_parser

        build_parser().print_help()
        return 0
    return gui_main(argv)


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # The bundle starts its report workers and multiprocessing helpers by running this executable
        # again: freeze_support() turns such a start into that helper instead of a second app.
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
