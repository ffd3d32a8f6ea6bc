"""The pipeline as the `reports` app sees it: three calls, provided by the `incidents` app.

`reports` never imports `incidents` (the dependency goes one way:
`tests/test_architecture.py` keeps it). What a report's life asks of the
background pipeline goes through this one interface instead, which
`incidents/apps.py` registers at start-up (`incidents/pipeline.py` implements
it on `incidents.services`):

- `hand_back(report_id=…, reason=…)`: the report waits (again) for the
  pipeline, for the reason given (`reports.choices.HandBack`): stored, amended
  by its monitor, reviewed. Called inside the caller's transaction; the work
  is enqueued after commit, and the report is marked pending in PostgreSQL
  (the sweeper's record), so a broker that is down loses nothing.
- `hand_back_many(report_ids=…, reason=…)`: the same for a batch of reports
  (a bulk import's), with a few statements and messages for the whole batch.
- `lock_for_review(report=…)`: taken before a review locks the report's row,
  so that the review takes its locks in the same order as the pipeline and the
  reviewers' decisions on incidents (area locks first), and none of them can
  deadlock another.
- `report_reviewed(report=…, decision=…, by=…)`: inside the review's
  transaction, after the report's new state is saved: the pipeline applies
  what the decision means for incidents (a verified report verifies its
  incident, and the figures and the daily aggregates follow in the same
  transaction; a rejected report is handed back to leave its incident).

A plain registry rather than signals: one implementation, called by name, and
an error at the first call when none is registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from reports.models import Report, User


class Pipeline(Protocol):
    def hand_back(self, *, report_id: object, reason: str) -> None: ...

    def hand_back_many(self, *, report_ids: list[object], reason: str) -> None: ...

    def lock_for_review(self, *, report: Report) -> None: ...

    def report_reviewed(self, *, report: Report, decision: str, by: User) -> None: ...


_registered: Pipeline | None = None


def register(pipeline: Pipeline) -> None:
    """Install the pipeline (once, from an AppConfig's `ready`)."""
    global _registered
    _registered = pipeline


def pipeline() -> Pipeline:
    if _registered is None:
        raise ImproperlyConfigured(
            "No pipeline is registered: add 'incidents' to INSTALLED_APPS (incidents/apps.py registers it)."
        )
    return _registered


def hand_back(*, report_id: object, reason: str) -> None:
    pipeline().hand_back(report_id=report_id, reason=reason)


def hand_back_many(*, report_ids: list[object], reason: str) -> None:
    pipeline().hand_back_many(report_ids=report_ids, reason=reason)


def lock_for_review(*, report: Report) -> None:
    pipeline().lock_for_review(report=report)


def report_reviewed(*, report: Report, decision: str, by: User) -> None:
    pipeline().report_reviewed(report=report, decision=decision, by=by)
