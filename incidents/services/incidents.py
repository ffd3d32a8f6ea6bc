"""Reviewers' decisions on incidents: merge, split, move a report, duplicate candidates, overrides, withdraw, verify.

These win over the pipeline (invariant 5): a report a reviewer placed is
pinned (`Report.incident_pinned`) and never moved again by the pipeline; a
rejected duplicate candidate is never suggested again; an override of a
figure survives every recomputation; a merged incident stays a tombstone.

Each function is one transaction: it takes the same area locks as the
pipeline (`locks.py`), so a worker never decides on an incident while a
reviewer is changing it, recomputes the incidents it touched and their daily
aggregates, and records who did it and why in the history (simple-history's
user and change reason). Refusals raise `IncidentActionError` with the field
at fault, the reason and an HTTP status (400 bad input, 403 not a reviewer,
404 unknown, 409 the state forbids it), for the admin and the API to show as
they are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import LIVE_STATUSES, DuplicateCandidate, Incident, IncidentCasualty, IncidentStatus
from incidents.services.aggregates import AggregateTracker
from incidents.services.locks import incident_span, lock_areas, report_span
from incidents.services.refresh import incident_refresh, mark_verified
from incidents.services.transitions import absorb, new_incident_for, place, retire_if_empty
from incidents.webhooks.services import webhook_events_record  # webhooks
from reports.choices import CasualtyGroup, CasualtyKind
from reports.errors import ActionRefused
from reports.history import create_many_recorded, save_recorded
from reports.models import Report, User

NOTE_MAX_LENGTH = 4000


class IncidentActionError(ActionRefused):
    """A reviewer's action on incidents refused (`reports.errors.ActionRefused`)."""


# --- merge and split ------------------------------------------------------------------


def incident_merge(*, target: Incident, absorbed: Incident, by: User, note: str = "", title: str = "") -> Incident:
    """Merge `absorbed` into `target`: one event reported twice.

    The absorbed incident becomes a tombstone (`merged`, `merged_into=target`)
    so partners syncing learn where it went; its reports move to the target
    and are pinned there; everything else goes along as `transitions.absorb`
    says (candidates, overrides, a reviewer's redaction, the verification).

    The survivor keeps its own title unless the reviewer writes another
    (`title`), which becomes the reviewer's title. If a reviewer's title had
    to be carried over from the absorbed incident (a redaction), the survivor's
    own title is kept instead and marked as the reviewer's, so that the
    absorbed incident's raw title can never come back by recomputation.
    Returns the target, recomputed.
    """
    _require_reviewer(by)
    note = _check_note(note, required=False)
    title = _check_title(title)
    if target.pk == absorbed.pk:
        raise IncidentActionError(field="absorbed", reason=_("An incident cannot be merged into itself."), status=400)
    with transaction.atomic():
        target, absorbed = _lock(target.pk, absorbed.pk)
        for incident, field in ((target, "target"), (absorbed, "absorbed")):
            _require_live(incident, field=field)
        tracker = AggregateTracker()
        tracker.watch(target, absorbed)
        reason = _reason(f"merged {absorbed.pk} into {target.pk}", note)
        kept = title or target.title
        absorb(absorbed=absorbed, target=target, by=by, reason=reason, pin=True)
        if target.title != kept or (title and not target.title_by_reviewer):
            target.title, target.title_by_reviewer = kept, True
            save_recorded(target, by=by, reason=reason)
        tracker.apply()
    return target


