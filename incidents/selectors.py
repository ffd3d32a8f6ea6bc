"""Reads for the pipeline: candidate incidents, an incident's reports, what the sweeper must pick up."""

from __future__ import annotations

import operator
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Abs, Cast, Coalesce

from incidents.dedup import Block, MatchModel, block_contains, default_model, load_model
from incidents.models import (
    LIVE_STATUSES,
    DuplicateCandidate,
    Incident,
    IncidentCasualty,
    IncidentStatus,
    MatcherModel,
)
from reports.choices import CasualtyScope, ProcessingState, ReportStatus
from reports.models import Report, ReportCasualty
from reports.selectors import reports_for_review

# An incident is looked for only among those that started at most this long
# before a report's window opens: it bounds the range the blocking index scans
# whatever the size of the register. Longer-running incidents (an outage of
# months) are rare; a report of one that started earlier starts a new incident,
# which a reviewer can merge.
MAX_INCIDENT_SPAN = timedelta(days=92)
# Windows of one place this close are read together by `candidate_incidents_of_blocks`.
MERGE_GAP = timedelta(days=1)


def live_incidents() -> QuerySet[Incident]:
    """Incidents that count: neither merged into another nor withdrawn."""
    return Incident.objects.filter(status__in=LIVE_STATUSES)


def candidate_incidents(*, block: Block) -> QuerySet[Incident]:
    """The live incidents in a report's block, as one query on the `incident_block` index.

    The rule is `incidents.dedup.block_contains`: a compatible category, a
    governorate of the block, a district of the block (or none on either
    side), and a time span overlapping the block's window.
    """
    queryset = live_incidents().filter(
        category_id__in=sorted(block.categories),
        admin1_id__in=sorted(block.admin1),
        occurred_from__lte=block.window_end,
        occurred_from__gte=block.window_start - MAX_INCIDENT_SPAN,
    )
    queryset = queryset.filter(
        Q(occurred_to__gte=block.window_start) | Q(occurred_to__isnull=True, occurred_from__gte=block.window_start)
    )
    if block.admin2 is not None:
        queryset = queryset.filter(Q(admin2_id__in=sorted(block.admin2)) | Q(admin2__isnull=True))
    return queryset.order_by("id")


def _block_condition(block: Block) -> Q:
    condition = Q(
        category_id__in=sorted(block.categories),
        admin1_id__in=sorted(block.admin1),
        occurred_from__lte=block.window_end,
        occurred_from__gte=block.window_start - MAX_INCIDENT_SPAN,
    ) & (Q(occurred_to__gte=block.window_start) | Q(occurred_to__isnull=True, occurred_from__gte=block.window_start))
    if block.admin2 is not None:
        condition &= Q(admin2_id__in=sorted(block.admin2)) | Q(admin2__isnull=True)
    return condition


def candidate_incidents_of_blocks(*, blocks: Iterable[Block]) -> QuerySet[Incident]:
    """The live incidents of any of the blocks (a batch's reports), as one query: `candidate_incidents` of each, ORed.

    Which incident is in which block is decided again in Python by `in_block`,
    which is the same rule.
    """
    # Blocks of one place whose windows overlap (or nearly) are read as one window (a superset: the caller's
    # `in_block` keeps each report's own), so a batch of one busy district is a few short conditions.
    by_place: dict[tuple[frozenset[str], frozenset[str], frozenset[str] | None], list[tuple[datetime, datetime]]] = {}
    for block in blocks:
        by_place.setdefault((block.categories, block.admin1, block.admin2), []).append(
            (block.window_start, block.window_end)
        )
    merged: list[Block] = []
    for place, windows in by_place.items():
        windows.sort()
        start, end = windows[0]
        for next_start, next_end in windows[1:]:
            if next_start <= end + MERGE_GAP:
                end = max(end, next_end)
                continue
            merged.append(Block(*place, window_start=start, window_end=end))
            start, end = next_start, next_end
        merged.append(Block(*place, window_start=start, window_end=end))
    if not merged:
        return live_incidents().none()
    return live_incidents().filter(reduce(operator.or_, map(_block_condition, merged))).order_by("id")


