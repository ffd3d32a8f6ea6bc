"""Processing reports in batches: claim them, place them in incidents, reconcile, aggregate — exactly once in effect.

PostgreSQL, not the broker, is the record of work to do: a report is
`pending` from the moment it is committed (or handed back by a review or an
amendment) until a worker has placed it. The steps (docs/pipeline.md):

1. Claim a batch: one statement (`UPDATE … WHERE id IN (SELECT … FOR UPDATE
   SKIP LOCKED LIMIT n) RETURNING id`) takes up to `batch_size()` reports
   that are `pending`, or `claimed` long enough ago that their worker must be
   gone → `claimed`, one fresh `processing_claimed_at` (the batch's token),
   one more attempt; committed at once. Claims are routed: a batch prefers
   the place and kind of event of its oldest report and avoids those another
   worker's batch holds now, so two workers do not queue behind each other's
   locks. A report out of attempts is marked `failed` by the same statement.
2. Decide, in one transaction: the advisory locks of every report of the
   batch in one sorted statement (`locks.py`: family × governorate × week),
   the reports' row locks and a check that each claim is still ours (else a
   later claim owns it), then the reports are placed: the candidate incidents
   of all the batch's blocks are one query, their members and figures one
   more, and the matcher decides in memory, report after report, the
   incidents created earlier in the batch included (two reports of one new
   event in one batch make one incident). The writes follow in bulk through
   the transitions (`transitions.py`: new incidents, placements, their
   history), then each touched incident is recomputed once, the decisions
   and candidates are inserted, the aggregates follow (`AggregateTracker`,
   once per batch) and the reports are marked `done`.
   A worker killed inside this transaction leaves nothing half-done: PostgreSQL
   rolls it back and the reports stay claimed until the claim goes stale.
3. All or nothing per report: the batch runs in a savepoint; if anything in it
   fails, it is rolled back and the reports are placed again one by one, each
   in a savepoint of its own, under the locks already held. The report that
   fails (a poison report) records a failed attempt with its error and the
   others are placed. After `SIJIL_PROCESSING_MAX_ATTEMPTS` attempts it is
   marked `failed` with the error, visibly, rather than retried forever.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from incidents.dedup import (
    CANDIDATE,
    JOIN,
    IncidentRecord,
    Match,
    block_for,
    compatible_categories,
    score_candidates,
)
from incidents.models import (
    DuplicateCandidate,
    Incident,
    IncidentStatus,
    MatchDecision,
)
from incidents.selectors import (
    BlockView,
    block_pool,
    block_pool_members,
    block_view,
    candidate_incidents,
    in_block,
    incident_decided_by_reviewer,
    incident_member_reports,
    matcher_model,
    report_incident_figures,
    reports_to_sweep,
)
from incidents.services.aggregates import AggregateTracker
from incidents.services.healing import Known, blocks_heal
from incidents.services.locks import area_lock_names, lock_areas, lock_names, report_spans
from incidents.services.refresh import (
    incident_record,
    incident_refresh,
    incidents_refresh,
    published_members,
    report_record,
)
from incidents.services.transitions import (
    create_incidents,
    detach,
    new_incident_for,
    place,
    place_many,
    retire_if_empty,
    unsaved_incident_for,
)
from incidents.tasks import enqueue_report
from incidents.webhooks.services import webhook_listeners_kept  # webhooks
from reports.choices import HandBack, ProcessingState, ReportStatus
from reports.history import copy_many_recorded_values, create_many_recorded, save_recorded
from reports.models import Category, Report

logger = logging.getLogger(__name__)

# A report's id, as the callers have it: its UUID, or the same as text (a task's argument).
ReportId: TypeAlias = uuid.UUID | str

# How many duplicate candidates one report may put before reviewers.
MAX_CANDIDATES = 5
# Healing looks again only at the incidents whose new report scored at least this (pairwise, against another
# incident of its block) online: below it the report adds no evidence that its incident and another are one
# event, and an average link that was under the merge threshold before cannot have crossed it.
HEAL_EVIDENCE = 0.3
# How many of the oldest waiting reports a claim looks at to choose its batch.
CLAIM_WINDOW = 20


def max_attempts() -> int:
    return getattr(settings, "SIJIL_PROCESSING_MAX_ATTEMPTS", 5)


def batch_size() -> int:
    """How many reports one task claims and places together (`SIJIL_PROCESSING_BATCH_SIZE`)."""
    return max(1, getattr(settings, "SIJIL_PROCESSING_BATCH_SIZE", 50))


def stale_after() -> timedelta:
    """How long a claim may go without finishing before another worker may take the report over."""
    return timedelta(seconds=getattr(settings, "SIJIL_PROCESSING_STALE_SECONDS", 300))


OUT_OF_ATTEMPTS = "Gave up after the maximum number of attempts; the worker stopped mid-task."


@dataclass
class BatchResult:
    """What a batch did: each claimed report's outcome, and the reports whose attempt failed (id → may retry)."""

    outcomes: dict[str, str] = field(default_factory=dict)
    failed: dict[str, bool] = field(default_factory=dict)