def incident_split(*, incident: Incident, report_ids: Iterable[object], by: User, note: str = "") -> Incident:
    """Take some reports out of an incident into a new one: they describe another event.

    The reports moved are pinned in the new incident; the pipeline never puts
    them back. At least one report must stay. Returns the new incident.
    """
    _require_reviewer(by)
    note = _check_note(note, required=False)
    wanted = {str(pk) for pk in report_ids}
    if not wanted:
        raise IncidentActionError(field="report_ids", reason=_("Name at least one report to split off."), status=400)
    with transaction.atomic():
        (incident,) = _lock(incident.pk)
        _require_live(incident, field="incident")
        members = list(Report.objects.filter(incident=incident).order_by("received_at"))
        moving = [r for r in members if str(r.pk) in wanted]
        unknown = wanted - {str(r.pk) for r in moving}
        if unknown:
            raise IncidentActionError(
                field="report_ids",
                reason=_("Not reports of this incident: %(ids)s.") % {"ids": ", ".join(sorted(unknown))},
                status=400,
            )
        if len(moving) == len(members):
            raise IncidentActionError(
                field="report_ids", reason=_("At least one report must stay in the incident."), status=400
            )
        tracker = AggregateTracker()
        tracker.watch(incident)
        reason = _reason(f"split from {incident.pk}", note)
        new = new_incident_for(moving[0], by=by, reason=reason)
        tracker.watch(new, new=True)
        for report in moving:
            place(report, new, by=by, reason=reason, pin=True)
        # The reports that stay were looked at too: pinned, so that healing never puts the two events together again.
        for report in members:
            if str(report.pk) not in wanted and not report.incident_pinned:
                place(report, incident, by=by, reason=reason, pin=True)
        incident_refresh(new, by=by, reason=reason)
        incident_refresh(incident, by=by, reason=reason)
        tracker.apply()
    return new


def report_move(*, report: Report, by: User, incident: Incident | None = None, note: str = "") -> Incident:
    """Put a report in another incident, or (`incident=None`) in one of its own; it is pinned there.

    The incident it leaves is recomputed; left without any report it becomes
    a tombstone merged into the one the report went to (or stays the report's
    own incident when the report was its only one and no target was named).
    Returns the report's incident.
    """
    _require_reviewer(by)
    note = _check_note(note, required=False)
    with transaction.atomic():
        report = _lock_report_with_incidents(report, incident)
        current = report.incident
        tracker = AggregateTracker()
        tracker.watch(current)
        reason = _reason("moved by a reviewer", note)
        if incident is None:
            if current is not None and not Report.objects.filter(incident=current).exclude(pk=report.pk).exists():
                target = current
            else:
                target = new_incident_for(report, by=by, reason=reason)
                tracker.watch(target, new=True)
        else:
            target = Incident.objects.select_related("category").get(pk=incident.pk)
            _require_live(target, field="incident")
        tracker.watch(current, target)
        place(report, target, by=by, reason=reason, pin=True)
        if current is not None and current.pk != target.pk:
            if Report.objects.filter(incident=current).exists():
                # The reviewer said the report is not the event it leaves: healing never puts them together again.
                _reject_pair(report, current, by=by, reason=reason)
            retire_if_empty(current, into=target, by=by, reason=reason)
        incident_refresh(target, by=by, reason=reason)
        tracker.apply()
    return target


def _reject_pair(report: Report, incident: Incident, *, by: User, reason: str) -> None:
    """Record a reviewer's "this report is not that incident" as a rejected duplicate candidate."""
    pair = DuplicateCandidate.objects.filter(report=report, incident=incident).first()
    if pair is None:
        create_many_recorded(
            [
                DuplicateCandidate(
                    report=report,
                    incident=incident,
                    score=0.0,
                    reasons={"moved_out_by_reviewer": True},
                    decision=DuplicateCandidate.Decision.REJECTED,
                    decided_by=by,
                    decided_at=timezone.now(),
                )
            ],
            by=by,
            reasons=reason,
        )
    elif pair.decision != DuplicateCandidate.Decision.REJECTED:
        pair.decision, pair.decided_by, pair.decided_at = DuplicateCandidate.Decision.REJECTED, by, timezone.now()
        save_recorded(pair, by=by, reason=reason, fields=["decision", "decided_by", "decided_at"])


# --- duplicate candidates -----------------------------------------------------------------


