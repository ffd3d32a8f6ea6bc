"""The ceiling of the matcher's comparison levels, measured with the truth as oracle (coast and second only).

    python bench/bench_matcher_ceiling.py                  # coast + second, train 101–105, evaluate 2026–2028
    python bench/bench_matcher_ceiling.py --generators coast --no-replay

The matcher reduces a pair of reports to a vector of comparison levels
(`PairCache.levels`: category, time, location, distance, family, landmark,
text, figures, perpetrator). How well could anything do from those levels
alone? Three measures, each trained on the truth of seeds 101–105 of the
same world and evaluated on seeds 2026–2028 (never `third`: it is held out,
and this script refuses it):

1. Supervised Fellegi–Sunter: m and u counted from the true and false
   blocked report pairs (`em.blocked_pairs`), unknown levels left out,
   distance conditional on the place, the same floors as EM, the pair prior
   the true share, calibration (1, 0); then also the online priors (P(the
   event is already registered | block size)) counted from the truth; then
   Platt (a, b) fitted on the training pairs. Replayed online + healing as
   bench_matcher_quality.py does (`run_matcher`) at the shipped thresholds,
   and the shipped and the full supervised model over a grid of (join,
   merge) thresholds: what perfect training of today's model form gives.
2. Pair classifiers on the evaluation seeds' blocked pairs, no clustering:
   the precision–recall curve of report pairs (pooled over the seeds; recall
   over every true pair, blocked or not), the best recall at precision ≥ 0.98
   and the best F1. Side by side: the shipped model's pair probability, the
   supervised naive Bayes of 1., and the saturated classifier: P(same | the
   full vector of levels, unknowns included) counted per distinct vector on
   the training seeds, shrunk towards the naive Bayes + Platt probability
   with a strength chosen by leave-one-seed-out log loss, so that rarely seen
   vectors back off to naive Bayes. The saturated classifier is the best any
   classifier of report pairs can do with these levels, up to estimation
   noise (`--train-sets 20` shows how much more data moves it); the same
   fitted on the evaluation seeds themselves (in-sample) is optimistic. Last,
   each vector's own share of true pairs among the evaluation pairs (no
   smoothing): ranking the pairs by it gives the best curve any function of
   the levels can reach on these very pairs (up to rounding at one vector),
   an upper bound, loose where vectors are rare (it memorises them).
3. An oracle clustering step: average-linkage agglomeration (and single
   linkage, connected components) of each evaluation seed's reports on those
   pair probabilities (a pair never blocked counts 0), at the threshold that
   is best for it with the truth (mean F1 over the seeds), and at the
   threshold of best recall whose mean pairwise precision is ≥ 0.98: whether
   clustering adds to or loses against pairs.

About 4–5 minutes on 2 vCPU for both worlds, most of it the replays; about
a minute with --no-replay.
"""

from __future__ import annotations

import argparse
import heapq
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matcher_quality import TUNING_SEEDS, comparisons_of, records_of, run_matcher

from incidents.dedup.blocking import block_for
from incidents.dedup.collective import PairCache
from incidents.dedup.features import category_agreement
from incidents.dedup.model import CONDITIONAL_FEATURES, M_FLOOR, U_FLOOR, UNKNOWN, MatchModel, condition_of
from incidents.dedup.model import default_model as shipped_model
from synthetic.evaluation import IncidentStore, Quality, quality

WORLDS = ("coast", "second")  # never "third": it is held out
EVALUATION_SEEDS = range(2026, 2029)
TARGET_PRECISION = 0.98
STRENGTHS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
# (join, merge) thresholds of the replay sweep; the candidate threshold stays the shipped 0.30.
SWEEP = tuple((join, merge) for join in (0.93, 0.85, 0.75) for merge in (0.90, 0.80, 0.70, 0.60))
Vector = tuple[tuple[str, str], ...]


# -- pure logic (tests/synthetic/test_ceiling.py) ------------------------------------------------------------


def vector_of(levels: Mapping[str, str], features: Sequence[str]) -> Vector:
    """The full vector of levels in a fixed feature order, "unknown" included (it is a value here)."""
    return tuple((feature, levels.get(feature, UNKNOWN)) for feature in features)


