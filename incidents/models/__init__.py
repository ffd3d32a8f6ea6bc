from .api_key import ApiKey, ApiKeyScope
from .incident import (
    LIVE_STATUSES,
    TOMBSTONE_STATUSES,
    DailyAggregate,
    DuplicateCandidate,
    Incident,
    IncidentCasualty,
    IncidentStatus,
)
from .matching import MatchDecision, MatcherModel

__all__ = [
    "LIVE_STATUSES",
    "TOMBSTONE_STATUSES",
    "ApiKey",
    "ApiKeyScope",
    "DailyAggregate",
    "DuplicateCandidate",
    "Incident",
    "IncidentCasualty",
    "IncidentStatus",
    "MatchDecision",
    "MatcherModel",
]