def candidate_accept(*, candidate: DuplicateCandidate, by: User, note: str = "") -> Report:
    """The report does describe the candidate's incident: it moves there, pinned.

    The report's other pending candidates are rejected (a report describes one
    event; two incidents that are one event are merged instead). An incident
    left empty becomes a tombstone merged into the candidate's. Returns the report.
    """
    _require_reviewer(by)
    note = _check_note(note, required=False)
    with transaction.atomic():
        candidate = _lock_pending_candidate(candidate)
        target = candidate.incident
        if target.status == IncidentStatus.MERGED and target.merged_into_id:
            target = _live_end_of_chain(target)
        report_move(report=candidate.report, by=by, incident=target, note=note or _("duplicate candidate accepted"))
        now = timezone.now()
        _decide(candidate, DuplicateCandidate.Decision.ACCEPTED, by=by, now=now, note=note)
        for other in DuplicateCandidate.objects.filter(
            report=candidate.report, decision=DuplicateCandidate.Decision.PENDING
        ).exclude(pk=candidate.pk):
            _decide(other, DuplicateCandidate.Decision.REJECTED, by=by, now=now, note="another candidate accepted")
    return Report.objects.get(pk=candidate.report_id)


def candidate_reject(*, candidate: DuplicateCandidate, by: User, note: str = "") -> DuplicateCandidate:
    """The report does not describe the candidate's incident: never suggested again.

    If the report is in that incident (placed by the pipeline), it leaves it for
    an incident of its own, pinned.
    """
    _require_reviewer(by)
    note = _check_note(note, required=False)
    with transaction.atomic():
        candidate = _lock_pending_candidate(candidate)
        _decide(candidate, DuplicateCandidate.Decision.REJECTED, by=by, now=timezone.now(), note=note)
        report = candidate.report
        if report.incident_id == candidate.incident_id:
            report_move(report=report, by=by, incident=None, note=note or _("not a duplicate"))
    return candidate


# --- figures and state ------------------------------------------------------------------


def incident_override_best(
    *, incident: Incident, kind: str, group: str, best: int | None, note: str, by: User
) -> IncidentCasualty | None:
    """Set (or, with `best=None`, clear) a reviewer's best estimate for one kind × group, with a note.

    The override is kept through every recomputation; low and high are widened
    to include it. Returns the recomputed figure (None when clearing left no figure).
    """
    _require_reviewer(by)
    if kind not in CasualtyKind.values:
        raise IncidentActionError(field="kind", reason=_("Unknown kind “%(k)s”.") % {"k": kind}, status=400)
    if group not in CasualtyGroup.values:
        raise IncidentActionError(field="group", reason=_("Unknown group “%(g)s”.") % {"g": group}, status=400)
    if best is not None and (isinstance(best, bool) or not isinstance(best, int) or best < 0):
        raise IncidentActionError(field="best", reason=_("A whole number, 0 or more."), status=400)
    note = _check_note(note, required=best is not None)
    with transaction.atomic():
        (incident,) = _lock(incident.pk)
        _require_live(incident, field="incident")
        tracker = AggregateTracker()
        tracker.watch(incident)
        row = IncidentCasualty.objects.filter(incident=incident, kind=kind, group=group).first()
        reason = _reason(
            f"best {kind}/{group} overridden" if best is not None else f"override of {kind}/{group} cleared", note
        )
        if best is None:
            if row is None or row.best_override is None:
                raise IncidentActionError(field="best", reason=_("There is no override to clear."), status=409)
            row.best_override, row.override_note, row.overridden_by, row.overridden_at = None, "", None, None
        else:
            if row is None:
                row = IncidentCasualty(incident=incident, kind=kind, group=group, low=best, best=best, high=best)
            row.best_override, row.override_note = best, note
            row.overridden_by, row.overridden_at = by, timezone.now()
            row.method = row.method or "reviewer's override"
            row.low, row.high = min(row.low, best), max(row.high, best)
            row.best = best
        save_recorded(row, by=by, reason=reason)
        incident_refresh(incident, by=by, reason=reason)
        tracker.apply()
    return IncidentCasualty.objects.filter(incident=incident, kind=kind, group=group).first()


