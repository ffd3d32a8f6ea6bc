"""Deduplication: does a new report describe an incident already registered?

Pure Python, no Django: the pipeline (`incidents.services`) turns reports and
incidents into the records below, asks `block_for` which incidents to fetch,
`score_candidates` how likely each is the report's event, and `resolve_block`
which fragments of a block are one event, all with a `MatchModel` (the shipped
`default_model()` or a register's own, learned by `em.train_em` and
`calibration.calibrate`). See docs/matching.md.
"""

from incidents.dedup.blocking import (
    COMPATIBLE_CATEGORIES,
    TIME_TOLERANCE,
    Block,
    block_contains,
    block_for,
    compatible_categories,
)
from incidents.dedup.collective import Candidate, Merge, PairCache, Resolution, resolve_block
from incidents.dedup.geo import NEIGHBOUR_KM, neighbouring_districts
from incidents.dedup.model import MatchModel, default_model, load_model
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
    "Candidate",
    "Figure",
    "IncidentRecord",
    "Match",
    "MatchModel",
    "Merge",
    "PairCache",
    "ReportRecord",
    "Resolution",
    "block_contains",
    "block_for",
    "compatible_categories",
    "default_model",
    "load_model",
    "neighbouring_districts",
    "resolve_block",
    "score_candidates",
    "score_pair",
]
