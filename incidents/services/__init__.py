"""Writes of the incidents app: the pipeline (processing, reconciliation, aggregates) and reviewers' decisions.

See docs/pipeline.md. Callers (tasks, the admin, the API, commands) use these
names; the modules behind them are free to change.
"""

from incidents.services.aggregates import aggregates_rebuild, aggregates_refresh, outages_rollup
from incidents.services.incidents import (
    IncidentActionError,
    candidate_accept,
    candidate_reject,
    incident_edit_public_text,
    incident_merge,
    incident_override_best,
    incident_split,
    incident_verify,
    incident_withdraw,
    report_move,
)
from incidents.services.processing import (
    report_claim,
    report_process,
    report_processing_failed,
    reports_claim,
    reports_process,
    reports_sweep,
)
from incidents.services.reconcile import Estimate, SourceFigure, reconcile
from incidents.services.refresh import incident_refresh, incidents_refresh

__all__ = [
    "Estimate",
    "IncidentActionError",
    "SourceFigure",
    "aggregates_rebuild",
    "aggregates_refresh",
    "candidate_accept",
    "candidate_reject",
    "incident_edit_public_text",
    "incident_merge",
    "incident_override_best",
    "incident_refresh",
    "incident_split",
    "incident_verify",
    "incident_withdraw",
    "incidents_refresh",
    "outages_rollup",
    "reconcile",
    "report_claim",
    "report_move",
    "report_process",
    "report_processing_failed",
    "reports_claim",
    "reports_process",
    "reports_sweep",
]
