"""The kiosk's questionnaire flow without Qt: order, autosave, navigation, review, resume."""

from __future__ import annotations

import pytest

from sijpro.instruments import get_instrument
from tests.ui.memory_backend import MemoryBackend
from ui.kiosk.flow import FlowError, Planned, QuestionnaireFlow, StepKind


def make_flow(*instruments: str) -> tuple[QuestionnaireFlow, MemoryBackend]:
    backend = MemoryBackend(instruments)
    flow = QuestionnaireFlow(backend, backend.plan(1, None))  # type: ignore[arg-type]
    flow.confirm_identity()
    return flow, backend


def answer_all(flow: QuestionnaireFlow, value_for=lambda item: item.kiosk_values()[0]) -> None:
    while flow.current.kind is not StepKind.REVIEW:
        step = flow.current
        if step.kind is StepKind.QUESTION:
            flow.select(value_for(step.item))
        flow.advance()


def test_steps_follow_the_instruments_in_their_published_order() -> None:
    flow, _ = make_flow("nrs", "odi", "sf12")
    questions = [step for step in flow.steps if step.kind is StepKind.QUESTION]
    expected = [code for name in ("nrs", "odi", "sf12") for code in get_instrument(name).item_codes]
    assert [step.item.code for step in questions] == expected
    assert [step.number for step in questions] == list(range(1, 25))
    assert flow.total_questions == 24
    kinds = [step.kind for step in flow.steps]
    assert kinds[:2] == [StepKind.IDENTITY, StepKind.WELCOME] and kinds[-2:] == [StepKind.REVIEW, StepKind.THANKS]
    assert kinds.count(StepKind.INSTRUCTIONS) == 3


def test_nothing_is_preselected_and_next_waits_for_an_answer() -> None:
    flow, backend = make_flow("nrs")
    flow.start("fr")
    assert flow.current.kind is StepKind.INSTRUCTIONS
    flow.advance()
    assert flow.answer(flow.current) == (False, None)
    assert not flow.can_advance()
    with pytest.raises(FlowError):
        flow.advance()
    flow.select(4)
    assert backend.saves == [(1, "lumbar", 4)]  # committed at once, before Next
    assert backend.responses[1].language == "fr"
    assert flow.can_advance()


def test_each_answer_is_saved_when_given_and_a_change_saves_again() -> None:
    flow, backend = make_flow("nrs")
    flow.start("en")
    flow.advance()
    flow.select(3)
    flow.select(8)
    assert backend.saves == [(1, "lumbar", 3), (1, "lumbar", 8)]
    assert flow.answer(flow.current) == (True, 8)


def test_only_optional_items_may_be_skipped() -> None:
    flow, backend = make_flow("odi")
    flow.start("en")
    flow.advance()
    with pytest.raises(FlowError, match="may not be skipped"):
        flow.select(None)
    while flow.current.item.code != "odi8":
        flow.select(0)
        flow.advance()
    flow.select(None)
    assert backend.saves[-1] == (1, "odi8", None)
    assert flow.answer(flow.current) == (True, None)
    flow.advance()
    assert flow.current.item.code == "odi9"


def test_a_value_the_tablet_does_not_offer_is_refused() -> None:
    flow, _ = make_flow("relief")
    flow.start("en")
    flow.advance()
    with pytest.raises(FlowError):
        flow.select(37)  # valid on paper (step 1), not a kiosk button (steps of 5)
    flow.select(40)


def test_back_returns_through_questions_and_instructions_to_the_welcome() -> None:
    flow, _ = make_flow("nrs", "relief")
    flow.start("en")
    flow.advance()
    flow.select(2)
    flow.advance()
    flow.select(5)
    flow.advance()
    assert flow.current.kind is StepKind.INSTRUCTIONS
    flow.go_back()
    assert flow.current.item.code == "radicular"
    assert flow.answer(flow.current) == (True, 5)
    flow.go_back()
    flow.go_back()
    assert flow.current.kind is StepKind.INSTRUCTIONS
    flow.go_back()
    assert flow.current.kind is StepKind.WELCOME
    assert not flow.can_go_back()