def count_vectors(levels: Iterable[Mapping[str, str]], same: Iterable[bool], features: Sequence[str]) -> dict:
    """Distinct vector -> [pairs that are one event, pairs] (the sufficient statistics of every estimator here)."""
    counts: dict[Vector, list[int]] = defaultdict(lambda: [0, 0])
    for lv, s in zip(levels, same, strict=True):
        entry = counts[vector_of(lv, features)]
        entry[0] += int(s)
        entry[1] += 1
    return dict(counts)


def merge_counts(*tables: Mapping[Vector, Sequence[int]]) -> dict[Vector, list[int]]:
    out: dict[Vector, list[int]] = defaultdict(lambda: [0, 0])
    for table in tables:
        for vector, (s, n) in table.items():
            out[vector][0] += s
            out[vector][1] += n
    return dict(out)


def supervised_m_u(counts: Mapping[Vector, Sequence[int]]) -> dict[str, dict[str, tuple[float, float]]]:
    """m = P(level | one event), u = P(level | two events), counted; "unknown" left out, as EM leaves it out.

    A conditional feature (distance given the place) sums to one within each
    level of its condition; every share is floored as EM floors it
    (`M_FLOOR`, `U_FLOOR`, after normalising, as `em._floored` does).
    """
    tallies: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for vector, (s, n) in counts.items():
        for feature, level in vector:
            if level != UNKNOWN:
                tallies[feature][level][0] += s
                tallies[feature][level][1] += n - s
    m_u: dict[str, dict[str, tuple[float, float]]] = {}
    for feature, levels in tallies.items():
        groups: dict[str, list[str]] = defaultdict(list)
        for level in levels:
            groups[condition_of(level) if feature in CONDITIONAL_FEATURES else ""].append(level)
        m_u[feature] = {}
        for group in groups.values():
            m_total = sum(levels[lv][0] for lv in group)
            u_total = sum(levels[lv][1] for lv in group)
            for lv in sorted(group):
                m = levels[lv][0] / m_total if m_total else 1.0 / len(group)
                u = levels[lv][1] / u_total if u_total else 1.0 / len(group)
                m_u[feature][lv] = (round(max(M_FLOOR, m), 6), round(max(U_FLOOR, u), 6))
    return m_u


def platt(points: Mapping[float, Sequence[int]], iterations: int = 50) -> tuple[float, float]:
    """(a, b) maximising the likelihood of p = 1 / (1 + 2^-(a·w + b)); `points`: weight w -> [one event, pairs].

    Newton's method on the grouped log likelihood (no pull towards (1, 0):
    the truth gives tens of thousands of labels).
    """
    a, b = 1.0, 0.0
    ln2 = math.log(2)
    for _ in range(iterations):
        ga = gb = haa = hab = hbb = 0.0
        for w, (s, n) in points.items():
            z = ln2 * (a * w + b)
            p = 1.0 / (1.0 + math.exp(-max(-700.0, min(700.0, z))))
            r = s - n * p  # d loglik / dz
            v = n * p * (1 - p)
            ga += r * ln2 * w
            gb += r * ln2
            haa += v * (ln2 * w) ** 2
            hab += v * ln2 * ln2 * w
            hbb += v * ln2 * ln2
        det = haa * hbb - hab * hab
        if det <= 1e-12:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a, b = a + da, b + db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return a, b


def saturated(n_same: float, n: float, backoff: float, strength: float) -> float:
    """P(one event | a vector seen n times, n_same of them one event): the count shrunk towards `backoff`.

    `strength` pseudo-pairs at the naive-Bayes probability: a vector never
    seen gets `backoff`, one seen often its own share (strength 0: its share).
    """
    if n + strength <= 0:
        return backoff
    return (n_same + strength * backoff) / (n + strength)


def log_loss(p: float, n_same: float, n: float) -> float:
    p = min(1 - 1e-9, max(1e-9, p))
    return -(n_same * math.log(p) + (n - n_same) * math.log(1 - p))


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    precision: float
    recall: float
    f1: float


