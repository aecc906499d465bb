"""Collecting questionnaires: every answer is committed the moment it is given (autosave), so a crash,
a power cut or a patient walking away loses nothing; completing scores the questionnaire with the rules
of the visit's protocol and stores each score with its scoring version; a completed answer changes only
through ``amend``, with a reason, and is re-scored."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from sijpro.access import AccessDenied, Capability, requires
from sijpro.errors import ConflictError, InputErrors, UserError
from sijpro.instruments import Instrument, get_instrument
from sijpro.problems import Problem
from sijpro.protocol import BASELINE
from sijpro.records import TYPED_MODES, ResponseMode, ResponseRecord, VisitRecord
from sijpro.scoring import ScoreSet, score_answers
from sijpro.services.audit import NOTHING, Change, record
from sijpro.services.checks import required_reason
from sijpro.services.claims import check_claim
from sijpro.services.context import ServiceContext
from sijpro.services.deliveries import first_delivery
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import FINISHED_RESPONSE
from sijpro.storage.convert import response_record, split_codes, visit_record
from sijpro.storage.models import Answer, Procedure, Response, Score, Visit
from sijpro.visit_state import course_states, is_finished

log = logging.getLogger(__name__)
"""What happened to which questionnaire and visit (ids and codes only: never a name or an answer)."""

DISPLAY_TEXT_SIZES = (0, 1, 2)
"""The kiosk's text size steps: normal, large, largest."""
DISPLAY_CONTRASTS = ("standard", "high")

LENIENT_MODES = ("paper", "post", "phone", "import")
"""Modes where a blank item is recorded as unanswered: a paper form (or a call) can come back with gaps."""


def answer_problem(instrument: Instrument, item_code: str, value: object, mode: str) -> str | None:
    """Why ``value`` cannot be stored as the answer to ``item_code``; the message names the item."""
    where = f"{instrument.id} item '{item_code}'"
    try:
        item = instrument.item(item_code)
    except KeyError:
        return f"{instrument.id} has no item '{item_code}' (items: {', '.join(instrument.item_codes)})"
    if value is None:
        if item.optional or mode in LENIENT_MODES or item.alternative is not None:  # answered by its alternative
            return None
        return f"{where}: an answer is required (only optional items can be skipped)"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{where}: expected a whole number, found {value!r}"
    problem = item.problem_with(value)
    return f"{where}: {problem}" if problem else None


def score_rows(response_id: int, scores: ScoreSet) -> list[dict[str, Any]]:
    return [{"response_id": response_id, "name": name, "value": value, "version": scores.version}
            for name, value in scores.values.items()]


def audited_scores(scores: ScoreSet) -> dict[str, Any]:
    return {"version": scores.version, **scores.values}


def merged_outcome(outcome: dict[str, Any] | None, scores: ScoreSet) -> dict[str, Any]:
    """A visit's score summary (``Visit.outcome``) with one questionnaire's scores put in (or replaced)."""
    merged = {"scores": dict((outcome or {}).get("scores", {})), "versions": dict((outcome or {}).get("versions", {}))}
    for name, value in scores.values.items():
        merged["scores"][f"{scores.instrument}.{name}"] = value
    merged["versions"][scores.instrument] = scores.version
    return merged


