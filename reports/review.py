"""The review workflow: the one way a report's review state changes.

The admin, the API and any script call these functions; none of them changes
`Report.status` itself. The allowed steps (`TRANSITIONS`):

    submitted ──take──▶ in_review ──verify──▶ verified
                            │ ─────reject──▶ rejected      (a reason is required)
                            │ ─needs_info──▶ needs_info    (a question the monitor sees)
    needs_info ──amend (the monitor, `reports.services.report_amend`)──▶ in_review

Verified and rejected are final. A decision on a submitted report takes it
first (both steps are recorded), so a reviewer can decide straight from the
queue, one report or many. Taking assigns the report to the reviewer with a
lock that expires (`SIJIL_REVIEW_LOCK_MINUTES`), so two reviewers do not work
the same report; a decision by anyone else while the lock holds is refused.

Each step is stored as a `ReviewDecision` (who, when, from, to, the note) and
in the report's history (the reviewer as history user, the step as reason).
Refusals raise `ReviewError` carrying the field at fault, the reason and an
HTTP status (400 bad input, 403 not a reviewer, 409 the report's state or lock
forbids it), which the API and the admin show as they are.

What a decision means for incidents is the pipeline's (`reports/pipeline.py`),
called inside the same transaction: an incident becomes verified when a
reviewer verifies one of its reports (the reviewer has judged that the event
happened), and its figures and the daily aggregates follow before the
review commits; it stays so until a reviewer withdraws it. A rejected report
is handed back to the pipeline, which takes it out of its incident. If the
pipeline has not yet placed the report, it verifies the incident when it does
(a verified report makes its incident verified).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import pipeline
from reports.choices import ReportStatus, ReviewDecisionKind
from reports.errors import ActionRefused
from reports.history import save_recorded
from reports.models import Report, ReviewDecision, User

Decision = Literal["verify", "reject", "needs_info"]

# decision → (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ReviewDecisionKind.TAKE: (frozenset({ReportStatus.SUBMITTED, ReportStatus.IN_REVIEW}), ReportStatus.IN_REVIEW),
    ReviewDecisionKind.VERIFY: (frozenset({ReportStatus.IN_REVIEW}), ReportStatus.VERIFIED),
    ReviewDecisionKind.REJECT: (frozenset({ReportStatus.IN_REVIEW}), ReportStatus.REJECTED),
    ReviewDecisionKind.NEEDS_INFO: (frozenset({ReportStatus.IN_REVIEW}), ReportStatus.NEEDS_INFO),
}
DECISIONS: tuple[str, ...] = (ReviewDecisionKind.VERIFY, ReviewDecisionKind.REJECT, ReviewDecisionKind.NEEDS_INFO)
BULK_DECISIONS: tuple[str, ...] = (ReviewDecisionKind.VERIFY, ReviewDecisionKind.REJECT)
# Decisions whose note is required, and what the note is to the monitor.
NOTE_REQUIRED: dict[str, str] = {
    ReviewDecisionKind.REJECT: "the reason for rejecting",
    ReviewDecisionKind.NEEDS_INFO: "the question for the monitor",
}
NOTE_MAX_LENGTH = 4000


class ReviewError(ActionRefused):
    """A review step refused (`reports.errors.ActionRefused`).

    `status` is 400 (bad input: unknown decision, missing note), 403 (the user
    may not review), 404 (no such report) or 409 (the report's state or another
    reviewer's lock forbids the step now).
    """


def lock_duration() -> timedelta:
    return timedelta(minutes=getattr(settings, "SIJIL_REVIEW_LOCK_MINUTES", 30))


def lock_holder(report: Report, *, now=None) -> int | None:
    """The id of the reviewer whose lock on the report still holds, or None."""
    now = now or timezone.now()
    if report.assigned_to_id and report.assigned_until and report.assigned_until > now:
        return report.assigned_to_id
    return None


def report_take(*, report: Report, reviewer: User) -> Report:
    """Assign the report to the reviewer for `lock_duration()`; a submitted report goes into review.

    Taking again one's own report extends the lock. Refused while another
    reviewer's lock holds, and for reports that are not waiting for review.
    """
    _require_reviewer(reviewer)
    with transaction.atomic():
        locked = _lock(report)
        _take(locked, reviewer=reviewer, now=timezone.now())
    return locked


def report_release(*, report: Report, reviewer: User) -> Report:
    """Give a taken report back to the queue (its holder, or a coordinator, may)."""
    _require_reviewer(reviewer)
    with transaction.atomic():
        locked = _lock(report)
        holder = lock_holder(locked)
        if holder is not None and holder != reviewer.pk and not reviewer.is_coordinator:
            raise ReviewError(field="assigned_to", reason=_("Another reviewer has taken this report."), status=409)
        Report.objects.filter(pk=locked.pk).update(assigned_to=None, assigned_until=None)
        locked.assigned_to, locked.assigned_until = None, None
    return locked


def report_review(*, report: Report, reviewer: User, decision: str, note: str = "") -> Report:
    """Verify, reject (with a reason) or ask the monitor a question (the note), through the allowed steps.

    A submitted report is taken first. The decision is stored as a
    `ReviewDecision` and in the report's history; `review_note` keeps the
    latest reason or question for the monitor. A verification or rejection
    hands the report back to the pipeline, and verifying a report verifies its
    incident.
    """
    _require_reviewer(reviewer)
    note = (note or "").strip()
    _check_decision(decision, note)
    with transaction.atomic():
        locked = _lock(report)
        _decide(locked, reviewer=reviewer, decision=decision, note=note, now=timezone.now())
    return locked


@dataclass
class BulkResult:
    """What a bulk decision did: the reports decided, and for each refused one, why."""

    decided: list[Report] = field(default_factory=list)
    refused: dict[object, ReviewError] = field(default_factory=dict)


def report_review_bulk(*, reports, reviewer: User, decision: str, note: str = "") -> BulkResult:
    """Verify or reject many reports with one note, each through the same steps as `report_review`.

    Each report is decided in its own transaction: one refused (locked by
    someone else, already decided) does not hold back the others, and is
    reported in `refused` with its reason.
    """
    _require_reviewer(reviewer)
    if decision not in BULK_DECISIONS:
        raise ReviewError(
            field="decision", reason=_("Only verify and reject can be applied to many reports at once."), status=400
        )
    note = (note or "").strip()
    _check_decision(decision, note)
    result = BulkResult()
    for report in reports:
        try:
            result.decided.append(report_review(report=report, reviewer=reviewer, decision=decision, note=note))
        except ReviewError as error:
            result.refused[report.pk] = error
    return result


# --- the steps ---------------------------------------------------------------------


def _require_reviewer(user: User | None) -> None:
    if user is None or not user.is_authenticated or not user.is_reviewer:
        raise ReviewError(field="reviewer", reason=_("Only reviewers and coordinators may review reports."), status=403)


def _check_decision(decision: str, note: str) -> None:
    if decision not in DECISIONS:
        raise ReviewError(
            field="decision",
            reason=_("Unknown decision “%(d)s”; one of %(all)s.") % {"d": decision, "all": ", ".join(DECISIONS)},
            status=400,
        )
    if decision in NOTE_REQUIRED and not note:
        raise ReviewError(
            field="note", reason=_("A note is required: %(what)s.") % {"what": _(NOTE_REQUIRED[decision])}, status=400
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ReviewError(field="note", reason=_("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}, status=400)


def _lock(report: Report) -> Report:
    """The report's row, locked after the pipeline's area locks (the order every writer takes them in)."""
    pipeline.lock_for_review(report=report)
    try:
        return Report.objects.select_for_update(of=("self",)).select_related("incident").get(pk=report.pk)
    except Report.DoesNotExist:
        raise ReviewError(field="report", reason=_("No such report."), status=404) from None


def _refuse_state(report: Report, decision: str) -> ReviewError:
    label = ReportStatus(report.status).label
    if report.status == ReportStatus.NEEDS_INFO:
        reason = _("The report waits for its monitor's answer; it returns to review when amended.")
    else:
        reason = _("A report that is “%(state)s” cannot be %(step)s.") % {
            "state": label,
            "step": ReviewDecisionKind(decision).label.lower(),
        }
    return ReviewError(field="status", reason=reason, status=409)


def _take(report: Report, *, reviewer: User, now) -> None:
    allowed_from, to_status = TRANSITIONS[ReviewDecisionKind.TAKE]
    if report.status not in allowed_from:
        raise _refuse_state(report, ReviewDecisionKind.TAKE)
    holder = lock_holder(report, now=now)
    if holder is not None and holder != reviewer.pk:
        raise ReviewError(field="assigned_to", reason=_("Another reviewer has taken this report."), status=409)
    from_status = report.status
    changes_hands = from_status != to_status or holder != reviewer.pk
    report.assigned_to = reviewer
    report.assigned_until = now + lock_duration()
    report.status = to_status
    if changes_hands:
        save_recorded(
            report, by=reviewer, reason="taken for review", fields=["assigned_to", "assigned_until", "status"]
        )
        ReviewDecision.objects.create(
            report=report,
            actor=reviewer,
            decision=ReviewDecisionKind.TAKE,
            from_status=from_status,
            to_status=to_status,
        )
    else:
        # Extending one's own lock is bookkeeping, not a step of the review.
        Report.objects.filter(pk=report.pk).update(assigned_until=report.assigned_until)


def _decide(report: Report, *, reviewer: User, decision: str, note: str, now) -> None:
    if report.status == ReportStatus.SUBMITTED:
        _take(report, reviewer=reviewer, now=now)
    allowed_from, to_status = TRANSITIONS[decision]
    if report.status not in allowed_from:
        raise _refuse_state(report, decision)
    holder = lock_holder(report, now=now)
    if holder is not None and holder != reviewer.pk:
        raise ReviewError(field="assigned_to", reason=_("Another reviewer has taken this report."), status=409)

    from_status = report.status
    report.status = to_status
    report.review_note = note
    report.reviewed_by = reviewer
    report.reviewed_at = now
    report.assigned_to = None
    report.assigned_until = None
    save_recorded(report, by=reviewer, reason=f"{decision}: {note}" if note else decision)
    ReviewDecision.objects.create(
        report=report, actor=reviewer, decision=decision, from_status=from_status, to_status=to_status, note=note
    )
    pipeline.report_reviewed(report=report, decision=decision, by=reviewer)