def incident_withdraw(*, incident: Incident, by: User, note: str) -> Incident:
    """Withdraw an incident (it did not happen, or must not be published): it counts nowhere from now on.

    Its reports stay attached, and the pipeline leaves them there.
    """
    _require_reviewer(by)
    note = _check_note(note, required=True)
    with transaction.atomic():
        (incident,) = _lock(incident.pk)
        _require_live(incident, field="incident")
        tracker = AggregateTracker()
        tracker.watch(incident)
        incident.status = IncidentStatus.WITHDRAWN
        save_recorded(incident, by=by, reason=_reason("withdrawn", note))
        tracker.apply()
        webhook_events_record(event="incident.withdrawn", incident_ids=[incident.pk])  # webhooks: partner-visible
    return incident


def incident_verify(*, incident: Incident, by: User, note: str = "") -> Incident:
    """A reviewer verifies an incident directly (verifying one of its reports does the same)."""
    _require_reviewer(by)
    note = _check_note(note, required=False)
    with transaction.atomic():
        (incident,) = _lock(incident.pk)
        if incident.status != IncidentStatus.UNVERIFIED:
            raise IncidentActionError(
                field="status",
                reason=_("Only an unverified incident can be verified; this one is %(s)s.") % {"s": incident.status},
                status=409,
            )
        tracker = AggregateTracker()
        tracker.watch(incident)
        mark_verified(incident, by_id=by.pk, at=timezone.now())
        save_recorded(incident, by=by, reason=_reason("verified", note))
        tracker.apply()
        webhook_events_record(event="incident.verified", incident_ids=[incident.pk])  # webhooks: partner-visible
    return incident


def incident_edit_public_text(
    *, incident: Incident, by: User, title: str, summary: str, perpetrator: str, note: str = ""
) -> Incident:
    """A reviewer writes the words partners read: title, summary, perpetrator.

    Used to redact (a witness's name or a hiding place taken out of a title).
    A title or perpetrator the reviewer changed is marked as theirs
    (`title_by_reviewer`, `perpetrator_by_reviewer`) and from then on the
    pipeline never recomputes it from the reports (invariant 5): a third
    report joining must not bring the raw title back. Only the fields that
    changed are marked: a reviewer who only wrote the summary has not vouched
    for the title of the moment, which still follows the verified reports.
    The summary is never computed. Saving the same text again changes nothing.
    An incident in any state may be edited.
    """
    _require_reviewer(by)
    note = _check_note(note, required=False)
    title, summary, perpetrator = (title or "").strip(), (summary or "").strip(), (perpetrator or "").strip()
    if not title:
        raise IncidentActionError(field="title", reason=_("A title is required."), status=400)
    for field, value in (("title", title), ("perpetrator", perpetrator)):
        limit = _max_length(field)
        if len(value) > limit:
            raise IncidentActionError(field=field, reason=_("At most %(n)d characters.") % {"n": limit}, status=400)
    with transaction.atomic():
        (incident,) = _lock(incident.pk)
        wanted = {"title": title, "summary": summary, "perpetrator": perpetrator}
        changed = [name for name, value in wanted.items() if getattr(incident, name) != value]
        if not changed:
            return incident
        for name in changed:
            setattr(incident, name, wanted[name])
        incident.title_by_reviewer = incident.title_by_reviewer or "title" in changed
        incident.perpetrator_by_reviewer = incident.perpetrator_by_reviewer or "perpetrator" in changed
        save_recorded(incident, by=by, reason=_reason("edited by a reviewer: " + ", ".join(changed), note))
    return incident


# --- helpers -------------------------------------------------------------------------------


def _require_reviewer(user: User | None) -> None:
    if user is None or not user.is_authenticated or not user.is_reviewer:
        raise IncidentActionError(
            field="reviewer", reason=_("Only reviewers and coordinators may change incidents."), status=403
        )


