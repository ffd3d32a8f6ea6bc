"""Healing: after a batch is placed, the fragments of one event in its blocks are merged back together.

The online decision (processing.py) places each report as it comes; one that
scored under the join threshold starts an incident of its own, and the next
reports of the event then meet two fragments. `blocks_heal` re-resolves the
incidents of the batch's blocks together (`incidents.dedup.resolve_block`:
average linkage over report-to-report probabilities, which does not chain)
and applies what it says, inside the batch's transaction and under its area
locks:

- two fragments that are one event: the one to go is absorbed into the
  other through the one absorb service (`transitions.absorb`, pin=False: the
  pipeline's placement, which a reviewer can undo with a split); each report
  that moved gets a `MatchDecision` with outcome `merged`, the probability,
  the threshold, the model version and the strongest and weakest report pairs;
- a verified incident is never merged automatically, nor are two incidents
  that both hold a report a reviewer placed (or a reviewer's own text or
  figure): a duplicate candidate for a reviewer instead;
- a reviewer's "not this incident" (a rejected candidate) is never merged
  nor proposed again; an incident a reviewer decided on is never absorbed
  (invariant 5), though it may absorb a fragment.

Reads are a handful of queries per batch (the blocks' incidents, their
reports, reviewers' decisions); the comparisons are kept per worker process
(`PairCache`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from incidents.dedup import Block, IncidentRecord, MatchModel, PairCache, ReportRecord, resolve_block, score_pair
from incidents.models import (
    LIVE_STATUSES,
    DuplicateCandidate,
    Incident,
    IncidentCasualty,
    IncidentStatus,
    MatchDecision,
)
from incidents.selectors import (
    block_view,
    candidate_incidents_of_blocks,
    in_block,
    incident_decided_by_reviewer,
    incident_member_reports,
)
from incidents.services.aggregates import AggregateTracker
from incidents.services.refresh import report_record
from incidents.services.transitions import absorb
from reports.choices import ReportStatus
from reports.history import create_many_recorded
from reports.models import Report

logger = logging.getLogger(__name__)

_cache = PairCache()  # report-pair comparisons, kept per worker process


@dataclass
class Known:
    """The blocks' incidents, their member reports and the reports' records, as the batch left them in memory."""

    incidents: dict[str, Incident]
    reports: dict[str, list[Report]]
    records: dict[str, ReportRecord]
    focus: set[str] = field(default_factory=set)  # the incidents worth resolving again


@dataclass
class Healed:
    """What one healing pass did: incidents absorbed (absorbed → survivor) and candidates proposed."""

    merged: dict[str, str] = field(default_factory=dict)
    proposed: int = 0


def blocks_heal(
    *,
    blocks: Iterable[Block],
    focus: Iterable[str],
    model: MatchModel,
    tracker: AggregateTracker,
    known: Known | None = None,
) -> Healed:
    """Resolve the incidents of `blocks` together; merge fragments of one event, propose the doubtful.

    `focus`: the incidents the batch's reports went to (only links touching
    them are considered: the others were resolved before). Runs inside the
    caller's transaction, which holds the blocks' area locks.
    """
    healed = Healed()
    blocks = list(blocks)
    focus_ids = {str(pk) for pk in focus}
    if not blocks or not focus_ids:
        return healed
    if known is not None:
        # The batch's own reads (`known`: its blocks' incidents, members and records after its writes).
        pool = {pk: i for pk, i in known.incidents.items() if i.status in LIVE_STATUSES}
        reports = {pk: list(known.reports.get(pk, [])) for pk in pool}
        records = {pk: [known.records[str(r.pk)] for r in rs] for pk, rs in reports.items() if rs}
    else:
        pool = {str(i.pk): i for i in candidate_incidents_of_blocks(blocks=blocks)}
        reports = {pk: [] for pk in pool}
        for member in incident_member_reports(incident_ids=list(pool)):
            reports[str(member.incident_id)].append(member)
        records = {pk: [report_record(r) for r in rs] for pk, rs in reports.items() if rs}
    if len(records) < 2:
        return healed
    groups = _groups(blocks, pool, records, focus_ids)
    if not groups:
        return healed
    verified = {pk for pk, i in pool.items() if i.status == IncidentStatus.VERIFIED or i.verified_at is not None}
    decided = _decided_by_reviewer(pool, reports)
    # A report a reviewer placed never moves; an incident a reviewer decided on is held as if its reports were.
    pinned = {str(r.pk) for pk, rs in reports.items() for r in rs if r.incident_pinned or pk in decided}
    rejected = {
        (str(report_id), str(incident_id))
        for report_id, incident_id in DuplicateCandidate.objects.filter(
            incident_id__in=list(pool), decision=DuplicateCandidate.Decision.REJECTED
        ).values_list("report_id", "incident_id")
    } | {
        (str(report_id), str(incident_id))
        for report_id, incident_id in DuplicateCandidate.objects.filter(
            report__incident_id__in=list(pool), decision=DuplicateCandidate.Decision.REJECTED
        ).values_list("report_id", "incident_id")
    }
    proposals: list[tuple[Incident, Incident, float, str]] = []
    for group in groups:
        resolution = resolve_block(
            members={pk: records[pk] for pk in group},
            verified=verified & group,
            rejected_reports=rejected,
            pinned=pinned,
            model=model,
            focus=focus_ids & group,
            cache=_cache,
        )
        for merge in resolution.merges:
            source = _survivor(healed, merge.source)
            target = _survivor(healed, merge.target)
            if source == target:
                continue
            if _merge(pool[source], pool[target], merge.probability, merge.explanation, model, tracker):
                healed.merged[source] = target
                reports[target] = reports.get(target, []) + reports.pop(source, [])
                records[target] = records.get(target, []) + records.pop(source, [])
        for candidate in resolution.candidates:
            a, b = _survivor(healed, candidate.incident_a), _survivor(healed, candidate.incident_b)
            if a != b:
                proposals.append((pool[a], pool[b], candidate.probability, candidate.reason))
    healed.proposed = _propose_pairs(proposals, reports, records, model)
    if healed.merged:
        logger.info("Healing merged %d fragment(s) into the incidents of their event", len(healed.merged))
    return healed


def _groups(
    blocks: list[Block], pool: dict[str, Incident], records: dict[str, list[ReportRecord]], focus: set[str]
) -> list[set[str]]:
    """The blocks' incidents that hold reports, as groups that share an incident with a focused block, joined."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    views = {pk: block_view(incident) for pk, incident in pool.items() if pk in records}
    for block in blocks:
        inside = [pk for pk, view in views.items() if in_block(block, view)]
        if len(inside) < 2 or not focus.intersection(inside):
            continue
        first = find(inside[0])
        for pk in inside[1:]:
            parent[find(pk)] = first
    groups: dict[str, set[str]] = {}
    for pk in parent:
        groups.setdefault(find(pk), set()).add(pk)
    return [group for group in groups.values() if len(group) > 1 and group & focus]


