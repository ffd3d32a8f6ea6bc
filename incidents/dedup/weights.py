"""Fellegi–Sunter weights: for each feature level, m = P(level | same event), u = P(level | different events).

The weight of a level is log2(m / u); a pair's total weight is the sum over
features (levels "unknown" weigh 0), plus the prior log-odds that two
incidents in one block are the same event. The probability is the logistic
of that total (in base 2). docs/matching.md says where the numbers come from.
"""

from __future__ import annotations

import math

# Prior: among the incidents in a report's block, how likely one is its event
# (3,718 true pairs among 81,351 in the blocks of tuning seeds 101–110).
PRIOR_MATCH = 0.046

# feature -> level -> (m, u), estimated by `evaluation.estimate_m_u` on the
# generated sets of seeds 101–110 (300 incidents each), with m floored at
# 0.005 and u at 0.002: the generator is tidier than the world (it never puts
# a report's coordinates in the wrong village), so no level may veto alone.
# Levels "unknown" (no coordinates, no figures, no perpetrator named) weigh 0.
M_FLOOR = 0.005
U_FLOOR = 0.002
M_U: dict[str, dict[str, tuple[float, float]]] = {
    "category": {"same": (0.837, 0.522), "compatible": (0.163, 0.478)},
    "time": {
        "same_hour": (0.147, 0.016),
        "close": (0.090, 0.022),
        "same_day": (0.551, 0.407),
        "within_tolerance": (0.010, 0.179),
        "vague": (0.202, 0.376),
        "far": (0.005, 0.100),
    },
    "distance": {
        "same_spot": (0.224, 0.004),
        "near": (0.038, 0.020),
        "same_area": (0.005, 0.065),
        "far": (0.005, 0.191),
    },
    "place": {
        "same": (0.618, 0.033),
        "same_town": (0.235, 0.019),
        "compatible": (0.117, 0.092),
        "different": (0.019, 0.815),
    },
    "text": {
        "same_high": (0.241, 0.032),
        "same_mid": (0.066, 0.033),
        "same_low": (0.168, 0.489),
        "cross_match": (0.097, 0.014),
        "cross_none": (0.209, 0.273),
    },
    "figures": {"agree": (0.218, 0.081), "close": (0.195, 0.217), "conflict": (0.022, 0.162)},
    "perpetrator": {"agree": (0.195, 0.115), "disagree": (0.034, 0.077)},
    "family": {"same": (0.325, 0.017), "different": (0.015, 0.370)},
}

# The report joins the best incident automatically at or above JOIN_THRESHOLD;
# between the two a duplicate candidate is created for a reviewer; below, a new incident.
JOIN_THRESHOLD = 0.90
CANDIDATE_THRESHOLD = 0.40


def level_weight(feature: str, level: str) -> float:
    """log2(m/u) of a level; 0 for "unknown" or a level without a table entry."""
    pair = M_U.get(feature, {}).get(level)
    if pair is None:
        return 0.0
    m, u = pair
    return math.log2(m / u)


def prior_weight() -> float:
    return math.log2(PRIOR_MATCH / (1 - PRIOR_MATCH))


def probability(total_weight: float) -> float:
    """The logistic of a total weight in bits, clamped to [0, 1]."""
    if total_weight > 60:
        return 1.0
    if total_weight < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-total_weight))
