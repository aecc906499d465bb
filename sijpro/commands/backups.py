"""``sijpro backups``: the automatic backup policy, the backups it keeps, and a backup taken now."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from sijpro.commands.clinic_access import open_clinic, sign_in

if TYPE_CHECKING:
    from sijpro.services import backups


def _switch(text: str) -> bool:
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError("use on or off")
    return text == "on"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backups", help="show or change the automatic backup policy; take an automatic backup now",
        description="Automatic backups are taken when the app closes and once a day when it opens, into a "
        "folder beside the database (or --folder), keeping the newest --keep of them. Without options: show "
        "the policy and the backups kept. --now: take one now (for a scheduled task) and rotate. Showing the "
        "policy and --now need no account; changing the policy needs an administrator's sign-in.",
    )
    parser.add_argument("--keep", type=int, metavar="N", help="how many automatic backups to keep")
    parser.add_argument("--folder", metavar="DIR", help="absolute path of the backup folder ('' for the default)")
    parser.add_argument("--on-close", type=_switch, metavar="on|off", help="back up when the app closes")
    parser.add_argument("--daily", type=_switch, metavar="on|off", help="back up once a day when the app opens")
    parser.add_argument("--now", action="store_true", help="take an automatic backup now, then rotate")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Showing the policy and ``--now`` need no account (a scheduled task runs ``backups --now``); changing
    the policy is an administrator's."""
    from sijpro.services import backups

    changes = {name: value for name, value in (("keep", args.keep), ("folder", args.folder),
                                               ("on_close", args.on_close), ("daily", args.daily))
               if value is not None}
    with open_clinic(args) as clinic:
        settings = backups.load_settings(clinic)
        if changes:
            admin = sign_in(args, clinic)
            settings = backups.save_settings(admin, replace(settings, **changes))
        status = 0
        if args.now:
            written = backups.auto_backup(clinic, settings, reason="daily")
            if written is None:
                status = 1
                print("sijpro backups: no backup was taken: automatic backups of a server database need a folder "
                      "(an administrator sets it: sijpro backups --folder DIR)", file=sys.stderr)
            else:
                print(f"backup written to {written}")
            warning = backups.backup_warning(clinic) if written else None
            if warning is not None:
                status = 1
                print_warning(warning)
        folder = backups.backup_folder(clinic, settings)
        print(f"keep {settings.keep}; on close: {'on' if settings.on_close else 'off'}; "
              f"daily: {'on' if settings.daily else 'off'}; folder: {folder or 'none (set one for a server database)'}")
        for item in backups.automatic_backups(folder) if folder else []:
            state = "FAULTY" if item.faulty else "verified" if item.verified else "not verified"
            print(f"  {item.path.name}  {item.path.stat().st_size:,} bytes  {state}")
    return status


def print_warning(warning: backups.BackupWarning) -> None:
    print(f"sijpro backups: FAULT: the database has {len(warning.faults)} fault(s); its copy "
          f"{warning.faulty.path.name} is marked faulty:", file=sys.stderr)
    for fault in warning.faults[:10]:
        print(f"  {fault}", file=sys.stderr)
    good = warning.newest_verified
    print(f"sijpro backups: the newest verified backup, kept whatever the rotation, is "
          f"{good.path if good else 'none'}; run 'sijpro verify' and restore from it if the faults are real",
          file=sys.stderr)
