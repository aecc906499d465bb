"""Data in and out of SIJ-PRO: CSV scoring, CSV import/export, REDCap and FHIR."""
