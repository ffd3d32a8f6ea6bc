"""Quality of the matcher on generated reports it was not tuned on, and its pure scoring cost.

    python bench/bench_matcher_quality.py                  # seed 2026, 300 incidents, 5 sets
    python bench/bench_matcher_quality.py --seed 77 --sets 3 --incidents 500
    python bench/bench_matcher_quality.py --fit            # re-estimate m/u on the tuning seeds 101–110
    python bench/bench_matcher_quality.py --sweep          # thresholds against quality on the tuning seeds

Replays what the pipeline does (synthetic.evaluation.cluster_online):
reports in arrival order; block_for → incidents in the block →
score_candidates → join the best if its decision is "join", else a new
incident (a duplicate candidate also starts its own incident). Prints pairwise
and B-cubed precision, recall and F1 against the ground truth, the rates of
auto-join / candidate / new, and the cost per report of blocking and scoring
in memory (no database).

The weights were estimated on seeds 101–110 and the thresholds chosen on them;
the default evaluation seeds (2026 and the next ones) were never used for tuning.
"""

import argparse
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.dedup import weights
from synthetic import generate, report_record
from synthetic.evaluation import cluster_online, estimate_m_u, quality

TUNING_SEEDS = range(101, 111)


def records_of(seed: int, incidents: int):
    generated = generate(seed=seed, incidents=incidents)
    records = [report_record(report_id=r.report_id, data=r.data) for r in generated.reports]
    return records, generated.truth()


def evaluate(seeds, incidents: int, *, reviewers_accept: bool = False) -> dict:
    totals: dict[str, float] = defaultdict(float)
    for seed in seeds:
        records, truth = records_of(seed, incidents)
        started = time.perf_counter()
        run = cluster_online(records, truth=truth, reviewers_accept=reviewers_accept)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        cluster_online(records)  # again, with the text caches warm, as in a long-running worker
        totals["seconds_warm"] += time.perf_counter() - started
        q = quality(run.assignment, truth)
        for name in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_precision", "bcubed_recall"):
            totals[name] += getattr(q, name)
        totals["bcubed_f1"] += q.bcubed_f1
        totals["reports"] += len(records)
        totals["incidents_true"] += len(set(truth.values()))
        totals["incidents_made"] += len(set(run.assignment.values()))
        totals["seconds"] += elapsed
        totals["candidates_scored"] += run.candidates_scored
        for decision, count in run.decisions.items():
            totals[decision] += count
        totals["useful_candidates"] += run.useful_candidates
    return dict(totals)


def print_quality(label: str, seeds, incidents: int) -> None:
    seeds = list(seeds)
    t = evaluate(seeds, incidents)
    n = len(seeds)
    reports = t["reports"]
    print(f"{label}: seeds {seeds[0]}..{seeds[-1]} ({n} sets of {incidents} incidents, {int(reports)} reports)")
    print(f"  thresholds: join >= {weights.JOIN_THRESHOLD}, candidate >= {weights.CANDIDATE_THRESHOLD}")
    print_figures("matcher alone (candidates start their own incident)", t, n)
    print(
        "  decisions: auto-join {:.1%}  candidate {:.1%}  new {:.1%}".format(
            t.get("join", 0) / reports, t.get("candidate", 0) / reports, t.get("new", 0) / reports
        )
    )
    candidates = t.get("candidate", 0)
    if candidates:
        print(
            f"  duplicate candidates: {t['useful_candidates'] / candidates:.1%} point at the report's true incident "
            "(a reviewer's accept)"
        )
    print(f"  incidents made {int(t['incidents_made'])} for {int(t['incidents_true'])} true ones")
    print(
        "  cost per report (block_for + in-memory block lookup + score_candidates): {:.0f} µs cold, "
        "{:.0f} µs with warm caches; {:.1f} candidates scored on average".format(
            t["seconds"] / reports * 1e6, t["seconds_warm"] / reports * 1e6, t["candidates_scored"] / reports
        )
    )
    reviewed = evaluate(seeds, incidents, reviewers_accept=True)
    print_figures("matcher + reviewers accepting the right candidates", reviewed, n)


