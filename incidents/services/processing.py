"""Processing a report: claim it, place it in an incident, reconcile, aggregate — exactly once in effect.

PostgreSQL, not the broker, is the record of work to do: a report is
`pending` from the moment it is committed (or handed back by a review or an
amendment) until a worker has placed it. The steps (docs/pipeline.md):

1. Claim: one conditional UPDATE (`pending`, or `claimed` long enough ago
   that its worker must be gone → `claimed`, a fresh `processing_claimed_at`,
   one more attempt), committed at once; the row count says whether this
   worker has the report. Another worker, a duplicate message or the sweeper
   finds nothing to claim.
2. Decide, in one transaction: advisory locks on the report's area keys
   (`locks.py`: no two workers decide for the same place and kind of event at
   once), the report's row lock and a check that the claim is still ours
   (else a later claim owns the report), then place the report, recompute the
   incidents it touched and their daily aggregates, and mark it `done`.
   A worker killed inside this transaction leaves nothing half-done: PostgreSQL
   rolls it back and the report stays claimed until it goes stale.
3. Failures are retried by the task with backoff; after
   `SIJIL_PROCESSING_MAX_ATTEMPTS` attempts the report is marked `failed`
   with the error, visibly, rather than retried forever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from incidents.dedup import CANDIDATE, CANDIDATE_THRESHOLD, JOIN, JOIN_THRESHOLD, block_for, score_candidates
from incidents.models import DuplicateCandidate, Incident, IncidentCasualty, IncidentStatus, MatchDecision
from incidents.selectors import candidate_incidents, incident_member_reports, reports_to_sweep
from incidents.services.aggregates import AggregateTracker
from incidents.services.locks import lock_areas
from incidents.services.refresh import incident_record, incident_refresh, report_record
from incidents.services.transitions import detach, new_incident_for, place, retire_if_empty
from incidents.tasks import enqueue_report
from reports.choices import HandBack, ProcessingState, ReportStatus
from reports.history import save_recorded
from reports.models import Report

logger = logging.getLogger(__name__)

# How many duplicate candidates one report may put before reviewers.
MAX_CANDIDATES = 5


def max_attempts() -> int:
    return getattr(settings, "SIJIL_PROCESSING_MAX_ATTEMPTS", 5)


def stale_after() -> timedelta:
    """How long a claim may go without finishing before another worker may take the report over."""
    return timedelta(seconds=getattr(settings, "SIJIL_PROCESSING_STALE_SECONDS", 300))


def report_claim(*, report_id) -> object | None:
    """Claim a report for processing; returns the claim's token (its time) or None if it is not ours to do."""
    now = timezone.now()
    claimable = Q(processing_state=ProcessingState.PENDING) | Q(
        processing_state=ProcessingState.CLAIMED, processing_claimed_at__lt=now - stale_after()
    )
    with transaction.atomic():
        claimed = (
            Report.objects.filter(claimable, pk=report_id)
            .filter(processing_attempts__lt=max_attempts())
            .update(
                processing_state=ProcessingState.CLAIMED,
                processing_claimed_at=now,
                processing_attempts=F("processing_attempts") + 1,
            )
        )
        if not claimed:
            # Claimable but out of attempts (a report that kills its worker every time): fail it visibly.
            Report.objects.filter(claimable, pk=report_id, processing_attempts__gte=max_attempts()).update(
                processing_state=ProcessingState.FAILED,
                processing_error="Gave up after the maximum number of attempts; the worker stopped mid-task.",
            )
    return now if claimed else None


def report_process(*, report_id) -> str:
    """Claim and process one report; returns what happened (for logs and tests).

    "skipped": nothing to do (already done, failed, or claimed by another
    worker). Otherwise the placement: "join", "candidate", "new" (the matcher's
    outcome), "kept" (already in its incident, only recomputed), "pinned" (a
    reviewer placed it: never moved), "removed" (rejected: it leaves its incident).
    """
    token = report_claim(report_id=report_id)
    if token is None:
        return "skipped"
    report = Report.objects.select_related("incident").get(pk=report_id)
    with transaction.atomic():
        lock_areas(_area_pairs(report))
        locked = Report.objects.select_for_update(of=("self",)).select_related("category").get(pk=report_id)
        if locked.processing_state != ProcessingState.CLAIMED or locked.processing_claimed_at != token:
            return "skipped"
        if _area_pairs(locked) - _area_pairs(report):
            # Amended between the read and the lock: lock its new area too (a deadlock is retried).
            lock_areas(_area_pairs(locked))
        outcome = _place(locked)
        Report.objects.filter(pk=report_id).update(
            processing_state=ProcessingState.DONE,
            processed_at=timezone.now(),
            processing_error="",
            processing_reason=HandBack.NONE,
        )
    return outcome


