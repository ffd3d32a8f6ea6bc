from .api_key import ApiKey, ApiKeyScope
from .incident import DailyAggregate, DuplicateCandidate, Incident, IncidentCasualty, IncidentStatus

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "DailyAggregate",
    "DuplicateCandidate",
    "Incident",
    "IncidentCasualty",
    "IncidentStatus",
]