# --- claiming -----------------------------------------------------------------------------

_CLAIM_SQL = """
WITH fam(category, family) AS (SELECT * FROM unnest(%(categories)s::text[], %(families)s::text[])),
busy AS (
    SELECT DISTINCT COALESCE(f.family, r.category_id) AS family, r.admin1_id
    FROM reports_report r LEFT JOIN fam f ON f.category = r.category_id
    WHERE r.processing_state = 'claimed' AND r.processing_claimed_at >= %(stale)s
),
ready AS (
    SELECT r.id, r.received_at, COALESCE(f.family, r.category_id) AS family, r.admin1_id
    FROM reports_report r LEFT JOIN fam f ON f.category = r.category_id
    WHERE (r.processing_state = 'pending' OR (r.processing_state = 'claimed' AND r.processing_claimed_at < %(stale)s))
      AND r.processing_attempts < %(max)s {only}
    ORDER BY r.received_at
    LIMIT %(window)s
),
ranked AS (
    SELECT ready.*, EXISTS (SELECT 1 FROM busy b WHERE b.family = ready.family AND b.admin1_id = ready.admin1_id)
        AS busy
    FROM ready
),
head AS (SELECT family, admin1_id FROM ranked ORDER BY busy, received_at LIMIT 1),
picked AS (
    SELECT r.id FROM reports_report r JOIN ranked ON ranked.id = r.id
    WHERE (r.processing_state = 'pending' OR (r.processing_state = 'claimed' AND r.processing_claimed_at < %(stale)s))
      AND r.processing_attempts < %(max)s
    ORDER BY r.id = %(first)s DESC NULLS LAST, ranked.busy,
        (ranked.family, ranked.admin1_id) = (SELECT family, admin1_id FROM head) DESC NULLS LAST, ranked.received_at
    LIMIT %(limit)s
    FOR UPDATE OF r SKIP LOCKED
),
gave_up AS (
    UPDATE reports_report SET processing_state = 'failed', processing_error = %(gave_up)s
    WHERE (processing_state = 'pending' OR (processing_state = 'claimed' AND processing_claimed_at < %(stale)s))
      AND processing_attempts >= %(max)s {only_plain}
    RETURNING id
)
UPDATE reports_report SET processing_state = 'claimed', processing_claimed_at = %(now)s,
    processing_attempts = processing_attempts + 1
WHERE id IN (SELECT id FROM picked)
RETURNING id
"""

_families: dict[str, str] | None = None


def _category_families() -> dict[str, str]:
    """Category slug → its family's name (the matcher's compatible categories), for routing claims."""
    global _families
    if _families is None:
        _families = {
            slug: ",".join(sorted(compatible_categories(slug)))
            for slug in Category.objects.values_list("slug", flat=True)
        }
    return _families


def reports_claim(
    *, limit: int, first: ReportId | None = None, only: ReportId | None = None
) -> tuple[datetime, list[str]]:
    """Claim up to `limit` reports (`only`: that report alone; `first`: that one first if it can be had).

    Returns the claim's token (its time) and the ids claimed, committed at
    once. Reports out of attempts (a report that kills its worker every time)
    are failed visibly instead.
    """
    now = timezone.now()
    stale = now - stale_after()
    with transaction.atomic():
        if connection.vendor != "postgresql":
            return now, _claim_portably(now=now, stale=stale, limit=limit, only=only, first=first)
        families = _category_families()
        with connection.cursor() as cursor:
            # The claim's commit does not wait for the disk (about 20 ms a batch): it is visible to every worker at
            # once all the same, and the batch's own commit, which does wait, makes it durable first (the log is
            # written in order). Lost only if PostgreSQL itself crashed in between: the reports are then pending
            # again, as if never claimed, and that attempt is not counted.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Claims one at a time, so that each sees which areas the others took (a few milliseconds).
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK])
            cursor.execute(
                _CLAIM_SQL.format(
                    only="AND r.id = %(only)s" if only is not None else "",
                    only_plain="AND id = %(only)s" if only is not None else "",
                ),
                {
                    "categories": list(families),
                    "families": list(families.values()),
                    "stale": stale,
                    "now": now,
                    "max": max_attempts(),
                    "window": max(CLAIM_WINDOW * limit, 200),
                    "limit": limit,
                    "first": first,
                    "only": only,
                    "gave_up": OUT_OF_ATTEMPTS,
                },
            )
            claimed = [str(row[0]) for row in cursor.fetchall()]
    return now, claimed