def pr_curve(scored: Iterable[tuple[float, bool]], true_pairs: int) -> list[CurvePoint]:
    """Precision and recall of "one event when p ≥ t" at every distinct t, highest first.

    Recall is over `true_pairs` (every true pair, blocked or not), so that a
    pair the blocking never meets counts as missed.
    """
    by_score: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for p, s in scored:
        by_score[p][0] += int(s)
        by_score[p][1] += 1
    points = []
    tp = predicted = 0
    for t in sorted(by_score, reverse=True):
        tp += by_score[t][0]
        predicted += by_score[t][1]
        precision = tp / predicted
        recall = tp / true_pairs if true_pairs else 1.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        points.append(CurvePoint(t, precision, recall, f1))
    return points


def best_recall_at(curve: Sequence[CurvePoint], precision: float) -> CurvePoint | None:
    """The point of highest recall whose precision is at least `precision` (None if there is none)."""
    eligible = [c for c in curve if c.precision >= precision]
    return max(eligible, key=lambda c: (c.recall, c.threshold)) if eligible else None


def best_f1(curve: Sequence[CurvePoint]) -> CurvePoint:
    return max(curve, key=lambda c: (c.f1, c.threshold))


def average_linkage(ids: Sequence[str], probability: Mapping[tuple[str, str], float], floor: float = 0.05) -> list:
    """Agglomerative average-linkage clustering, best link first: [(link, absorbed, into)], links non-increasing.

    The link of two clusters is the mean over every pair of their items of
    `probability` (a pair absent from it counts 0). Stops below `floor`.
    Cutting the list at a threshold t (the merges with link ≥ t) is the
    clustering at t: average linkage never raises a link by merging.
    """
    size = dict.fromkeys(ids, 1)
    sums: dict[str, dict[str, float]] = {i: {} for i in ids}
    for (a, b), p in probability.items():
        if p > 0 and a != b:
            sums[a][b] = sums[a].get(b, 0.0) + p
            sums[b][a] = sums[b].get(a, 0.0) + p
    stamp = dict.fromkeys(ids, 0)
    heap = [(-s, a, b, 0, 0) for a in sums for b, s in sums[a].items() if a < b and s >= floor]
    heapq.heapify(heap)
    merges = []
    while heap:
        negative, a, b, sa, sb = heapq.heappop(heap)
        if a not in size or b not in size or stamp[a] != sa or stamp[b] != sb:
            continue
        link = -negative
        if link < floor:
            break
        merges.append((link, b, a))
        # b into a: a's sums become those of a ∪ b
        for d, s in sums.pop(b).items():
            del sums[d][b]
            if d != a:
                sums[a][d] = sums[a].get(d, 0.0) + s
                sums[d][a] = sums[a][d]
        sums[a].pop(a, None)
        size[a] += size.pop(b)
        stamp[a] += 1
        for d, s in sums[a].items():
            x, y = (a, d) if a < d else (d, a)
            heapq.heappush(heap, (-s / (size[a] * size[d]), x, y, stamp[x], stamp[y]))
    return merges


def clusters_at(ids: Sequence[str], merges: Sequence[tuple[float, str, str]], threshold: float) -> dict[str, str]:
    """Item -> cluster (a representative id) after the merges whose link is at least `threshold`."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link, source, target in merges:
        if link < threshold:
            break
        parent[find(source)] = find(target)
    return {i: find(i) for i in ids}


# -- the worlds ------------------------------------------------------------------------------------------------


@dataclass
class SeedSet:
    seed: int
    records: list
    truth: dict[str, str]
    pair_ids: list[tuple[str, str]]
    levels: list[dict[str, str]]
    same: list[bool]
    true_pairs: int  # every pair of reports of one event, blocked or not
    cache: PairCache


def load(world: str, seed: int, incidents: int) -> SeedSet:
    if world not in WORLDS:
        raise SystemExit(f"{world!r}: this bench measures {', '.join(WORLDS)} only (third is held out).")
    records, truth = records_of(world, seed, incidents)
    cache = PairCache()
    pairs, levels = comparisons_of(records, cache)
    same = [truth[a.id] == truth[b.id] for a, b in pairs]
    sizes = Counter(truth.values())
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    return SeedSet(seed, records, truth, [(a.id, b.id) for a, b in pairs], levels, same, true_pairs, cache)


# -- the estimators -----------------------------------------------------------------------------------------------


def supervised_model(counts: Mapping[Vector, Sequence[int]], *, start: MatchModel, version: str) -> MatchModel:
    """Today's model form with m, u and the pair prior counted from the truth; calibration (1, 0)."""
    m_u = supervised_m_u(counts)
    for feature, levels in start.m_u.items():  # levels these pairs never showed keep the start's numbers, as EM
        for level, pair in levels.items():
            m_u.setdefault(feature, {}).setdefault(level, pair)
    same = sum(s for s, _ in counts.values())
    total = sum(n for _, n in counts.values())
    return start.evolve(
        version=version,
        m_u=m_u,
        pair_prior=round(same / total, 6),
        calibration=(1.0, 0.0),
        trained={"method": "counted from the truth", "comparisons": total, "one_event": same},
    )


