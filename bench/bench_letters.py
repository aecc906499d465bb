"""Letters with paper packs (``sijpro remind --letters``) for 300 patients: each patient's PDF and the post
room's batch of all of them, per page, beside the naive way of drawing every page from scratch (every
questionnaire laid out and drawn anew on every patient's page, the QR code drawn on every page) in the same
run. Ours lays each questionnaire page out and records its drawing once, puts it into each document as a
form XObject, and draws only the per-patient parts (name, code, QR code once per patient, page number).
Target: at most a tenth of the naive time per page.
"""

from __future__ import annotations

import datetime as dt
import sys

from bench.common import BenchResult, best_of, scaled
from sijpro.reports.paper_pack import Batch, ClinicLetterhead, PackRecipient, instrument_pages, pack_pdf
from sijpro.visit_codes import visit_code

PATIENTS = scaled(300, 20)
REPEAT = scaled(2, 1)
DAY = dt.date(2024, 6, 17)
CLINIC = ClinicLetterhead("Centre du Rachis de Lyon", "3 quai Claude Bernard\n69007 Lyon", "04 72 00 00 00")
FOLLOW_UP = ("nrs", "odi", "sf12", "satisfaction", "relief")


def recipients() -> list[PackRecipient]:
    return [PackRecipient(visit_code(b"bench key " * 4, number), ("en", "fr")[number % 3 == 0], "Claire",
                          f"Martin-{number}", ("F", "M", None)[number % 3], f"{number} rue des Lilas\n69003 Lyon",
                          FOLLOW_UP if number % 4 else FOLLOW_UP[:2] + FOLLOW_UP[3:]) for number in range(PATIENTS)]


def letters(people: list[PackRecipient], *, cached: bool) -> int:
    """Every patient's file and the batch, as ``remind --letters`` writes them; returns the pages made."""
    batch = Batch(CLINIC, DAY, cached=cached)
    for person in people:
        pack_pdf(person, CLINIC, DAY, cached=cached)
        batch.add(person)
    batch.pdf()
    return 2 * batch.pages


def run() -> list[BenchResult]:
    people = recipients()
    pages = letters(people, cached=True)  # warm: the fonts registered, each page laid out and recorded once
    ours = best_of(lambda: letters(people, cached=True), REPEAT) / pages

    def naive() -> None:
        instrument_pages.cache_clear()
        letters(people, cached=False)

    scratch = best_of(naive, REPEAT) / pages
    print(f"  {PATIENTS} patients, {pages:,} pages (files and batch): ours {ours * 1000:.3f} ms/page, "
          f"from scratch {scratch * 1000:.3f} ms/page", file=sys.stderr)
    return [BenchResult(f"remind --letters: {PATIENTS} patients' packs and the batch, per page ({pages:,} pages)",
                        ours * 1000, "ms", "every page drawn from scratch", scratch * 1000, target="<= 0.1 x")]