def report_hand_back(*, report_id, reason: str) -> None:
    """The one way a report goes (back) to the pipeline, for the reason the caller gives (`HandBack`).

    Inside the caller's transaction: the report is marked pending (with a
    fresh count of attempts) and its reason recorded — a submitted report is
    created pending already — and it is enqueued after commit. PostgreSQL is
    the record: if the broker is down, the sweeper sends it later. An
    amendment not yet processed stays `amended` whatever hands the report back
    next, so the pipeline still matches it again.
    """
    if reason not in HandBack.values or reason == HandBack.NONE:
        raise ValueError(f"Unknown hand-back reason {reason!r}")
    if reason != HandBack.SUBMITTED:
        amendment_waiting = Q(
            processing_reason=HandBack.AMENDED,
            processing_state__in=[ProcessingState.PENDING, ProcessingState.CLAIMED],
        )
        Report.objects.filter(pk=report_id).update(
            processing_state=ProcessingState.PENDING,
            processing_attempts=0,
            processing_reason=Case(When(amendment_waiting, then=Value(HandBack.AMENDED)), default=Value(reason)),
        )
    transaction.on_commit(lambda: enqueue_report(report_id))


def report_processing_failed(*, report_id, error: str) -> bool:
    """Record a failed attempt: back to pending for a retry, or `failed` for good once out of attempts.

    Returns whether another attempt should be made.
    """
    message = (error or "unknown error")[:500]
    retry = Report.objects.filter(
        pk=report_id, processing_state=ProcessingState.CLAIMED, processing_attempts__lt=max_attempts()
    ).update(processing_state=ProcessingState.PENDING, processing_error=message)
    if retry:
        return True
    Report.objects.filter(pk=report_id, processing_state=ProcessingState.CLAIMED).update(
        processing_state=ProcessingState.FAILED, processing_error=message
    )
    return False


def reports_sweep(*, enqueue) -> int:
    """Hand the broker again every report left pending or stale-claimed for too long; returns how many.

    Called by beat (`incidents.tasks.sweep_reports`). Whatever happened to
    the first message (broker down, Redis flushed, worker killed), the report
    is still `pending` or `claimed` in PostgreSQL and is found here. A stale
    claim is handed back (`pending`) by a conditional update: if its worker is
    in fact still finishing, the update waits for its commit and then finds the
    report done. Each re-enqueue stamps `processing_claimed_at`, so a report is
    re-sent at most once per staleness period while no worker takes it.
    """
    now = timezone.now()
    cutoff = now - stale_after()
    count = 0
    for report_id in reports_to_sweep(cutoff=cutoff).values_list("pk", flat=True)[:5000]:
        handed_back = Report.objects.filter(
            Q(processing_state=ProcessingState.PENDING)
            | Q(processing_state=ProcessingState.CLAIMED, processing_claimed_at__lt=cutoff),
            pk=report_id,
        ).update(processing_state=ProcessingState.PENDING, processing_claimed_at=now)
        if handed_back:
            enqueue(report_id)
            count += 1
    if count:
        logger.info("Sweeper re-enqueued %d report(s)", count)
    return count


# --- placing a report ---------------------------------------------------------------


def _area_pairs(report: Report) -> set[tuple[str, str]]:
    """The area keys a report's processing may touch: its block's governorates, and its incident's."""
    block = block_for(report_record(report, figures=False))
    pairs = {(report.category_id, admin1) for admin1 in block.admin1}
    if report.incident_id is not None and report.incident is not None:
        pairs.add((report.incident.category_id, report.incident.admin1_id))
    return pairs


def _place(report: Report) -> str:
    current = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=report.incident_id)
        .first()
        if report.incident_id
        else None
    )
    tracker = AggregateTracker()
    tracker.watch(current)

    if report.status == ReportStatus.REJECTED:
        if current is None:
            return "removed"
        detach(report, by=None, reason="pipeline: rejected by a reviewer, leaves its incident")
        retire_if_empty(current, into=None, by=report.reviewed_by, reason="a report was rejected")
        tracker.apply()
        return "removed"

    if (
        current is not None
        and (
            report.incident_pinned
            or current.status == IncidentStatus.WITHDRAWN
            or report.processing_reason != HandBack.AMENDED
        )
        and current.status != IncidentStatus.MERGED
    ):
        incident_refresh(current, reason="pipeline: a report was reviewed or reprocessed")
        tracker.apply()
        return "pinned" if report.incident_pinned else "kept"

    return _match(report, current=current, tracker=tracker)


