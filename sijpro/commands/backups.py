"""``sijpro backups``: the automatic backup policy, the backups it keeps, and a backup taken now."""

from __future__ import annotations

import argparse
from dataclasses import replace

from sijpro.commands.clinic_access import open_clinic


def _switch(text: str) -> bool:
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError("use on or off")
    return text == "on"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backups", help="show or change the automatic backup policy; take an automatic backup now",
        description="Automatic backups are taken when the app closes and once a day when it opens, into a "
        "folder beside the database (or --folder), keeping the newest --keep of them. Without options: show "
        "the policy and the backups kept. --now: take one now (for a scheduled task) and rotate.",
    )
    parser.add_argument("--keep", type=int, metavar="N", help="how many automatic backups to keep")
    parser.add_argument("--folder", metavar="DIR", help="absolute path of the backup folder ('' for the default)")
    parser.add_argument("--on-close", type=_switch, metavar="on|off", help="back up when the app closes")
    parser.add_argument("--daily", type=_switch, metavar="on|off", help="back up once a day when the app opens")
    parser.add_argument("--now", action="store_true", help="take an automatic backup now, then rotate")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services import backups

    with open_clinic(args) as clinic:
        settings = backups.load_settings(clinic)
        changes = {name: value for name, value in (("keep", args.keep), ("folder", args.folder),
                                                   ("on_close", args.on_close), ("daily", args.daily))
                   if value is not None}
        if changes:
            settings = backups.save_settings(clinic, replace(settings, **changes))
        if args.now:
            written = backups.auto_backup(clinic, settings, reason="daily")
            print(f"backup written to {written}" if written else "a PostgreSQL database is backed up by its server")
        folder = backups.backup_folder(clinic, settings)
        print(f"keep {settings.keep}; on close: {'on' if settings.on_close else 'off'}; "
              f"daily: {'on' if settings.daily else 'off'}; folder: {folder or 'none (PostgreSQL)'}")
        for item in backups.automatic_backups(folder) if folder else []:
            print(f"  {item.path.name}  {item.path.stat().st_size:,} bytes")
    return 0
