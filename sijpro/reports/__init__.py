"""Patient trajectory and cohort summary PDFs (reportlab, vector charts, embedded DejaVu fonts).

Pure functions of the plain records: ``patient_pdf(outcomes, ...)`` and ``cohort_pdf(summary, ...)``
return bytes, the same bytes for the same input.
"""

from sijpro.reports.cohort import cohort_pdf
from sijpro.reports.document import PAGE_SIZES
from sijpro.reports.patient import patient_pdf

__all__ = ["PAGE_SIZES", "cohort_pdf", "patient_pdf"]
