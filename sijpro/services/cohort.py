"""The cohort use case: the summary of DESIGN.md for a selection of patients, as one typed result.

``report cohort`` and the desktop's cohort page both call :meth:`Cohort.summary` and print what it returns
(a frozen :class:`~sijpro.analysis.CohortSummary`); neither computes a number of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from sijpro.access import Capability, requires
from sijpro.analysis.cohort import LAST, cohort_summary
from sijpro.analysis.summary import CohortSummary
from sijpro.analysis.thresholds import Kind
from sijpro.services.context import ServiceContext
from sijpro.services.outcomes import Outcomes
from sijpro.services.protocols import Protocols
from sijpro.services.study import Study


class Cohort:
    def __init__(self, context: ServiceContext, outcomes: Outcomes, protocols: Protocols, study: Study) -> None:
        self.context = context
        self.outcomes = outcomes
        self.protocols = protocols
        self.study = study

    @requires(Capability.COHORT)
    def summary(
        self,
        where: Mapping[str, str] | None = None,
        *,
        at: str = LAST,
        thresholds: Mapping[Kind, Mapping[str, float | str]] | None = None,
        compare: str | None = None,
    ) -> CohortSummary:
        """The summary of the patients matching ``where`` (``--where`` filters), its results sentences
        speaking of ``at``; ``thresholds`` (kind -> score -> points or ``"30%"``) override the threshold
        library's defaults; ``compare`` (e.g. ``fbss``, ``site``) adds each group's summary and the tests
        between the groups. Completeness is counted today, or on a study database's data lock."""
        return cohort_summary(self.outcomes.cohort(), where=where, thresholds=thresholds,
                              protocol=self.protocols.current(), at=at,
                              today=self.study.counting_day(), compare=compare)