def _match(report: Report, *, current: Incident | None, tracker: AggregateTracker) -> str:
    record = report_record(report)
    candidates = {str(i.pk): i for i in candidate_incidents(block=block_for(record)).select_related("category")}
    members: dict[str, list[Report]] = {}
    for member in incident_member_reports(incident_ids=list(candidates)):
        if member.pk != report.pk:
            members.setdefault(str(member.incident_id), []).append(member)
    records = [incident_record(pk, reports) for pk, reports in members.items()]
    rejected = frozenset(
        str(pk)
        for pk in DuplicateCandidate.objects.filter(
            report=report, decision=DuplicateCandidate.Decision.REJECTED
        ).values_list("incident_id", flat=True)
    )
    matches = score_candidates(record, records, rejected=rejected)
    best = matches[0] if matches else None
    reasons = {"matches": [_match_json(m) for m in matches[:MAX_CANDIDATES]]}

    if best is not None and best.decision == JOIN:
        target = Incident.objects.select_for_update(of=("self",)).select_related("category").get(pk=best.incident_id)
        tracker.watch(target)
        if (
            current is not None
            and current.pk != target.pk
            and _only_member(current, report)
            and incident_decided_by_reviewer(current)
        ):
            # Moving it would retire an incident a reviewer decided on (invariant 5): a reviewer chooses instead.
            incident_refresh(current, reason="pipeline: its report was amended")
            _propose(report, incident_id=best.incident_id, score=best.score, reasons=best.reasons)
            _record(report, current, MatchDecision.Outcome.CANDIDATE, best.score, reasons)
            tracker.apply()
            return str(MatchDecision.Outcome.CANDIDATE)
        place(report, target, by=None, reason=f"pipeline: joined (score {best.score:.3f})", pin=False)
        if current is not None and current.pk != target.pk:
            retire_if_empty(current, into=target, by=None, reason="pipeline: re-matched after an amendment")
        incident_refresh(target, reason="pipeline: a report joined")
        _record(report, target, MatchDecision.Outcome.JOIN, best.score, reasons)
        tracker.apply()
        return JOIN

    incident = current if current is not None and _only_member(current, report) else None
    if current is not None and incident is None:
        detach(report, by=None, reason="pipeline: re-matched after an amendment")
        incident_refresh(current, reason="a report left after an amendment")
    if incident is None:
        incident = new_incident_for(report, by=None, reason="pipeline: a new event")
        tracker.watch(incident, new=True)
        place(report, incident, by=None, reason="pipeline: started a new incident", pin=False)
        incident_refresh(incident, reason="pipeline: a new event")
    else:
        incident_refresh(incident, reason="pipeline: its report was amended")
    outcome = MatchDecision.Outcome.NEW
    for match in matches[:MAX_CANDIDATES]:
        if match.decision != CANDIDATE or match.incident_id == str(incident.pk):
            continue
        outcome = MatchDecision.Outcome.CANDIDATE
        _propose(report, incident_id=match.incident_id, score=match.score, reasons=match.reasons)
    _record(report, incident, outcome, best.score if best else None, reasons)
    tracker.apply()
    return str(outcome)


def _propose(report: Report, *, incident_id, score: float, reasons: dict) -> None:
    """A pending duplicate candidate for a reviewer (re-scored if one is pending already)."""
    existing = DuplicateCandidate.objects.filter(report=report, incident_id=incident_id).first()
    if existing is None:
        DuplicateCandidate.objects.create(report=report, incident_id=incident_id, score=score, reasons=reasons)
    elif existing.decision == DuplicateCandidate.Decision.PENDING and existing.score != score:
        existing.score, existing.reasons = score, reasons
        save_recorded(existing, by=None, reason="pipeline: re-scored", fields=["score", "reasons"])


def incident_decided_by_reviewer(incident: Incident) -> bool:
    """Whether a reviewer has decided something about this incident that the pipeline must not undo.

    Verified (now or once), a figure overridden, a report placed by a
    reviewer, another incident merged into it, or its public text written by
    a reviewer. The pipeline never retires such an incident on its own
    (invariant 5): a tombstone would take the verification, overrides and
    text away from partners, pointing at an incident they may not see.
    """
    return (
        incident.status == IncidentStatus.VERIFIED
        or incident.verified_at is not None
        or incident.title_by_reviewer
        or incident.perpetrator_by_reviewer
        or bool(incident.summary)
        or IncidentCasualty.objects.filter(incident=incident, best_override__isnull=False).exists()
        or Report.objects.filter(incident=incident, incident_pinned=True).exists()
        or Incident.objects.filter(merged_into=incident).exists()
    )


def _match_json(match) -> dict:
    return {"incident": match.incident_id, "score": match.score, "decision": match.decision, "reasons": match.reasons}


def _record(report: Report, incident: Incident, outcome: str, score: float | None, reasons: dict) -> None:
    MatchDecision.objects.create(
        report=report,
        incident=incident,
        outcome=outcome,
        score=score,
        reasons=reasons,
        join_threshold=JOIN_THRESHOLD,
        candidate_threshold=CANDIDATE_THRESHOLD,
    )


def _only_member(incident: Incident, report: Report) -> bool:
    return not incident_member_reports(incident_ids=[incident.pk]).exclude(pk=report.pk).exists()
