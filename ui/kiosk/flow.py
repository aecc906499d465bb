"""One patient's pass through their due questionnaires, without any widget.

The order of screens, which answers exist, where Back and Next lead, when the patient may submit: all of
it lives here so it can be tested without Qt and so the widgets only draw what the flow says. Every
answer goes to the collection port the moment it is given (rule 5: autosave), so the flow never holds
an answer that is not already committed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sijpro.i18n import text
from sijpro.instruments import Instrument, Item, get_instrument
from sijpro.records import ResponseRecord


class CollectionPort(Protocol):
    """The collection calls a questionnaire run needs (``clinic.collection`` provides them)."""

    def saved(self, visit_id: int, instrument: str) -> ResponseRecord | None:
        """The questionnaire left in progress at this visit, if any (read only: nothing is opened)."""
        ...

    def open(self, visit_id: int, instrument: str, language: str) -> ResponseRecord: ...

    def save_answer(self, response_id: int, item: str, value: int | None, language: str) -> None:
        """Commit one answer, with the language its question was shown in."""
        ...

    def set_display(self, response_ids: Sequence[int], text_size: int, contrast: str) -> None:
        """Remember the text size and contrast the run is read at (a resumed run shows them again)."""
        ...

    def complete_all(self, response_ids: Sequence[int]) -> list[ResponseRecord]:
        """Complete (and score) every questionnaire of the run together, or none of them."""
        ...


@dataclass(frozen=True)
class Planned:
    """One questionnaire due at one visit."""

    visit_id: int
    instrument: str


def visit_ids(planned: Sequence[Planned]) -> list[int]:
    """The visits a run's questionnaires belong to, each once, in order."""
    return list(dict.fromkeys(p.visit_id for p in planned))


class StepKind(enum.Enum):
    IDENTITY = "identity"
    WELCOME = "welcome"
    INSTRUCTIONS = "instructions"
    QUESTION = "question"
    REVIEW = "review"
    THANKS = "thanks"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    questionnaire: int = -1
    """Index into the flow's questionnaires, for INSTRUCTIONS and QUESTION steps."""
    item: Item | None = None
    number: int = 0
    """1-based position of a question across every questionnaire of the run ("question 7 of 26")."""


@dataclass(frozen=True)
class ReviewLine:
    number: int
    instrument: Instrument
    item: Item
    answered: bool
    value: int | None
    alternative: bool = False
    """The answer is the item's alternative ("worse than before surgery"), not a value on its scale."""

    @property
    def skipped(self) -> bool:
        return self.answered and self.value is None and not self.alternative


def _question_title(line: ReviewLine, language: str) -> str:
    if line.item.heading:
        return line.item.heading[language]
    return line.item.text[language].split("\n")[-1]


def question_titles(lines: Sequence[ReviewLine], language: str) -> list[str]:
    """Each question as the review names it: its heading or last line, or its whole wording where that
    short name is shared (SF-12 asks "Accomplished less than you would like" for physical health and
    again for emotional problems), so no two lines of the review read the same. The kiosk's review and
    the web's both name questions so."""
    short = [_question_title(line, language) for line in lines]
    shared = {title for title in short if short.count(title) > 1}
    return [" ".join(line.item.text[language].split("\n")) if title in shared else title
            for line, title in zip(lines, short, strict=True)]


def answer_text(line: ReviewLine, language: str) -> str:
    """The patient's answer in words, as a review shows it (the alternative's or the option's words)."""
    if not line.answered:
        return text(language, "kiosk.review.unanswered")
    if line.alternative and line.item.alternative is not None:
        return line.item.alternative.text[language]
    if line.value is None:
        return text(language, "kiosk.review.skipped")
    return line.item.option_text(line.value, language)


class FlowError(Exception):
    """A navigation the flow does not allow (a bug in the caller, never the patient's doing)."""


