"""The day's worklist as a PDF, for the nurse who works from paper or pins the day's list up.

The same sections and the same states as the screen and ``sijpro due`` (``sijpro.visit_state``), one table
per section, the patient's name, MRN and birth date so the right file is pulled, and what is to be done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from sijpro.instruments import LocalText, get_instrument
from sijpro.reports.document import (
    BODY,
    GRID_TABLE,
    HEADER_CELL,
    HEADING,
    SMALL,
    TITLE,
    Footer,
    cell,
    content_width,
    generated_line,
    render,
)
from sijpro.reports.texts import Words
from sijpro.services.scheduling import Worklist, WorklistEntry

SECTIONS = ("overdue", "due", "upcoming", "missed")
COLUMNS = ("state", "patient", "born", "visit", "due", "window", "to_do")
WIDTHS = (0.13, 0.27, 0.09, 0.1, 0.09, 0.15, 0.17)


def worklist_pdf(worklist: Worklist, *, labels: Mapping[str, LocalText], generated_at: dt.datetime,
                 language: str = "en", clinic: str = "", size: str = "a4") -> bytes:
    """The worklist of ``worklist.day``; ``labels`` names the timepoints (code -> text per language)."""
    words = Words(language)
    width = content_width(size)
    title = words("worklist.title", day=words.date(worklist.day))
    story: list[Flowable] = [Paragraph(title, TITLE)]
    if clinic:
        story.append(Paragraph(clinic, BODY))
    story += [Paragraph(words("worklist.counts", **worklist.counts), BODY), Spacer(1, 4)]
    for section in SECTIONS:
        entries = getattr(worklist, section)
        story.append(Paragraph(f"{words(f'worklist.section.{section}')} ({len(entries)})", HEADING))
        if not entries:
            story.append(Paragraph(words("worklist.none"), SMALL))
            continue
        rows = [[cell(words(f"worklist.col.{name}"), HEADER_CELL) for name in COLUMNS]]
        rows += [[cell(text) for text in _row(entry, words, labels, language)] for entry in entries]
        table = Table(rows, colWidths=[share * width for share in WIDTHS], repeatRows=1)
        table.setStyle(GRID_TABLE)
        story.append(table)
    footer = Footer(generated_line(words, generated_at), "", words)
    return render(story, size=size, title=title, footer=footer, language=language)


def _row(entry: WorklistEntry, words: Words, labels: Mapping[str, LocalText], language: str) -> list[str]:
    visit, patient, state = entry.visit, entry.patient, entry.state
    if state.code == "overdue":
        shown = words("status.overdue", days=state.days_late)
    else:
        shown = words({"due": "status.due", "upcoming": "status.upcoming", "missed": "status.missing"}.get(
            state.code, "status.scheduled"))
    label = labels.get(visit.timepoint) or {}
    to_do = ", ".join(get_instrument(code).short_title.get(language, code) for code in entry.pending) or "–"
    return [shown, f"{patient.display_name}\n{patient.mrn}", words.date(patient.birth_date),
            label.get(language) or label.get("en") or visit.timepoint, words.date(visit.due_date),
            f"{words.date(visit.window_start)} – {words.date(visit.window_end)}", to_do]