# What the batch pipeline reads of its blocks' incidents (`block_pool`): their block (`block_view`), whether they are
# live, and what healing asks of them (verified, decided by a reviewer). Those the batch writes are read again,
# whole and locked; a field left out is read on first use (a query), never wrong.
POOL_INCIDENT_FIELDS = (
    "status",
    "category",
    "admin1",
    "admin2",
    "occurred_from",
    "occurred_to",
    "verified_at",
    "title_by_reviewer",
    "perpetrator_by_reviewer",
    "summary",
)
# What it reads of their members: the matcher's record of each (`refresh.report_record`, figures apart) and what
# healing asks (pinned, rejected, arrival).
POOL_MEMBER_FIELDS = (
    "incident",
    "incident_pinned",
    "status",
    "received_at",
    "category",
    "occurred_at",
    "occurred_until",
    "time_precision",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "geo_precision",
    "title",
    "narrative",
    "perpetrator",
    "language",
)


def block_pool(*, blocks: Iterable[Block]) -> QuerySet[Incident]:
    """`candidate_incidents_of_blocks` with only `POOL_INCIDENT_FIELDS` (no model instance's worth of columns)."""
    return candidate_incidents_of_blocks(blocks=blocks).only(*POOL_INCIDENT_FIELDS)


def block_pool_members(*, incident_ids: Iterable[object]) -> QuerySet[Report]:
    """`incident_member_reports` with only `POOL_MEMBER_FIELDS`, without figures (`report_incident_figures`)."""
    return (
        incident_member_reports(incident_ids=incident_ids, figures=False).select_related(None).only(*POOL_MEMBER_FIELDS)
    )


@dataclass(frozen=True)
class BlockView:
    """An incident's fields that decide which blocks it is in (`in_block`), as ids."""

    category: str
    admin1: str
    admin2: str | None
    occurred_from: datetime
    occurred_to: datetime | None


def block_view(incident: Incident) -> BlockView:
    return BlockView(
        incident.category_id, incident.admin1_id, incident.admin2_id, incident.occurred_from, incident.occurred_to
    )


def in_block(block: Block, incident: BlockView) -> bool:
    """Whether an incident (anything with its category, admin1, admin2 and time span) is in `candidate_incidents`."""
    return block_contains(block, incident) and incident.occurred_from >= block.window_start - MAX_INCIDENT_SPAN


def incident_member_reports(*, incident_ids: Iterable[object], figures: bool = True) -> QuerySet[Report]:
    """The reports that make up incidents: everything but rejected reports, with their figures.

    `figures=False`: without them (`report.casualties` is then read per report
    if asked): for a caller that reads them with `report_incident_figures`.
    """
    queryset = (
        Report.objects.filter(incident_id__in=list(incident_ids))
        .exclude(status=ReportStatus.REJECTED)
        .select_related("category")
        .order_by("received_at", "id")
    )
    return queryset.prefetch_related("casualties") if figures else queryset


def report_incident_figures(*, report_ids: Iterable[object]) -> dict[object, list[tuple[str, str, int, int]]]:
    """Reports' incident-scope figures as (kind, group, low, high), by report id, in one query.

    In the order `report.casualties` gives them (kind, group, scope: the
    model's ordering within a report), without a model instance or a
    prefetch queryset per report.
    """
    rows: dict[object, list[tuple[str, str, int, int]]] = {}
    for report_id, kind, group, low, high in (
        ReportCasualty.objects.filter(report_id__in=list(report_ids), scope=CasualtyScope.INCIDENT)
        .order_by("report_id", "kind", "group", "scope")
        .values_list("report_id", "kind", "group", "low", "high")
    ):
        rows.setdefault(report_id, []).append((kind, group, low, high))
    return rows


def review_queue() -> QuerySet[Report]:
    """The review queue of `reports.selectors.reports_for_review`, with each report's pending duplicate candidates.

    `candidate_count` in the same query (no query per row).
    """
    pending = (
        DuplicateCandidate.objects.filter(report=OuterRef("pk"), decision=DuplicateCandidate.Decision.PENDING)
        .order_by()
        .values("report")
        .annotate(n=Count("id"))
        .values("n")
    )
    return reports_for_review().annotate(
        candidate_count=Coalesce(Subquery(pending, output_field=IntegerField()), Value(0))
    )


