"""The cohort summary of DESIGN.md ("Cohort summary JSON"): the numbers behind the studies' tables.

The dict returned is the JSON contract (``report cohort --json``) and what the cohort PDF prints:

- ``n_patients``: patients after the ``where`` filters.
- ``baseline``: ``age`` (at the index surgery), ``bmi``, ``prior_lumbar_surgeries`` as ``{n, mean, sd,
  median, min, max}``; ``female``, ``fbss``, ``bilateral``, ``prior_lumbosacral_fusion`` and each prior
  intervention code (``SCS``, ``ISS``, ``IDDS``, ``MILD``, ``RFA``, ``INJ``) as ``{n, pct}``. The
  percentage is of the patients for whom the field is known (sex recorded, FBSS answered, an index
  surgery with its side); prior interventions count among the patients whose interventions are known.
- ``outcomes``: ``"<instrument>.<score>"`` of every score collected at baseline -> every timepoint of
  the protocol and ``last`` -> ``{n, mean, sd, median, min, max}``; follow-ups (``last`` included) add
  ``{n_paired, mean_change, pct_change_of_means, mean_pct_change, p_ttest, p_wilcoxon, mcid_n,
  mcid_pct}`` on the patients with both values. Every timepoint is present, with n 0 and nulls when
  nobody has the score there, so tools can rely on the shape.
- ``satisfaction``: every follow-up timepoint and ``last`` -> ``{n, satisfied_n, satisfied_pct}`` and
  the count of each answer (``very_satisfied``, ``satisfied``, ``disappointed``, ``dissatisfied``).
- ``relief``: every follow-up timepoint and ``last`` -> ``{n, mean, sd, ge30, ge50, ge80}``, the
  thresholds as ``{n, pct}`` of n.
- ``follow_up_days``: index surgery to the latest completed follow-up, ``{n, mean, sd, min, max}``.
- ``complications``: patients with any, by kind and reoperated, as ``{n, pct, ci95}`` of the cohort;
  ``success``: INSITE-style success per follow-up (``sijpro.analysis.complications``).

``last`` is, per score and per patient, the latest completed follow-up at which that score exists
(see :func:`sijpro.analysis.trajectory.latest_with_score`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sijpro.analysis.compare import OWN_VARIABLE, group_tests, split
from sijpro.analysis.completeness import all_columns, completeness, lost_vs_followed
from sijpro.analysis.complications import SUCCESS_SCORE, complications_table, success_table
from sijpro.analysis.descriptive import describe, paired_comparison, proportion
from sijpro.analysis.filters import normalise_where, select
from sijpro.analysis.groups import baseline_table
from sijpro.analysis.model import mixed_model
from sijpro.analysis.scores import (
    RELIEF,
    RELIEF_WORSE,
    SATISFACTION_LEVEL,
    SATISFIED,
    baseline_score_keys,
    satisfaction_levels,
    score_spec,
)
from sijpro.analysis.summary import CohortSummary
from sijpro.analysis.thresholds import Kind, Threshold, choose
from sijpro.analysis.trajectory import latest_with_score
from sijpro.errors import UserError
from sijpro.protocol import BASELINE, Protocol, default_protocol
from sijpro.records import PatientOutcomes

LAST = "last"
RELIEF_THRESHOLDS = (30, 50, 80)

Values = dict[str, dict[int, float]]
"""timepoint (and ``last``) -> patient (position in the list) -> value, for one score."""


def cohort_summary(
    outcomes: Sequence[PatientOutcomes],
    *,
    where: Mapping[str, str] | None = None,
    mcid: Mapping[str, float | str] | None = None,
    protocol: Protocol | None = None,
    at: str = LAST,
    thresholds: Mapping[Kind, Mapping[str, float | str]] | None = None,
    today: dt.date | None = None,
    compare: str | None = None,
) -> CohortSummary:
    """The summary of DESIGN.md for the patients matching ``where``; ``thresholds`` (kind -> score ->
    points or ``"30%"``) and its shorthand ``mcid`` override the threshold library's defaults, and ``at``
    names the timepoint the results sentences speak of (a follow-up code or ``last``); ``today`` is the day
    the completeness is counted on (default: the computer's date); ``compare`` (a ``--where`` key such as
    ``fbss`` or ``site``) adds the summary of each of its groups and the tests between them.

    A pure function of the records: the same patients give the same summary, with or without a database.
    """
    protocol = protocol or default_protocol()
    keys = baseline_score_keys(protocol)
    chosen = choose(keys, {**(thresholds or {}), **({"mcid": mcid} if mcid else {})})
    filters = normalise_where(where or {})
    follow_ups = [tp.code for tp in protocol.timepoints if tp.code != BASELINE]
    if at not in (*follow_ups, LAST):
        raise UserError(f"--at {at}: expected a follow-up timepoint ({', '.join(follow_ups)}) or {LAST}")
    patients = select(outcomes, filters)
    day = today or dt.date.today()
    collected_keys = (*keys, SATISFACTION_LEVEL, SATISFIED, RELIEF, RELIEF_WORSE)
    values = _collect(patients, collected_keys, protocol.codes)
    states = all_columns(patients, day)
    comparison = None
    if compare is not None:
        groups = split(patients, compare)
        comparison = {
            "key": compare,
            "groups": {value: cohort_summary(group, where={**filters, compare: value}, protocol=protocol, at=at,
                                             thresholds=thresholds, mcid=mcid, today=day).as_dict()
                       for value, group in groups.items()},
            "tests": group_tests(
                groups, {value: _collect(group, collected_keys, protocol.codes) for value, group in groups.items()},
                (*protocol.codes, LAST), {key: (score_spec(key).better, chosen[key]) for key in keys},
                relief_thresholds=RELIEF_THRESHOLDS, satisfied_key=SATISFIED, relief_key=RELIEF,
                own=OWN_VARIABLE.get(compare)),
        }
    return CohortSummary(
        n_patients=len(patients),
        filters=filters,
        at=at,
        baseline=baseline_table(patients),
        outcomes={key: _outcome(values[key], protocol.codes, key, chosen[key]) for key in keys},
        satisfaction={
            tp: _satisfaction(values[SATISFACTION_LEVEL][tp], values[SATISFIED][tp]) for tp in (*follow_ups, LAST)
        },
        relief={tp: _relief(values[RELIEF][tp], values[RELIEF_WORSE][tp]) for tp in (*follow_ups, LAST)},
        follow_up_days=describe(_follow_up_days(patients), quartiles=True),
        completeness=completeness(states, protocol, patients),
        lost_vs_followed=lost_vs_followed(patients, states, at),
        model={key: mixed_model(values[key], protocol.codes) for key in keys},
        complications=complications_table(patients),
        success=success_table(patients, follow_ups, chosen.get(SUCCESS_SCORE, {}).get("mcid")),
        protocol=protocol,
        day=day,
        n_total=len(outcomes),
        all_sites=tuple(sorted({o.patient.site for o in outcomes if o.patient.site})),
        sexes=sex_counts(patients),
        versions=scoring_versions(patients),
        thresholds={key: {kind: t.as_json() if t else None for kind, t in kinds.items()}
                    for key, kinds in chosen.items()},
        chosen=chosen,
        compare=comparison,
    )


def sex_counts(outcomes: Sequence[PatientOutcomes], where: Mapping[str, str] | None = None) -> dict[str, dict]:
    """Female (F), male (M) and other (X) as ``{n, pct}`` of the selected patients whose sex is known.

    Seed 003's Table 1 has a row for each sex; the summary JSON of DESIGN.md counts only ``female`` (with
    this denominator), so the tables take the other rows from here and the JSON stays as agreed.
    """
    sexes = [o.patient.sex for o in select(outcomes, where) if o.patient.sex is not None]
    return {code: proportion(sexes.count(code), len(sexes)) for code in ("F", "M", "X")}


def _collect(patients: Sequence[PatientOutcomes], keys: tuple[str, ...], codes: tuple[str, ...]) -> dict[str, Values]:
    """One pass over the records, so 10,000 patients take well under a second."""
    collected: dict[str, Values] = {key: {code: {} for code in (*codes, LAST)} for key in keys}
    for pid, outcomes in enumerate(patients):
        for outcome in outcomes.timepoints:
            for key, value in outcome.scores.items():
                if value is not None and key in collected and outcome.timepoint in collected[key]:
                    collected[key][outcome.timepoint][pid] = value
        for key in keys:
            latest = latest_with_score(outcomes, key)
            if latest is not None:
                collected[key][LAST][pid] = latest[1]
    return collected


def _outcome(values: Values, codes: tuple[str, ...], key: str, thresholds: Mapping[Kind, Threshold | None]) -> dict:
    baseline = values[BASELINE]
    better = score_spec(key).better
    table: dict = {}
    for code in (*codes, LAST):
        at = values[code]
        cell = describe(list(at.values()))
        if code != BASELINE:
            paired = [pid for pid in at if pid in baseline]
            cell.update(paired_comparison(
                [baseline[pid] for pid in paired], [at[pid] for pid in paired], better=better, thresholds=thresholds
            ))
        table[code] = cell
    return table


def _satisfaction(levels: Mapping[int, float], satisfied: Mapping[int, float]) -> dict:
    count = sum(1 for value in satisfied.values() if value >= 1)
    share = proportion(count, len(satisfied), interval=True)
    cell: dict = {"n": len(satisfied), "satisfied_n": count, "satisfied_pct": share["pct"],
                  "satisfied_ci95": share["ci95"]}
    answers = list(levels.values())
    for value, name in satisfaction_levels():
        cell[name] = answers.count(value)
    return cell


def _relief(percent: Mapping[int, float], worse: Mapping[int, float]) -> dict:
    """Relief of the patients who answered it; ``worse`` (pain worse than before surgery, scored as 0 %
    relief) counts among them."""
    values = list(percent.values())
    summary = describe(values)
    cell: dict = {"n": summary["n"], "mean": summary["mean"], "sd": summary["sd"]}
    for threshold in RELIEF_THRESHOLDS:
        cell[f"ge{threshold}"] = proportion(sum(1 for v in values if v >= threshold), len(values), interval=True)
    cell["worse"] = proportion(sum(1 for pid in percent if worse.get(pid) == 1), len(values), interval=True)
    return cell


def _follow_up_days(patients: Sequence[PatientOutcomes]) -> list[int]:
    days = []
    for o in patients:
        last = o.last_follow_up()
        if o.index_procedure is not None and last is not None and last.completed_on is not None:
            days.append((last.completed_on - o.index_procedure.surgery_date).days)
    return days


def scoring_versions(outcomes: Sequence[PatientOutcomes]) -> tuple[str, ...]:
    """Every scoring version behind the numbers, for the report footer (re-scoring stays traceable)."""
    return tuple(sorted({v for o in outcomes for tp in o.timepoints for v in tp.versions.values()}))
