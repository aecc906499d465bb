"""The demo cohort looks like the seed studies and like a working clinic, and a seed always gives it."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from sijpro.demo import demo_patient_names, generate_demo_cohort
from sijpro.exchange.batch_csv import write_batch_csv
from sijpro.exchange.import_csv import parse_import_files
from sijpro.instruments import bundled_instruments
from sijpro.protocol import default_protocol
from sijpro.records import ImportBatch, PatientDraft, ProcedureDraft, QuestionnaireDraft
from sijpro.scoring import score_answers

TODAY = dt.date(2025, 6, 1)
SEED = 20250601
FOLLOW_UPS = ("w6", "m3", "m6", "m12", "m24")


@pytest.fixture(scope="module")
def cohort() -> ImportBatch:
    return generate_demo_cohort(300, SEED, today=TODAY)


@pytest.fixture(scope="module")
def scored(cohort: ImportBatch) -> dict[tuple[str, str], dict[str, float | None]]:
    """(mrn, timepoint) -> {"nrs.lumbar": 7.0, ...} for every questionnaire of the cohort."""
    scores: dict[tuple[str, str], dict[str, float | None]] = defaultdict(dict)
    for questionnaire in cohort.questionnaires:
        values = score_answers(questionnaire.instrument, questionnaire.answers).values
        for name, value in values.items():
            scores[questionnaire.mrn, questionnaire.timepoint][f"{questionnaire.instrument}.{name}"] = value
    return scores


def group(cohort: ImportBatch, approach: str) -> list[tuple[PatientDraft, ProcedureDraft]]:
    return [(patient, procedure) for patient, procedure in cohort.patients if procedure.approach == approach]


def values(scored: dict, people: Iterable[tuple[PatientDraft, ProcedureDraft]], timepoint: str,
           key: str) -> list[float]:
    found = (scored.get((patient.mrn, timepoint), {}).get(key) for patient, _ in people)
    return [value for value in found if value is not None]


def share(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return sum(flags) / len(flags)


def age(patient: PatientDraft, procedure: ProcedureDraft) -> int:
    born, day = patient.birth_date, procedure.surgery_date
    assert born is not None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def middle_90(numbers: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(numbers, n=20, method="inclusive")
    return cuts[0], cuts[-1]


def test_post_fusion_patients_look_like_seed_000(cohort: ImportBatch, scored: dict) -> None:
    people = group(cohort, "lateral")
    assert 150 <= len(people) <= 240
    assert all(p.prior_lumbosacral_fusion for p, _ in people)
    assert share(p.sex == "F" for p, _ in people) == pytest.approx(41 / 54, abs=0.08)
    ages = [age(p, s) for p, s in people]
    assert statistics.mean(ages) == pytest.approx(59, abs=2.5)
    assert min(ages) >= 27 and max(ages) <= 88
    assert share(s.side == "bilateral" for _, s in people) == pytest.approx(31 / 54, abs=0.1)
    surgeries = [p.prior_lumbar_surgeries for p, _ in people]
    assert statistics.mean(surgeries) == pytest.approx(3, abs=0.4)
    assert (min(surgeries), max(surgeries)) == (1, 7)

    lumbar_0, lumbar_24 = (values(scored, people, tp, "nrs.lumbar") for tp in ("baseline", "m24"))
    radicular_0, radicular_24 = (values(scored, people, tp, "nrs.radicular") for tp in ("baseline", "m24"))
    odi_0, odi_24 = (values(scored, people, tp, "odi.odi") for tp in ("baseline", "m24"))
    assert len(lumbar_24) >= 30
    assert statistics.mean(lumbar_0) == pytest.approx(8.4, abs=0.3) and (min(lumbar_0), max(lumbar_0)) == (7, 10)
    assert statistics.mean(lumbar_24) == pytest.approx(5.2, abs=0.7) and min(lumbar_24) <= 2
    assert statistics.mean(radicular_0) == pytest.approx(5.1, abs=0.5) and min(radicular_0) >= 2
    assert statistics.mean(radicular_24) == pytest.approx(3.0, abs=0.7)
    assert statistics.mean(odi_0) == pytest.approx(69.4, abs=3)
    low, high = middle_90(odi_0)
    assert low >= 52 and high <= 86
    assert statistics.mean(odi_24) == pytest.approx(45.6, abs=4.5)
    low, high = middle_90(odi_24)
    assert low >= 25 and high <= 70
    satisfied = values(scored, people, "m24", "satisfaction.satisfied")
    assert statistics.mean(satisfied) == pytest.approx(0.86, abs=0.1)


def test_salvage_patients_look_like_seed_003(cohort: ImportBatch, scored: dict) -> None:
    people = group(cohort, "posterior")
    assert 60 <= len(people) <= 150
    ages = [age(p, s) for p, s in people]
    assert statistics.mean(ages) == pytest.approx(69.8, abs=2.5)
    assert statistics.stdev(ages) == pytest.approx(9, abs=2)
    bmi = [p.bmi for p, _ in people if p.bmi is not None]
    assert statistics.mean(bmi) == pytest.approx(30.6, abs=1.5)
    assert statistics.stdev(bmi) == pytest.approx(6.2, abs=1.5)
    assert share(bool(p.fbss) for p, _ in people) == pytest.approx(0.46, abs=0.1)
    assert share(p.sex == "F" for p, _ in people) == pytest.approx(0.54, abs=0.1)
    assert share("SCS" in p.prior_interventions for p, _ in people) == pytest.approx(0.685, abs=0.1)
    assert share("ISS" in p.prior_interventions for p, _ in people) == pytest.approx(0.351, abs=0.1)
    assert all(p.prior_interventions & {"SCS", "ISS", "IDDS", "MILD"} for p, _ in people)

    # Relief at each patient's last follow-up of at least six months (seed 003: 291 days on average).
    last: dict[str, tuple[dt.date, float]] = {}
    mrns = {p.mrn for p, _ in people}
    for questionnaire in cohort.questionnaires:
        if questionnaire.mrn in mrns and questionnaire.instrument == "relief" and \
                questionnaire.timepoint in ("m6", "m12", "m24"):
            percent = float(questionnaire.answers["percent"] or 0)
            if questionnaire.mrn not in last or last[questionnaire.mrn][0] < questionnaire.completed_on:
                last[questionnaire.mrn] = (questionnaire.completed_on, percent)
    relief = [percent for _, percent in last.values()]
    assert len(relief) >= 35
    assert statistics.mean(relief) == pytest.approx(67.6, abs=7)
    assert statistics.stdev(relief) == pytest.approx(28.9, abs=7)
    assert share(r >= 30 for r in relief) == pytest.approx(0.92, abs=0.07)
    assert share(r >= 50 for r in relief) == pytest.approx(0.83, abs=0.1)
    assert share(r >= 80 for r in relief) == pytest.approx(0.47, abs=0.12)


@pytest.mark.parametrize("approach", ["lateral", "posterior"])
def test_scores_improve_over_follow_up_and_agree_with_each_other(cohort: ImportBatch, scored: dict,
                                                                 approach: str) -> None:
    people = group(cohort, approach)
    means = {tp: {key: statistics.mean(values(scored, people, tp, key))
                  for key in ("nrs.lumbar", "nrs.radicular", "odi.odi")}
             for tp in ("baseline", *FOLLOW_UPS)}
    for key in ("nrs.lumbar", "odi.odi"):
        early = [means[tp][key] for tp in ("baseline", "w6", "m3", "m6")]
        assert early == sorted(early, reverse=True), (key, early)
        assert max(means["m12"][key], means["m24"][key]) <= means["m3"][key]
    assert means["m12"]["nrs.radicular"] < means["baseline"]["nrs.radicular"]
    pcs = {tp: statistics.mean(values(scored, people, tp, "sf12.pcs")) for tp in ("baseline", "m3", "m12")}
    assert pcs["baseline"] + 5 < pcs["m3"] <= pcs["m12"] + 1

    # Patient to patient, the scores of one visit agree the way real ones do.
    pairs = [(s["odi.odi"], s["sf12.pcs"], s["nrs.lumbar"], s["relief.percent"])
             for (mrn, tp), s in scored.items()
             if tp == "m12" and None not in (s.get(k) for k in ("odi.odi", "sf12.pcs", "nrs.lumbar", "relief.percent"))]
    odi, pcs_12, lumbar, relief = (list(column) for column in zip(*pairs, strict=True))
    assert statistics.correlation(odi, pcs_12) < -0.5
    assert statistics.correlation(odi, lumbar) > 0.4
    assert statistics.correlation(lumbar, relief) < -0.4
    spread = [statistics.stdev(values(scored, people, "m12", key)) for key in ("nrs.lumbar", "odi.odi")]
    assert spread[0] > 1.2 and spread[1] > 8


def test_the_clinic_has_missed_late_future_and_cancelled_visits(cohort: ImportBatch) -> None:
    protocol = default_protocol()
    done: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for questionnaire in cohort.questionnaires:
        done[questionnaire.mrn, questionnaire.timepoint].add(questionnaire.completed_on)
    cancelled = set(cohort.cancelled_visits)
    closed = missed = late = on_time = future = 0
    for patient, procedure in cohort.patients:
        for timepoint in protocol.timepoints:
            start, end = timepoint.window(procedure.surgery_date)
            key = (patient.mrn, timepoint.code)
            dates = done.get(key, set())
            assert len(dates) <= 1, "one visit, one completion date"
            for day in dates:
                assert day <= TODAY
                assert start <= day, "nobody answers before the window opens"
                late += day > end
                on_time += day <= end
            if key in cancelled:
                assert not dates
            if end < TODAY and key not in cancelled:
                closed += 1
                missed += not dates
            future += start > TODAY
    assert 0.05 <= missed / closed <= 0.2
    assert 0.03 <= late / (late + on_time) <= 0.12
    assert future > 100
    assert cancelled and all(mrn in {p.mrn for p, _ in cohort.patients} for mrn, _ in cancelled)
    booked = [s for _, s in cohort.patients if s.surgery_date > TODAY]
    assert booked, "some surgeries are booked ahead, with only their baseline to collect"
    surgery_days = [(TODAY - s.surgery_date).days for _, s in cohort.patients]
    assert max(surgery_days) > 2.5 * 365 and statistics.median(surgery_days) > 365


def test_the_clinic_has_both_approaches_staged_sides_devices_surgeons_and_languages(cohort: ImportBatch) -> None:
    procedures = [s for _, s in cohort.patients]
    staged = [s for s in procedures if s.second_side_date is not None]
    assert len(staged) >= 10
    for procedure in staged:
        assert procedure.side == "bilateral"
        assert procedure.second_side_date is not None
        assert 21 <= (procedure.second_side_date - procedure.surgery_date).days <= 84
        assert procedure.second_side_date <= TODAY
    assert {s.side for s in procedures} == {"left", "right", "bilateral"}
    assert len({s.device for s in procedures}) >= 4 and len({s.surgeon for s in procedures}) >= 4
    patients = [p for p, _ in cohort.patients]
    assert share(p.language == "fr" for p in patients) == pytest.approx(0.5, abs=0.2)
    assert len({p.mrn for p in patients}) == len(patients)
    assert len({(p.family_name, p.given_name) for p in patients}) > 0.9 * len(patients)
    assert any(set(p.family_name + p.given_name) & set("éèêëçôîï") for p in patients)
    by_mrn = {p.mrn: p for p in patients}
    assert all(q.language == by_mrn[q.mrn].language for q in cohort.questionnaires)
    assert {q.mode for q in cohort.questionnaires} == {"kiosk", "paper"}


def test_every_answer_is_one_the_instrument_accepts(cohort: ImportBatch) -> None:
    instruments = bundled_instruments()
    protocol = default_protocol()
    for questionnaire in cohort.questionnaires:
        instrument = instruments[questionnaire.instrument]
        assert questionnaire.instrument in protocol.timepoint(questionnaire.timepoint).instruments
        for code, value in questionnaire.answers.items():
            assert value is None or instrument.item(code).problem_with(value) is None, (code, value)
        if questionnaire.mode == "kiosk" and questionnaire.instrument == "relief":
            assert questionnaire.answers["percent"] in instrument.item("percent").kiosk_values()


def test_a_seed_always_gives_the_same_cohort(cohort: ImportBatch) -> None:
    assert generate_demo_cohort(300, SEED, today=TODAY) == cohort
    smaller = generate_demo_cohort(40, SEED, today=TODAY)
    assert smaller.patients == cohort.patients[:40]
    other = generate_demo_cohort(40, SEED + 1, today=TODAY)
    assert not {p.mrn for p, _ in other.patients} & {p.mrn for p, _ in cohort.patients}
    assert [p.birth_date for p, _ in other.patients] != [p.birth_date for p, _ in smaller.patients]


def test_demo_names_follow_sex_and_language() -> None:
    import random

    rng = random.Random(3)
    french = [demo_patient_names(rng, "F", "fr") for _ in range(400)]
    assert len(set(french)) > 300
    assert any(given in ("Hélène", "Françoise", "Élodie") for _, given in french)
    male = {given for _, given in (demo_patient_names(rng, "M", "en") for _ in range(200))}
    assert male & {"James", "John", "Robert"} and not male & {"Mary", "Marie"}


def test_the_demo_cohort_survives_a_round_trip_through_the_import_files(cohort: ImportBatch,
                                                                        tmp_path: Path) -> None:
    patients, responses = tmp_path / "patients.csv", tmp_path / "responses.csv"
    write_batch_csv(cohort, patients, responses)
    back = parse_import_files([responses, patients], today=TODAY)
    # The import format has no device, surgeon or staged date; a file without a mode column is paper.
    expected_patients = tuple((p, ProcedureDraft(s.surgery_date, s.side, s.approach)) for p, s in cohort.patients)
    assert back.patients == expected_patients
    assert back.contacts == cohort.contacts and len(cohort.contacts) == len(cohort.patients)
    expected: list[QuestionnaireDraft] = [
        QuestionnaireDraft(q.mrn, q.timepoint, q.instrument, q.answers, q.completed_on, "paper", q.language)
        for q in cohort.questionnaires
    ]
    assert list(back.questionnaires) == expected
