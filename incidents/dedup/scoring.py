"""Scoring a report against candidate incidents, with the reasons a reviewer reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from incidents.dedup import facts
from incidents.dedup.features import (
    category_agreement,
    distinct_events,
    family_agreement,
    figures_agreement,
    landmark_agreement,
    location,
    perpetrator_agreement,
    text_match,
    time_gap,
)
from incidents.dedup.model import UNKNOWN, MatchModel, default_model
from incidents.dedup.records import IncidentRecord, ReportRecord

# Candidates below these odds (pairwise probability < 1 %) only ever count as rivals.
STRONG_ODDS = 0.01

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
    reasons: dict[str, Any] = field(compare=False)


def place_levels(report: ReportRecord, incident: IncidentRecord) -> dict[str, Any]:
    """The place alone ("location") and the distance between the points given the place ("distance",
    conditional: `model.CONDITIONAL_FEATURES`), with `features.location`'s details beside them."""
    joint, where = location(report, incident)
    return {**where, "location": where["place"], "distance": joint if where["distance_km"] is not None else UNKNOWN}


def comparison_levels(report: ReportRecord, incident: IncidentRecord) -> tuple[dict[str, str], dict[str, Any]]:
    """The level of each feature for a (report, incident) pair, and what a reviewer reads about each.

    With an incident of one report (`IncidentRecord.from_reports(id, [other])`)
    this compares two reports: the comparisons that EM learns from and that
    collective resolution links fragments by. Made from what each record says
    read once per record (`facts.py`): exactly `comparison_levels_per_pair`.
    """
    return facts.comparison_levels(report, incident)


def comparison_levels_per_pair(report: ReportRecord, incident: IncidentRecord) -> tuple[dict[str, str], dict[str, Any]]:
    """`comparison_levels` from the feature functions of `features.py`, each reading both records afresh."""
    where = place_levels(report, incident)
    return facts.levels_and_details(
        category=category_agreement(report, incident),
        time=time_gap(report, incident),
        place=(where["place"], where["place_detail"]),
        distance=(where["distance"], where["distance_km"]),
        text=text_match(report, incident),
        figures=figures_agreement(report, incident),
        perpetrator=perpetrator_agreement(report, incident),
        family=family_agreement(report, incident),
        landmark=landmark_agreement(report, incident),
    )


# Per model (by identity, the model kept so that its id is not reused): (feature, level) → its weight rounded as
# the reasons give it, worked out once instead of once per pair. A few models at most live in a process.
_ROUNDED: dict[int, tuple[MatchModel, dict[tuple[str, str], float]]] = {}


def _rounded_weights(model: MatchModel) -> dict[tuple[str, str], float]:
    kept = _ROUNDED.get(id(model))
    if kept is None or kept[0] is not model:
        if len(_ROUNDED) >= 16:
            _ROUNDED.clear()
        kept = _ROUNDED[id(model)] = (model, {})
    return kept[1]


def score_pair(
    report: ReportRecord, incident: IncidentRecord, *, block_size: int = 1, model: MatchModel | None = None
) -> tuple[float, dict[str, Any]]:
    """The probability that a report describes an incident, and the features and weights behind it.

    `block_size` is the number of incidents scored with this one: the prior is
    shared among them. `model` defaults to the shipped one (`default_model()`).
    """
    model = model or default_model()
    return _scored(report, incident, model, model.prior_weight(block_size))


def _scored(
    report: ReportRecord, incident: IncidentRecord, model: MatchModel, prior: float
) -> tuple[float, dict[str, Any]]:
    """`score_pair` given the block's prior weight (the same for every incident of the block)."""
    levels, details = comparison_levels(report, incident)
    rounded = _rounded_weights(model)
    feature_weights = {}
    for name, level in levels.items():
        weight = rounded.get((name, level))
        if weight is None:
            weight = rounded[(name, level)] = round(model.level_weight(name, level), 3)
        feature_weights[name] = weight
    total = prior + sum(feature_weights.values())
    score = model.probability(total)
    reasons = {
        **details,
        "levels": levels,
        "weights": feature_weights,
        "prior_weight": round(prior, 3),
        "total_weight": round(total, 3),
        "model_version": model.version,
    }
    return score, reasons


