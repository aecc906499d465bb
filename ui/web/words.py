"""The catalogue keys the web's templates show (``t("web...")`` in ``templates/``), listed where the
catalogue's checks read code, so a key used only by a page is known to be used; a test checks the
templates use these and no other."""

from __future__ import annotations

TEMPLATE_KEYS = (
    "web.title", "web.language", "web.start.heading", "web.start.intro", "web.start.code", "web.start.missing",
    "web.continue", "web.birth.heading", "web.birth.intro", "web.birth.legend", "web.birth.day",
    "web.birth.month", "web.birth.year", "web.question.of", "web.question.missing", "web.review.missing",
    "web.review.change", "web.review.change_name", "web.review.question", "web.review.answer",
    "web.done.title", "web.done.body", "web.start_again", "web.try_again",
    "kiosk.instructions.part", "kiosk.question.prefer_not", "kiosk.back", "kiosk.next",
    "kiosk.question.back_to_review", "kiosk.review.title", "kiosk.review.submit",
)
