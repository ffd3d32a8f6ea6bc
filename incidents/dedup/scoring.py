"""Scoring a report against candidate incidents, with the reasons a reviewer reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from incidents.dedup import weights
from incidents.dedup.features import (
    category_agreement,
    distance,
    family_agreement,
    figures_agreement,
    perpetrator_agreement,
    place_agreement,
    text_match,
    time_gap,
)
from incidents.dedup.records import IncidentRecord, ReportRecord

JOIN = "join"
CANDIDATE = "candidate"
NEW = "new"


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one (report, incident) pair.

    `score` is the probability that the report describes this incident,
    given all the candidates scored with it (they share the mass: see
    `score_candidates`). `decision` is "join" for at most one incident (the
    best, at or above JOIN_THRESHOLD), "candidate" for one a reviewer should
    look at (at or above CANDIDATE_THRESHOLD), "new" otherwise. `reasons` is
    JSON-serialisable: the features, their levels and weights, the pairwise
    probability and the number of competitors.
    """

    incident_id: str
    score: float
    decision: str
    reasons: dict = field(compare=False)


def score_pair(report: ReportRecord, incident: IncidentRecord) -> tuple[float, dict]:
    """The probability that a report describes an incident, and the features and weights behind it."""
    category_level, category = category_agreement(report, incident)
    time_level, gap_hours = time_gap(report, incident)
    distance_level, km = distance(report, incident)
    place_level, place = place_agreement(report, incident)
    text_level, similarity = text_match(report, incident)
    figures_level, figures = figures_agreement(report, incident)
    perpetrator_level, perpetrator = perpetrator_agreement(report, incident)
    family_level, family = family_agreement(report, incident)
    levels = {
        "category": category_level,
        "time": time_level,
        "distance": distance_level,
        "place": place_level,
        "text": text_level,
        "figures": figures_level,
        "perpetrator": perpetrator_level,
        "family": family_level,
    }
    feature_weights = {name: round(weights.level_weight(name, level), 3) for name, level in levels.items()}
    total = weights.prior_weight() + sum(feature_weights.values())
    score = weights.probability(total)
    reasons = {
        "time_gap_hours": gap_hours,
        "distance_km": km,
        "place_agreement": place_level,
        "place_detail": place,
        "text_similarity": similarity,
        "figures_agreement": figures_level,
        "figures_detail": figures,
        "perpetrator": perpetrator_level,
        "perpetrator_party": perpetrator,
        "category": category,
        "family": family,
        "levels": levels,
        "weights": feature_weights,
        "prior_weight": round(weights.prior_weight(), 3),
        "total_weight": round(total, 3),
    }
    return score, reasons


def score_candidates(
    report: ReportRecord,
    incidents: Iterable[IncidentRecord],
    *,
    rejected: frozenset[str] = frozenset(),
) -> list[Match]:
    """Score a report against the incidents of its block, best first.

    Each pair gets Fellegi–Sunter odds (prior odds × the likelihood ratios of
    its features). A report describes at most one incident, so the score of
    incident i is odds_i / (1 + Σ odds): with a single candidate it is the
    pairwise probability; two look-alike candidates (two fires in one village
    on one day) split it, and neither is joined automatically.

    Incidents a reviewer rejected for this report are never returned, nor are
    incidents of an incompatible category (an outage never matches a killing,
    whatever the query handed in). Ties are broken by incident id so that the
    order is the same on every run.
    """
    scored = []
    for incident in incidents:
        if incident.id in rejected:
            continue
        if category_agreement(report, incident)[0] == "incompatible":
            continue
        pairwise, reasons = score_pair(report, incident)
        scored.append((reasons["total_weight"], incident.id, pairwise, reasons))
    # A report describes at most one incident: the candidates share the
    # probability mass with "none of them" (odds 1), so two equally good
    # candidates each get less than either would alone.
    odds = [2.0 ** min(total, 60.0) for total, *_ in scored]
    denominator = 1.0 + sum(odds)
    ranked = sorted(
        (
            (o / denominator, incident_id, pairwise, reasons)
            for o, (_, incident_id, pairwise, reasons) in zip(odds, scored, strict=True)
        ),
        key=lambda item: (-item[0], item[1]),
    )
    matches = []
    for position, (score, incident_id, pairwise, reasons) in enumerate(ranked):
        if score >= weights.JOIN_THRESHOLD and position == 0:
            decision = JOIN
        elif score >= weights.CANDIDATE_THRESHOLD:
            decision = CANDIDATE
        else:
            decision = NEW
        reasons = {**reasons, "pairwise_probability": round(pairwise, 6), "competitors": len(ranked) - 1}
        matches.append(Match(incident_id=incident_id, score=round(score, 6), decision=decision, reasons=reasons))
    return matches
