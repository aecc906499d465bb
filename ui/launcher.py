"""What the ``sijpro`` program starts: a command's words go to the CLI, anything else opens the desktop.

``sijpro`` (the console script of a source or wheel install), ``python main.py`` and the bundle all start
here, so ``sijpro`` alone opens the staff desktop and ``sijpro --kiosk`` the kiosk, as ``python main.py``
and the bundle do, while ``sijpro due ...`` stays the command line. Nothing here imports Qt: a command
never pays for it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

VALUED_OPTIONS = frozenset({
    "--db", "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-style", "-stylesheet", "-session",
    "-qwindowgeometry", "-qwindowicon", "-qwindowtitle", "-display", "-geometry", "-title", "-name",
})
"""Options followed by a value: the GUI's own ``--db`` and Qt's standard command-line options."""


def wants_cli(argv: Sequence[str]) -> bool:
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


def command_word(argv: Sequence[str]) -> str | None:
    """The command named (the first word that is not an option or an option's value), if any."""
    expecting_value = False
    for arg in argv:
        if expecting_value:
            expecting_value = False
        elif arg in VALUED_OPTIONS:
            expecting_value = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if command_word(arguments) == "serve":  # the web app is the ui's, as the desktop is: the core never loads it
        from ui.web.serve import main as serve_main

        return serve_main(arguments)
    if wants_cli(arguments):
        from sijpro.cli import main as cli_main

        return cli_main(arguments)
    try:
        from ui.app import main as gui_main
    except ModuleNotFoundError as missing:  # no Qt binding installed: no desktop to start
        if not (missing.name or "").startswith(("PySide6", "shiboken6")):
            raise
        print(f"sijpro: the desktop needs PySide6 ({missing.name} is not installed); commands still work:",
              file=sys.stderr)
        from sijpro.cli import build_parser

        build_parser().print_help(sys.stderr)
        return 2
    return gui_main(arguments)
