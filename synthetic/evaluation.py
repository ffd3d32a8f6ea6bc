"""Measuring the matcher: the pipeline's online clustering replayed in memory, and its scores against ground truth.

Used by bench/bench_matcher_quality.py, by the quality test and to estimate
the m/u probabilities of weights.py (`estimate_m_u`). Pure Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from incidents.dedup.blocking import Block, block_contains, block_for
from incidents.dedup.collective import AVERAGE, PairCache, resolve_block
from incidents.dedup.model import MatchModel
from incidents.dedup.records import IncidentRecord, ReportRecord
from incidents.dedup.scoring import JOIN, score_candidates, score_pair


class IncidentStore:
    """In-memory incidents, found by block the way the pipeline's query finds them (by governorate and day)."""

    def __init__(self) -> None:
        self.reports: dict[str, list[ReportRecord]] = {}
        self.summaries: dict[str, IncidentRecord] = {}
        self._by_day: dict[tuple[str, date], set[str]] = defaultdict(set)

    def add(self, incident_id: str, report: ReportRecord) -> None:
        old = self.summaries.get(incident_id)
        if old is not None:
            for key in self._keys(old):
                self._by_day[key].discard(incident_id)
        self.reports.setdefault(incident_id, []).append(report)
        summary = IncidentRecord.from_reports(incident_id, self.reports[incident_id])
        self.summaries[incident_id] = summary
        for key in self._keys(summary):
            self._by_day[key].add(incident_id)

    def absorb(self, source: str, target: str) -> None:
        """Move every report of incident `source` into `target` (a merge), re-indexing both."""
        moved = self.reports.pop(source)
        old = self.summaries.pop(source)
        for key in self._keys(old):
            self._by_day[key].discard(source)
        for report in moved:
            self.add(target, report)

    def candidates(self, block: Block) -> list[IncidentRecord]:
        ids: set[str] = set()
        day, last = block.window_start.date(), block.window_end.date()
        while day <= last:
            for admin1 in block.admin1:
                ids |= self._by_day.get((admin1, day), set())
            day = date.fromordinal(day.toordinal() + 1)
        found = (self.summaries[i] for i in sorted(ids))
        return [incident for incident in found if block_contains(block, incident)]

    @staticmethod
    def _keys(incident: IncidentRecord) -> Iterable[tuple[str, date]]:
        day, last = incident.occurred_from.date(), (incident.occurred_to or incident.occurred_from).date()
        while day <= last:
            yield incident.admin1, day
            day = date.fromordinal(day.toordinal() + 1)


@dataclass
class ClusteringRun:
    assignment: dict[str, str] = field(default_factory=dict)  # report id -> incident id
    decisions: Counter = field(default_factory=Counter)  # join / candidate / new, one per report
    candidates_scored: int = 0
    useful_candidates: int = 0  # "candidate" decisions whose incident truly was the report's event
    merges: int = 0  # fragments merged by collective resolution
    wrong_merges: int = 0  # of which the two fragments held no report of one true event (with `truth`)
    answers: int = 0  # with `reviewers_accept`: candidates the reviewer answered (a report's, healing's)
    reviewer_merges: int = 0  # healing's candidates the reviewer accepted


