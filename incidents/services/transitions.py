"""The transitions of incidents, each written once: every path (the pipeline, reviewers' actions, the review
workflow through `incidents/pipeline.py`) calls these and nothing else changes an incident's state or which
incident a report belongs to.

- `new_incident_for`: a report starts an incident of its own (`unsaved_incident_for` + `create_incidents`,
  the bulk form the batch pipeline uses).
- `place` / `detach`: a report goes into an incident (pinned when a reviewer put it there) or out of it
  (`place_many`: a batch's placements in one update and one history insert; `place` is one of them).
- `mark_verified` (`refresh.py`, which applies it when a member is verified): an unverified incident becomes
  verified (by whom, since when).
- `absorb`: one incident becomes a tombstone merged into another, taking along everything partners and
  reviewers rely on: its reports, its duplicate candidates, earlier tombstones pointing at it, a reviewer's
  figure overrides, a title or perpetrator a reviewer wrote (a redaction), its verification.
- `retire_if_empty`: an incident left with no report is absorbed into where its report went, or withdrawn.

They run inside the caller's transaction, under the caller's locks (`locks.py`, and the incidents' rows), and
record who and why in the history (`reports/history.py`). The caller watches the incidents with an
`AggregateTracker` before calling and applies it after, so the daily aggregates follow in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from incidents.models import LIVE_STATUSES, DuplicateCandidate, Incident, IncidentCasualty, IncidentStatus
from incidents.selectors import incident_member_reports
from incidents.services.refresh import incident_refresh, incidents_refresh, mark_verified
from incidents.webhooks.services import webhook_events_record  # webhooks
from reports.history import create_many_recorded, delete_recorded, save_many_recorded, save_recorded
from reports.models import Report, User


def unsaved_incident_for(report: Report) -> Incident:
    """The incident a report would start, not yet stored (the batch pipeline decides on it in memory first)."""
    incident = Incident(
        category_id=report.category_id,
        occurred_from=report.occurred_at,
        admin1_id=report.admin1_id,
        admin2_id=report.admin2_id,
        title=report.title,
    )
    incident.category = report.category
    return incident


def create_incidents(incidents: list[Incident], *, by: User | None, reason: str) -> None:
    """Store new incidents (from `unsaved_incident_for`) and their history, all at once."""
    create_many_recorded(incidents, by=by, reasons=reason)


def new_incident_for(report: Report, *, by: User | None, reason: str) -> Incident:
    """A new incident for a report (not yet placed in it; `place` does that), saved and fresh."""
    incident = unsaved_incident_for(report)
    create_incidents([incident], by=by, reason=reason)
    return Incident.objects.select_related("category").get(pk=incident.pk)


def place(report: Report, incident: Incident, *, by: User | None, reason: str, pin: bool) -> None:
    """The report belongs to `incident`; `pin=True` when a reviewer put it there (the pipeline never moves it)."""
    place_many([(report, incident, reason)], by=by, pin=pin)


def place_many(placements: list[tuple[Report, Incident, str]], *, by: User | None, pin: bool) -> None:
    """Each report belongs to its incident, for its reason: one update and one history insert for them all."""
    for report, incident, _reason in placements:
        report.incident = incident
        report.incident_pinned = pin or report.incident_pinned
    save_many_recorded(
        [report for report, _, _ in placements],
        by=by,
        reasons=[reason for _, _, reason in placements],
        fields=["incident", "incident_pinned"],
    )


def detach(report: Report, *, by: User | None, reason: str) -> None:
    report.incident = None
    report.incident_pinned = False
    save_recorded(report, by=by, reason=reason, fields=["incident", "incident_pinned"])


def absorb(*, absorbed: Incident, target: Incident, by: User | None, reason: str, pin: bool) -> None:
    """`absorbed` becomes a tombstone merged into `target`; both are recomputed.

    Its reports move to the target (pinned when a reviewer decided, `pin`);
    its duplicate candidates point at the target (one already pending for the
    same report there is enough; a candidate now satisfied is accepted);
    earlier tombstones that pointed at it point at the target, so partners
    following `merged_into` reach a live incident; a reviewer's figure
    override goes along where the target has none; a title or perpetrator a
    reviewer wrote goes along where the target has none of its own (else the
    target would recompute its title from the absorbed incident's raw report,
    undoing a redaction); if it was verified, the target is too. A tombstone
    has no figures.
    """
    moved = list(Report.objects.filter(incident=absorbed).order_by("received_at"))
    place_many([(report, target, reason) for report in moved], by=by, pin=pin)
    now = timezone.now()
    for candidate in DuplicateCandidate.objects.filter(incident=absorbed).select_related("report"):
        _repoint_candidate(candidate, target, by=by, now=now, reason=reason)
    # A moved report's pending candidate for the target is answered by the move itself: accepted by the
    # reviewer who merged (a label the matcher learns from), or, when the pipeline merged, no longer asked.
    for candidate in DuplicateCandidate.objects.filter(
        report__in=moved, incident=target, decision=DuplicateCandidate.Decision.PENDING
    ):
        if by is None:
            delete_recorded(candidate, by=by, reason=reason)
        else:
            candidate.decision, candidate.decided_by, candidate.decided_at = (
                DuplicateCandidate.Decision.ACCEPTED,
                by,
                now,
            )
            save_recorded(candidate, by=by, reason=reason)
    _carry_overrides(absorbed, target, by=by, reason=reason)
    changed = _carry_reviewer_text(absorbed, target)
    for earlier in Incident.objects.filter(merged_into=absorbed):
        earlier.merged_into = target
        save_recorded(earlier, by=by, reason=reason)
    if absorbed.status == IncidentStatus.VERIFIED:
        changed = mark_verified(target, by_id=absorbed.verified_by_id, at=absorbed.verified_at) or changed
    if changed:
        save_recorded(target, by=by, reason=reason)
    absorbed.status = IncidentStatus.MERGED
    absorbed.merged_into = target
    save_recorded(absorbed, by=by, reason=reason)
    for row in IncidentCasualty.objects.filter(incident=absorbed):
        delete_recorded(row, by=by, reason=reason)
    incidents_refresh([absorbed, target], by=by, reason=reason)  # one read and one write for the two
    webhook_events_record(event="incident.merged", incident_ids=[absorbed.pk])  # webhooks: partner-visible


def retire_if_empty(incident: Incident, *, into: Incident | None, by: User | None, reason: str) -> None:
    """Recompute an incident a report left; left with no report, it is retired.

    Its report went to another incident (`into`): it is absorbed there, so
    partners syncing learn where it went and nothing a reviewer decided on it
    is lost. Its reports were rejected (`into=None`): it is withdrawn.
    """
    if incident.status in LIVE_STATUSES and not incident_member_reports(incident_ids=[incident.pk]).exists():
        if into is not None:
            absorb(absorbed=incident, target=into, by=by, reason=reason, pin=False)
            return
        incident.status = IncidentStatus.WITHDRAWN
        save_recorded(incident, by=by, reason=reason)
        webhook_events_record(event="incident.withdrawn", incident_ids=[incident.pk])  # webhooks: partner-visible
    incident_refresh(incident, by=by, reason=reason)


# --- what goes along -----------------------------------------------------------------------


def _repoint_candidate(
    candidate: DuplicateCandidate, target: Incident, *, by: User | None, now: dt.datetime, reason: str
) -> None:
    if DuplicateCandidate.objects.filter(report_id=candidate.report_id, incident=target).exists():
        delete_recorded(candidate, by=by, reason=reason)
        return
    satisfied = candidate.decision == DuplicateCandidate.Decision.PENDING and candidate.report.incident_id == target.pk
    if satisfied and by is None:
        # The pipeline's own merge answered the question; no reviewer did (its decision row says why).
        delete_recorded(candidate, by=by, reason=reason)
        return
    candidate.incident = target
    if satisfied:
        candidate.decision = DuplicateCandidate.Decision.ACCEPTED
        candidate.decided_by, candidate.decided_at = by, now
    save_recorded(candidate, by=by, reason=reason)


def _carry_reviewer_text(absorbed: Incident, target: Incident) -> bool:
    """A title or perpetrator a reviewer wrote goes along where the target has none (the caller saves)."""
    carried = False
    for field, flag in (("title", "title_by_reviewer"), ("perpetrator", "perpetrator_by_reviewer")):
        if getattr(absorbed, flag) and not getattr(target, flag):
            setattr(target, field, getattr(absorbed, field))
            setattr(target, flag, True)
            carried = True
    return carried


def _carry_overrides(absorbed: Incident, target: Incident, *, by: User | None, reason: str) -> None:
    """A reviewer's figure overrides go with the reports into the incident that absorbs them, unless it has its own."""
    for row in IncidentCasualty.objects.filter(incident=absorbed, best_override__isnull=False):
        mine = IncidentCasualty.objects.filter(incident=target, kind=row.kind, group=row.group).first()
        if mine is not None and mine.best_override is not None:
            continue
        if mine is None:
            mine = IncidentCasualty(
                incident=target,
                kind=row.kind,
                group=row.group,
                low=row.low,
                best=row.best,
                high=row.high,
                method=row.method,
            )
        override = row.best_override
        assert override is not None  # noqa: S101 — the query asked for rows with an override
        mine.best_override, mine.override_note = override, row.override_note
        mine.overridden_by_id, mine.overridden_at = row.overridden_by_id, row.overridden_at
        mine.low, mine.high = min(mine.low, override), max(mine.high, override)
        mine.best = override
        save_recorded(mine, by=by, reason=reason)