def test_review_lists_every_answer_and_an_edit_returns_to_the_review() -> None:
    flow, backend = make_flow("nrs", "odi")
    flow.start("en")
    answer_all(flow, lambda item: None if item.optional else item.kiosk_values()[-1])
    lines = flow.review_lines()
    assert [line.number for line in lines] == list(range(1, 13))
    assert [line.item.code for line in lines if line.skipped] == ["odi8"]
    flow.edit(2)
    assert flow.current.item.code == "radicular" and flow.editing_from_review
    flow.select(1)
    flow.advance()
    assert flow.current.kind is StepKind.REVIEW
    assert flow.review_lines()[1].value == 1
    flow.edit(10)
    flow.go_back()  # Back while changing an answer also returns to the review
    assert flow.current.kind is StepKind.REVIEW
    completed = flow.submit()
    assert flow.current.kind is StepKind.THANKS and flow.submitted
    assert backend.completed == [1, 2] and len(completed) == 2


def test_submit_refuses_while_a_question_is_unanswered() -> None:
    flow, backend = make_flow("nrs")
    flow.start("en")
    flow.advance()
    flow.select(1)
    flow.advance()
    flow.return_to_review()
    with pytest.raises(FlowError, match="question 2 is not answered"):
        flow.submit()
    assert backend.completed == []
    flow.edit(2)
    flow.select(0)
    flow.advance()
    flow.submit()
    assert backend.completed == [1]
    with pytest.raises(FlowError):
        flow.edit(1)  # no longer on the review


def test_resume_starts_at_the_first_unanswered_item_with_earlier_answers_intact() -> None:
    first, backend = make_flow("nrs", "odi", "sf12")
    first.start("en")
    answer_all_until = 5
    while first.answered_count < answer_all_until:
        if first.current.kind is StepKind.QUESTION:
            first.select(first.current.item.kiosk_values()[1])
        first.advance()
    again = QuestionnaireFlow(backend, backend.plan(1, None))  # type: ignore[arg-type]
    again.load_saved()
    again.confirm_identity()
    assert again.resumed and again.answered_count == answer_all_until  # known before anything is opened
    assert len(backend.responses) == 3
    again.start("en")
    assert again.current.kind is StepKind.QUESTION and again.current.number == answer_all_until + 1
    assert again.answered_count == answer_all_until
    assert again.answer(again.steps[again.position - 1]) == (True, 1)


def test_resume_at_the_start_of_a_questionnaire_shows_its_instructions_first() -> None:
    first, backend = make_flow("nrs", "odi")
    first.start("en")
    first.advance()
    for _ in range(2):
        first.select(0)
        first.advance()
    again = QuestionnaireFlow(backend, backend.plan(1, None))  # type: ignore[arg-type]
    again.confirm_identity()
    again.start("en")
    assert again.current.kind is StepKind.INSTRUCTIONS and again.current.questionnaire == 1


def test_a_run_with_every_item_answered_resumes_at_the_review() -> None:
    first, backend = make_flow("nrs")
    first.start("en")
    answer_all(first)
    again = QuestionnaireFlow(backend, backend.plan(1, None))  # type: ignore[arg-type]
    again.confirm_identity()
    again.start("en")
    assert again.current.kind is StepKind.REVIEW


def test_a_run_needs_something_to_ask() -> None:
    with pytest.raises(ValueError):
        QuestionnaireFlow(MemoryBackend(), [])
    flow = QuestionnaireFlow(MemoryBackend(), [Planned(1, "nrs")])
    with pytest.raises(FlowError):
        flow.select(1)


def test_nothing_opens_before_the_patient_says_this_is_them() -> None:
    backend = MemoryBackend(("nrs",))
    flow = QuestionnaireFlow(backend, backend.plan(1, None))  # type: ignore[arg-type]
    assert flow.current.kind is StepKind.IDENTITY and not flow.can_go_back()
    with pytest.raises(FlowError):
        flow.start("en")
    assert backend.responses == {}
    flow.confirm_identity()
    assert flow.current.kind is StepKind.WELCOME
    with pytest.raises(FlowError):
        flow.confirm_identity()
