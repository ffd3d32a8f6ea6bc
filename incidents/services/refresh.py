"""An incident's fields and figures, recomputed from the reports that make it up.

Used by the pipeline and by every reviewer action: whatever changed which
reports belong to an incident, or a report's review state, the incident is
recomputed the same way. Nothing is saved when nothing changed, so running
the pipeline twice on a report leaves no trace (no history row, no new
`updated_at` for partners to sync).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from incidents.dedup import Figure, IncidentRecord, ReportRecord
from incidents.models import Incident, IncidentCasualty, IncidentStatus
from incidents.selectors import incident_member_reports
from incidents.services.reconcile import SourceFigure, reconcile
from incidents.webhooks.services import webhook_incident_refreshed  # webhooks
from reports.choices import CasualtyScope, ReportStatus
from reports.history import create_many_recorded, delete_recorded, save_many_recorded
from reports.models import Report, User

COORDINATE_STEP = Decimal("0.000001")
INCIDENT_FIELDS = (
    "category_id",
    "occurred_from",
    "occurred_to",
    "time_precision",
    "admin1_id",
    "admin2_id",
    "place_name",
    "latitude",
    "longitude",
    "geo_precision",
    "title",
    "perpetrator",
    "service",
    "restored_at",
    "report_count",
    "source_count",
    "sources_disagree",
    "first_reported_at",
    "status",
    "verified_by_id",
    "verified_at",
)


def source_key(report: Report) -> str:
    """Which reports count as one source: the same monitor citing the same kind of source.

    Who the source is stays in the confidential notes, which the pipeline
    never reads; a monitor filing twice from the same kind of source (two
    updates from one witness, one news outlet read twice) is counted once.
    """
    return f"{report.monitor_id}:{report.source_type}"


def report_record(
    report: Report, *, figures: bool = True, figure_rows: Iterable[tuple[str, str, int, int]] | None = None
) -> ReportRecord:
    """The matcher's view of a stored report: incident-scope figures only.

    `figures=False` leaves them out (no query for the casualties): enough to
    compute the report's block, which the locks are taken for. `figure_rows`:
    its incident-scope figures as the caller read them
    (`selectors.report_incident_figures`), instead of `report.casualties`.
    """
    if figure_rows is not None:
        incident_figures = tuple(Figure(kind=k, group=g, low=low, high=high) for k, g, low, high in figure_rows)
    else:
        incident_figures = tuple(
            Figure(kind=row.kind, group=row.group, low=row.low, high=row.high)
            for row in (report.casualties.all() if figures else ())
            if row.scope == CasualtyScope.INCIDENT
        )
    return ReportRecord(
        id=str(report.pk),
        category=report.category_id,
        occurred_from=report.occurred_at,
        occurred_to=report.occurred_until,
        time_precision=report.time_precision,
        admin1=report.admin1_id,
        admin2=report.admin2_id,
        place_name=report.place_name,
        latitude=float(report.latitude) if report.latitude is not None else None,
        longitude=float(report.longitude) if report.longitude is not None else None,
        geo_precision=report.geo_precision,
        title=report.title,
        narrative=report.narrative,
        figures=incident_figures,
        perpetrator=report.perpetrator,
        language=report.language,
    )


def incident_record(incident_id: object, members: list[Report]) -> IncidentRecord:
    return IncidentRecord.from_reports(str(incident_id), [report_record(r) for r in members])


def source_figures(members: list[Report]) -> list[SourceFigure]:
    return [
        SourceFigure(
            report_id=str(report.pk),
            source=source_key(report),
            kind=row.kind,
            group=row.group,
            low=row.low,
            high=row.high,
            reliability=report.source_reliability,
            credibility=report.info_credibility,
            verified=report.status == ReportStatus.VERIFIED,
            order=position,
            scope=row.scope,
        )
        for position, report in enumerate(members)
        for row in report.casualties.all()
    ]


def mark_verified(incident: Incident, *, by_id: int | None, at: datetime | None) -> bool:
    """The one verification of an incident: unverified → verified, by whom and since when (the caller saves).

    Returns whether it changed. Called when a verified report is among its
    members (`incident_refresh`), when a reviewer verifies it directly
    (`incident_verify`) and when it absorbs a verified incident
    (`transitions.absorb`).
    """
    if incident.status != IncidentStatus.UNVERIFIED:
        return False
    incident.status = IncidentStatus.VERIFIED
    incident.verified_by_id, incident.verified_at = by_id, at or timezone.now()
    return True


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(COORDINATE_STEP)


def incident_refresh(
    incident: Incident, *, by: User | None = None, reason: str = "recomputed from its reports"
) -> bool:
    """Recompute one incident (locked by the caller) from its reports; returns whether anything changed.

    `incidents_refresh` of one: every path recomputes the same way.
    """
    return bool(incidents_refresh([incident], by=by, reason=reason))


def incidents_refresh(
    incidents: list[Incident],
    *,
    by: User | None = None,
    reason: str | Mapping[str, str] = "recomputed from its reports",
    known_members: Mapping[object, list[Report]] | None = None,
) -> set[object]:
    """Recompute incidents (locked by the caller) from their reports; returns the ids of those that changed.

    The published fields (time window, place, coordinates, category, title,
    perpetrator, counts) come from `published_members`: once any report is
    verified, only the verified ones — partners must never read the words or
    places of an unverified report (invariant 6), and the figures follow the
    same rule (`reconcile.reconcile`, keeping reviewers' overrides). A title
    or perpetrator a reviewer wrote (`title_by_reviewer`,
    `perpetrator_by_reviewer`) is never recomputed (invariant 5). A live unverified incident becomes verified as
    soon as one of its reports is verified (the reviewer of the first one is
    recorded). Merged and withdrawn incidents keep their state. Rejected
    reports are not members.

    However many incidents: one read of their members (with figures), one of
    their figure rows, and each kind of write once (incidents, new, changed
    and removed figure rows, with their history). Nothing is saved when
    nothing changed. `reason`: one for all, or one per incident (by its id as text).

    `known_members` (incident id → its members, in `incident_member_reports`'
    order, with their category and figures): incidents whose members the caller
    holds already and vouches for — those it created in this transaction and
    filled itself, which no one else can see yet — are not read again.
    """
    if not incidents:
        return set()
    ids = [incident.pk for incident in incidents]
    known = known_members or {}
    members_of: dict[object, list[Report]] = {pk: list(known[pk]) if pk in known else [] for pk in ids}
    unknown = [pk for pk in ids if pk not in known]
    if unknown:
        for member in incident_member_reports(incident_ids=unknown):
            members_of[member.incident_id].append(member)
    rows_of: dict[object, dict[tuple[str, str], IncidentCasualty]] = {pk: {} for pk in ids}
    for row in IncidentCasualty.objects.filter(incident_id__in=ids):
        rows_of[row.incident_id][(row.kind, row.group)] = row
    changed_ids: set[object] = set()
    changed_incidents: list[Incident] = []
    figures = _FigureWrites()
    status_before: dict[object, str] = {}  # webhooks: verified or updated
    for incident in incidents:
        members = members_of[incident.pk]
        before = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
        status_before[incident.pk] = incident.status
        if members:
            _apply_summary(incident, published_members(members))
        else:
            incident.report_count = incident.source_count = 0
            incident.sources_disagree = False
        any_verified = any(r.status == ReportStatus.VERIFIED for r in members)
        figures_changed, disagree = _apply_figures(
            incident, rows_of[incident.pk], source_figures(members), any_verified=any_verified, writes=figures
        )
        incident.sources_disagree = disagree
        if any_verified:
            first = next(r for r in members if r.status == ReportStatus.VERIFIED)
            mark_verified(incident, by_id=first.reviewed_by_id, at=first.reviewed_at)
        changed = any(getattr(incident, name) != value for name, value in before.items())
        if changed or figures_changed:
            changed_incidents.append(incident)
            changed_ids.add(incident.pk)

    # Figure rows reference their incident: the incidents are written first (a new one exists already).
    def why(incident_id: object) -> str:
        return reason if isinstance(reason, str) else reason[str(incident_id)]

    save_many_recorded(changed_incidents, by=by, reasons=[why(i.pk) for i in changed_incidents], fields=INCIDENT_FIELDS)
    figures.write(by=by, why=why)
    for incident in changed_incidents:
        webhook_incident_refreshed(incident=incident, status_before=status_before[incident.pk])  # webhooks
    return changed_ids


class _FigureWrites:
    """The figure rows a refresh creates, changes and removes, written together."""

    def __init__(self) -> None:
        self.created: list[IncidentCasualty] = []
        self.changed: list[IncidentCasualty] = []
        self.removed: list[IncidentCasualty] = []

    def write(self, *, by: User | None, why: Callable[[object], str]) -> None:
        for row in self.removed:
            delete_recorded(row, by=by, reason=why(row.incident_id))
        reasons = [why(row.incident_id) for row in self.changed]
        save_many_recorded(self.changed, by=by, reasons=reasons, fields=["low", "best", "high", "method"])
        create_many_recorded(self.created, by=by, reasons=[why(row.incident_id) for row in self.created])


def published_members(members: list[Report]) -> list[Report]:
    """The reports an incident's published fields are made of: the verified ones once there is any, else all.

    The same rule as the figures' (`reconcile`): as soon as a reviewer has
    verified a report, an unverified report of the same incident (perhaps
    naming a witness or a hiding place in its title) no longer shapes what
    partners read. Before that the incident is unverified and partners do not
    see it at all.
    """
    verified = [r for r in members if r.status == ReportStatus.VERIFIED]
    return verified or members


def _apply_summary(incident: Incident, members: list[Report]) -> None:
    summary = incident_record(incident.pk, members)
    incident.category_id = summary.category
    incident.occurred_from = summary.occurred_from
    incident.occurred_to = summary.occurred_to
    incident.time_precision = summary.time_precision
    incident.admin1_id = summary.admin1
    incident.admin2_id = summary.admin2
    incident.latitude = _coordinate(summary.latitude)
    incident.longitude = _coordinate(summary.longitude)
    incident.geo_precision = summary.geo_precision
    named = sorted((r for r in members if r.place_name), key=lambda r: r.geo_precision)
    incident.place_name = named[0].place_name if named else ""
    if not incident.title_by_reviewer and incident.title not in {r.title for r in members}:
        # The title stays while a report that gives it is still published (a merge or a move keeps the
        # survivor's); else the first report's.
        incident.title = members[0].title
    if not incident.perpetrator_by_reviewer:
        perpetrators = Counter(r.perpetrator.strip() for r in members if r.perpetrator.strip())
        incident.perpetrator = perpetrators.most_common(1)[0][0] if perpetrators else ""
    outage_reports = [r for r in members if r.category.is_outage]
    incident.service = outage_reports[0].category.service if outage_reports else ""
    restored = [r.outage_restored_at for r in outage_reports if r.outage_restored_at]
    incident.restored_at = max(restored) if restored else None
    incident.report_count = len(members)
    incident.source_count = len({source_key(r) for r in members})
    incident.first_reported_at = min(r.received_at for r in members)


def _apply_figures(
    incident: Incident,
    rows: dict[tuple[str, str], IncidentCasualty],
    figures: Iterable[SourceFigure],
    *,
    any_verified: bool,
    writes: _FigureWrites,
) -> tuple[bool, bool]:
    overrides = {key: row.best_override for key, row in rows.items() if row.best_override is not None}
    estimates = reconcile(figures, any_verified=any_verified, overrides=overrides)
    changed = False
    for key, estimate in estimates.items():
        row = rows.get(key)
        values = {"low": estimate.low, "best": estimate.best, "high": estimate.high, "method": estimate.method}
        if row is None:
            writes.created.append(IncidentCasualty(incident=incident, kind=key[0], group=key[1], **values))
        elif all(getattr(row, name) == value for name, value in values.items()):
            continue
        else:
            for name, value in values.items():
                setattr(row, name, value)
            writes.changed.append(row)
        changed = True
    for key, row in rows.items():
        if key not in estimates:
            writes.removed.append(row)
            changed = True
    return changed, any(e.disagree for e in estimates.values())
