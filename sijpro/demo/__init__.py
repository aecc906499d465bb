"""A synthetic clinic for training, screenshots and benchmarks, loaded like any import."""

from sijpro.demo.cohort import demo_mrn, generate_demo_cohort
from sijpro.demo.names import demo_patient_names

__all__ = ["demo_mrn", "demo_patient_names", "generate_demo_cohort"]