def _claim_portably(
    *, now: datetime, stale: datetime, limit: int, only: ReportId | None, first: ReportId | None
) -> list[str]:
    """The claim without PostgreSQL (the embedded demo on SQLite, one writer at a time)."""
    claimable = Q(processing_state=ProcessingState.PENDING) | Q(
        processing_state=ProcessingState.CLAIMED, processing_claimed_at__lt=stale
    )
    scope = Report.objects.filter(claimable)
    if only is not None:
        scope = scope.filter(pk=only)
    scope.filter(processing_attempts__gte=max_attempts()).update(
        processing_state=ProcessingState.FAILED, processing_error=OUT_OF_ATTEMPTS
    )
    ids = list(
        scope.filter(processing_attempts__lt=max_attempts())
        .order_by(Case(When(pk=first, then=Value(0)), default=Value(1)), "received_at")
        .values_list("pk", flat=True)[:limit]
    )
    Report.objects.filter(claimable, pk__in=ids).update(
        processing_state=ProcessingState.CLAIMED,
        processing_claimed_at=now,
        processing_attempts=F("processing_attempts") + 1,
    )
    return [str(pk) for pk in ids]


_CLAIM_LOCK = int.from_bytes(b"sijilclm", "big", signed=True)


def report_claim(*, report_id: ReportId) -> datetime | None:
    """Claim one report; returns the claim's token (its time) or None if it is not ours to do."""
    token, claimed = reports_claim(limit=1, only=report_id)
    return token if claimed else None


# --- processing ---------------------------------------------------------------------------


def report_process(*, report_id: ReportId) -> str:
    """Claim and process one report, as a batch of one; returns what happened (for logs and tests).

    "skipped": nothing to do (already done, failed, or claimed by another
    worker). Otherwise the placement: "join", "candidate", "new" (the matcher's
    outcome), "kept" (already in its incident, only recomputed), "pinned" (a
    reviewer placed it: never moved), "removed" (rejected: it leaves its
    incident). A failure raises, after recording the failed attempt.
    """
    token, claimed = reports_claim(limit=1, only=report_id)
    if not claimed:
        return "skipped"
    result = process_claimed(token=token, report_ids=claimed)
    if str(report_id) in result.failed:
        raise ProcessingFailed(Report.objects.get(pk=report_id).processing_error)
    return result.outcomes.get(str(report_id), "skipped")


class ProcessingFailed(Exception):
    """A report's attempt failed (its error is recorded on the report)."""


def reports_process(
    *, first: ReportId | None = None, limit: int | None = None, when_full: Callable[[], object] | None = None
) -> BatchResult:
    """Claim a batch (with `first` in it if it can be had) and process it; see the module's docstring.

    `when_full` is called once the claim is committed if it took a whole
    batch: more reports may be waiting (the task wakes another worker).
    """
    limit = limit or batch_size()
    token, claimed = reports_claim(limit=limit, first=first)
    if not claimed:
        return BatchResult()
    if when_full is not None and len(claimed) >= limit:
        when_full()
    return process_claimed(token=token, report_ids=claimed)


def process_claimed(*, token: datetime, report_ids: list[str]) -> BatchResult:
    """Place the reports this worker claimed with `token`, in one transaction, all or nothing per report."""
    result = BatchResult()
    try:
        with transaction.atomic(), webhook_listeners_kept():
            mine = _lock_batch(token=token, report_ids=report_ids)
            try:
                with transaction.atomic():
                    result.outcomes.update(_place_batch(mine))
            except Exception as exc:
                logger.warning(
                    "A batch of %d failed (%s); placing its reports one by one", len(mine), type(exc).__name__
                )
                for report_id in [str(r.pk) for r in mine]:
                    try:
                        with transaction.atomic():
                            fresh = _reports_of([report_id])
                            result.outcomes.update(_place_batch(fresh))
                    except Exception as exc:
                        # The type only in the log: a message may quote the report's content.
                        logger.warning("Processing report %s failed (%s)", report_id, type(exc).__name__)
                        error = f"{type(exc).__name__}: {exc}"
                        result.failed[report_id] = report_processing_failed(report_id=report_id, error=error)
    except Exception as exc:
        # The batch's own transaction failed (the database went away, a deadlock): every report's attempt failed.
        logger.warning("Processing a batch failed (%s)", type(exc).__name__)
        for report_id in report_ids:
            result.outcomes.pop(report_id, None)
            result.failed[report_id] = report_processing_failed(
                report_id=report_id, error=f"{type(exc).__name__}: {exc}"
            )
    for report_id in set(report_ids) - set(result.outcomes) - set(result.failed):
        result.outcomes[report_id] = "skipped"
    return result


