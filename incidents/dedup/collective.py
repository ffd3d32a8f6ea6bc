"""Collective resolution: which fragments of one block are one event, decided together, without chaining.

The online decision places each report as it comes; a report that missed its
incident starts another, and later reports of the event then meet two or more
fragments of it. `resolve_block` looks at the block's incidents together and
says which unverified ones to merge: agglomerative clustering of the
fragments, where the link between two clusters is the average (or, with
`linkage="complete"`, the lowest) probability over every pair of their
reports that they describe one event. A cluster grows only while its reports
agree with each other on average, so two look-alikes joined by one
ambiguous report are not chained together as connected components would be.

Pure: the caller (the pipeline, `incidents.services`) passes the block's
incidents with their reports and the reviewers' decisions, and applies the
merges through its absorb service; nothing here writes.

    resolution = resolve_block(
        members={incident_id: [ReportRecord, ...], ...},  # every incident of the block
        verified={...},                                    # incident ids a reviewer verified
        rejected_pairs={(incident_a, incident_b), ...},    # a reviewer said: two events
        rejected_reports={(report_id, incident_id), ...},  # a reviewer said: not this incident
        pinned={report_id, ...},                           # a reviewer placed these reports
        model=model,
    )
    for merge in resolution.merges: absorb(source=merge.source, target=merge.target, explanation=merge.explanation)
    for candidate in resolution.candidates: a duplicate candidate for a reviewer
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from typing import Any

from incidents.dedup.blocking import compatible_categories
from incidents.dedup.facts import (
    category_level,
    distance_of,
    figures_of,
    incident_facts,
    place_of,
    report_facts,
    time_of,
)
from incidents.dedup.features import (
    UNKNOWN,
    Profile,
    category_agreement,
    distinct_events,
    family_agreement,
    figures_agreement,
    landmark_agreement,
    names_compared,
    parties_compared,
    perpetrator_agreement,
    time_gap,
)
from incidents.dedup.model import MatchModel, default_model
from incidents.dedup.records import IncidentRecord, ReportRecord
from incidents.dedup.scoring import comparison_levels, place_levels

AVERAGE = "average"
COMPLETE = "complete"
# Reasons a link at or above the merge threshold is not merged, but shown to a reviewer.
VERIFIED = "verified"
PINNED = "pinned"
BELOW_THRESHOLD = "below_threshold"
DISTINCT = "distinct"  # look-alikes told apart (two families, two landmarks): shown, never merged
# Two clusters linked below this are two events: each rivals the other for a third.
RIVAL_BELOW = 0.5
NEGLIGIBLE = 0.001


# The features of `comparison_levels` that are cheap to compare, each by the function that gives its level there.
# A pair's probability is bounded from above by these levels and the best weight of every other feature of the
# model (the text, which is most of a comparison's time): most pairs of a block are bounded far below any
# threshold, and their text is never compared (`PairCache.bound`).
_CHEAP_SINGLE: dict[str, Callable[[ReportRecord, IncidentRecord], tuple[str, Any]]] = {
    "category": category_agreement,
    "time": time_gap,
    "figures": figures_agreement,
    "perpetrator": perpetrator_agreement,
    "family": family_agreement,
    "landmark": landmark_agreement,
}
# The features a pair's bound compares (every other at its best weight): the place and the distance given it
# as `comparison_levels` gives them (`scoring.place_levels`).
CHEAP_FEATURES = frozenset({*_CHEAP_SINGLE, "location", "distance"})


def cheap_levels(report: ReportRecord, incident: IncidentRecord) -> dict[str, str]:
    """The levels of `CHEAP_FEATURES`, exactly as `comparison_levels` gives them."""
    levels = {name: level(report, incident)[0] for name, level in _CHEAP_SINGLE.items()}
    where = place_levels(report, incident)
    levels["location"], levels["distance"] = where["location"], where["distance"]
    return levels


class PairCache:
    """The feature levels (and probabilities) of report pairs, kept between calls.

    A report's comparisons never change while the report does not: entries
    are found by the two report ids and used only if they were made from the
    same records (an amended report, a different record, is compared afresh).
    Bounded: everything is dropped when `limit` pairs are kept.

    `bound` is an upper bound of `probability` from the cheap features alone
    (`CHEAP_FEATURES`, the others at their best weight): exact wherever the
    pair was compared in full.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._pairs: dict[tuple[str, str], _Entry] = {}
        self._singles: dict[str, tuple[ReportRecord, IncidentRecord]] = {}
        self._best_rest: dict[str, float] = {}
        self._level_weights: dict[str, dict[tuple[str, str], float]] = {}
        self._model_terms: dict[str, tuple[dict[tuple[str, str], float], float, float]] = {}

    def _entry(self, a: ReportRecord, b: ReportRecord) -> _Entry:
        """The pair's entry, made empty (nothing compared yet) if it is new or its records changed."""
        first, second = (a, b) if a.id <= b.id else (b, a)
        key = (first.id, second.id)
        entry = self._pairs.get(key)
        if (
            entry is None
            or not (entry.first is first or entry.first == first)
            or not (entry.second is second or entry.second == second)
        ):
            if len(self._pairs) >= self.limit:
                self._pairs.clear()
            entry = self._pairs[key] = _Entry(first, second, None, {})
        return entry

    def _compared(self, entry: _Entry) -> dict[str, str]:
        """The pair's levels, every feature compared (once)."""
        if entry.levels is None:
            late, early = self._oriented(entry.first, entry.second)
            entry.levels = comparison_levels(late, self._single(early))[0]
        return entry.levels

    @staticmethod
    def _oriented(first: ReportRecord, second: ReportRecord) -> tuple[ReportRecord, ReportRecord]:
        """The later report and the earlier: the later is compared with the earlier as an incident of one report."""
        if (first.occurred_from, first.id) <= (second.occurred_from, second.id):
            return second, first
        return first, second

    def _single(self, report: ReportRecord) -> IncidentRecord:
        """The report as an incident of its own, made once per report (and remade if the record changed)."""
        kept = self._singles.get(report.id)
        if kept is None or kept[0] is not report:
            if kept is not None and kept[0] == report:
                # An equal record (a later batch's read of the same row): kept by this one, so that its next
                # calls find it by identity.
                kept = self._singles[report.id] = (report, kept[1])
            else:
                if len(self._singles) >= self.limit:
                    self._singles.clear()
                kept = self._singles[report.id] = (report, IncidentRecord.from_reports(report.id, [report]))
        return kept[1]

    def levels(self, a: ReportRecord, b: ReportRecord) -> dict[str, str]:
        return self._compared(self._entry(a, b))

    def probability(self, a: ReportRecord, b: ReportRecord, model: MatchModel) -> float:
        """`model.pair_probability` of the pair's levels, kept per model version."""
        entry = self._entry(a, b)
        found = entry.probabilities.get(model.version)
        if found is None:
            found = entry.probabilities[model.version] = model.pair_probability(self._compared(entry))
        return found

    def bound(self, a: ReportRecord, b: ReportRecord, model: MatchModel) -> float:
        """At least `probability(a, b, model)`: the cheap features' levels, every other feature at its best.

        Exact (the probability) where the pair was compared in full. Made afresh otherwise, without an entry:
        a pair's bound is asked for once per resolution (`resolve_block` keeps it), and seldom again later.
        """
        first, second = (a, b) if a.id <= b.id else (b, a)
        entry = self._pairs.get((first.id, second.id))
        if (
            entry is not None
            and entry.levels is not None
            and (entry.first is first or entry.first == first)
            and (entry.second is second or entry.second == second)
        ):
            return self.probability(a, b, model)
        late, early = self._oriented(first, second)
        weights, prior, rest = self._terms(model)
        # The levels' weights in the levels' order (`_cheap`'s items are the (feature, level) keys).
        evidence = sum(map(weights.get, self._cheap(late, self._single(early), early).items(), repeat(0.0)))
        # A hair above, so that summing in another order than the full comparison cannot put it below.
        return model.probability(prior + evidence + rest + 1e-9)

    def _terms(self, model: MatchModel) -> tuple[dict[tuple[str, str], float], float, float]:
        """`_weights`, `model.pair_prior_weight()` and `_rest` of a model version, kept together."""
        found = self._model_terms.get(model.version)
        if found is None:
            terms = (self._weights(model), model.pair_prior_weight(), self._rest(model))
            found = self._model_terms[model.version] = terms
        return found

    def _cheap(self, late: ReportRecord, single: IncidentRecord, early: ReportRecord) -> dict[str, str]:
        """`cheap_levels(late, single)` (`single`: the earlier report `early` as an incident), from what each
        record's facts say (`facts.py`, read once per record); the same levels in the same order (a test
        compares them)."""
        mine, theirs = report_facts(late), incident_facts(single)
        place = place_of(mine, single, theirs)[0]
        distance_level, km = distance_of(late, single)
        return {
            "category": category_level(late.category, single.category)[0],
            "time": time_of(mine, theirs)[0],
            "figures": figures_of(mine, single, theirs)[0] if late.figures and single.figures else UNKNOWN,
            "perpetrator": parties_compared(mine.party, theirs.parties)[0],
            "family": names_compared(mine.families, theirs.families)[0],
            "landmark": names_compared(mine.landmarks, theirs.landmarks)[0],
            "location": place,
            "distance": f"{place}/{distance_level}" if km is not None else UNKNOWN,
        }

    def _weights(self, model: MatchModel) -> dict[tuple[str, str], float]:
        """`model.level_weight` of every (feature, level) the model has, made once per model version."""
        found = self._level_weights.get(model.version)
        if found is None:
            found = self._level_weights[model.version] = {
                (feature, level): model.level_weight(feature, level)
                for feature, levels in model.m_u.items()
                for level in levels
            }
        return found

    def _rest(self, model: MatchModel) -> float:
        """The best weight the model gives the features that are not cheap (never below 0: "unknown" weighs 0)."""
        found = self._best_rest.get(model.version)
        if found is None:
            found = self._best_rest[model.version] = sum(
                max([0.0, *(model.level_weight(feature, level) for level in levels)])
                for feature, levels in model.m_u.items()
                if feature not in CHEAP_FEATURES
            )
        return found