class QuestionnaireFlow:
    """"This is me", welcome (language), then per questionnaire its instructions and one step per item,
    review, thanks.

    The first step shows the patient the name and birth date the nurse chose: nothing is opened, read
    aloud or answered for a patient until the person holding the tablet has said it is them.
    """

    def __init__(self, port: CollectionPort, planned: Sequence[Planned]) -> None:
        if not planned:
            raise ValueError("a questionnaire run needs at least one due questionnaire")
        self._port = port
        self.planned = tuple(planned)
        self.instruments = tuple(get_instrument(p.instrument) for p in self.planned)
        self.steps = self._build_steps()
        self.total_questions = sum(len(instrument.asked_items) for instrument in self.instruments)
        self.language = "en"
        self.position = 0
        self.editing_from_review = False
        self.resumed = False
        self._response_ids: list[int | None] = [None] * len(self.planned)
        self._answers: dict[tuple[int, str], int | None] = {}
        self._submitted = False
        self.saved_display: tuple[int, str] | None = None
        """Text size and contrast of a run left in progress, read by ``load_saved``."""

    def _build_steps(self) -> tuple[Step, ...]:
        steps = [Step(StepKind.IDENTITY), Step(StepKind.WELCOME)]
        number = 0
        for index, instrument in enumerate(self.instruments):
            steps.append(Step(StepKind.INSTRUCTIONS, index))
            for item in instrument.asked_items:
                number += 1
                steps.append(Step(StepKind.QUESTION, index, item, number))
        steps += [Step(StepKind.REVIEW), Step(StepKind.THANKS)]
        return tuple(steps)

    # --- where we are -------------------------------------------------------------------------------

    @property
    def current(self) -> Step:
        return self.steps[self.position]

    @property
    def started(self) -> bool:
        """The patient chose a language and the responses are open."""
        return all(response_id is not None for response_id in self._response_ids)

    @property
    def response_ids(self) -> tuple[int | None, ...]:
        """The response opened for each planned questionnaire (None before the run starts)."""
        return tuple(self._response_ids)

    @property
    def answered_count(self) -> int:
        return len(self._answers)

    def instrument_of(self, step: Step) -> Instrument:
        return self.instruments[step.questionnaire]

    def answer(self, step: Step) -> tuple[bool, int | None]:
        """(answered, value) of a question; answered with value None means explicitly skipped."""
        if step.item is None:
            raise FlowError(f"{step.kind.value} step has no answer")
        key = (step.questionnaire, step.item.code)
        return key in self._answers, self._answers.get(key)

    def alternative_chosen(self, step: Step) -> bool:
        """The question was answered with its alternative ("worse than before surgery")."""
        if step.item is None or step.item.alternative is None:
            return False
        return self._answers.get((step.questionnaire, step.item.alternative.item)) == 1

    def can_advance(self) -> bool:
        step = self.current
        if step.kind is StepKind.QUESTION:
            return self.answer(step)[0]
        return step.kind is StepKind.INSTRUCTIONS

    def can_go_back(self) -> bool:
        return self.current.kind not in {StepKind.IDENTITY, StepKind.WELCOME, StepKind.THANKS}

    def review_lines(self) -> list[ReviewLine]:
        lines = []
        for step in self.steps:
            if step.kind is StepKind.QUESTION and step.item is not None:
                answered, value = self.answer(step)
                lines.append(ReviewLine(step.number, self.instrument_of(step), step.item, answered, value,
                                        self.alternative_chosen(step)))
        return lines

    def first_unanswered(self) -> Step | None:
        for step in self.steps:
            if step.kind is StepKind.QUESTION and not self.answer(step)[0]:
                return step
        return None

    # --- moving -------------------------------------------------------------------------------------

    def load_saved(self) -> None:
        """Read the answers of questionnaires left in progress, so the welcome can say where we resume."""
        for index, planned in enumerate(self.planned):
            record = self._port.saved(planned.visit_id, planned.instrument)
            if record is not None:
                self._take_answers(index, record)
                if record.text_size is not None and self.saved_display is None:
                    self.saved_display = (record.text_size, record.contrast or "standard")
        self.resumed = bool(self._answers)

    def _take_answers(self, index: int, record: ResponseRecord) -> None:
        known = self.instruments[index].item_codes
        for code, value in record.answers.items():
            if code in known:
                self._answers[(index, code)] = value

    def confirm_identity(self) -> None:
        """The person holding the tablet said they are the patient shown: on to the language choice."""
        if self.current.kind is not StepKind.IDENTITY:
            raise FlowError("the patient's identity is confirmed on the first screen")
        self.position = self._index_of(StepKind.WELCOME)

    def start(self, language: str) -> None:
        """Open (or resume) every response in ``language`` and go to the first unanswered question.

        A fresh run starts at the first instructions; a resumed one at the instructions of the
        questionnaire it stopped in when nothing of it was answered yet, else right at the question.
        """
        if self.current.kind is not StepKind.WELCOME:
            raise FlowError("the language is chosen on the welcome screen")
        self.language = language
        for index, planned in enumerate(self.planned):
            if self._response_ids[index] is not None:
                continue
            record = self._port.open(planned.visit_id, planned.instrument, language)
            self._response_ids[index] = record.id
            self._take_answers(index, record)
        target = self.first_unanswered()
        if target is None:
            self.position = self._index_of(StepKind.REVIEW)
            return
        questionnaire_answered = any(key[0] == target.questionnaire for key in self._answers)
        if questionnaire_answered:
            self.position = self.steps.index(target)
        else:
            self.position = self.steps.index(Step(StepKind.INSTRUCTIONS, target.questionnaire))

    def select(self, value: int | None) -> None:
        """Commit the answer to the current question; ``None`` skips an item that allows it."""
        step = self.current
        if step.kind is not StepKind.QUESTION or step.item is None:
            raise FlowError("only a question takes an answer")
        if value is None:
            if not step.item.optional:
                raise FlowError(f"{step.item.code} may not be skipped")
        elif value not in step.item.kiosk_values():
            raise FlowError(f"{value} is not offered for {step.item.code}")
        response_id = self._response_ids[step.questionnaire]
        if response_id is None:
            raise FlowError("the run has not started")
        if step.item.alternative is not None and value is not None:  # a value on the scale: not the other
            self._put(response_id, step.questionnaire, step.item.alternative.item, 0)
        self._put(response_id, step.questionnaire, step.item.code, value)

    def choose_alternative(self) -> None:
        """Answer the current question with its alternative: that item 1, the scale itself empty."""
        step = self.current
        if step.kind is not StepKind.QUESTION or step.item is None or step.item.alternative is None:
            raise FlowError("this question has no alternative answer")
        response_id = self._response_ids[step.questionnaire]
        if response_id is None:
            raise FlowError("the run has not started")
        self._put(response_id, step.questionnaire, step.item.alternative.item, 1)
        self._put(response_id, step.questionnaire, step.item.code, None)

    def _put(self, response_id: int, questionnaire: int, item: str, value: int | None) -> None:
        self._port.save_answer(response_id, item, value, self.language)
        self._answers[(questionnaire, item)] = value

    def set_display(self, text_size: int, contrast: str) -> None:
        """Record how the run is shown; before the run starts there is nothing to record it on yet."""
        if self.started:
            self._port.set_display([rid for rid in self._response_ids if rid is not None], text_size, contrast)

    def advance(self) -> None:
        if not self.can_advance():
            raise FlowError(f"cannot leave {self.current.kind.value} yet")
        if self.editing_from_review:
            self.return_to_review()
            return
        self.position += 1

    def go_back(self) -> None:
        if self.editing_from_review:
            self.return_to_review()
            return
        if not self.can_go_back():
            raise FlowError(f"no way back from {self.current.kind.value}")
        self.position -= 1

    def edit(self, number: int) -> None:
        """From the review: go to question ``number``; Next or Back then returns to the review."""
        if self.current.kind is not StepKind.REVIEW:
            raise FlowError("answers are changed from the review")
        for index, step in enumerate(self.steps):
            if step.kind is StepKind.QUESTION and step.number == number:
                self.position = index
                self.editing_from_review = True
                return
        raise FlowError(f"there is no question {number}")

    def return_to_review(self) -> None:
        self.editing_from_review = False
        self.position = self._index_of(StepKind.REVIEW)

    def submit(self) -> list[ResponseRecord]:
        """Complete (and so score) every response at once, then thank the patient."""
        if self.current.kind is not StepKind.REVIEW:
            raise FlowError("answers are submitted from the review")
        missing = self.first_unanswered()
        if missing is not None:
            raise FlowError(f"question {missing.number} is not answered")
        response_ids = [response_id for response_id in self._response_ids if response_id is not None]
        if len(response_ids) != len(self._response_ids):
            raise FlowError("the run has not started")
        completed = self._port.complete_all(response_ids)  # one transaction: all complete, or none
        self._submitted = True
        self.position = self._index_of(StepKind.THANKS)
        return completed

    @property
    def submitted(self) -> bool:
        return self._submitted

    def _index_of(self, kind: StepKind) -> int:
        return next(index for index, step in enumerate(self.steps) if step.kind is kind)