def with_platt(model: MatchModel, counts: Mapping[Vector, Sequence[int]], *, version: str) -> MatchModel:
    """The same model with Platt (a, b) fitted on the truth of `counts` (all of them, no pull towards (1, 0))."""
    points: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    prior = model.pair_prior_weight()
    for vector, (s, n) in counts.items():
        w = round(prior + model.evidence(dict(vector)), 9)
        points[w][0] += s
        points[w][1] += n
    a, b = platt(points)
    return model.evolve(version=version, calibration=(round(a, 6), round(b, 6)))


def truth_existing_prior(sets: Sequence[SeedSet], start: MatchModel) -> tuple[tuple[int, float], ...]:
    """P(the report's event is already registered | block size), counted as reports arrive, the truth clustering.

    The block size is what `score_candidates` passes: the incidents of the
    block of a compatible category. The steps are `start`'s.
    """
    steps = [size for size, _ in start.existing_prior]
    hits: Counter[int] = Counter()
    seen: Counter[int] = Counter()
    for data in sets:
        store = IncidentStore()
        for report in data.records:  # arrival order
            found = [
                i for i in store.candidates(block_for(report)) if category_agreement(report, i)[0] != "incompatible"
            ]
            if found:
                step = max(size for size in steps if len(found) >= size)
                seen[step] += 1
                hits[step] += data.truth[report.id] in {i.id for i in found}
            store.add(data.truth[report.id], report)
    return tuple(
        (size, round(min(0.99, max(0.01, hits[size] / seen[size])), 4) if seen[size] else p)
        for size, p in start.existing_prior
    )


class Saturated:
    """P(one event | the full vector of levels), counted; shrunk towards a naive-Bayes model's probability."""

    def __init__(self, counts: Mapping[Vector, Sequence[int]], backoff: MatchModel, strength: float) -> None:
        self.counts, self.backoff, self.strength = counts, backoff, strength
        self._nb: dict[Vector, float] = {}

    def nb(self, vector: Vector) -> float:
        found = self._nb.get(vector)
        if found is None:
            found = self._nb[vector] = self.backoff.pair_probability(dict(vector))
        return found

    def probability(self, vector: Vector) -> float:
        s, n = self.counts.get(vector, (0, 0))
        return saturated(s, n, self.nb(vector), self.strength)


def fitted_models(per_seed: Sequence[Mapping[Vector, Sequence[int]]], start: MatchModel, world: str):
    counts = merge_counts(*per_seed)
    nb = supervised_model(counts, start=start, version=f"{world}-truth-nb")
    nb_platt = with_platt(nb, counts, version=f"{world}-truth-nb-platt")
    return counts, nb, nb_platt


def choose_strength(per_seed: Sequence[Mapping[Vector, Sequence[int]]], start: MatchModel, world: str) -> dict:
    """Log loss of the saturated estimator on each training seed, fitted on the other four, per strength."""
    losses = dict.fromkeys(STRENGTHS, 0.0)
    pairs = 0
    for k, held in enumerate(per_seed):
        rest = [c for j, c in enumerate(per_seed) if j != k]
        counts, _, nb_platt = fitted_models(rest, start, f"{world}-fold{k}")
        for strength in STRENGTHS:
            estimator = Saturated(counts, nb_platt, strength)
            losses[strength] += sum(log_loss(estimator.probability(v), s, n) for v, (s, n) in held.items())
        pairs += sum(n for _, n in held.values())
    return {strength: loss / pairs for strength, loss in losses.items()}


