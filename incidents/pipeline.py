"""The pipeline behind `reports/pipeline.py`: what the `reports` app asks of incidents, on `incidents.services`.

Registered by `incidents/apps.py`; `reports` calls these by name and never
imports `incidents`.
"""

from __future__ import annotations

from typing import cast

from incidents.models import Incident
from incidents.services.aggregates import AggregateTracker
from incidents.services.locks import lock_areas, report_spans
from incidents.services.processing import ReportId, report_hand_back, reports_hand_back
from incidents.services.refresh import incident_refresh
from reports.choices import HandBack, ReviewDecisionKind
from reports.models import Report, User


class IncidentPipeline:
    def hand_back(self, *, report_id: object, reason: str) -> None:
        # `reports.pipeline` declares the id as `object` (it never imports incidents); it is always a report's pk.
        report_hand_back(report_id=cast(ReportId, report_id), reason=reason)

    def hand_back_many(self, *, report_ids: list[object], reason: str) -> None:
        reports_hand_back(report_ids=cast(list[ReportId], report_ids), reason=reason)

    def lock_for_review(self, *, report: Report) -> None:
        """The area locks of the report's block and of its incident (`locks.py`), before the review locks any row."""
        fresh = Report.objects.select_related("incident").filter(pk=report.pk).first()
        if fresh is not None:
            lock_areas(report_spans(fresh))

    def report_reviewed(self, *, report: Report, decision: str, by: User) -> None:
        """What a review decision means for incidents, in the review's transaction.

        Verified: its incident (if the pipeline has placed the report) is
        recomputed now — it becomes verified, its figures follow the verified
        reports and the daily aggregates count it as verified before the
        review commits. Rejected, or verified before the pipeline placed it:
        handed back, and the pipeline takes it out of its incident or places it.
        """
        if decision == ReviewDecisionKind.VERIFY and report.incident_id is not None:
            incident = (
                Incident.objects.select_for_update(of=("self",)).select_related("category").get(pk=report.incident_id)
            )
            tracker = AggregateTracker()
            tracker.watch(incident)
            incident_refresh(incident, by=by, reason="verified with one of its reports")
            tracker.apply()
        elif decision in (ReviewDecisionKind.VERIFY, ReviewDecisionKind.REJECT):
            report_hand_back(report_id=report.pk, reason=HandBack.REVIEWED)