def _reports_of(report_ids: list[str]) -> list[Report]:
    return list(
        Report.objects.filter(pk__in=report_ids)
        .select_related("category", "incident__category")
        .prefetch_related("casualties")
        .order_by("received_at", "id")
    )


def _lock_batch(*, token: datetime, report_ids: list[str]) -> list[Report]:
    """The batch's area keys (one statement), then its reports' rows; returns those whose claim is still ours."""
    seen = list(Report.objects.filter(pk__in=report_ids).select_related("incident"))
    taken = lock_areas({span for report in seen for span in report_spans(report)})
    locked = list(
        Report.objects.select_for_update(of=("self",))
        .filter(pk__in=report_ids, processing_state=ProcessingState.CLAIMED, processing_claimed_at=token)
        .select_related("category", "incident__category")
        .prefetch_related("casualties")
        .order_by("received_at", "id")
    )
    # Amended between the read and the lock: lock its new area too (a deadlock is retried).
    extra = area_lock_names({span for report in locked for span in report_spans(report)}) - taken
    if extra:
        lock_names(extra)
    return locked


def _place_batch(reports: list[Report]) -> dict[str, str]:
    """Place the batch's reports: those never placed together in memory, the others one by one; mark them done."""
    outcomes: dict[str, str] = {}
    fresh = [r for r in reports if r.incident_id is None and r.status != ReportStatus.REJECTED]
    for report in reports:
        if report.incident_id is not None or report.status == ReportStatus.REJECTED:
            outcomes[str(report.pk)] = _place(report)
    known = None
    if fresh:
        placed, known = _place_fresh(fresh)
        outcomes.update(placed)
    # What the batch read and wrote is what healing needs, unless reports were placed one by one too.
    _heal(reports, known=known if len(fresh) == len(reports) else None)
    if outcomes:
        Report.objects.filter(pk__in=list(outcomes)).update(
            processing_state=ProcessingState.DONE,
            processed_at=timezone.now(),
            processing_error="",
            processing_reason=HandBack.NONE,
        )
    return outcomes


def _heal(reports: list[Report], *, known: Known | None) -> None:
    """Merge back the fragments of one event in the blocks the batch's reports landed in (services/healing.py)."""
    placed = [r for r in reports if r.status != ReportStatus.REJECTED]
    if not placed:
        return
    if known is not None:
        focus = set(known.focus)
    else:
        focus = {
            str(pk)
            for pk in Report.objects.filter(pk__in=[r.pk for r in placed], incident__isnull=False).values_list(
                "incident_id", flat=True
            )
        }
    tracker = AggregateTracker()
    blocks_heal(
        blocks={block_for(report_record(r, figures=False)) for r in placed},
        focus=focus,
        model=matcher_model(),
        tracker=tracker,
        known=known,
    )
    tracker.apply()


def report_hand_back(*, report_id: ReportId, reason: str) -> None:
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


def reports_hand_back(*, report_ids: list[ReportId], reason: str) -> None:
    """`report_hand_back` of a batch (a bulk import's): one statement, and a wake-up per pipeline batch.

    A message is a wake-up that claims up to `batch_size()` waiting reports
    (`process_report`), so a batch of n reports needs n / batch_size of them,
    each naming one of its reports as the first to claim; the sweeper sends
    again whatever a lost message leaves pending. With coalesced wake-ups
    (`config/wakeups.py`) the first of them goes out and the others find it
    waiting: each full claim then wakes the next.
    """
    if reason not in HandBack.values or reason == HandBack.NONE:
        raise ValueError(f"Unknown hand-back reason {reason!r}")
    if not report_ids:
        return
    if reason != HandBack.SUBMITTED:
        for report_id in report_ids:
            report_hand_back(report_id=report_id, reason=reason)
        return
    firsts = list(report_ids[:: batch_size()])

    def wake() -> None:
        for report_id in firsts:
            enqueue_report(report_id)

    transaction.on_commit(wake)