# -- the measures -------------------------------------------------------------------------------------------------


def mean_quality(rows: Sequence[Quality]) -> dict[str, float]:
    names = ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_precision", "bcubed_recall", "bcubed_f1")
    return {name: sum(getattr(q, name) for q in rows) / len(rows) for name in names}


def quality_cells(q: Mapping[str, float]) -> str:
    return (
        f"{q['pairwise_precision']:.3f} | {q['pairwise_recall']:.3f} | {q['pairwise_f1']:.3f} | "
        f"{q['bcubed_precision']:.3f} | {q['bcubed_recall']:.3f} | {q['bcubed_f1']:.3f}"
    )


def point_cells(point: CurvePoint | None) -> str:
    if point is None:
        return "— | — | — | —"
    return f"{point.threshold:.3f} | {point.precision:.3f} | {point.recall:.3f} | {point.f1:.3f}"


def single_linkage(probability: Mapping[tuple[str, str], float], floor: float = 0.05) -> list:
    """Connected components of the pairs at or above a threshold, as a merge list for `clusters_at`."""
    return [(p, a, b) for (a, b), p in sorted(probability.items(), key=lambda item: -item[1]) if p >= floor]


CLUSTER_THRESHOLDS = (*(round(0.05 + 0.01 * i, 2) for i in range(95)), 0.995, 0.999)


def oracle_clustering(
    sets: Sequence[SeedSet], scores: Sequence[Sequence[float]], linkage: str
) -> dict[float, dict[str, float]]:
    """Mean quality over the sets of a clustering of the pair scores ("average" or "single"), per threshold."""
    per_threshold: dict[float, list[Quality]] = defaultdict(list)
    for data, p in zip(sets, scores, strict=True):
        ids = [r.id for r in data.records]
        probability = dict(zip(data.pair_ids, p, strict=True))
        floor = CLUSTER_THRESHOLDS[0]
        if linkage == "average":
            merges = average_linkage(ids, probability, floor=floor)
        else:
            merges = single_linkage(probability, floor=floor)
        for t in CLUSTER_THRESHOLDS:
            per_threshold[t].append(quality(clusters_at(ids, merges, t), data.truth))
    return {t: mean_quality(rows) for t, rows in per_threshold.items()}


def replayed(sets: Sequence[SeedSet], model: MatchModel) -> tuple[dict[str, float], float, float]:
    runs = [run_matcher(d.records, d.truth, model, heal=True, cache=d.cache) for d in sets]
    merges = sum(r["merges"] for r in runs) / len(runs)
    wrong = sum(r["wrong_merges"] for r in runs) / len(runs)
    return mean_quality([r["q"] for r in runs]), merges, wrong


