"""The matcher's model: m/u probabilities, priors, calibration and thresholds, versioned and serialisable.

A model is plain data. The default one is shipped with the package
(`default_model.json`, loaded by `default_model()`); a register then learns
its own from its comparisons (`incidents.dedup.em.train_em`) and its
reviewers' decisions (`incidents.dedup.calibration.calibrate`), stores it
(`MatchModel.to_json()`, a JSON object) and hands it back to the matcher
(`MatchModel.from_json(...)`). Every decision records `model.version`.

Weights are in bits: the weight of a level is log2(m / u), a pair's total is
the prior log-odds plus the sum of its levels' weights, and its probability
the calibrated logistic of that total: p = 1 / (1 + 2^-(a·total + b)), with
a = 1, b = 0 for a model that has not been calibrated. docs/matching.md
describes how each number is estimated.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_FORMAT = 1
DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
# No level may veto or prove alone: m and u are kept above these floors.
M_FLOOR = 0.005
U_FLOOR = 0.002
UNKNOWN = "unknown"
# Features whose levels are conditional on another feature's level: "distance" is "<location level>/<distance>"
# (both reports with coordinates), its m and u are P(distance | place level) among matches and non-matches, and
# sum to one within each place level. Place and distance are not independent (two reports naming one village
# also give near points): the place weighs once, and the points what they add to it.
CONDITIONAL_FEATURES: Mapping[str, str] = {"distance": "location"}


def condition_of(level: str) -> str:
    """The level of the conditioning feature a conditional level belongs to ("same" for "same/near")."""
    return level.rsplit("/", 1)[0]


def split_joint_levels(levels: Mapping[str, str]) -> dict[str, str]:
    """A pair's levels as the matcher has them now: a stored joint "location" ("same/near") as place and distance.

    Reviewers' decisions keep the levels they were shown; those stored while
    place and distance were one joint level still teach the calibration.
    """
    out = dict(levels)
    joint = out.get("location", "")
    if "/" in joint:
        place, distance = joint.split("/", 1)
        out["location"] = place
        out["distance"] = joint if distance != UNKNOWN else UNKNOWN
    return out


def split_joint_location(
    m_u: Mapping[str, Mapping[str, tuple[float, float]]],
) -> dict[str, dict[str, tuple[float, float]]]:
    """A table whose "location" levels are joint ("same/near", "same/unknown"…) as place and conditional distance.

    Models stored before the split (and the hand-counted table) weighed place
    and distance as one joint feature. P(place) is the sum over its joint
    levels; P(distance | place) the share of each known distance among that
    place's levels with coordinates. The same m/u in another shape: what a
    register stored keeps its meaning.
    """
    location = m_u.get("location", {})
    if not any("/" in level for level in location):
        return {f: dict(levels) for f, levels in m_u.items()}
    out = {f: dict(levels) for f, levels in m_u.items() if f != "location"}
    places: dict[str, list[float]] = {}
    known: dict[str, dict[str, tuple[float, float]]] = {}
    for level, (m, u) in location.items():
        place, distance = level.split("/", 1)
        totals = places.setdefault(place, [0.0, 0.0])
        totals[0] += m
        totals[1] += u
        if distance != UNKNOWN:
            known.setdefault(place, {})[level] = (m, u)
    # An unknown place weighs nothing: P(place) among the pairs whose places could be compared.
    m_total = sum(t[0] for place, t in places.items() if place != UNKNOWN) or 1.0
    u_total = sum(t[1] for place, t in places.items() if place != UNKNOWN) or 1.0
    out["location"] = {place: (m / m_total, u / u_total) for place, (m, u) in places.items() if place != UNKNOWN}
    out["distance"] = {}
    for levels in known.values():
        m_sum = sum(m for m, _ in levels.values()) or 1.0
        u_sum = sum(u for _, u in levels.values()) or 1.0
        out["distance"].update({level: (m / m_sum, u / u_sum) for level, (m, u) in levels.items()})
    return out


@dataclass(frozen=True)
class MatchModel:
    """Everything the matcher's numbers come from.

    `m_u`: feature → level → (m, u). `existing_prior`: (block size, P(the
    report's event is already registered)) steps for the online decision.
    `pair_prior`: P(two reports of one block describe one event), for the
    report-to-report comparisons of collective resolution. `calibration`:
    (a, b) of the logistic above. `join_threshold` / `candidate_threshold`:
    the online decision. `merge_threshold`: the average-linkage probability at
    which collective resolution merges two fragments. `trained`: how the
    model was made (JSON: sources, pairs, iterations), for the record.
    """

    version: str
    m_u: Mapping[str, Mapping[str, tuple[float, float]]]
    existing_prior: tuple[tuple[int, float], ...]
    pair_prior: float
    join_threshold: float
    candidate_threshold: float
    merge_threshold: float
    calibration: tuple[float, float] = (1.0, 0.0)
    trained: Mapping[str, Any] = field(default_factory=dict, compare=False)

    # -- weights -----------------------------------------------------------------------------------

    def level_weight(self, feature: str, level: str) -> float:
        """log2(m/u) of a level; 0 for "unknown" or a level the model has no entry for."""
        pair = self.m_u.get(feature, {}).get(level)
        if pair is None or level == UNKNOWN:
            return 0.0
        m, u = pair
        return math.log2(max(m, M_FLOOR) / max(u, U_FLOOR))

    def evidence(self, levels: Mapping[str, str]) -> float:
        """The sum of the levels' weights, in bits."""
        return sum(self.level_weight(feature, level) for feature, level in levels.items())

    def existing(self, block_size: int) -> float:
        """P(the report's event is already registered) for a block of `block_size` incidents."""
        probability = self.existing_prior[0][1]
        for size, p in self.existing_prior:
            if block_size >= size:
                probability = p
        return probability

    def prior_weight(self, block_size: int = 1) -> float:
        """Prior log-odds (bits) that one given incident of a block of `block_size` is the report's event."""
        per_incident = self.existing(block_size) / max(1, block_size)
        return math.log2(per_incident / (1 - per_incident))

    def pair_prior_weight(self) -> float:
        """Prior log-odds (bits) that two reports of one block describe one event."""
        return math.log2(self.pair_prior / (1 - self.pair_prior))

    def calibrated_bits(self, total_weight: float) -> float:
        """The total weight after calibration: a·total + b, in bits."""
        a, b = self.calibration
        return a * total_weight + b

    def probability(self, total_weight: float) -> float:
        """The calibrated probability of a total weight (prior included)."""
        return logistic2(self.calibrated_bits(total_weight))

    def pair_probability(self, levels: Mapping[str, str]) -> float:
        """The calibrated probability that two reports with these feature levels describe one event."""
        return self.probability(self.pair_prior_weight() + self.evidence(levels))

    # -- serialisation -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": self.version,
            "m_u": {
                f: {level: [round(m, 6), round(u, 6)] for level, (m, u) in sorted(ls.items())}
                for f, ls in self.m_u.items()
            },
            "existing_prior": [[size, p] for size, p in self.existing_prior],
            "pair_prior": self.pair_prior,
            "calibration": list(self.calibration),
            "join_threshold": self.join_threshold,
            "candidate_threshold": self.candidate_threshold,
            "merge_threshold": self.merge_threshold,
            "trained": dict(self.trained),
        }

    def to_json(self) -> str:
        """The model as a JSON document (what the register stores)."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        # One line per level ("same": [0.8, 0.5]) rather than three.
        return re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"Unknown model format {data.get('format')!r} (this matcher reads {MODEL_FORMAT}).")
        m_u = split_joint_location(
            {
                feature: {level: (float(pair[0]), float(pair[1])) for level, pair in levels.items()}
                for feature, levels in data["m_u"].items()
            }
        )
        model = cls(
            version=str(data["version"]),
            m_u=m_u,
            existing_prior=tuple((int(size), float(p)) for size, p in data["existing_prior"]),
            pair_prior=float(data["pair_prior"]),
            join_threshold=float(data["join_threshold"]),
            candidate_threshold=float(data["candidate_threshold"]),
            merge_threshold=float(data["merge_threshold"]),
            calibration=(float(data["calibration"][0]), float(data["calibration"][1])),
            trained=dict(data.get("trained") or {}),
        )
        model.check()
        return model

    @classmethod
    def from_json(cls, text: str | bytes) -> MatchModel:
        return cls.from_dict(json.loads(text))

    def check(self) -> None:
        """Raise ValueError when a number is out of range (a probability outside (0, 1), thresholds out of order)."""
        for feature, levels in self.m_u.items():
            for level, (m, u) in levels.items():
                if not (0 < m <= 1 and 0 < u <= 1):
                    raise ValueError(f"m/u of {feature}={level} must be in (0, 1]: {(m, u)}")
        if not 0 < self.pair_prior < 1:
            raise ValueError("pair_prior must be in (0, 1)")
        if not self.existing_prior or any(not 0 < p < 1 for _, p in self.existing_prior):
            raise ValueError("existing_prior must be steps of probabilities in (0, 1)")
        if not 0 < self.candidate_threshold <= self.join_threshold < 1:
            raise ValueError("thresholds must satisfy 0 < candidate <= join < 1")
        if not 0 < self.merge_threshold < 1:
            raise ValueError("merge_threshold must be in (0, 1)")
        if self.calibration[0] <= 0:
            raise ValueError("the calibration slope must be positive (more evidence, more probable)")

    def evolve(self, **changes: Any) -> MatchModel:
        """A copy with some fields changed (a new version string is the caller's to give)."""
        model = replace(self, **changes)
        model.check()
        return model


def logistic2(bits: float) -> float:
    """1 / (1 + 2^-bits), clamped to [0, 1]."""
    if bits > 60:
        return 1.0
    if bits < -60:
        return 0.0
    return 1.0 / (1.0 + math.pow(2.0, -bits))


@lru_cache(maxsize=1)
def default_model() -> MatchModel:
    """The model shipped with the package, for a register that has not learned its own yet."""
    return MatchModel.from_json(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


def load_model(source: str | bytes | Mapping[str, Any] | None) -> MatchModel:
    """A stored model (JSON text or the parsed object), or the default one for None."""
    if source is None:
        return default_model()
    if isinstance(source, Mapping):
        return MatchModel.from_dict(source)
    return MatchModel.from_json(source)