def _max_length(name: str) -> int:
    """The length limit of one of the incident's text fields (a `CharField`: title, perpetrator)."""
    field = Incident._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None  # noqa: S101 — narrowing for mypy
    return field.max_length


def _check_title(title: str | None) -> str:
    title = (title or "").strip()
    limit = _max_length("title")
    if len(title) > limit:
        raise IncidentActionError(
            field="title", reason=_("A title has at most %(n)d characters.") % {"n": limit}, status=400
        )
    return title


def _check_note(note: str | None, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise IncidentActionError(field="note", reason=_("A note is required."), status=400)
    if len(note) > NOTE_MAX_LENGTH:
        raise IncidentActionError(
            field="note", reason=_("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}, status=400
        )
    return note


def _reason(action: str, note: str) -> str:
    return f"{action}: {note}" if note else action


def _lock(*incident_ids: uuid.UUID) -> list[Incident]:
    """Area locks, then the incidents' rows (in id order); returns them in the order asked, fresh."""
    found = {i.pk: i for i in Incident.objects.filter(pk__in=incident_ids)}
    for pk in incident_ids:
        if pk not in found:
            raise IncidentActionError(field="incident", reason=_("No such incident."), status=404)
    lock_areas(incident_span(i) for i in found.values())
    locked = {
        i.pk: i
        for i in Incident.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=incident_ids)
        .order_by("pk")
    }
    return [locked[pk] for pk in incident_ids]


def _lock_report_with_incidents(report: Report, incident: Incident | None) -> Report:
    fresh = Report.objects.select_related("incident").filter(pk=report.pk).first()
    if fresh is None:
        raise IncidentActionError(field="report", reason=_("No such report."), status=404)
    spans = {report_span(fresh)}
    ids = [pk for pk in (fresh.incident_id, incident.pk if incident else None) if pk]
    for other in Incident.objects.filter(pk__in=ids):
        spans.add(incident_span(other))
    lock_areas(spans)
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if ids:
        list(Incident.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return Report.objects.select_related("incident__category").get(pk=locked.pk)


def _require_live(incident: Incident, *, field: str) -> None:
    if incident.status not in LIVE_STATUSES:
        raise IncidentActionError(
            field=field,
            reason=_("Incident %(id)s is %(s)s; only live incidents can be changed.")
            % {"id": incident.pk, "s": incident.status},
            status=409,
        )


def _live_end_of_chain(incident: Incident) -> Incident:
    seen = set()
    while incident.status == IncidentStatus.MERGED and incident.merged_into_id and incident.pk not in seen:
        seen.add(incident.pk)
        incident = Incident.objects.get(pk=incident.merged_into_id)
    return incident


def _lock_pending_candidate(candidate: DuplicateCandidate) -> DuplicateCandidate:
    # The same order as everywhere: area locks (and the report's and incidents' rows) first.
    current = DuplicateCandidate.objects.select_related("report", "incident").filter(pk=candidate.pk).first()
    if current is not None:
        _lock_report_with_incidents(current.report, current.incident)
    locked = (
        DuplicateCandidate.objects.select_for_update(of=("self",))
        .select_related("report", "incident")
        .filter(pk=candidate.pk)
        .first()
    )
    if locked is None:
        raise IncidentActionError(field="candidate", reason=_("No such duplicate candidate."), status=404)
    if locked.decision != DuplicateCandidate.Decision.PENDING:
        raise IncidentActionError(
            field="decision",
            reason=_("This candidate was already decided (%(d)s).") % {"d": locked.decision},
            status=409,
        )
    return locked


def _decide(candidate: DuplicateCandidate, decision: str, *, by: User, now: dt.datetime, note: str) -> None:
    candidate.decision = decision
    candidate.decided_by, candidate.decided_at = by, now
    save_recorded(candidate, by=by, reason=_reason(f"candidate {decision}", note))
