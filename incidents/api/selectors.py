"""The querysets of the API, scoped by the caller's role *before* any filter applies.

A filter can only narrow what these return. Whatever is outside a caller's
scope does not exist for it: fetching it is the same 404 as a missing id.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from incidents.api.permissions import Viewer
from incidents.models import TOMBSTONE_STATUSES, DailyAggregate, Incident, IncidentCasualty, IncidentStatus
from reports.models import Report

# What partners (and monitors) see of incidents: verified ones, and the tombstones
# of once-verified incidents since merged or withdrawn, so an incremental sync
# learns to drop or replace them. An incident never verified is never shown.
PUBLISHED_INCIDENTS = Q(status=IncidentStatus.VERIFIED) | Q(status__in=TOMBSTONE_STATUSES, verified_at__isnull=False)


def reports_visible(*, viewer: Viewer | None, user) -> QuerySet[Report]:
    """A monitor's own reports; every report for reviewers; nothing for anyone else."""
    reports = Report.objects.select_related("category", "admin1", "admin2").prefetch_related("casualties")
    if viewer == Viewer.REVIEWER:
        return reports
    if viewer == Viewer.MONITOR:
        return reports.filter(monitor=user)
    return reports.none()


def incidents_visible(*, viewer: Viewer | None) -> QuerySet[Incident]:
    incidents = Incident.objects.select_related("category", "admin1", "admin2").prefetch_related(
        Prefetch("casualties", queryset=IncidentCasualty.objects.order_by("kind", "group"))
    )
    if viewer == Viewer.REVIEWER:
        return incidents
    if viewer in (Viewer.PARTNER, Viewer.MONITOR):
        return incidents.filter(PUBLISHED_INCIDENTS)
    return incidents.none()


def aggregates_visible(*, viewer: Viewer | None) -> QuerySet[DailyAggregate]:
    """Partners' rows count verified incidents only; reviewers also get the unverified rows, marked."""
    rows = DailyAggregate.objects.select_related("admin1", "admin2", "category")
    if viewer == Viewer.REVIEWER:
        return rows
    if viewer in (Viewer.PARTNER, Viewer.MONITOR):
        return rows.filter(verified=True)
    return rows.none()