class Collection:
    def __init__(self, context: ServiceContext, protocols: Protocols) -> None:
        self.context = context
        self.protocols = protocols

    @requires(Capability.PATIENTS, Capability.ANSWER)
    def pending(self, patient_id: int, day: dt.date | None = None) -> list[tuple[VisitRecord, str]]:
        """The questionnaires a patient is handed on ``day``: those not yet finished of the one visit that is
        due or overdue (``sijpro.visit_state``), in protocol order. One timepoint at a time: never two
        timepoints' questionnaires together, never a baseline after surgery."""
        self.context.principal.require_patient(patient_id)
        day = day or self.context.today()
        with self.context.database.reading() as session:
            visits = [visit_record(v) for v in session.scalars(
                select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.seq)).all()]
            collectable = [visit for visit, state in zip(visits, course_states(visits, day), strict=True)
                           if state.collectable][:1]
            finished = {(visit_id, instrument) for visit_id, instrument in session.execute(
                select(Response.visit_id, Response.instrument).where(
                    Response.visit_id.in_([v.id for v in collectable]), Response.status.in_(FINISHED_RESPONSE)))}
        return [(visit, instrument) for visit in collectable for instrument in visit.instruments
                if (visit.id, instrument) not in finished]

    @requires(Capability.ANSWER, Capability.PAPER_ENTRY)
    def open(self, visit_id: int, instrument: str, *, mode: ResponseMode | None = None,
             language: str = "en") -> ResponseRecord:
        """Start the questionnaire, or resume it if it was left in progress.

        A kiosk opens only the visits it was handed over for, and only in its own mode (``kiosk`` on a
        tablet, ``web`` for a patient at home: the default for such a session); staff typing in a paper
        form open any visit.
        """
        principal = self.context.principal
        principal.require_visit(visit_id)
        mode = mode or principal.mode
        if not principal.can(Capability.PAPER_ENTRY) and mode != principal.mode:
            raise AccessDenied(f"a kiosk collects kiosk questionnaires, not {mode} ones")
        definition = get_instrument(instrument)
        if mode not in get_args(ResponseMode):
            raise UserError(f"mode {mode!r} is not one of {', '.join(get_args(ResponseMode))}")
        if language not in definition.languages:
            raise UserError(f"{instrument} is not available in language {language!r} "
                            f"(available: {', '.join(definition.languages)})")
        try:
            return self._open(visit_id, definition, mode, language)
        except ConflictError:  # another tablet opened it at the same moment: resume theirs
            return self._open(visit_id, definition, mode, language)

    def _open(self, visit_id: int, instrument: Instrument, mode: str, language: str) -> ResponseRecord:
        with self.context.database.writing() as session:
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise UserError(f"no visit with id {visit_id}")
            if instrument.id not in split_codes(visit.instruments, ","):
                raise UserError(f"{instrument.id} is not collected at {visit.timepoint}")
            if visit.status == "cancelled":
                raise UserError(f"the {visit.timepoint} visit was cancelled")
            check_claim(session, self.context, visit_id, self.context.device)
            row = session.scalar(select(Response).where(
                Response.visit_id == visit_id, Response.instrument == instrument.id))
            if row is not None:
                if row.status != "in-progress":
                    raise UserError(f"{instrument.id} at {visit.timepoint} was already completed; "
                                    "correct an answer with amend")
                if row.language != language:  # resumed in another language: shown, so recorded, in it
                    change = Change("response", row.id, "language", row.language, language)
                    row.language = language
                    session.flush()
                    record(session, self.context, [change])
                return _response(session, row)
            now = self.context.now()
            row = Response(visit_id=visit_id, instrument=instrument.id, mode=mode, language=language,
                           status="in-progress", started_at=now, entered_by=self.context.actor)
            session.add(row)
            session.flush()
            changes = [Change("response", row.id, new={
                "visit_id": visit_id, "timepoint": visit.timepoint, "instrument": instrument.id,
                "mode": mode, "language": language})]
            if visit.status != "open":
                changes.append(Change("visit", visit.id, "status", visit.status, "open"))
                visit.status = "open"
            record(session, self.context, changes)
            log.info("questionnaire %d (%s, %s) started for visit %d by %s", row.id, instrument.id, mode, visit_id,
                     self.context.actor)
            return _response(session, row)

    @requires(Capability.ANSWER, Capability.PAPER_ENTRY)
    def save_answer(self, response_id: int, item: str, value: int | None, language: str | None = None, *,
                    delivery: str | None = None) -> ResponseRecord:
        """Validate and commit one answer at once; None records an explicit skip (optional items).

        ``language`` is the language the question was shown in (default: the questionnaire's).
        ``delivery`` is the id of the tablet's journal entry this answer comes from: one already applied
        is not applied again (``sijpro.services.deliveries``)."""
        with self.context.database.writing() as session:
            row, instrument = self._load(session, response_id)
            if not first_delivery(session, self.context, delivery, "answer"):
                return _response(session, row)
            if row.status != "in-progress":
                raise UserError(f"this {row.instrument} questionnaire is completed; correct it with amend")
            problem = answer_problem(instrument, item, value, row.mode)
            if problem:
                raise UserError(problem)
            language = language or row.language
            if language not in instrument.languages:
                raise UserError(f"{instrument.id} is not available in language {language!r}")
            check_claim(session, self.context, row.visit_id, self.context.device)
            old = self._put_answer(session, row.id, item, value, language)
            record(session, self.context, [Change("response", row.id, item, old, value)])
            return _response(session, row)

    @requires(Capability.ANSWER, Capability.PAPER_ENTRY)
    def complete(self, response_id: int) -> ResponseRecord:
        """Score and close the questionnaire; the visit is completed when all its questionnaires are."""
        return self.complete_all([response_id])[0]

    @requires(Capability.ANSWER, Capability.PAPER_ENTRY)
    def complete_all(self, response_ids: Sequence[int], *, delivery: str | None = None) -> list[ResponseRecord]:
        """Score and close several questionnaires in one transaction: all of them, or none.

        What a patient sends from the review is one act; a refusal of any one (an answer missing, the
        visit taken over by another tablet, the database gone mid-way) leaves every one in progress.
        ``delivery``: as for ``save_answer``.
        """
        with self.context.database.writing() as session:
            if not first_delivery(session, self.context, delivery, "complete"):
                return [_response(session, self._load(session, rid)[0]) for rid in dict.fromkeys(response_ids)]
            rows = []
            changes: list[Change] = []
            for response_id in dict.fromkeys(response_ids):
                row, instrument = self._load(session, response_id)
                changes += self._complete(session, row, instrument)
                rows.append(row)
            for visit_id in dict.fromkeys(row.visit_id for row in rows):
                changes += self._close_visit_if_done(session, visit_id)
            record(session, self.context, changes)
            done = _responses(session, rows)
        log.info("questionnaires %s completed by %s", ", ".join(str(r.id) for r in done), self.context.actor)
        return done

    def _complete(self, session: Session, row: Response, instrument: Instrument) -> list[Change]:
        if row.status != "in-progress":
            raise UserError(f"this {row.instrument} questionnaire is already completed")
        check_claim(session, self.context, row.visit_id, self.context.device)
        answers = _answers(session, row.id)
        if row.mode not in LENIENT_MODES:
            missing = [item.code for item in instrument.items if not item.optional and item.code not in answers]
            if missing:
                raise UserError(f"{instrument.id}: not answered yet: {', '.join(missing)}")
        scores = self._rescore(session, row, answers)
        row.status, row.completed_at = "complete", self.context.now()
        session.flush()
        return [Change("response", row.id, "status", "in-progress", "complete"),
                Change("response", row.id, "scores", NOTHING, audited_scores(scores))]

    @requires(Capability.PAPER_ENTRY)
    def enter_paper(self, visit_id: int, questionnaires: Mapping[str, Mapping[str, int | None]],
                    form_date: dt.date | None, *, language: str = "en", mode: str = "paper") -> list[ResponseRecord]:
        """Questionnaires typed in from a paper form, whole: every answer and the date written on the form
        are checked first (each problem named by its field), then all of them are stored, scored and
        completed in one transaction, in ``mode`` (``paper``, ``post`` for a paper pack sent back, ``phone``
        for answers taken on a call, whose date is the call's), completed on the form's date. A blank item
        is an unanswered one; nothing is written when anything is wrong."""
        if mode not in TYPED_MODES:
            raise UserError(Problem("mode", "not_one_of", {"value": repr(mode), "allowed": ", ".join(TYPED_MODES)}))
        with self.context.database.writing() as session:
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise UserError(f"no visit with id {visit_id}")
            check_claim(session, self.context, visit_id, self.context.device)  # not while a tablet holds it
            rows, problems = self._paper_rows(session, visit, questionnaires)
            problems += self._form_date_problems(session, visit, form_date)
            if problems:
                raise InputErrors(problems)
            assert form_date is not None
            completed_at = dt.datetime.combine(form_date, dt.time(12, 0))
            changes: list[Change] = []
            records = []
            for instrument_id, answers in questionnaires.items():
                row = rows.get(instrument_id)
                if row is None:
                    row = Response(visit_id=visit.id, instrument=instrument_id, mode=mode, language=language,
                                   status="in-progress", started_at=self.context.now(), entered_by=self.context.actor)
                    session.add(row)
                    session.flush()
                    changes.append(Change("response", row.id, new={
                        "visit_id": visit.id, "timepoint": visit.timepoint, "instrument": instrument_id,
                        "mode": mode, "language": language, "form_date": form_date}))
                typed = {item: value for item, value in answers.items() if value is not None}
                for item, value in typed.items():
                    old = self._put_answer(session, row.id, item, value)
                    changes.append(Change("response", row.id, item, old, value))
                scores = self._rescore(session, row, _answers(session, row.id))
                row.status, row.completed_at = "complete", completed_at
                changes += [Change("response", row.id, "status", "in-progress", "complete"),
                            Change("response", row.id, "scores", NOTHING, audited_scores(scores))]
                records.append(row)
            if visit.status == "scheduled":
                changes.append(Change("visit", visit.id, "status", visit.status, "open"))
                visit.status = "open"
            changes += self._close_visit_if_done(session, visit.id, form_date)
            record(session, self.context, changes)
            return _responses(session, records)

    def _paper_rows(self, session: Session, visit: Visit, questionnaires: Mapping[str, Mapping[str, int | None]],
                    ) -> tuple[dict[str, Response], list[Problem]]:
        """The paper responses already started for these questionnaires, and every problem of the answers."""
        problems: list[Problem] = []
        if visit.status == "cancelled":
            problems.append(Problem(None, "visit_cancelled", {"timepoint": visit.timepoint}))
        if not questionnaires:
            problems.append(Problem(None, "no_questionnaire"))
        rows: dict[str, Response] = {}
        collected = split_codes(visit.instruments, ",")
        for instrument_id, answers in questionnaires.items():
            if instrument_id not in collected:
                problems.append(Problem(None, "not_collected", {"instrument": instrument_id,
                                                                "timepoint": visit.timepoint}))
                continue
            instrument = get_instrument(instrument_id)
            row = session.scalar(select(Response).where(Response.visit_id == visit.id,
                                                        Response.instrument == instrument_id))
            if row is not None and row.status != "in-progress":
                problems.append(Problem(None, "already_completed", {"instrument": instrument_id,
                                                                    "timepoint": visit.timepoint}))
            elif row is not None:  # started earlier (on paper, or on the tablet): finished from the form
                rows[instrument_id] = row
            if all(value is None for value in answers.values()):
                problems.append(Problem(instrument_id, "no_answer_typed"))
            for item, value in answers.items():
                problem = answer_problem(instrument, item, value, "paper")
                if problem:
                    problems.append(Problem(f"{instrument_id}.{item}", "answer_refused", {"detail": problem}))
            problems += [Problem(instrument_id, "answer_refused", {"detail": problem})
                         for problem in instrument.contradictions(answers)]
        return rows, problems

    def _form_date_problems(self, session: Session, visit: Visit, form_date: dt.date | None) -> list[Problem]:
        """The date written on the form: known, not in the future, before surgery for a baseline and after
        it for a follow-up (outside the visit's window is allowed: it is flagged late, never refused)."""
        if form_date is None:
            return [Problem("form_date", "required")]
        if form_date > self.context.today():
            return [Problem("form_date", "future_date", {"day": form_date.isoformat()})]
        surgery = session.get_one(Procedure, visit.procedure_id).surgery_date
        if visit.timepoint == BASELINE and form_date > surgery:
            return [Problem("form_date", "baseline_form_date", {"surgery": surgery.isoformat()})]
        if visit.timepoint != BASELINE and form_date <= surgery:
            return [Problem("form_date", "follow_up_form_date", {"surgery": surgery.isoformat()})]
        return []

    @requires(Capability.PAPER_ENTRY)
    def amend(self, response_id: int, item: str, value: int | None, reason: str) -> ResponseRecord:
        """Correct an answer of a completed questionnaire, with a reason; it is re-scored."""
        reason = required_reason(reason, "amend a completed questionnaire")
        with self.context.database.writing() as session:
            row, instrument = self._load(session, response_id)
            if row.status not in FINISHED_RESPONSE:
                raise UserError(f"this {row.instrument} questionnaire is still in progress: answer it instead")
            problem = answer_problem(instrument, item, value, row.mode)
            if problem:
                raise UserError(problem)
            before = {score.name: score.value for score in session.scalars(
                select(Score).where(Score.response_id == row.id))}
            old = self._put_answer(session, row.id, item, value)
            scores = self._rescore(session, row, _answers(session, row.id))
            changes = [Change("response", row.id, item, old, value, reason),
                       Change("response", row.id, "scores", before, audited_scores(scores), reason)]
            if row.status != "amended":
                changes.append(Change("response", row.id, "status", row.status, "amended", reason))
                row.status = "amended"
            session.flush()
            record(session, self.context, changes)
            return _response(session, row)

    @requires(Capability.ANSWER)
    def set_display(self, response_ids: Sequence[int], text_size: int, contrast: str) -> None:
        """Record the text size and contrast a kiosk run is read at, so a resumed run shows them again."""
        if text_size not in DISPLAY_TEXT_SIZES or contrast not in DISPLAY_CONTRASTS:
            raise UserError(f"text size {text_size!r} / contrast {contrast!r}: expected one of "
                            f"{DISPLAY_TEXT_SIZES} and one of {', '.join(DISPLAY_CONTRASTS)}")
        with self.context.database.writing() as session:
            changes = []
            for response_id in dict.fromkeys(response_ids):
                row, _ = self._load(session, response_id)
                if row.status != "in-progress":
                    continue
                check_claim(session, self.context, row.visit_id, self.context.device)
                for name, new in (("text_size", text_size), ("contrast", contrast)):
                    old = getattr(row, name)
                    if old != new:
                        changes.append(Change("response", row.id, name, old, new))
                        setattr(row, name, new)
            session.flush()
            if changes:
                record(session, self.context, changes)

    @requires(Capability.PATIENTS, Capability.ANSWER)
    def response(self, response_id: int) -> ResponseRecord:
        with self.context.database.reading() as session:
            row, _ = self._load(session, response_id)
            return _response(session, row)

    @requires(Capability.PATIENTS, Capability.ANSWER)
    def in_progress(self) -> list[ResponseRecord]:
        """Questionnaires started and not finished, oldest first: what a kiosk offers to resume (a kiosk
        handed over for one patient sees that patient's only)."""
        query = select(Response).where(Response.status == "in-progress")
        if self.context.principal.confined:
            query = query.where(Response.visit_id.in_(self.context.principal.visit_ids))
        with self.context.database.reading() as session:
            rows = session.scalars(query.order_by(Response.started_at, Response.id)).all()
            return _responses(session, rows, scored=False)  # a response is scored when it is completed

    @requires(Capability.PATIENTS, Capability.ANSWER)
    def resume_item(self, response_id: int) -> str | None:
        """The first item without an answer (a recorded skip counts as answered); None when all are."""
        with self.context.database.reading() as session:
            row, instrument = self._load(session, response_id)
            answered = _answers(session, row.id)
        return next((code for code in instrument.item_codes if code not in answered), None)

    def _load(self, session: Session, response_id: int) -> tuple[Response, Instrument]:
        row = session.get(Response, response_id)
        if row is None:
            raise UserError(f"no questionnaire response with id {response_id}")
        self.context.principal.require_visit(row.visit_id)
        return row, get_instrument(row.instrument)

    def _put_answer(self, session: Session, response_id: int, item: str, value: int | None,
                    language: str | None = None) -> object:
        """Insert or replace one answer; returns the value it replaced (NOTHING if none)."""
        answer = session.get(Answer, (response_id, item))
        now = self.context.now()
        if answer is None:
            session.add(Answer(response_id=response_id, item=item, value=value, answered_at=now, language=language))
            session.flush()
            return NOTHING
        old = answer.value
        answer.value, answer.answered_at, answer.language = value, now, language or answer.language
        session.flush()
        return old

    def _rescore(self, session: Session, row: Response, answers: Mapping[str, int | None]) -> ScoreSet:
        visit = session.get_one(Visit, row.visit_id)
        options = self.protocols.by_id(session, visit.protocol_id).scoring_options(row.instrument)
        scores = score_answers(row.instrument, answers, **options)
        session.execute(delete(Score).where(Score.response_id == row.id))
        session.execute(insert(Score), score_rows(row.id, scores))
        visit.outcome = merged_outcome(visit.outcome, scores)
        return scores

    def _close_visit_if_done(self, session: Session, visit_id: int,
                             completed_on: dt.date | None = None) -> list[Change]:
        visit = session.get_one(Visit, visit_id)
        finished = set(session.scalars(select(Response.instrument).where(
            Response.visit_id == visit_id, Response.status.in_(FINISHED_RESPONSE))))
        if not is_finished(split_codes(visit.instruments, ","), finished):
            return []
        day = completed_on or self.context.today()
        changes = [Change("visit", visit.id, "status", visit.status, "completed"),
                   Change("visit", visit.id, "completed_on", visit.completed_on, day)]
        visit.status, visit.completed_on = "completed", day
        session.flush()
        return changes


