"""Scoring rules against published examples and properties every answer set must keep."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijpro.instruments import get_instrument
from sijpro.scoring import SCORERS, nrs, odi, relief, satisfaction, score_answers, sf12

BEST_SF12 = {"GH1": 1, "PF02": 3, "PF04": 3, "RP2": 2, "RP3": 2, "RE2": 2, "RE3": 2,
             "BP2": 1, "MH3": 1, "VT2": 1, "MH4": 6, "SF2": 5}
WORST_SF12 = {"GH1": 5, "PF02": 1, "PF04": 1, "RP2": 1, "RP3": 1, "RE2": 1, "RE3": 1,
              "BP2": 5, "MH3": 6, "VT2": 6, "MH4": 1, "SF2": 1}


def odi_answers(values: list[int | None]) -> dict[str, int | None]:
    return {f"odi{number}": value for number, value in enumerate(values, start=1)}


class TestOdi:
    def test_published_example_16_of_50_is_32_percent(self) -> None:
        answers = odi_answers([3, 2, 2, 1, 2, 2, 1, 1, 1, 1])
        assert odi.score(answers)["odi"] == pytest.approx(32.0)

    def test_one_section_missing_divides_by_45(self) -> None:
        answers = odi_answers([3, 2, 2, 1, 2, 2, 1, None, 2, 1])
        assert odi.score(answers)["odi"] == pytest.approx(16 / 45 * 100)
        assert round(odi.score(answers)["odi"], 2) == 35.56

    def test_two_sections_missing_has_no_score_by_default(self) -> None:
        answers = odi_answers([3, 2, 2, 1, 2, 2, 1, None, None, 1])
        assert odi.score(answers)["odi"] is None

    def test_missing_allowance_is_a_parameter(self) -> None:
        answers = odi_answers([3, 2, 2, 1, 2, 2, 1, None, None, 1])
        assert odi.score(answers, max_missing=2)["odi"] == pytest.approx(14 / 40 * 100)
        assert odi.score(odi_answers([1] * 9 + [None]), max_missing=0)["odi"] is None

    def test_absent_keys_count_as_unanswered(self) -> None:
        assert odi.score({})["odi"] is None

    @pytest.mark.parametrize(("value", "band"), [
        (0, "minimal"), (20, "minimal"), (20.5, "moderate"), (40, "moderate"), (41, "severe"),
        (60, "severe"), (61, "crippled"), (80, "crippled"), (80.1, "bed-bound"), (100, "bed-bound"),
        (None, None),
    ])
    def test_bands(self, value: float | None, band: str | None) -> None:
        assert odi.band(value) == band

    def test_instrument_file_bands_agree_with_scoring_bands(self) -> None:
        spec = get_instrument("odi").score_spec("odi")
        for value in range(0, 101):
            assert spec.band_for(value).code == odi.band(value)

    @given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
    def test_index_stays_within_0_and_100(self, values: list[int | None]) -> None:
        result = odi.score(odi_answers(values))["odi"]
        missing = values.count(None)
        if missing > 1:
            assert result is None
        else:
            assert result is not None
            assert 0.0 <= result <= 100.0

    @given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10),
           st.integers(0, 9), st.integers(0, 5))
    def test_index_never_falls_when_a_section_worsens(
        self, values: list[int | None], section: int, new_value: int
    ) -> None:
        before = odi.score(odi_answers(values))["odi"]
        old_value = values[section]
        if before is None or old_value is None or new_value < old_value:
            return
        worse = list(values)
        worse[section] = new_value
        after = odi.score(odi_answers(worse))["odi"]
        assert after is not None
        assert after >= before


class TestSf12:
    def test_all_best_answers(self) -> None:
        result = sf12.score(BEST_SF12)
        assert result["pcs"] == pytest.approx(56.57706, abs=1e-9)
        assert result["mcs"] == pytest.approx(60.75781, abs=1e-9)

    def test_all_worst_answers(self) -> None:
        result = sf12.score(WORST_SF12)
        assert result["pcs"] == pytest.approx(23.99938, abs=1e-9)
        assert result["mcs"] == pytest.approx(19.06444, abs=1e-9)

    def test_a_known_mixed_profile(self) -> None:
        # Hand computation from the Ware 1996 table: GH1=3, PF02=2, PF04=1, RP2=1, RP3=2, RE2=2,
        # RE3=1, BP2=4, MH3=3, VT2=5, MH4=4, SF2=3.
        answers = {"GH1": 3, "PF02": 2, "PF04": 1, "RP2": 1, "RP3": 2, "RE2": 2, "RE3": 1,
                   "BP2": 4, "MH3": 3, "VT2": 5, "MH4": 4, "SF2": 3}
        pcs = 56.57706 - 3.02396 - 3.45555 - 6.24397 - 4.61617 + 2.32091 - 8.38063 + 1.36689 \
            - 2.02168 + 1.28044 - 0.18043
        mcs = 60.75781 + 0.03482 + 1.86840 + 2.68282 + 1.44060 - 5.69921 + 1.76691 - 4.09842 \
            - 4.88962 - 4.59055 - 5.63286
        result = sf12.score(answers)
        assert result["pcs"] == pytest.approx(pcs, abs=1e-9)
        assert result["mcs"] == pytest.approx(mcs, abs=1e-9)

    def test_weights_cover_exactly_the_non_reference_answers(self) -> None:
        instrument = get_instrument("sf12")
        for code in sf12.ITEMS:
            accepted = set(instrument.item(code).accepted_values())
            weighted = set(sf12.WEIGHTS[code])
            assert weighted < accepted
            assert len(accepted - weighted) == 1, f"{code} has one reference answer"
            assert BEST_SF12[code] in accepted - weighted

    @given(st.fixed_dictionaries({
        code: st.sampled_from(sorted(get_instrument("sf12").item(code).accepted_values()))
        for code in sf12.ITEMS
    }), st.sampled_from(sf12.ITEMS))
    def test_any_missing_item_leaves_both_summaries_missing(self, answers: dict[str, int], gone: str) -> None:
        complete = sf12.score(answers)
        assert complete["pcs"] is not None
        assert complete["mcs"] is not None
        for index, constant, name in ((0, sf12.PCS_CONSTANT, "pcs"), (1, sf12.MCS_CONSTANT, "mcs")):
            low = constant + sum(min(0.0, *(w[index] for w in sf12.WEIGHTS[c].values())) for c in sf12.ITEMS)
            high = constant + sum(max(0.0, *(w[index] for w in sf12.WEIGHTS[c].values())) for c in sf12.ITEMS)
            assert low <= complete[name] <= high
        partial = dict(answers, **{gone: None})
        assert sf12.score(partial) == {"pcs": None, "mcs": None}
        del partial[gone]
        assert sf12.score(partial) == {"pcs": None, "mcs": None}


class TestSmallInstruments:
    @given(st.one_of(st.none(), st.integers(0, 10)), st.one_of(st.none(), st.integers(0, 10)))
    def test_nrs_scores_are_the_answers(self, lumbar: int | None, radicular: int | None) -> None:
        result = nrs.score({"lumbar": lumbar, "radicular": radicular})
        assert result["lumbar"] == (None if lumbar is None else float(lumbar))
        assert result["radicular"] == (None if radicular is None else float(radicular))
        for value in result.values():
            assert value is None or 0 <= value <= 10

    @pytest.mark.parametrize(("overall", "satisfied"), [(1, 1.0), (2, 1.0), (3, 0.0), (4, 0.0)])
    def test_satisfied_means_the_top_two_levels(self, overall: int, satisfied: float) -> None:
        assert satisfaction.score({"overall": overall, "would_repeat": 2}) == {
            "overall": float(overall), "satisfied": satisfied}

    def test_unanswered_satisfaction_and_relief(self) -> None:
        assert satisfaction.score({"would_repeat": 1}) == {"overall": None, "satisfied": None}
        assert relief.score({}) == {"percent": None, "worse": None}
        assert relief.score({"percent": 70}) == {"percent": 70.0, "worse": 0.0}
        assert relief.score({"percent": 70, "worse": 0}) == {"percent": 70.0, "worse": 0.0}

    def test_relief_worse_than_before_surgery_scores_no_relief(self) -> None:
        assert relief.score({"percent": None, "worse": 1}) == {"percent": 0.0, "worse": 1.0}
        assert relief.score({"worse": 1}) == {"percent": 0.0, "worse": 1.0}
        assert relief.score({"worse": 0}) == {"percent": None, "worse": 0.0}


def test_every_instrument_file_has_a_scorer_with_the_same_score_names() -> None:
    for instrument_id, module in SCORERS.items():
        instrument = get_instrument(instrument_id)
        assert instrument.score_names == module.SCORE_NAMES
        assert module.SCORING_VERSION
        assert module.__doc__ and len(module.__doc__) > 80, "each scorer cites its source"


def test_score_answers_stamps_the_version() -> None:
    result = score_answers("odi", odi_answers([1] * 10))
    assert result.values == {"odi": 20.0}
    assert result.version == odi.SCORING_VERSION


@pytest.mark.parametrize("total", range(0, 51))
def test_odi_whole_percentages_are_stored_without_float_crumbs(total: int) -> None:
    values = [min(5, max(0, total - 5 * section)) for section in range(10)]
    assert sum(values) == total
    assert odi.score(odi_answers(values))["odi"] == total * 2
