"""Generated test data with ground truth: incidents on the Syrian coast and the reports about them.

Pure Python, deterministic by seed. Used by the matcher's tests and quality
benchmark and by the pipeline's speed benchmark.
"""

from incidents.dedup.convert import report_record
from synthetic.coast import (
    DAMASCUS,
    DEFAULT_DAYS,
    DEFAULT_START,
    GeneratedReport,
    SyntheticIncident,
    SyntheticSet,
    generate,
)

__all__ = [
    "DAMASCUS",
    "DEFAULT_DAYS",
    "DEFAULT_START",
    "GeneratedReport",
    "SyntheticIncident",
    "SyntheticSet",
    "generate",
    "report_record",
]