def report_processing_failed(*, report_id: ReportId, error: str) -> bool:
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


def reports_sweep(*, enqueue: Callable[[uuid.UUID], object]) -> int:
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
    model = matcher_model()
    matches = score_candidates(record, records, rejected=rejected, model=model)
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


def _place_fresh(reports: list[Report]) -> tuple[dict[str, str], Known]:
    """Place reports never placed before, together: read once, decide in memory one after the other, write in bulk.

    The same decision as `_match` makes for each of them in turn, on the
    same candidates (`in_block` is `candidate_incidents`' rule, applied to
    the incidents as the batch has changed them so far, those it created
    included); then the writes go through the transitions' bulk forms.
    """
    model = matcher_model()
    records = {str(r.pk): report_record(r) for r in reports}
    blocks = {pk: block_for(record) for pk, record in records.items()}
    pool: dict[str, Incident] = {str(i.pk): i for i in block_pool(blocks=blocks.values())}
    members: dict[str, list[Report]] = {pk: [] for pk in pool}
    # The members without a prefetch (a queryset per report): their figures in one read of plain rows. Their
    # `casualties` are not read again below: the incidents that need them recomputed are read again.
    for member in block_pool_members(incident_ids=list(pool)):
        members[str(member.incident_id)].append(member)
    rows = report_incident_figures(report_ids=[m.pk for ms in members.values() for m in ms])
    for ms in members.values():
        for member in ms:
            records.setdefault(str(member.pk), report_record(member, figure_rows=rows.get(member.pk, ())))
    views = {pk: block_view(i) for pk, i in pool.items()}
    rejected: dict[str, set[str]] = {str(r.pk): set() for r in reports}
    pending: dict[tuple[str, str], DuplicateCandidate] = {}
    for pair in DuplicateCandidate.objects.filter(report_id__in=[r.pk for r in reports]):
        key = (str(pair.report_id), str(pair.incident_id))
        if pair.decision == DuplicateCandidate.Decision.REJECTED:
            rejected[key[0]].add(key[1])
        pending[key] = pair
    summaries: dict[str, IncidentRecord] = {}

    def summary(pk: str) -> IncidentRecord:
        if pk not in summaries:
            summaries[pk] = IncidentRecord.from_reports(pk, [records[str(m.pk)] for m in members[pk]])
        return summaries[pk]

    created: list[Incident] = []
    placements: list[tuple[Report, str, str]] = []
    decisions: list[tuple[Report, str, str, float | None, dict[str, Any]]] = []
    proposals: list[tuple[Report, Match]] = []
    outcomes: dict[str, str] = {}
    to_heal: set[str] = set()  # the incidents whose new report has evidence of another fragment in its block
    for report in reports:
        report_id = str(report.pk)
        block = blocks[report_id]
        in_the_block = [pk for pk, members_of in members.items() if members_of and in_block(block, views[pk])]
        in_the_block.sort(key=lambda pk: (members[pk][0].received_at, str(members[pk][0].pk)))
        matches = score_candidates(
            records[report_id],
            [summary(pk) for pk in in_the_block],
            rejected=frozenset(rejected[report_id]),
            model=model,
        )
        best = matches[0] if matches else None
        reasons = {"matches": [_match_json(m) for m in matches[:MAX_CANDIDATES]]}
        if best is not None and best.decision == JOIN:
            target, outcome, why = (
                best.incident_id,
                MatchDecision.Outcome.JOIN,
                f"pipeline: joined (score {best.score:.3f})",
            )
        else:
            incident = unsaved_incident_for(report)
            target, outcome, why = str(incident.pk), MatchDecision.Outcome.NEW, "pipeline: started a new incident"
            created.append(incident)
            pool[target], members[target] = incident, []
            for match in matches[:MAX_CANDIDATES]:
                if match.decision == CANDIDATE and match.incident_id != target:
                    outcome = MatchDecision.Outcome.CANDIDATE
                    proposals.append((report, match))
        members[target].append(report)
        members[target].sort(key=lambda m: (m.received_at, str(m.pk)))
        summaries.pop(target, None)
        published = IncidentRecord.from_reports(
            target, [records[str(m.pk)] for m in published_members(members[target])]
        )
        views[target] = BlockView(
            published.category, published.admin1, published.admin2, published.occurred_from, published.occurred_to
        )
        placements.append((report, target, why))
        decisions.append((report, target, str(outcome), best.score if best else None, reasons))
        outcomes[report_id] = str(outcome)
        if any(
            m.incident_id != target and float(m.reasons.get("pairwise_probability", 1.0)) >= HEAL_EVIDENCE
            for m in matches
        ):
            to_heal.add(target)

    new_ids = {str(i.pk) for i in created}
    joined = sorted({target for _, target, _ in placements} - new_ids)
    targets: dict[str, Incident] = {
        str(i.pk): i
        for i in Incident.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=joined)
        .order_by("pk")
    }
    tracker = AggregateTracker()
    tracker.watch(*targets.values())
    tracker.watch(*created, new=True)
    create_incidents(created, by=None, reason="pipeline: a new event")
    targets.update({str(i.pk): i for i in created})
    place_many([(report, targets[target], why) for report, target, why in placements], by=None, pin=False)
    incidents_refresh(
        list(targets.values()),
        reason={pk: "pipeline: a new event" if pk in new_ids else "pipeline: a report joined" for pk in targets},
        # The incidents this batch created hold only its own reports (locked, not yet visible to anyone else):
        # they are not read again. Those it joined are, under their row locks.
        known_members={targets[pk].pk: members[pk] for pk in new_ids},
    )
    _propose_many(proposals, pending)
    # By COPY (no history on decisions): their `reasons` are most of the batch's bytes, and an INSERT's arrays
    # of JSON text are escaped in Python. The same rows, in the same order, each stamped as a save stamps it.
    copy_many_recorded_values(
        MatchDecision,
        [
            {
                "report_id": report.pk,
                "incident_id": targets[target].pk,
                "outcome": outcome,
                "score": score,
                "reasons": reasons,
                "join_threshold": model.join_threshold,
                "candidate_threshold": model.candidate_threshold,
                "model_version": model.version,
            }
            for report, target, outcome, score, reasons in decisions
        ],
        by=None,
        reason="",
    )
    tracker.apply()
    incidents = {**pool, **targets}
    known = Known(
        incidents=incidents,
        reports={pk: members[pk] for pk in incidents},
        records={pk: records[pk] for rs in members.values() for pk in (str(r.pk) for r in rs)},
        focus=to_heal,
    )
    return outcomes, known