def cluster_online(
    reports: Sequence[ReportRecord],
    *,
    truth: dict[str, str] | None = None,
    reviewers_accept: bool = False,
    model: MatchModel | None = None,
    heal: bool = False,
    linkage: str = AVERAGE,
    cache: PairCache | None = None,
) -> ClusteringRun:
    """What the pipeline does, report by report in arrival order.

    block_for → the incidents in the block → score_candidates → join the best
    if its decision is "join", else start a new incident (a "candidate" also
    starts its own incident, left to a reviewer).

    With `truth`, also counts the candidates a reviewer would accept (the
    suggested incident holds reports of the report's true event); the
    clustering itself never looks at the truth, unless `reviewers_accept`:
    then an accepted candidate joins its incident, as a reviewer's decision
    would (the system of matcher and reviewers, not the matcher alone).

    With `heal`, after each report the incidents of its block are resolved
    collectively (`incidents.dedup.collective.resolve_block`, nothing
    verified or pinned) and the fragments it says are one event merged, as
    the pipeline v2 does after each batch. With `reviewers_accept` too, the
    reviewer also answers the duplicate candidates that healing proposes (two
    incidents: accepted, so merged, when they hold reports of one true event),
    each pair once, and what the reviewer rejected (a report's candidate, a
    pair of incidents) is passed to healing as the pipeline passes it
    (`rejected_reports`, `rejected_pairs`): never merged, never proposed
    again. `cache` may be shared between runs on the same reports
    (comparisons do not depend on the model).
    """
    store = IncidentStore()
    run = ClusteringRun()
    cache = cache or PairCache()
    members: dict[str, list[str]] = defaultdict(list)
    made = 0
    # What the reviewer said no to, by incident ids as they are now (kept current through merges).
    rejected_reports: set[tuple[str, str]] = set()
    rejected_pairs: set[frozenset[str]] = set()
    answered: set[frozenset[str]] = set()

    def one_event(a: str, b: str) -> bool:
        """Whether incidents a and b hold reports of one true event (a report the truth lacks: an event of its own)."""
        known = truth or {}
        return bool({known.get(r, r) for r in members[a]} & {known.get(r, r) for r in members[b]})

    def move(source: str, target: str) -> None:
        store.absorb(source, target)
        for moved in members.pop(source):
            members[target].append(moved)
            run.assignment[moved] = target
        for kept in (rejected_pairs, answered):
            for pair in [p for p in kept if source in p]:
                kept.discard(pair)
                if len(renamed := frozenset(target if i == source else i for i in pair)) == 2:
                    kept.add(renamed)
        for refused in [r for r in rejected_reports if r[1] == source]:
            rejected_reports.discard(refused)
            rejected_reports.add((refused[0], target))

    for report in reports:
        block = block_for(report)
        candidates = store.candidates(block)
        run.candidates_scored += len(candidates)
        matches = score_candidates(report, candidates, model=model)
        best = matches[0] if matches else None
        if best is not None and best.decision == JOIN:
            incident_id = best.incident_id
            run.decisions["join"] += 1
        else:
            incident_id = f"I{made:07d}"
            made += 1
            if best is not None and best.decision == "candidate":
                run.decisions["candidate"] += 1
                if truth is not None and any(truth[r] == truth[report.id] for r in members[best.incident_id]):
                    run.useful_candidates += 1
                    if reviewers_accept:
                        incident_id = best.incident_id
                elif reviewers_accept:
                    rejected_reports.add((report.id, best.incident_id))
                if reviewers_accept:
                    run.answers += 1
            else:
                run.decisions["new"] += 1
        store.add(incident_id, report)
        members[incident_id].append(report.id)
        run.assignment[report.id] = incident_id
        if heal:
            block_incidents = store.candidates(block)
            if len(block_incidents) > 1:
                resolution = resolve_block(
                    members={i.id: store.reports[i.id] for i in block_incidents},
                    rejected_pairs=[(min(p), max(p)) for p in rejected_pairs],
                    rejected_reports=rejected_reports,
                    model=model,
                    linkage=linkage,
                    focus=[incident_id],
                    cache=cache,
                )
                for merge in resolution.merges:
                    run.merges += 1
                    if truth is not None and not one_event(merge.source, merge.target):
                        run.wrong_merges += 1
                    move(merge.source, merge.target)
                if reviewers_accept and truth is not None:
                    for candidate in resolution.candidates:
                        a, b = candidate.incident_a, candidate.incident_b
                        pair = frozenset((a, b))
                        if a not in members or b not in members or pair in answered:
                            continue  # already merged by an earlier answer, or answered before
                        answered.add(pair)
                        run.answers += 1
                        if one_event(a, b):
                            source, target = sorted((a, b), key=lambda i: (len(members[i]), i))
                            run.reviewer_merges += 1
                            move(source, target)
                        else:
                            rejected_pairs.add(pair)
    return run


@dataclass(frozen=True)
class Quality:
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    true_pairs: int
    predicted_pairs: int


def quality(predicted: dict[str, str], truth: dict[str, str]) -> Quality:
    """Pairwise and B-cubed precision, recall and F1 of a clustering of reports against the truth."""
    pred_clusters: dict[str, list[str]] = defaultdict(list)
    true_clusters: dict[str, list[str]] = defaultdict(list)
    for report_id, cluster in predicted.items():
        pred_clusters[cluster].append(report_id)
        true_clusters[truth[report_id]].append(report_id)
    joint = Counter((predicted[r], truth[r]) for r in predicted)

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    tp = sum(pairs(n) for n in joint.values())
    predicted_pairs = sum(pairs(len(m)) for m in pred_clusters.values())
    true_pairs = sum(pairs(len(m)) for m in true_clusters.values())
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    pred_size = {c: len(m) for c, m in pred_clusters.items()}
    true_size = {c: len(m) for c, m in true_clusters.items()}
    b_precision = b_recall = 0.0
    for report_id in predicted:
        both = joint[(predicted[report_id], truth[report_id])]
        b_precision += both / pred_size[predicted[report_id]]
        b_recall += both / true_size[truth[report_id]]
    n = len(predicted) or 1
    b_precision, b_recall = b_precision / n, b_recall / n
    b_f1 = 2 * b_precision * b_recall / (b_precision + b_recall) if b_precision + b_recall else 0.0
    return Quality(precision, recall, f1, b_precision, b_recall, b_f1, true_pairs, predicted_pairs)


def estimate_m_u(reports: Sequence[ReportRecord], truth: dict[str, str]) -> dict[str, dict[str, tuple[int, int]]]:
    """Count feature levels among true and false (report, incident) pairs within blocks.

    Incidents are built from the truth (as a perfect matcher would have built
    them), reports taken in arrival order: feature → level → (count among
    matches, count among non-matches). m and u are these counts over their totals.
    """
    store = IncidentStore()
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for report in reports:
        for incident in store.candidates(block_for(report)):
            _, reasons = score_pair(report, incident)
            side = 0 if incident.id == truth[report.id] else 1
            for feature, level in reasons["levels"].items():
                counts[feature][level][side] += 1
            counts["_pairs"]["all"][side] += 1
        store.add(truth[report.id], report)
    return {f: {level: (c[0], c[1]) for level, c in levels.items()} for f, levels in counts.items()}