@dataclass
class _Entry:
    first: ReportRecord
    second: ReportRecord
    levels: dict[str, str] | None  # None until the pair is compared in full
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Merge:
    """Absorb incident `source` into `target`; `explanation` is JSON for the decision row."""

    source: str
    target: str
    probability: float
    explanation: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Candidate:
    """Two incidents that may be one event, for a reviewer: `reason` says why they were not merged."""

    incident_a: str
    incident_b: str
    probability: float
    reason: str
    explanation: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class Resolution:
    merges: tuple[Merge, ...]
    candidates: tuple[Candidate, ...]
    clusters: tuple[tuple[str, ...], ...]  # incident ids that are one event after the merges, the target first


@dataclass
class _Cluster:
    incidents: list[str]
    reports: list[ReportRecord]
    verified: bool
    pinned: bool


def resolve_block(
    *,
    members: Mapping[str, Sequence[ReportRecord]],
    verified: Collection[str] = (),
    rejected_pairs: Collection[tuple[str, str]] = (),
    rejected_reports: Collection[tuple[str, str]] = (),
    pinned: Collection[str] = (),
    model: MatchModel | None = None,
    linkage: str = AVERAGE,
    rivals: bool = True,
    focus: Collection[str] | None = None,
    cache: PairCache | None = None,
) -> Resolution:
    """Which fragments of a block to merge, and which pairs of incidents to show a reviewer.

    `members`: every incident of the block (its id → its reports). Two
    clusters of incidents are joined, best link first, while the link is at
    least `model.merge_threshold`; the link is the average (`linkage=
    "average"`) or the minimum (`"complete"`) of the pairwise probabilities
    of their reports (`model.pair_probability`; 0 across incompatible
    categories). With `rivals` (the default) a link is shared with the
    clusters that rival it, as `score_candidates` shares a report's
    probability: a fragment that links as well to b as to c, where b and c
    are two events (linked below 0.5), merges with neither. Never merged:
    - a verified incident, with anything: a link at or above the merge
      threshold becomes a `Candidate` (reason "verified");
    - two incidents a reviewer said are two events (`rejected_pairs`), or a
      report and an incident a reviewer said it is not (`rejected_reports`,
      (report id, incident id)): no merge and no candidate;
    - two incidents that both hold a pinned report (a report a reviewer
      placed never moves): a candidate (reason "pinned");
    - two look-alikes the matcher tells apart (`features.distinct_events`:
      two family names, two landmarks…): a candidate (reason "distinct"), and
      each rivals the other for a third fragment.
    An incident with a pinned report may absorb others. The target of a
    merge is the incident with a pinned report, else the one with most
    reports, then the earliest, then the smallest id; each merge's
    `explanation` gives the linkage, the probability, the threshold, the
    model version and the strongest and weakest report pairs. Links between
    the candidate threshold and the merge threshold are candidates too
    (reason "below_threshold"). Deterministic: ties are broken by ids.

    `focus`: the incidents that changed since the block was last resolved
    (those the batch's reports went to); only links that touch them (or
    the clusters they merge into) are considered, the others having been
    resolved before. None considers every pair. `cache` keeps report-pair
    comparisons between calls (a `PairCache`; one per worker process).
    """
    if linkage not in (AVERAGE, COMPLETE):
        raise ValueError(f"linkage must be {AVERAGE!r} or {COMPLETE!r}, not {linkage!r}")
    model = model or default_model()
    cache = cache or PairCache()
    verified_ids, pinned_ids = frozenset(verified), frozenset(pinned)
    cannot = {frozenset(pair) for pair in rejected_pairs}
    report_home = {r.id: incident_id for incident_id, reports in members.items() for r in reports}
    for report_id, incident_id in rejected_reports:
        home = report_home.get(report_id)
        if home is not None and home != incident_id:
            cannot.add(frozenset((home, incident_id)))
    # Made when a merge ranks its two sides (`_target_rank`), not for every incident of the block.
    summaries = _Summaries(members)
    clusters = {
        i: _Cluster([i], list(members[i]), i in verified_ids, any(r.id in pinned_ids for r in members[i]))
        for i in sorted(i for i, rs in members.items() if rs)
    }
    pair_p: dict[tuple[str, str], float] = {}
    categories: dict[tuple[str, str], bool] = {}

    def compatible(first: str, second: str) -> bool:
        """`second in compatible_categories(first)`, kept per pair of categories."""
        found = categories.get((first, second))
        if found is None:
            found = categories[(first, second)] = second in compatible_categories(first)
        return found

    def p(a: ReportRecord, b: ReportRecord) -> float:
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        found = pair_p.get(key)
        if found is None:
            found = cache.probability(a, b, model) if compatible(a.category, b.category) else 0.0
            pair_p[key] = found
        return found

    def linked(pair: Callable[[ReportRecord, ReportRecord], float], x: _Cluster, y: _Cluster) -> float:
        """The average (or, complete linkage, the minimum) of `pair` over the two clusters' report pairs."""
        values = [pair(a, b) for a in x.reports for b in y.reports]
        if not values:
            return 0.0
        return min(values) if linkage == COMPLETE else sum(values) / len(values)

    def link(x: _Cluster, y: _Cluster) -> float:
        return linked(p, x, y)

    pair_bound: dict[tuple[str, str], float] = {}

    def p_bound(a: ReportRecord, b: ReportRecord) -> float:
        """At least p(a, b): p itself once known, else the cache's bound from the cheap features."""
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        found = pair_p.get(key)
        if found is None:
            found = pair_bound.get(key)
            if found is None:
                found = pair_bound[key] = cache.bound(a, b, model) if compatible(a.category, b.category) else 0.0
        return found

    def link_bound(x: _Cluster, y: _Cluster) -> float:
        """At least link(x, y): the same average (or minimum) of the pairs' bounds."""
        return linked(p_bound, x, y)

    profiles: dict[str, tuple[int, Profile]] = {}

    def profile(k: str) -> Profile:
        """The cluster's profile (families, landmarks, places…), remade when the cluster grew."""
        cluster = clusters[k]
        kept = profiles.get(k)
        if kept is None or kept[0] != len(cluster.reports):
            kept = profiles[k] = (len(cluster.reports), Profile.of(IncidentRecord.from_reports(k, cluster.reports)))
        return kept[1]

    def distinct(a: str, b: str) -> bool:
        """Known to be two events (two families named, two landmarks): look-alikes, never fragments of one."""
        return distinct_events(profile(a), profile(b))

    def forbidden(x: _Cluster, y: _Cluster) -> bool:
        return any(frozenset((i, j)) in cannot for i in x.incidents for j in y.incidents)

    links: dict[tuple[str, str], float] = {}

    def key(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a < b else (b, a)

    def get(a: str, b: str) -> float:
        k = key(a, b)
        value = links.get(k)
        if value is None:
            value = links[k] = link(clusters[k[0]], clusters[k[1]])
        return value

    bounds: dict[tuple[str, str], float] = {}

    def below(a: str, b: str, threshold: float) -> bool:
        """Whether get(a, b) < threshold, without comparing the texts of its pairs when their bound says so."""
        k = key(a, b)
        value = links.get(k)
        if value is None:
            bound = bounds.get(k)
            if bound is None:
                bound = bounds[k] = link_bound(clusters[k[0]], clusters[k[1]])
            if bound < threshold:
                return True
            value = get(a, b)
        return value < threshold

    def exclusive(a: str, b: str, value: float, floor: float) -> float:
        """The link of a and b once the clusters that rival b for a (and a for b) share it.

        A fragment describes one event: when it links as well to b as to c, and
        b and c are two events (they do not link), neither merge is sure. Once
        the rivals have taken it under `floor` it can only fall further: that
        value is returned without reading the remaining rivals (the caller
        uses a link under `floor` only to pass it over).
        """
        odds = value / max(1e-12, 1 - value)
        rival_odds = 0.0
        for c in clusters:
            if c in (a, b):
                continue
            # A rival whose own link is negligible (odds under 1/1000) changes nothing: its other link is not read.
            if not below(a, c, NEGLIGIBLE):
                q = get(a, c)
                if below(b, c, RIVAL_BELOW) or distinct(b, c):
                    rival_odds += q / max(1e-12, 1 - q)
            if not below(b, c, NEGLIGIBLE):
                q = get(b, c)
                if below(a, c, RIVAL_BELOW) or distinct(a, c):
                    rival_odds += q / max(1e-12, 1 - q)
            if rival_odds and odds / (1 + odds + rival_odds) < floor:
                return odds / (1 + odds + rival_odds)
        return odds / (1 + odds + rival_odds) if rival_odds else value

    watched = set(clusters) if focus is None else {i for i in focus if i in clusters}

    def considered() -> list[tuple[str, str]]:
        """The pairs that may merge: those with a watched cluster (the others were resolved before)."""
        return sorted({key(a, b) for a in watched for b in clusters if b != a})

    merges: list[Merge] = []
    held: dict[tuple[str, str], str] = {}  # links at or above the threshold not merged, and why
    while True:
        best: tuple[float, str, str] | None = None
        for a, b in considered():
            if (a, b) in held or below(a, b, model.merge_threshold):
                continue
            raw = get(a, b)
            x, y = clusters[a], clusters[b]
            if forbidden(x, y):
                held[(a, b)] = "rejected"
                continue
            if distinct(a, b):
                held[(a, b)] = DISTINCT
                continue
            value = exclusive(a, b, raw, model.merge_threshold) if rivals else raw
            if value < model.merge_threshold:
                continue
            if x.verified or y.verified:
                held[(a, b)] = VERIFIED
                continue
            if x.pinned and y.pinned:
                held[(a, b)] = PINNED
                continue
            if best is None or (-value, a, b) < (-best[0], best[1], best[2]):
                best = (value, a, b)
        if best is None:
            break
        value, a, b = best
        x, y = clusters[a], clusters[b]
        raw_link = get(a, b)
        target_key, source_key = (a, b) if _target_rank(x, summaries) <= _target_rank(y, summaries) else (b, a)
        target, source = clusters[target_key], clusters[source_key]
        # The source's first incident holds the source's reports by now (earlier merges moved them
        # there): merges are to be applied in order.
        merges.append(
            Merge(
                source=source.incidents[0],
                target=target.incidents[0],
                probability=round(value, 6),
                explanation={
                    **_explain(model, linkage, raw_link, source, target, p, cache),
                    "shared_probability": round(value, 6),
                },
            )
        )
        target.incidents.extend(source.incidents)
        target.reports.extend(source.reports)
        target.pinned = target.pinned or source.pinned
        del clusters[source_key]
        changed = {source_key, target_key}
        links = {k: v for k, v in links.items() if not changed & set(k)}
        bounds = {k: v for k, v in bounds.items() if not changed & set(k)}
        held = {k: v for k, v in held.items() if not changed & set(k)}
        watched.discard(source_key)
        watched.add(target_key)
    candidates = []
    for a, b in considered():
        reason = held.get((a, b))
        if reason == "rejected" or (reason is None and below(a, b, model.candidate_threshold)):
            continue
        value = get(a, b)
        if reason is None and forbidden(clusters[a], clusters[b]):
            continue
        x, y = clusters[a], clusters[b]
        candidates.append(
            Candidate(
                incident_a=x.incidents[0],
                incident_b=y.incidents[0],
                probability=round(value, 6),
                reason=reason or BELOW_THRESHOLD,
                explanation=_explain(model, linkage, value, y, x, p, cache),
            )
        )
    return Resolution(
        merges=tuple(merges),
        candidates=tuple(candidates),
        clusters=tuple(tuple(c.incidents) for _, c in sorted(clusters.items())),
    )


class _Summaries:
    """`IncidentRecord.from_reports` of a block's incidents (as they were handed in), each made on first use."""

    def __init__(self, members: Mapping[str, Sequence[ReportRecord]]) -> None:
        self._members = members
        self._made: dict[str, IncidentRecord] = {}

    def __getitem__(self, incident_id: str) -> IncidentRecord:
        found = self._made.get(incident_id)
        if found is None:
            found = self._made[incident_id] = IncidentRecord.from_reports(incident_id, list(self._members[incident_id]))
        return found


def _target_rank(cluster: _Cluster, summaries: _Summaries) -> tuple[bool, int, datetime, str]:
    first = cluster.incidents[0]
    return (not cluster.pinned, -len(cluster.reports), summaries[first].occurred_from, first)


def _explain(
    model: MatchModel,
    linkage: str,
    value: float,
    source: _Cluster,
    target: _Cluster,
    p: Callable[[ReportRecord, ReportRecord], float],
    cache: PairCache,
) -> dict[str, Any]:
    pairs = sorted(
        ((p(a, b), a, b) for a in source.reports for b in target.reports), key=lambda t: (-t[0], t[1].id, t[2].id)
    )
    shown = pairs[:3] + [t for t in pairs[-2:] if t not in pairs[:3]]
    return {
        "method": "collective",
        "linkage": linkage,
        "probability": round(value, 6),
        "merge_threshold": model.merge_threshold,
        "model_version": model.version,
        "reports_compared": len(pairs),
        "source_incidents": list(source.incidents),
        "target_incident": target.incidents[0],
        "pairs": [
            {"reports": [a.id, b.id], "probability": round(q, 6), "levels": cache.levels(a, b)} for q, a, b in shown
        ],
    }