def print_figures(label: str, t: dict, n: int) -> None:
    print(f"  {label}:")
    print(
        "    pairwise  precision {:.4f}  recall {:.4f}  F1 {:.4f}".format(
            t["pairwise_precision"] / n, t["pairwise_recall"] / n, t["pairwise_f1"] / n
        )
    )
    print(
        "    B-cubed   precision {:.4f}  recall {:.4f}  F1 {:.4f}".format(
            t["bcubed_precision"] / n, t["bcubed_recall"] / n, t["bcubed_f1"] / n
        )
    )


def fit(incidents: int) -> None:
    """Print m/u per feature level from the tuning seeds, in the shape of weights.M_U."""
    counts: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for seed in TUNING_SEEDS:
        records, truth = records_of(seed, incidents)
        for feature, levels in estimate_m_u(records, truth).items():
            for level, (m, u) in levels.items():
                counts[feature][level][0] += m
                counts[feature][level][1] += u
    pairs = counts.pop("_pairs")["all"]
    print(f"PRIOR_MATCH = {pairs[0] / sum(pairs):.3f}  # {pairs[0]} true pairs among {sum(pairs)}")
    for feature, levels in counts.items():
        matches = sum(m for m, _ in levels.values())
        others = sum(u for _, u in levels.values())
        table = {}
        for level, (m, u) in sorted(levels.items()):
            if level == "unknown":
                continue
            pm, pu = max(weights.M_FLOOR, m / matches), max(weights.U_FLOOR, u / others)
            table[level] = (round(pm, 3), round(pu, 3), round(math.log2(pm / pu), 2))
        print(f"  {feature}: {table}")
        print(f"    counts (matches, non-matches): { {k: tuple(v) for k, v in sorted(levels.items())} }")


def sweep(incidents: int) -> None:
    n = len(TUNING_SEEDS)
    for join in (0.8, 0.85, 0.9, 0.93, 0.95):
        weights.JOIN_THRESHOLD = join
        t = evaluate(TUNING_SEEDS, incidents)
        print(
            f"join >= {join:.2f}: pairwise P {t['pairwise_precision'] / n:.4f} R {t['pairwise_recall'] / n:.4f} "
            f"F1 {t['pairwise_f1'] / n:.4f}  B3 F1 {t['bcubed_f1'] / n:.4f}  "
            f"auto-join {t.get('join', 0) / t['reports']:.1%}"
        )
    for candidate in (0.2, 0.3, 0.4, 0.5):
        weights.CANDIDATE_THRESHOLD = candidate
        t = evaluate(TUNING_SEEDS, incidents)
        useful = t["useful_candidates"] / t["candidate"] if t.get("candidate") else 0.0
        print(
            f"candidate >= {candidate:.2f} (join >= {weights.JOIN_THRESHOLD}): "
            f"candidates {t.get('candidate', 0) / t['reports']:.1%} of reports, {useful:.1%} of them right"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2026, help="first evaluation seed (never used for tuning)")
    parser.add_argument("--sets", type=int, default=5, help="how many sets, seeds seed..seed+sets-1")
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--fit", action="store_true", help="estimate m/u on the tuning seeds")
    parser.add_argument("--sweep", action="store_true", help="quality by join threshold on the tuning seeds")
    args = parser.parse_args()
    if args.fit:
        fit(args.incidents)
    elif args.sweep:
        sweep(args.incidents)
    else:
        seeds = range(args.seed, args.seed + args.sets)
        if set(seeds) & set(TUNING_SEEDS):
            print("warning: these seeds were used for tuning", file=sys.stderr)
        print_quality("evaluation", seeds, args.incidents)


if __name__ == "__main__":
    main()