def reports_to_sweep(*, cutoff: datetime) -> QuerySet[Report]:
    """Reports the pipeline has not finished with for too long: still pending, or claimed by a worker gone quiet.

    For a pending report the clock is `processing_claimed_at` when set (the
    last time it was claimed or handed to the broker) and else `received_at`.
    """
    pending = Q(processing_state=ProcessingState.PENDING) & (
        Q(processing_claimed_at__lt=cutoff) | Q(processing_claimed_at__isnull=True, received_at__lt=cutoff)
    )
    stale_claim = Q(processing_state=ProcessingState.CLAIMED, processing_claimed_at__lt=cutoff)
    return Report.objects.filter(pending | stale_claim).order_by("received_at")


def incidents_to_choose(*, near: Incident | None, query: str = "", exclude=(), limit: int = 20) -> list[Incident]:
    """Live incidents a reviewer may merge into or move a report to.

    With a query: those whose title, place or summary contains it, or whose id starts with it (as copied
    from the API). Without: the ones near `near` — the same governorate, within a week — first in time.
    """
    queryset = (
        live_incidents().exclude(pk__in=[pk for pk in exclude if pk]).select_related("category", "admin1", "admin2")
    )
    query = query.strip()
    if query:
        matches = Q(title__icontains=query) | Q(place_name__icontains=query) | Q(summary__icontains=query)
        if len(query) >= 6 and all(c in "0123456789abcdef-" for c in query.lower()):
            matches |= Q(text_id__startswith=query.lower())
            queryset = queryset.annotate(text_id=Cast("id", CharField()))
        return list(queryset.filter(matches).order_by("-occurred_from")[:limit])
    if near is None:
        return []
    return list(
        queryset.filter(
            admin1_id=near.admin1_id,
            occurred_from__gte=near.occurred_from - timedelta(days=7),
            occurred_from__lte=near.occurred_from + timedelta(days=7),
        ).order_by("occurred_from")[:limit]
    )


# How long a worker process keeps the active matcher model before looking again (one query).
MODEL_RECHECK_SECONDS = 60.0


@dataclass
class _KeptModel:
    model: MatchModel
    checked: float


_kept: list[_KeptModel] = []  # at most one: this process's model and when it was last checked


def matcher_model() -> MatchModel:
    """The model the pipeline decides with: the register's active `MatcherModel`, else the shipped default.

    Kept per process and looked up again at most every `MODEL_RECHECK_SECONDS`
    (the active version, one indexed query), so a newly trained model is in
    use within a minute on every worker without a restart.
    """
    now = time.monotonic()
    if _kept and now - _kept[0].checked < MODEL_RECHECK_SECONDS:
        return _kept[0].model
    version = MatcherModel.objects.filter(active=True).values_list("version", flat=True).first()
    wanted = version or default_model().version
    if _kept and _kept[0].model.version == wanted:
        model = _kept[0].model
    elif version is None:
        model = default_model()
    else:
        model = load_model(MatcherModel.objects.filter(version=version).values_list("model", flat=True).get())
    _kept[:] = [_KeptModel(model, now)]
    return model


def matcher_model_forget() -> None:
    """Look the active model up again on the next call (after training, and in tests)."""
    _kept.clear()


def training_reports(*, limit: int) -> QuerySet[Report]:
    """The latest reports that belong to an incident, with their figures: what the matcher learns from."""
    return (
        Report.objects.filter(incident__isnull=False)
        .exclude(status=ReportStatus.REJECTED)
        .select_related("category")
        .prefetch_related("casualties")
        .order_by("-received_at", "-id")[:limit]
    )


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


def candidates_for_review() -> QuerySet[DuplicateCandidate]:
    """Duplicate candidates, the pending ones first and, among them, those that would teach the matcher most.

    Active learning as the dedupe library does it (uncertainty sampling):
    the pair whose probability is nearest 0.5 has the highest entropy
    (`incidents.dedup.calibration.informativeness` is monotone in
    |p − 0.5|), so a reviewer's answer to it is the label the next
    calibration (incidents/services/learning.py) learns most from.
    """
    return DuplicateCandidate.objects.annotate(
        waiting=Case(When(decision=DuplicateCandidate.Decision.PENDING, then=Value(0)), default=Value(1)),
        certainty=Abs(F("score") - Value(0.5)),
    ).order_by("waiting", "certainty", "-score", "id")