def measure(world: str, incidents: int, training_seeds: Sequence[int], *, replay: bool, clustering: bool) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    shipped = shipped_model()
    training = [load(world, seed, incidents) for seed in training_seeds]
    features = sorted(training[0].levels[0])
    per_seed = [count_vectors(d.levels, d.same, features) for d in training]
    train_pairs = sum(len(d.levels) for d in training)
    existing_prior = truth_existing_prior(training, shipped)
    del training
    counts, nb, nb_platt = fitted_models(per_seed, shipped, world)
    nb_online = nb.evolve(version=f"{world}-truth-nb-online", existing_prior=existing_prior)
    full = with_platt(nb_online, counts, version=f"{world}-truth-full")
    losses = choose_strength(per_seed, shipped, world)
    strength = min(losses, key=lambda k: losses[k])
    evaluation = [load(world, seed, incidents) for seed in EVALUATION_SEEDS]
    eval_counts = merge_counts(*(count_vectors(d.levels, d.same, features) for d in evaluation))
    sat = Saturated(counts, nb_platt, strength)
    sat_in = Saturated(eval_counts, nb_platt, strength)
    classifiers = {
        "shipped model (coast-em-2, naive Bayes, calibrated)": lambda v: shipped.pair_probability(dict(v)),
        "supervised naive Bayes (m/u counted from the truth)": lambda v: nb.pair_probability(dict(v)),
        "supervised naive Bayes + Platt on the truth": lambda v: nb_platt.pair_probability(dict(v)),
        f"saturated (per level vector, shrunk to NB + Platt, strength {strength:g})": sat.probability,
        "saturated, fitted on the evaluation seeds (in-sample, optimistic)": sat_in.probability,
        "each vector's share of true pairs on the evaluation seeds (strength 0: the bound)": Saturated(
            eval_counts, nb_platt, 0.0
        ).probability,
    }
    scores = {
        label: [[f(vector_of(lv, features)) for lv in d.levels] for d in evaluation] for label, f in classifiers.items()
    }
    seeds = f"training seeds {training_seeds[0]}–{training_seeds[-1]}, evaluation seeds "
    seeds += f"{EVALUATION_SEEDS[0]}–{EVALUATION_SEEDS[-1]}"
    true_total = sum(d.true_pairs for d in evaluation)
    true_blocked = sum(sum(d.same) for d in evaluation)
    eval_pairs = sum(len(d.levels) for d in evaluation)
    seen = sum(1 for d in evaluation for lv in d.levels if vector_of(lv, features) in counts)
    true_seen = sum(
        1 for d in evaluation for lv, s in zip(d.levels, d.same, strict=True) if s and vector_of(lv, features) in counts
    )
    rare = sum(
        1
        for d in evaluation
        for lv, s in zip(d.levels, d.same, strict=True)
        if s and eval_counts[vector_of(lv, features)][1] <= 2
    )
    print(f"\n### {world} ({seeds}, {incidents} events a set)\n")
    print(
        f"Training: {train_pairs} blocked pairs, {len(counts)} distinct level vectors, "
        f"pair prior {nb.pair_prior:.4f}, Platt (a, b) = ({nb_platt.calibration[0]:.3f}, "
        f"{nb_platt.calibration[1]:.3f}). Evaluation: {eval_pairs} blocked pairs; {true_blocked} of "
        f"{true_total} true pairs blocked; {seen / eval_pairs:.1%} of the pairs and {true_seen / true_blocked:.1%} "
        f"of the true ones have a vector seen in training; {rare / true_blocked:.1%} of the true ones a vector "
        f"that occurs at most twice among the evaluation pairs."
    )
    print(
        "Saturated strength by leave-one-seed-out log loss (per pair): "
        + ", ".join(f"{k:g}: {v:.4f}" for k, v in losses.items())
        + "."
    )
    print(f"Online priors counted from the truth (block size, P(already registered)): {existing_prior}.")
    if replay:
        print("\nOnline + healing replay (bench_matcher_quality.run_matcher), means of the evaluation sets:\n")
        print("| model | pairwise P | pairwise R | pairwise F1 | B-cubed P | B-cubed R | B-cubed F1 | merges (wrong) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, model in (
            ("shipped model (coast-em-2)", shipped),
            ("supervised FS: m/u and pair prior from the truth, calibration (1, 0)", nb),
            ("the same + online priors from the truth", nb_online),
            ("the same + Platt on the truth (the full supervised model)", full),
        ):
            q, merges, wrong = replayed(evaluation, model)
            print(f"| {label} | {quality_cells(q)} | {merges:.0f} ({wrong:.0f}) |")
        print(
            "\nThe same replay with the thresholds overridden (join / merge; candidate 0.30), "
            "pairwise P / R / F1, means of the evaluation sets:\n"
        )
        print("| join / merge | shipped model | full supervised model |")
        print("|---|---|---|")
        best: dict[str, list] = {"shipped": [], "full": []}
        for join, merge in SWEEP:
            cells = []
            for name, model in (("shipped", shipped), ("full", full)):
                changed = model.evolve(join_threshold=join, merge_threshold=merge)  # same probabilities
                q, _, _ = replayed(evaluation, changed)
                best[name].append(((join, merge), q))
                cells.append(f"{q['pairwise_precision']:.3f} / {q['pairwise_recall']:.3f} / {q['pairwise_f1']:.3f}")
            print(f"| {join:.2f} / {merge:.2f} | {cells[0]} | {cells[1]} |")
        for name, rows in best.items():
            precise = [row for row in rows if row[1]["pairwise_precision"] >= TARGET_PRECISION]
            top = max(rows, key=lambda row: row[1]["pairwise_f1"])
            line = f"{name}: best F1 {top[1]['pairwise_f1']:.3f} at {top[0][0]:.2f} / {top[0][1]:.2f}"
            line += f" (P {top[1]['pairwise_precision']:.3f})"
            if precise:
                top = max(precise, key=lambda row: row[1]["pairwise_f1"])
                line += f"; best F1 at P ≥ 0.98: {top[1]['pairwise_f1']:.3f} at {top[0][0]:.2f} / {top[0][1]:.2f}"
            else:
                line += "; no pair of thresholds reaches P ≥ 0.98"
            print(f"  {line}")
    print(
        "\nReport pairs, no clustering (pooled over the evaluation sets; recall over every true pair): "
        f"best recall at precision ≥ {TARGET_PRECISION}, best F1, and recall at other precisions:\n"
    )
    print(
        "| pair probability | t (P ≥ 0.98) | P | R | F1 | t (best F1) | P | R | F1 "
        "| R at P ≥ 0.99 | R at P ≥ 0.95 | R at P ≥ 0.90 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in classifiers:
        pooled = [
            (p, s) for d, ps in zip(evaluation, scores[label], strict=True) for p, s in zip(ps, d.same, strict=True)
        ]
        curve = pr_curve(pooled, true_total)
        others = []
        for target in (0.99, 0.95, 0.90):
            point = best_recall_at(curve, target)
            others.append(f"{point.recall:.3f}" if point else "—")
        print(
            f"| {label} | {point_cells(best_recall_at(curve, TARGET_PRECISION))} | {point_cells(best_f1(curve))} | "
            + " | ".join(others)
            + " |"
        )
    if clustering:
        print(
            "\nOracle clustering of each evaluation set on the pair probability (a pair never blocked counts 0): "
            "average linkage (the link of two clusters the mean over their report pairs) and single linkage "
            "(connected components of the pairs at or above t), at the threshold best for it with the truth "
            "(means of the sets; t in steps of 0.01):\n"
        )
        print(
            "| pair probability | linkage | t (best F1) | P | R | F1 | B-cubed F1 "
            "| t (P ≥ 0.98) | P | R | F1 | B-cubed F1 |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label in classifiers:
            if label.startswith("supervised naive Bayes (m/u"):
                continue  # the same as with Platt (a ≈ 1, b ≈ 0), to a few thousandths
            for linkage in ("average", "single"):
                table = oracle_clustering(evaluation, scores[label], linkage)
                cells = []
                best = max(table, key=lambda t: table[t]["pairwise_f1"])
                precise = [t for t in table if table[t]["pairwise_precision"] >= TARGET_PRECISION]
                chosen = [best]
                if precise:
                    chosen.append(max(precise, key=lambda t: (table[t]["pairwise_recall"], -t)))
                for t in chosen:
                    q = table[t]
                    cells.append(
                        f"{t:g} | {q['pairwise_precision']:.3f} | {q['pairwise_recall']:.3f} | "
                        f"{q['pairwise_f1']:.3f} | {q['bcubed_f1']:.3f}"
                    )
                if not precise:
                    cells.append("none | — | — | — | —")
                print(f"| {label} | {linkage} | {' | '.join(cells)} |")
    print(f"\n{world}: {time.perf_counter() - started:.0f} s wall, {time.process_time() - cpu:.0f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generators", default=",".join(WORLDS), help="coast and/or second (never third)")
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--train-sets", type=int, default=5, help="training seeds 101, 102, … (default 101–105)")
    parser.add_argument("--no-replay", action="store_true", help="skip the online + healing replays")
    parser.add_argument("--no-clustering", action="store_true", help="skip the oracle clustering step")
    args = parser.parse_args()
    started = time.perf_counter()
    for world in args.generators.split(","):
        training = range(TUNING_SEEDS[0], TUNING_SEEDS[0] + args.train_sets)
        measure(world, args.incidents, training, replay=not args.no_replay, clustering=not args.no_clustering)
    print(f"\ntotal: {time.perf_counter() - started:.0f} s wall")


if __name__ == "__main__":
    main()
