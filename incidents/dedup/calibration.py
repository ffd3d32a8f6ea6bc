"""Calibration from reviewers' decisions, the pairs worth asking about, and reliability.

EM's probabilities assume the features independent given the class; they
are not (two accounts that name one family also tend to share a landmark),
so raw probabilities are too sure. Reviewers' accept/reject decisions on
duplicate candidates are labelled pairs: `calibrate` fits the logistic of
the model's total weight to them (Platt scaling, two numbers, pulled
towards "no change" so that a handful of labels cannot swing it) and moves
a threshold only as far as the labels prove: up when the labelled pairs
above it are shown (with 95 % confidence) to be less than `target_precision`
the same event (then to where they are at least that, as observed), down
when those above a lower threshold are shown to be at least that.
Reviewers' labels are few and chosen where the model is unsure, so "no
labelled pair above it was wrong" is weak evidence. The earlier rule took
the lowest threshold where that held: on 40 clean answers it put the merge
threshold at 0.5 (a new register's first reviews could have made it merge
nearly everything), and on the benchmark's 100 labels it moved 0.90 to
0.95–0.96 (BENCHMARKS.md).

`informativeness` is what active learning ranks by (as the dedupe library
does, uncertainty sampling): the entropy of the pair's probability, 1 for a
pair at 0.5, 0 for a sure one. Show reviewers the most informative
candidates first; their answers are the labels that teach the model most.

`reliability` bins predicted probabilities against what was observed (the
reliability diagram): of pairs predicted 0.9, about nine in ten should be
the same event.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from incidents.dedup.model import MatchModel, logistic2, split_joint_levels

T = TypeVar("T")
LN2 = math.log(2)


@dataclass(frozen=True)
class LabelledPair:
    """A comparison a reviewer decided: its feature levels, its prior weight (bits) and whether it was one event."""

    levels: Mapping[str, str]
    prior_weight: float
    same: bool

    @classmethod
    def from_reasons(cls, reasons: Mapping[str, Any], *, same: bool) -> LabelledPair:
        """From the `reasons` stored with a decision (`levels`, `prior_weight`) and the reviewer's answer.

        Levels stored in an older form (place and distance as one joint level) are read in today's.
        """
        return cls(levels=split_joint_levels(reasons["levels"]), prior_weight=float(reasons["prior_weight"]), same=same)


def calibrate(
    model: MatchModel,
    labels: Sequence[LabelledPair],
    *,
    version: str,
    target_precision: float = 0.98,
    strength: float = 2.0,
    min_above: int = 5,
    thresholds: Collection[str] = ("merge_threshold",),
) -> MatchModel:
    """A copy of `model` calibrated on labelled pairs: Platt (a, b) and the merge (and join) threshold.

    The weights are recomputed with `model`'s m/u table from each label's
    levels, so labels gathered under an older model still count. `strength`
    is the weight (in pseudo-labels) of the pull towards a = 1, b = 0. Each
    threshold (in steps of 0.01 between 0.5 and 0.99, of the calibrated
    probability) starts where `model` has it and moves only on evidence
    (`_threshold`): down to the lowest threshold whose labelled pairs above
    are shown to be at least `target_precision` one event (the one-sided
    95 % Wilson lower bound), else kept if the labels above it do not show
    it worse (the upper bound reaches the target, or fewer than `min_above`
    labels lie above), else up to the lowest threshold above which at least
    `target_precision` of the labelled pairs were one event (or fewer than
    `min_above` lie). Which thresholds: `thresholds`, by default
    only `merge_threshold` (labels of report pairs, as collective resolution
    compares them); add "join_threshold" when the labels are reviewers'
    answers to online candidates (a report against an incident, whose
    `reasons` carry the block's prior). `trained` records the labels used.
    """
    unknown = set(thresholds) - {"merge_threshold", "join_threshold"}
    if unknown:
        raise ValueError(f"Only merge_threshold and join_threshold are calibrated, not {sorted(unknown)}.")
    if not labels:
        raise ValueError("Calibration needs labelled pairs.")
    totals = [label.prior_weight + model.evidence(label.levels) for label in labels]
    outcomes = [1.0 if label.same else 0.0 for label in labels]
    a, b = _platt(totals, outcomes, strength=strength)
    calibrated = model.evolve(calibration=(a, b))
    probabilities = [calibrated.probability(total) for total in totals]
    same = [label.same for label in labels]
    changes: dict[str, Any] = {"calibration": (round(a, 6), round(b, 6))}
    for name in thresholds:
        changes[name] = _threshold(probabilities, same, getattr(model, name), target_precision, min_above)
    if "join_threshold" in thresholds:
        changes["candidate_threshold"] = min(model.candidate_threshold, changes["join_threshold"])
    trained = {
        **dict(model.trained),
        "calibrated_on": len(labels),
        "calibrated_same": sum(1 for label in labels if label.same),
        "target_precision": target_precision,
        "calibrated_from": model.version,
    }
    return model.evolve(version=version, trained=trained, **changes)


def _platt(totals: Sequence[float], outcomes: Sequence[float], *, strength: float) -> tuple[float, float]:
    """(a, b) maximising the likelihood of p = 1/(1 + 2^-(a·w + b)), with a Gaussian pull towards (1, 0)."""
    a, b = 1.0, 0.0
    for _ in range(50):
        ga = strength * (a - 1.0)
        gb = strength * b
        haa, hab, hbb = strength, 0.0, strength
        for w, y in zip(totals, outcomes, strict=True):
            p = logistic2(a * w + b)
            # d/dz of the log loss with z = ln2·(a·w + b)
            r = (p - y) * LN2
            ga += r * w
            gb += r
            s = p * (1 - p) * LN2 * LN2
            haa += s * w * w
            hab += s * w
            hbb += s
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a, b = a - da, b - db
        a = max(a, 0.05)  # more evidence must never mean less probable
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return a, b


# One-sided 95 %: how sure the labels must make us before a threshold moves.
Z_ONE_SIDED_95 = 1.6449


def wilson_bounds(hits: int, n: int, z: float = Z_ONE_SIDED_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion `hits`/`n` (0–1 with no observations)."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre, spread = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def _threshold(
    probabilities: Sequence[float], same: Sequence[bool], current: float, target: float, min_above: int
) -> float:
    """Where the labels put a threshold that stands at `current` (see `calibrate`)."""

    def above(threshold: float) -> tuple[int, int]:
        chosen = [s for p, s in zip(probabilities, same, strict=True) if p >= threshold]
        return sum(chosen), len(chosen)

    def proven(threshold: float) -> bool:
        hits, n = above(threshold)
        return n >= min_above and wilson_bounds(hits, n)[0] >= target

    def not_shown_worse(threshold: float) -> bool:
        hits, n = above(threshold)
        return n < min_above or wilson_bounds(hits, n)[1] >= target

    def observed_good(threshold: float) -> bool:
        hits, n = above(threshold)
        return n < min_above or hits / n >= target

    steps = [step / 100 for step in range(50, 100)]
    lower = [t for t in steps if t < current and proven(t)]
    if lower:
        return lower[0]
    if not_shown_worse(current):
        return current
    # Shown worse: up to where the labelled pairs above are at least the target, as observed (precision first).
    higher = [t for t in steps if t > current and observed_good(t)]
    return higher[0] if higher else steps[-1]


def informativeness(probability: float) -> float:
    """How much a reviewer's answer on a pair would teach: the binary entropy of its probability (0–1 bits)."""
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def rank_for_review(items: Sequence[T], probability: Callable[[T], float]) -> list[T]:
    """The items (duplicate candidates) most informative first; ties by the earlier position, so stable."""
    return [item for _, _, item in sorted(((-informativeness(probability(x)), i, x) for i, x in enumerate(items)))]


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    pairs: int
    mean_predicted: float
    observed: float  # the share of pairs that were one event


def reliability(predicted: Sequence[float], observed: Sequence[bool], *, bins: int = 10) -> list[ReliabilityBin]:
    """Predicted probabilities in `bins` equal bins against the observed share of true pairs in each."""
    sizes = [0] * bins
    sums = [0.0] * bins
    hits_in = [0] * bins
    for p, same in zip(predicted, observed, strict=True):
        i = min(bins - 1, max(0, int(p * bins)))
        sizes[i] += 1
        sums[i] += p
        hits_in[i] += 1 if same else 0
    counts = list(zip(sizes, sums, hits_in, strict=True))
    return [
        ReliabilityBin(
            low=i / bins,
            high=(i + 1) / bins,
            pairs=n,
            mean_predicted=total / n if n else 0.0,
            observed=hits / n if n else 0.0,
        )
        for i, (n, total, hits) in enumerate(counts)
    ]


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float:
    """The pair-weighted mean gap between predicted and observed over the bins."""
    total = sum(b.pairs for b in table)
    return sum(b.pairs * abs(b.mean_predicted - b.observed) for b in table) / total if total else 0.0


def reliability_markdown(table: Sequence[ReliabilityBin]) -> str:
    """The reliability table as Markdown, the way BENCHMARKS.md shows it."""
    lines = ["| predicted | pairs | mean predicted | observed one event |", "|---|---:|---:|---:|"]
    for b in table:
        if b.pairs:
            lines.append(f"| {b.low:.1f}–{b.high:.1f} | {b.pairs} | {b.mean_predicted:.3f} | {b.observed:.3f} |")
    return "\n".join(lines)
