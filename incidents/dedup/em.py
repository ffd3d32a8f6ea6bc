"""Learning m and u from the register's own comparisons, without labels: expectation–maximisation.

As splink does (Fellegi–Sunter with EM): every pair of reports that meet in
a block is a comparison, a vector of feature levels; each is a match or not,
unobserved. EM alternates between the probability that each comparison is a
match given the current m, u and λ (the share of matches), and m, u, λ given
those probabilities, until they settle. "unknown" levels are missing values:
they count for neither class. Floors (`M_FLOOR`, `U_FLOOR` of model.py) keep any
level from vetoing alone.

    comparisons = blocked_comparisons(reports)            # report records of the register
    model = train_em(comparisons, start=default_model(), version="register-2026-12-01")

Pure Python; 10,000 comparisons train in well under a second (identical
vectors are counted once).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta

from incidents.dedup.blocking import block_contains, block_for
from incidents.dedup.model import CONDITIONAL_FEATURES, M_FLOOR, U_FLOOR, UNKNOWN, MatchModel, condition_of
from incidents.dedup.records import IncidentRecord, ReportRecord
from incidents.dedup.scoring import comparison_levels

Levels = Mapping[str, str]


def report_incident(report: ReportRecord) -> IncidentRecord:
    """A report as an incident of its own, so that two reports compare as a report and an incident do."""
    return IncidentRecord.from_reports(report.id, [report])


def blocked_pairs(reports: Sequence[ReportRecord]) -> Iterator[tuple[ReportRecord, ReportRecord]]:
    """Every pair of reports (earlier, later by occurred_from) where one falls in the other's block.

    The blocks are those of the online matcher (`block_for`), so EM learns from
    the comparisons the matcher makes. Reports are indexed by governorate and
    day: the cost grows with the block sizes, not with the square of the register.
    """
    singles = {r.id: report_incident(r) for r in reports}
    by_day: dict[tuple[str, date], list[ReportRecord]] = defaultdict(list)
    ordered = sorted(reports, key=lambda r: (r.occurred_from, r.id))
    for report in ordered:
        block = block_for(report)
        seen: set[str] = set()
        day, last = block.window_start.date(), block.window_end.date()
        while day <= last:
            for admin1 in sorted(block.admin1):
                for other in by_day.get((admin1, day), ()):
                    if other.id in seen:
                        continue
                    seen.add(other.id)
                    if block_contains(block, singles[other.id]):
                        yield other, report
            day += timedelta(days=1)
        start, end = report.occurred_from.date(), (report.occurred_to or report.occurred_from).date()
        day = start
        while day <= end:
            by_day[(report.admin1, day)].append(report)
            day += timedelta(days=1)


def blocked_comparisons(reports: Sequence[ReportRecord]) -> list[dict[str, str]]:
    """The feature levels of every blocked pair of reports (see `blocked_pairs`)."""
    return [comparison_levels(b, report_incident(a))[0] for a, b in blocked_pairs(reports)]


def train_em(
    comparisons: Iterable[Levels],
    *,
    start: MatchModel,
    version: str,
    iterations: int = 60,
    tolerance: float = 1e-5,
    fixed_u: bool = False,
) -> MatchModel:
    """m, u and the match share λ estimated by EM from unlabelled comparisons, starting from `start`.

    Returns a new model (`version` as given) with the learned m/u table and
    `pair_prior` = λ; priors of the online decision, calibration and
    thresholds are kept from `start` (calibrate them from reviewers' decisions
    with `calibration.calibrate`). `fixed_u` keeps `start`'s u and learns m
    and λ only (splink's way when u was estimated from random pairs).
    `trained` records the number of comparisons, the iterations and λ.
    """
    counted = Counter(tuple(sorted((f, lv) for f, lv in levels.items() if lv != UNKNOWN)) for levels in comparisons)
    if not counted:
        raise ValueError("EM needs at least one comparison.")
    vectors = list(counted.items())
    total = sum(counted.values())
    features = sorted({f for vector, _ in vectors for f, _ in vector})
    m: dict[str, dict[str, float]] = {}
    u: dict[str, dict[str, float]] = {}
    for feature in features:
        seen = sorted({lv for vector, _ in vectors for f, lv in vector if f == feature})
        known = start.m_u.get(feature, {})
        m[feature] = {lv: known.get(lv, (0.5 / len(seen), 0.5 / len(seen)))[0] for lv in seen}
        u[feature] = {lv: known.get(lv, (0.5 / len(seen), 0.5 / len(seen)))[1] for lv in seen}
        for group in _groups(feature, seen):
            _normalise(m[feature], group)
            _normalise(u[feature], group)
    share = min(0.5, max(0.001, start.pair_prior))
    done = 0
    for done in range(1, iterations + 1):  # noqa: B007 (the count is reported)
        m_sum: dict[str, dict[str, float]] = {f: defaultdict(float) for f in features}
        u_sum: dict[str, dict[str, float]] = {f: defaultdict(float) for f in features}
        match_mass = 0.0
        prior = math.log(share / (1 - share))
        for vector, count in vectors:
            log_odds = prior
            for feature, level in vector:
                log_odds += math.log(max(m[feature][level], M_FLOOR) / max(u[feature][level], U_FLOOR))
            p = 1.0 / (1.0 + math.exp(-max(-700.0, min(700.0, log_odds))))
            match_mass += p * count
            for feature, level in vector:
                m_sum[feature][level] += p * count
                u_sum[feature][level] += (1 - p) * count
        change = abs(match_mass / total - share)
        share = min(0.5, max(0.001, match_mass / total))
        for feature in features:
            # A conditional feature's levels sum to one within each level of the feature they depend on.
            new_m = {}
            new_u = {}
            for group in _groups(feature, list(m[feature])):
                new_m.update(_floored(m_sum[feature], group, M_FLOOR))
                new_u.update(_floored(u_sum[feature], group, U_FLOOR))
            change = max(change, *(abs(new_m[lv] - m[feature][lv]) for lv in new_m))
            m[feature] = new_m
            if not fixed_u:
                change = max(change, *(abs(new_u[lv] - u[feature][lv]) for lv in new_u))
                u[feature] = new_u
        if change < tolerance:
            break
    m_u = {f: {lv: (round(m[f][lv], 6), round(u[f][lv], 6)) for lv in m[f]} for f in features}
    # Levels the start knew but these comparisons never showed keep the start's numbers.
    for feature, levels in start.m_u.items():
        for level, pair in levels.items():
            m_u.setdefault(feature, {}).setdefault(level, pair)
    trained = {
        "method": "em",
        "comparisons": total,
        "distinct_vectors": len(vectors),
        "iterations": done,
        "pair_prior": round(share, 6),
        "start": start.version,
        "fixed_u": fixed_u,
    }
    return start.evolve(version=version, m_u=m_u, pair_prior=round(share, 6), trained=trained)


def _groups(feature: str, levels: Iterable[str]) -> list[list[str]]:
    """The levels that sum to one: all of them, or, for a conditional feature, those of each condition."""
    if feature not in CONDITIONAL_FEATURES:
        return [list(levels)]
    groups: dict[str, list[str]] = defaultdict(list)
    for level in levels:
        groups[condition_of(level)].append(level)
    return [groups[k] for k in sorted(groups)]


def _normalise(values: dict[str, float], levels: list[str]) -> None:
    total = sum(values[key] for key in levels) or 1.0
    for key in levels:
        values[key] /= total


def _floored(sums: Mapping[str, float], levels: list[str], floor: float) -> dict[str, float]:
    total = sum(sums.get(lv, 0.0) for lv in levels)
    if total <= 0:
        return {lv: 1.0 / len(levels) for lv in levels}
    return {lv: max(floor, sums.get(lv, 0.0) / total) for lv in levels}