def _propose_many(proposals: list[tuple[Report, Match]], existing: dict[tuple[str, str], DuplicateCandidate]) -> None:
    """`_propose` for a batch: the new candidates in one insert (with their history), re-scores one by one."""
    new: list[DuplicateCandidate] = []
    for report, match in proposals:
        pair = existing.get((str(report.pk), match.incident_id))
        if pair is None:
            new.append(
                DuplicateCandidate(
                    report=report, incident_id=match.incident_id, score=match.score, reasons=match.reasons
                )
            )
        elif pair.decision == DuplicateCandidate.Decision.PENDING and pair.score != match.score:
            pair.score, pair.reasons = match.score, match.reasons
            save_recorded(pair, by=None, reason="pipeline: re-scored", fields=["score", "reasons"])
    create_many_recorded(new, by=None, reasons="pipeline: a possible duplicate for a reviewer")


def _propose(report: Report, *, incident_id: str, score: float, reasons: dict[str, Any]) -> None:
    """A pending duplicate candidate for a reviewer (re-scored if one is pending already)."""
    existing = DuplicateCandidate.objects.filter(report=report, incident_id=incident_id).first()
    if existing is None:
        DuplicateCandidate.objects.create(report=report, incident_id=incident_id, score=score, reasons=reasons)
    elif existing.decision == DuplicateCandidate.Decision.PENDING and existing.score != score:
        existing.score, existing.reasons = score, reasons
        save_recorded(existing, by=None, reason="pipeline: re-scored", fields=["score", "reasons"])


def _match_json(match: Match) -> dict[str, Any]:
    return {"incident": match.incident_id, "score": match.score, "decision": match.decision, "reasons": match.reasons}


def _record(report: Report, incident: Incident, outcome: str, score: float | None, reasons: dict[str, Any]) -> None:
    model = matcher_model()
    MatchDecision.objects.create(
        report=report,
        incident=incident,
        outcome=outcome,
        score=score,
        reasons=reasons,
        join_threshold=model.join_threshold,
        candidate_threshold=model.candidate_threshold,
        model_version=model.version,
    )


def _only_member(incident: Incident, report: Report) -> bool:
    return not incident_member_reports(incident_ids=[incident.pk]).exclude(pk=report.pk).exists()
