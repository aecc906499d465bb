"""SIJ-PRO's Qt layer: thin PySide6 views over ``sijpro.services``."""
