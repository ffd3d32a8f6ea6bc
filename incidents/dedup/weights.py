"""The first, hand-counted Fellegi–Sunter table (model "coast-hand-v1"), the start of EM, and the thresholds.

The matcher scores with a `model.MatchModel` (the shipped one, learned by EM
from this table: default_model.json); the weights, priors and probabilities
are computed by the model, not here.

For each feature level, m = P(level | same event), u = P(level | different events).

The weight of a level is log2(m / u); a pair's total weight is the sum over
features (levels "unknown" weigh 0), plus the prior log-odds that this
incident of the block is the report's event. The probability is the logistic
of that total (in base 2). docs/matching.md says where the numbers come from.
"""

from __future__ import annotations

from incidents.dedup.model import M_FLOOR, U_FLOOR, default_model, split_joint_location  # noqa: F401 (the floors, re-exported)

# Prior: the probability that a report's event is already registered, given
# how many incidents its block holds (tuning seeds 101–110: 42 % with one
# incident in the block, 56 % with 4–15, 81 % with 32 or more — vague reports
# have wide blocks and come late). It is shared among the incidents of the
# block: the prior that a given one is the report's event is P(n) / n.
EXISTING_PRIOR: tuple[tuple[int, float], ...] = ((1, 0.42), (2, 0.46), (3, 0.51), (4, 0.56), (16, 0.69), (32, 0.81))

# feature -> level -> (m, u), estimated by `synthetic.evaluation.estimate_m_u` on the
# generated sets of seeds 101–110 (300 incidents each), with m floored at
# 0.005 and u at 0.002: the generator is tidier than the world (it never puts
# a report's coordinates in the wrong village), so no level may veto alone.
# Levels "unknown" (no coordinates, no figures, no perpetrator named) weigh 0.
# Place and distance were counted jointly ("same/near"); M_U has them as the matcher weighs them now,
# place ("location") and distance given the place ("distance"): `model.split_joint_location`.
COUNTED: dict[str, dict[str, tuple[float, float]]] = {
    "category": {"same": (0.822, 0.531), "compatible": (0.178, 0.469)},
    "time": {
        "same_hour": (0.144, 0.017),
        "close": (0.090, 0.022),
        "hours_apart": (0.031, 0.064),
        "same_day": (0.533, 0.355),
        "within_tolerance": (0.009, 0.176),
        "vague": (0.193, 0.366),
        "far": (0.005, 0.100),
    },
    "location": {
        "same/same_spot": (0.195, 0.003),
        "same/near": (0.030, 0.005),
        "same/same_area": (0.005, 0.003),
        "same/far": (0.005, 0.002),
        "same/unknown": (0.467, 0.021),
        "same_town/same_spot": (0.047, 0.002),
        "same_town/near": (0.005, 0.002),
        "same_town/same_area": (0.005, 0.002),
        "same_town/far": (0.005, 0.002),
        "same_town/unknown": (0.103, 0.007),
        "compatible/same_spot": (0.034, 0.002),
        "compatible/near": (0.005, 0.006),
        "compatible/same_area": (0.005, 0.007),
        "compatible/far": (0.005, 0.013),
        "compatible/unknown": (0.087, 0.047),
        "different/same_spot": (0.005, 0.002),
        "different/near": (0.005, 0.013),
        "different/same_area": (0.005, 0.069),
        "different/far": (0.005, 0.217),
        "different/unknown": (0.009, 0.547),
        "unknown/near": (0.005, 0.002),
        "unknown/same_area": (0.005, 0.002),
        "unknown/far": (0.005, 0.008),
    },
    "text": {
        "same_high": (0.200, 0.082),
        "same_mid": (0.029, 0.026),
        "same_low": (0.203, 0.376),
        "cross_match": (0.016, 0.010),
        "cross_none": (0.203, 0.207),
    },
    "figures": {
        "equal": (0.089, 0.024),
        "agree": (0.143, 0.065),
        "close": (0.180, 0.150),
        "apart": (0.040, 0.122),
        "conflict": (0.012, 0.138),
    },
    "perpetrator": {"agree": (0.232, 0.142), "disagree": (0.030, 0.092)},
    "family": {"same": (0.441, 0.024), "different": (0.014, 0.531)},
    "landmark": {"same": (0.383, 0.028), "different": (0.005, 0.376)},
}
M_U = split_joint_location(COUNTED)

# The thresholds of the online decision are the default model's
# (default_model.json): the report joins the best incident automatically at or
# above JOIN_THRESHOLD; between the two a duplicate candidate is created for a
# reviewer; below, a new incident. A register's own model may move them
# (incidents.dedup.calibration.calibrate): read them from the model in use.
JOIN_THRESHOLD = default_model().join_threshold
CANDIDATE_THRESHOLD = default_model().candidate_threshold
