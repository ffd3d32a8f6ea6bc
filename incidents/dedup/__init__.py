"""Deduplication: does a new report describe an incident already registered?

Pure Python, no Django: the pipeline (`incidents.services`) turns reports and
incidents into the records below, asks `block_for` which incidents to fetch,
and `score_candidates` how likely each is the report's event. See docs/matching.md.
"""

from incidents.dedup.blocking import (
    COMPATIBLE_CATEGORIES,
    TIME_TOLERANCE,
    Block,
    block_contains,
    block_for,
    compatible_categories,
)
from incidents.dedup.geo import NEIGHBOUR_KM, neighbouring_districts
from incidents.dedup.records import Figure, IncidentRecord, ReportRecord
from incidents.dedup.scoring import CANDIDATE, JOIN, NEW, Match, score_candidates, score_pair
from incidents.dedup.weights import CANDIDATE_THRESHOLD, JOIN_THRESHOLD

__all__ = [
    "CANDIDATE",
    "CANDIDATE_THRESHOLD",
    "COMPATIBLE_CATEGORIES",
    "JOIN",
    "JOIN_THRESHOLD",
    "NEIGHBOUR_KM",
    "NEW",
    "TIME_TOLERANCE",
    "Block",
    "Figure",
    "IncidentRecord",
    "Match",
    "ReportRecord",
    "block_contains",
    "block_for",
    "compatible_categories",
    "neighbouring_districts",
    "score_candidates",
    "score_pair",
]
