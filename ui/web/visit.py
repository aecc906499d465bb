"""One invited visit on the web: the kiosk's flow rebuilt from the database on every request.

The browser holds no answer and no position: each request reads what is saved (``load_saved``), opens
or resumes the visit's questionnaires in the patient's language, and the URL names the question. So a
link resumes where it stopped, on any device, after a server restart, and a re-sent form is harmless:
an answer is one row per item, replaced, never added twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sijpro.instruments import Instrument, Item
from sijpro.records import ResponseRecord
from sijpro.services.session import Session
from ui.kiosk.flow import Planned, QuestionnaireFlow, ReviewLine, Step, StepKind, answer_text, question_titles

MODE = "web"


class WebCollection:
    """The flow's collection port over the visit's session, collecting in mode ``web``.

    A request reads the visit's questionnaires in progress once; one already open in the page's language
    is resumed from that reading (``open`` would only read it again), so a page costs a few queries, not
    a transaction per questionnaire.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._in_progress: list[ResponseRecord] | None = None

    def saved(self, visit_id: int, instrument: str) -> ResponseRecord | None:
        if self._in_progress is None:
            self._in_progress = self.session.collection.in_progress()
        return next((r for r in self._in_progress if r.visit_id == visit_id and r.instrument == instrument), None)

    def open(self, visit_id: int, instrument: str, language: str) -> ResponseRecord:
        known = self.saved(visit_id, instrument)
        if known is not None and known.language == language:
            return known
        return self.session.collection.open(visit_id, instrument, mode=MODE, language=language)

    def save_answer(self, response_id: int, item: str, value: int | None, language: str) -> None:
        self.session.collection.save_answer(response_id, item, value, language)

    def set_display(self, response_ids: Sequence[int], text_size: int, contrast: str) -> None:
        self.session.collection.set_display(response_ids, text_size, contrast)

    def complete_all(self, response_ids: Sequence[int]) -> list[ResponseRecord]:
        return self.session.collection.complete_all(response_ids)


@dataclass(frozen=True)
class Question:
    """What one question's page shows."""

    number: int
    total: int
    instrument: Instrument
    item: Item
    part: int
    parts: int
    first_of_part: bool
    answered: bool
    value: int | None
    alternative: bool
    previous: int | None
    """The question Back leads to (None: the first question)."""


@dataclass(frozen=True)
class Line:
    number: int
    title: str
    answer: str
    answered: bool


class NothingToAnswer(Exception):
    """Every questionnaire of the visit is in: the thank-you page."""


class WebVisit:
    def __init__(self, session: Session, patient_id: int, visit_id: int, language: str) -> None:
        planned = [Planned(visit.id, instrument) for visit, instrument in session.collection.pending(patient_id)
                   if visit.id == visit_id]
        if not planned:
            raise NothingToAnswer
        self.language = language
        self.flow = QuestionnaireFlow(WebCollection(session), planned)
        self.flow.load_saved()
        self.flow.confirm_identity()
        self.flow.start(language)

    @property
    def total(self) -> int:
        return self.flow.total_questions

    def resume_at(self) -> int | None:
        """The first question without an answer; None: all answered, the review."""
        step = self.flow.first_unanswered()
        return None if step is None else step.number

    def _step(self, number: int) -> Step:
        for step in self.flow.steps:
            if step.kind is StepKind.QUESTION and step.number == number:
                return step
        raise KeyError(number)

    def question(self, number: int) -> Question:
        step = self._step(number)
        assert step.item is not None
        answered, value = self.flow.answer(step)
        first = next(s.number for s in self.flow.steps
                     if s.kind is StepKind.QUESTION and s.questionnaire == step.questionnaire)
        return Question(number, self.total, self.flow.instrument_of(step), step.item, step.questionnaire + 1,
                        len(self.flow.instruments), first == number, answered, value,
                        self.flow.alternative_chosen(step), number - 1 if number > 1 else None)

    def answer(self, number: int, choice: str) -> None:
        """Commit the choice the form sent: a value offered, ``skip`` or ``alternative``; ValueError if not."""
        step = self._step(number)
        assert step.item is not None
        self.flow.return_to_review()
        self.flow.edit(number)
        if choice == "alternative" and step.item.alternative is not None:
            self.flow.choose_alternative()
        elif choice == "skip" and step.item.optional:
            self.flow.select(None)
        elif choice.isdigit() and int(choice) in step.item.kiosk_values():
            self.flow.select(int(choice))
        else:
            raise ValueError(choice)

    def next_after(self, number: int) -> int | None:
        """The question after ``number``; None: the review."""
        return number + 1 if number < self.total else None

    def lines(self) -> list[Line]:
        review: list[ReviewLine] = self.flow.review_lines()
        titles = question_titles(review, self.language)
        return [Line(line.number, title, answer_text(line, self.language), line.answered)
                for line, title in zip(review, titles, strict=True)]

    def submit(self) -> None:
        """Complete every questionnaire together; ValueError naming the first unanswered question."""
        missing = self.flow.first_unanswered()
        if missing is not None:
            raise ValueError(missing.number)
        self.flow.return_to_review()
        self.flow.submit()