def _answers(session: Session, response_id: int) -> dict[str, int | None]:
    return dict(session.execute(select(Answer.item, Answer.value).where(Answer.response_id == response_id)).all())


def _response(session: Session, row: Response) -> ResponseRecord:
    return _responses(session, [row])[0]


def _responses(session: Session, rows: Sequence[Response], *, scored: bool = True) -> list[ResponseRecord]:
    """The records of several responses with two queries in all (their scores, their answers), not two each;
    ``scored=False``: responses still in progress, which have no scores yet, with one."""
    session.flush()
    ids = [row.id for row in rows]
    scores: dict[int, list[Score]] = defaultdict(list)
    answers: dict[int, list[tuple[str, int | None, str | None]]] = defaultdict(list)
    if ids:
        for score in session.scalars(select(Score).where(Score.response_id.in_(ids))) if scored else ():
            scores[score.response_id].append(score)
        for response_id, item, value, language in session.execute(
                select(Answer.response_id, Answer.item, Answer.value, Answer.language)
                .where(Answer.response_id.in_(ids))):
            answers[response_id].append((item, value, language))
    records = []
    for row in rows:
        order = {name: index for index, name in enumerate(get_instrument(row.instrument).score_names)}
        given = answers[row.id]
        records.append(response_record(row, {item: value for item, value, _ in given},
                                       sorted(scores[row.id], key=lambda s: order.get(s.name, 99)),
                                       {item: language for item, _, language in given if language}))
    return records