def score_candidates(
    report: ReportRecord,
    incidents: Iterable[IncidentRecord],
    *,
    rejected: frozenset[str] = frozenset(),
    model: MatchModel | None = None,
) -> list[Match]:
    """Score a report against the incidents of its block, best first.

    Each pair gets Fellegi–Sunter odds (prior odds × the likelihood ratios of
    its features). A report describes at most one incident, so the score of
    incident i is odds_i / (1 + Σ odds): with a single candidate it is the
    pairwise probability; two look-alike candidates (two fires in one village
    on one day) split it, and neither is joined automatically.

    Incidents a reviewer rejected for this report are never returned, nor are
    incidents of an incompatible category (an outage never matches a killing,
    whatever the query handed in). Ties are broken by the earlier incident,
    then by id, so that the order is the same on every run and, unless two
    incidents are identical but for their ids, does not depend on how ids
    are made (the pipeline's UUIDs, the benchmark's counters).
    """
    model = model or default_model()
    eligible = [
        incident
        for incident in incidents
        if incident.id not in rejected and category_agreement(report, incident)[0] != "incompatible"
    ]
    scored = []
    prior = model.prior_weight(len(eligible))
    for incident in eligible:
        pairwise, reasons = _scored(report, incident, model, prior)
        scored.append((reasons["total_weight"], incident.id, pairwise, reasons, incident))
    # A report describes at most one event: the candidates that are known to be
    # different events share the probability mass with "none of them" (odds 1),
    # so two look-alikes (two fires in one village on one day) each get less
    # than either would alone. Candidates that may be fragments of one event
    # (nothing tells them apart) do not compete: joining either is right.
    odds = [2.0 ** max(-60.0, min(model.calibrated_bits(total), 60.0)) for total, *_ in scored]
    strong = [i for i, o in enumerate(odds) if o >= STRONG_ODDS]
    profiles = {i: facts.profile(scored[i][4]) for i in strong}
    weak_mass = sum(o for i, o in enumerate(odds) if o < STRONG_ODDS)
    ranked = []
    for i, (_, incident_id, pairwise, reasons, incident) in enumerate(scored):
        rivals = weak_mass - (odds[i] if odds[i] < STRONG_ODDS else 0.0)
        rivals += sum(odds[j] for j in strong if j != i and i in profiles and distinct_events(profiles[i], profiles[j]))
        if i not in profiles:
            rivals += sum(odds[j] for j in strong)
        score = odds[i] / (1.0 + odds[i] + rivals)
        reasons["competing_odds"] = round(rivals, 4)  # `score_pair` made this dict for this call alone
        ranked.append((score, incident.occurred_from, incident_id, pairwise, reasons))
    ranked.sort(key=lambda item: (-item[0], item[1], item[2]))
    matches = []
    for position, (score, _, incident_id, pairwise, reasons) in enumerate(ranked):
        if score >= model.join_threshold and position == 0:
            decision = JOIN
        elif score >= model.candidate_threshold or _undecidable_by_time(reasons, score):
            decision = CANDIDATE
        else:
            decision = NEW
        reasons["pairwise_probability"] = round(pairwise, 6)
        reasons["competitors"] = len(ranked) - 1
        matches.append(Match(incident_id=incident_id, score=round(score, 6), decision=decision, reasons=reasons))
    return matches


# A report dated only to the week or month ("this week in Qardaha…") cannot be placed by its time, and its
# count may sum several events: never joined on its own, but put to a reviewer beside every incident of the
# same town in its block that is not unlikely outright.
VAGUE_CANDIDATE_FLOOR = 0.05


def _undecidable_by_time(reasons: dict[str, Any], score: float) -> bool:
    levels = reasons.get("levels", {})
    return (
        levels.get("time") == "vague"
        and str(levels.get("location", "")).split("/")[0] in ("same", "same_town")
        and score >= VAGUE_CANDIDATE_FLOOR
    )
