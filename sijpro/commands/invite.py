"""``sijpro invite MRN [--timepoint T]``: a one-time link and short code to answer a visit at home.

Prints the link (for an e-mail or a text message), the short code (for a letter or the phone: typed on
the web app's first page) and the last day they open. Making a new one for the same visit revokes the
one before. The link's address is the clinic's web address (the public address of ``sijpro serve``
behind the clinic's HTTPS reverse proxy, set on the desk's Clinic page; ``$SIJPRO_WEB_URL`` on this
machine overrides it), then ``/v/`` and the token.
"""

from __future__ import annotations

import argparse
import json
import sys

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.errors import UserError

DESCRIPTION = """\
A one-time link and a short code for answering the patient's open visit (due or overdue) at home, in the
web app of 'sijpro serve'. The patient confirms their date of birth before the first question; five wrong
dates lock the link. Valid until the last day the visit can be collected (its window's end plus the
30 days' overdue grace, never past the next visit's window opening). A new invitation for the same visit
revokes the previous one. Needs a nurse's (or surgeon's, administrator's) account.

The link is WEB-ADDRESS/v/TOKEN. The web address is the public HTTPS address of 'sijpro serve' behind the
clinic's reverse proxy (for example https://prom.example.org): an administrator sets it once for every
workstation on the desk's Clinic page; SIJPRO_WEB_URL on a machine overrides it. Until it is set, the
link is sijpro serve's own default address (http://127.0.0.1:8080), which opens on the server itself only;
the short code works wherever the web app runs."""


LOCAL_ONLY_NOTE = ("sijpro: note: the clinic's web address is not set, so this link opens only on the server "
                   "itself (sijpro serve's default address); the code works wherever the web app runs. An "
                   "administrator sets the address on the desk's Clinic page (or set SIJPRO_WEB_URL).")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "invite", help="a one-time link and short code to answer a visit at home",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("mrn", metavar="MRN")
    parser.add_argument("--timepoint", metavar="T",
                        help="the visit to invite for (baseline, w6, m3 ...; default: the one open today)")
    parser.add_argument("--json", action="store_true", help="print the invitation as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with signed_in(args, Capability.INVITE) as clinic:
        patient = clinic.patients.by_mrn(args.mrn)
        if patient is None:
            raise UserError(f"no patient with MRN {args.mrn!r}")
        issued = clinic.invitations.issue(patient.id, args.timepoint)
    if issued.local_only:
        print(LOCAL_ONLY_NOTE, file=sys.stderr)
    if args.json:
        print(json.dumps({"mrn": issued.mrn, "timepoint": issued.timepoint, "link": issued.link,
                          "code": issued.printed_code, "valid_until": issued.valid_until.isoformat(),
                          "invitation_id": issued.invitation_id, "local_only": issued.local_only}, indent=2))
        return 0
    print(f"{issued.mrn} {issued.timepoint}")
    print(f"link:        {issued.link}")
    print(f"code:        {issued.printed_code}")
    print(f"valid until: {issued.valid_until.isoformat()}")
    return 0
