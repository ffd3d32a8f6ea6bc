from .api_key import ApiKey, ApiKeyScope
from .incident import DailyAggregate, DuplicateCandidate, Incident, IncidentCasualty, IncidentStatus
from .matching import MatchDecision

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "DailyAggregate",
    "DuplicateCandidate",
    "Incident",
    "IncidentCasualty",
    "IncidentStatus",
    "MatchDecision",
]