def _decided_by_reviewer(pool: dict[str, Incident], reports: dict[str, list[Report]]) -> set[str]:
    """`processing.incident_decided_by_reviewer` for a whole pool, in two queries (verification aside)."""
    decided = {
        pk
        for pk, i in pool.items()
        if i.title_by_reviewer or i.perpetrator_by_reviewer or i.summary or any(r.incident_pinned for r in reports[pk])
    }
    decided |= {
        str(pk)
        for pk in IncidentCasualty.objects.filter(incident_id__in=list(pool), best_override__isnull=False)
        .values_list("incident_id", flat=True)
        .distinct()
    }
    decided |= {
        str(pk)
        for pk in Incident.objects.filter(merged_into_id__in=list(pool))
        .values_list("merged_into_id", flat=True)
        .distinct()
    }
    return decided


def _survivor(healed: Healed, pk: str) -> str:
    while pk in healed.merged:
        pk = healed.merged[pk]
    return pk


def _merge(
    source: Incident,
    target: Incident,
    probability: float,
    explanation: dict[str, Any],
    model: MatchModel,
    tracker: AggregateTracker,
) -> bool:
    """Absorb `source` into `target` if both are still as they were read (rows locked now); False if not."""
    locked = {
        str(i.pk): i
        for i in Incident.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked.get(str(source.pk)), locked.get(str(target.pk))  # type: ignore[assignment]
    if source is None or target is None:
        return False
    for incident in (source, target):
        if incident.status != IncidentStatus.UNVERIFIED or incident.verified_at is not None:
            return False
    if incident_decided_by_reviewer(source):
        return False
    moving = list(
        Report.objects.filter(incident=source).exclude(status=ReportStatus.REJECTED).order_by("received_at", "id")
    )
    tracker.watch(source, target)
    reason = (
        f"pipeline: one event with {target.pk} (average linkage {probability:.3f} ≥ "
        f"{model.merge_threshold:.3f}, model {model.version})"
    )
    absorb(absorbed=source, target=target, by=None, reason=reason, pin=False)
    MatchDecision.objects.bulk_create(
        MatchDecision(
            report=report,
            incident=target,
            outcome=MatchDecision.Outcome.MERGED,
            score=min(1.0, max(0.0, probability)),
            reasons={"collective": explanation, "absorbed": str(source.pk)},
            join_threshold=model.join_threshold,
            candidate_threshold=model.candidate_threshold,
            model_version=model.version,
        )
        for report in moving
    )
    return True


def _propose_pairs(
    pairs: list[tuple[Incident, Incident, float, str]],
    reports: dict[str, list[Report]],
    records: dict[str, list[ReportRecord]],
    model: MatchModel,
) -> int:
    """Duplicate candidates for a reviewer, in one read and one insert: the first report of the one that
    would go, against the other (the verified one stays: a reviewer decides whether the other joins it)."""
    wanted: dict[tuple[str, str], tuple[Report, Incident, float, str]] = {}
    for a, b, probability, why in pairs:
        if a.status not in LIVE_STATUSES or b.status not in LIVE_STATUSES:
            continue
        stay, go = (a, b) if a.status == IncidentStatus.VERIFIED else (b, a)
        members = [r for r in reports.get(str(go.pk), []) if r.status != ReportStatus.REJECTED]
        if not members or not records.get(str(stay.pk)):
            continue
        report = min(members, key=lambda r: (r.received_at, str(r.pk)))
        wanted.setdefault((str(report.pk), str(stay.pk)), (report, stay, probability, why))
    if not wanted:
        return 0
    existing = {
        (str(report_id), str(incident_id))
        for report_id, incident_id in DuplicateCandidate.objects.filter(
            report_id__in={key[0] for key in wanted}, incident_id__in={key[1] for key in wanted}
        ).values_list("report_id", "incident_id")
    }
    known = {record.id: record for rs in records.values() for record in rs}
    new = []
    for key, (report, stay, probability, why) in wanted.items():
        if key in existing:
            continue
        incident = IncidentRecord.from_reports(key[1], records[key[1]])
        record = known.get(key[0]) or report_record(report)  # the record read with the blocks', if it was
        _, reasons = score_pair(record, incident, model=model)
        reasons = {**reasons, "collective": {"probability": probability, "held": why, "model_version": model.version}}
        new.append(
            DuplicateCandidate(report=report, incident=stay, score=min(1.0, max(0.0, probability)), reasons=reasons)
        )
    create_many_recorded(new, by=None, reasons="pipeline: its incident and this one may be one event")
    return len(new)
