"""Quality of the matcher (online decisions + collective healing) on two generated worlds, beside splink.

    python bench/bench_matcher_quality.py                       # both generators, seeds 2026–2028, 300 incidents
    python bench/bench_matcher_quality.py --sets 1 --no-splink  # quicker
    python bench/bench_matcher_quality.py --png docs/reliability.png
    python bench/bench_matcher_quality.py --train-default  # EM + labels on coast seeds 101–105 -> default_model.json

For each generator (`synthetic.coast`, the project's; `synthetic.second`,
written with other assumptions, read once to shape the matcher; `synthetic.third`,
held out: run and reported, never read for tuning) and each seed, the reports
are replayed in arrival order in memory (`synthetic.evaluation.cluster_online`):

- v1: today's matcher, the hand-counted model ("coast-hand-v1"), online only;
- v2 shipped: the shipped default model, online decisions + collective
  healing of each report's block (`incidents.dedup.collective.resolve_block`);
- v2 EM: m/u learned by EM from this register's own blocked report pairs, no
  labels (`incidents.dedup.em.train_em`), online + healing;
- v2 EM + labels: the same, calibrated (`incidents.dedup.calibration.calibrate`)
  on 100 pairs a reviewer answered, 25 at a time: half the most informative
  (active learning), half among the pairs scored 0.3 or more (the candidates
  reviewers see anyway), online + healing;
- system (not the matcher alone): the shipped model, online + healing, with
  a reviewer answering every duplicate candidate the register proposes: a
  report's (accepted when its incident holds the report's true event, else
  the report keeps its own incident) and healing's (two incidents, merged when
  they hold reports of one true event), each once; what was rejected is passed
  to healing as the pipeline passes it. It says what the register with its
  reviewers reaches and how many answers that costs;
- splink: unsupervised (u by random sampling, m by EM, λ from a
  deterministic rule), predictions on exactly our blocked pairs, its connected
  components at 0.9 and at the threshold that happens to be best for it (chosen
  with the truth: generous to the peer).

Pairwise and B-cubed precision, recall and F1 against the ground truth, and
the reliability of the pair probabilities (predicted against observed, by
bins of 0.1) before and after calibration, as a table and, with --png, a plot.

And what a partner would read (`partner_counts`): the killed of every incident
reconciled by the register's own rule (`incidents.services.reconcile`, each
report its own source, nothing verified) and summed, per district and day as
the aggregates count them and in all, against the same rule on the true events
(perfect matching). The difference is the double counting that the matching
leaves (fragments of one event each counted) or the undercount that a wrong
merge makes (two events counted as one).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # for the reconciliation rule and the aggregates' day (incidents.services); no database is used

from incidents.dedup import weights
from incidents.dedup.calibration import (
    LabelledPair,
    calibrate,
    expected_calibration_error,
    informativeness,
    reliability,
    reliability_markdown,
)
from incidents.dedup.collective import PairCache
from incidents.dedup.em import blocked_pairs, train_em
from incidents.dedup.model import DEFAULT_MODEL_PATH, MatchModel, default_model
from incidents.dedup.records import IncidentRecord
from incidents.services.aggregates import local_date
from incidents.services.reconcile import SourceFigure, reconcile
from synthetic import coast, report_record, second, third
from synthetic.evaluation import cluster_online, quality

GENERATORS = {"coast": coast.generate, "second": second.generate, "third": third.generate}
TUNING_SEEDS = range(101, 106)
LABELS_PER_ROUND, ROUNDS = 25, 4
# Not the matcher alone: the register as reviewers use it, each report's candidate answered (right or not).
SYSTEM = "system: shipped model + a reviewer answering each candidate"
# The shipped model (--train-default): its version, and the candidate threshold it is given.
DEFAULT_VERSION, DEFAULT_CANDIDATE_THRESHOLD = "coast-em-3", 0.10


def hand_model() -> MatchModel:
    """Today's matcher: the table counted on coast seeds 101–110 (weights.py), its thresholds, no healing."""
    return MatchModel(
        version="coast-hand-v1",
        m_u=weights.M_U,
        existing_prior=weights.EXISTING_PRIOR,
        pair_prior=0.05,
        join_threshold=0.93,
        candidate_threshold=0.30,
        merge_threshold=0.85,
        trained={"method": "counted on the true clusters of synthetic.coast seeds 101–110"},
    )


def records_of(generator: str, seed: int, incidents: int):
    records, truth, _ = generated_of(generator, seed, incidents)
    return records, truth


def generated_of(generator: str, seed: int, incidents: int):
    """The set's records in arrival order, the truth, and each report's submitted data by id."""
    generated = GENERATORS[generator](seed=seed, incidents=incidents)
    records = [report_record(report_id=r.report_id, data=r.data) for r in generated.reports]
    return records, generated.truth(), {r.report_id: r.data for r in generated.reports}


def _killed_by_cell(assignment: dict[str, str], records, data: dict) -> Counter:
    """Killed (best, every group) per (district, local day) of each incident, reconciled by the register's rule."""
    members: dict[str, list] = defaultdict(list)
    for record in records:
        members[assignment[record.id]].append(record)
    cells: Counter = Counter()
    for incident_id, reports in members.items():
        figures = [
            SourceFigure(
                report_id=r.id,
                source=r.id,  # each account its own source: the generated sets carry no source identity
                kind=row["kind"],
                group=row["group"],
                low=row["low"],
                high=row["high"],
                reliability=data[r.id].get("source_reliability", ""),
                credibility=data[r.id].get("info_credibility", 0),
                verified=False,
                order=i,
                scope=row.get("scope", "incident"),
            )
            for i, r in enumerate(reports)
            for row in data[r.id].get("casualties", ())
            if row["kind"] == "killed"
        ]
        killed = sum(e.best for e in reconcile(figures, any_verified=False).values())
        if killed:
            summary = IncidentRecord.from_reports(incident_id, reports)
            cells[(summary.admin2 or summary.admin1, local_date(summary.occurred_from))] += killed
    return cells


def partner_counts(assignment: dict[str, str], truth: dict[str, str], records, data: dict) -> dict:
    """Killed as a partner's aggregates would give them, against the same rule on the true events."""
    counted = _killed_by_cell(assignment, records, data)
    perfect = _killed_by_cell(truth, records, data)
    cells = set(counted) | set(perfect)

    def near(c: tuple) -> bool:  # within a tenth (and one person) of what perfect matching gives
        return abs(counted[c] - perfect[c]) <= max(1, perfect[c] // 10)

    return {
        "killed": sum(counted.values()),
        "killed_perfect": sum(perfect.values()),
        "cells": len(cells),
        "cells_right": sum(1 for c in cells if counted[c] == perfect[c]),
        "cells_near": sum(1 for c in cells if near(c)),
        "cells_over": sum(1 for c in cells if not near(c) and counted[c] > perfect[c]),
        "cells_under": sum(1 for c in cells if not near(c) and counted[c] < perfect[c]),
        "incidents": len(set(assignment.values())),
        "events": len(set(truth.values())),
    }


def comparisons_of(records, cache: PairCache):
    pairs = list(blocked_pairs(records))
    return pairs, [cache.levels(a, b) for a, b in pairs]


def active_labels(model: MatchModel, pairs, levels, truth, *, version: str, seed: int) -> tuple[MatchModel, list]:
    """Calibrate on reviewers' answers to the most informative pairs, ROUNDS rounds of LABELS_PER_ROUND."""
    rng = random.Random(seed)
    prior = model.pair_prior_weight()
    labelled: list[LabelledPair] = []
    asked: set[int] = set()
    current = model
    order = list(range(len(pairs)))
    rng.shuffle(order)  # ties among equally informative pairs in a random order
    for _ in range(ROUNDS):
        scored = [(current.pair_probability(levels[i]), i) for i in order if i not in asked]
        ranked = sorted(scored, key=lambda item: -informativeness(item[0]))
        # Half the round by informativeness (what would teach the model most), half among the pairs the
        # matcher would merge or propose (the candidates reviewers answer anyway), so that the
        # calibration also sees the high end.
        chosen = [i for _, i in ranked[: LABELS_PER_ROUND // 2 + 1]]
        likely = [i for p, i in scored if p >= 0.3 and i not in chosen]
        chosen += rng.sample(likely, min(len(likely), LABELS_PER_ROUND - len(chosen)))
        for i in chosen:
            asked.add(i)
            a, b = pairs[i]
            labelled.append(LabelledPair(levels=levels[i], prior_weight=prior, same=truth[a.id] == truth[b.id]))
        current = calibrate(model, labelled, version=version)
    return current, labelled


def run_matcher(
    records,
    truth,
    model: MatchModel,
    *,
    heal: bool,
    cache: PairCache | None = None,
    reviewer: bool = False,
    data: dict | None = None,
) -> dict:
    """One replay; with `reviewer`, a reviewer answers each report's candidate (accepting it when it is right).

    With `data` (the reports' submitted data), also what a partner would read (`partner_counts`).
    """
    started = time.process_time()
    run = cluster_online(records, truth=truth, model=model, heal=heal, cache=cache, reviewers_accept=reviewer)
    seconds = time.process_time() - started
    q = quality(run.assignment, truth)
    row = {
        "q": q,
        "cpu_s": seconds,
        "merges": run.merges,
        "wrong_merges": run.wrong_merges,
        "incidents": len(set(run.assignment.values())),
    }
    if reviewer:
        row["answers"], row["reports"] = run.answers, len(records)
    if data is not None:
        row["partner"] = partner_counts(run.assignment, truth, records, data)
    return row


def evaluate(generator: str, seeds, incidents: int, *, splink: bool) -> dict:
    rows: dict[str, list[dict]] = defaultdict(list)
    reliability_raw: list[tuple[float, bool]] = []
    reliability_calibrated: list[tuple[float, bool]] = []
    shipped = default_model()
    for seed in seeds:
        records, truth, data = generated_of(generator, seed, incidents)
        cache = PairCache()
        pairs, levels = comparisons_of(records, cache)
        same = [truth[a.id] == truth[b.id] for a, b in pairs]
        started = time.process_time()
        em = train_em(levels, start=shipped, version=f"{generator}-{seed}-em")
        em_seconds = time.process_time() - started
        labelled_model, _labels = active_labels(
            em, pairs, levels, truth, version=f"{generator}-{seed}-em-cal", seed=seed
        )
        reliability_raw += [(em.pair_probability(lv), s) for lv, s in zip(levels, same, strict=True)]
        reliability_calibrated += [(labelled_model.pair_probability(lv), s) for lv, s in zip(levels, same, strict=True)]
        rows["v1: hand model, online only"].append(run_matcher(records, truth, hand_model(), heal=False, data=data))
        rows["v2: shipped model, online + healing"].append(
            run_matcher(records, truth, shipped, heal=True, cache=cache, data=data)
        )
        em_row = run_matcher(records, truth, em, heal=True, cache=cache, data=data)
        em_row["em_cpu_s"] = em_seconds
        rows["v2: EM on this register, online + healing"].append(em_row)
        rows["v2: EM + 100 reviewer labels, online + healing"].append(
            run_matcher(records, truth, labelled_model, heal=True, cache=cache, data=data)
        )
        rows[SYSTEM].append(run_matcher(records, truth, shipped, heal=True, cache=cache, reviewer=True, data=data))
        if splink:
            from splink_peer import SplinkRun

            started = time.perf_counter()
            peer = SplinkRun(records)
            seconds = time.perf_counter() - started
            at_09 = peer.clusters(0.9)
            rows["splink, unsupervised, same blocks, threshold 0.9"].append(
                {"q": quality(at_09, truth), "cpu_s": seconds, "partner": partner_counts(at_09, truth, records, data)}
            )
            best_q, best_clusters = max(
                ((quality(c, truth), c) for c in (peer.clusters(t) for t in (0.5, 0.7, 0.8, 0.9, 0.95, 0.99))),
                key=lambda qc: qc[0].pairwise_f1,
            )
            rows["splink, its best threshold (chosen with the truth)"].append(
                {"q": best_q, "cpu_s": seconds, "partner": partner_counts(best_clusters, truth, records, data)}
            )
        print(f"  {generator} seed {seed}: {len(records)} reports, {len(pairs)} blocked pairs", file=sys.stderr)
    return {"rows": rows, "raw": reliability_raw, "calibrated": reliability_calibrated}


def print_table(generator: str, seeds, result: dict) -> None:
    seeds = list(seeds)
    print(f"\n### {generator} (seeds {seeds[0]}–{seeds[-1]}, mean of {len(seeds)} sets)\n")
    print("| matcher | pairwise P | pairwise R | pairwise F1 | B-cubed P | B-cubed R | B-cubed F1 | merges (wrong) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, runs in result["rows"].items():
        n = len(runs)

        def mean(name: str, runs=runs, n=n) -> float:
            return sum(getattr(r["q"], name) for r in runs) / n

        merges = ""
        if "merges" in runs[0]:
            merges = f"{sum(r['merges'] for r in runs) / n:.0f} ({sum(r['wrong_merges'] for r in runs) / n:.0f})"
        print(
            f"| {label} | {mean('pairwise_precision'):.3f} | {mean('pairwise_recall'):.3f} | "
            f"{mean('pairwise_f1'):.3f} | {mean('bcubed_precision'):.3f} | {mean('bcubed_recall'):.3f} | "
            f"{mean('bcubed_f1'):.3f} | {merges} |"
        )
    for label, runs in result["rows"].items():
        cpu = sum(r["cpu_s"] for r in runs) / len(runs)
        print(f"  {label}: {cpu:.1f} s per set" + (" (wall, training + prediction)" if "splink" in label else " (CPU)"))
        if "answers" in runs[0]:
            answers, reports = sum(r["answers"] for r in runs), sum(r["reports"] for r in runs)
            print(f"  {label}: {answers / len(runs):.0f} answers per set, {answers / reports:.2f} per report")


def print_partner(generator: str, result: dict) -> None:
    """What a partner would read: killed summed over the register's incidents against perfect matching."""
    print(
        f"\nKilled as partners' aggregates count them, {generator} (sums over the sets; district-days with a death "
        "in either; over/under: by more than a tenth):\n"
    )
    print(
        "| matcher | incidents per event | killed counted | with perfect matching | counted ÷ perfect "
        "| district-days exact | within a tenth | over | under |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, runs in result["rows"].items():
        if "partner" not in runs[0]:
            continue
        total = {k: sum(r["partner"][k] for r in runs) for k in runs[0]["partner"]}
        print(
            f"| {label} | {total['incidents'] / total['events']:.2f} | {total['killed']:,} | "
            f"{total['killed_perfect']:,} | {total['killed'] / max(1, total['killed_perfect']):.3f} | "
            f"{total['cells_right'] / max(1, total['cells']):.3f} | "
            f"{total['cells_near'] / max(1, total['cells']):.3f} | "
            f"{total['cells_over']} | {total['cells_under']} |"
        )


def print_reliability(generator: str, result: dict) -> None:
    for name in ("raw", "calibrated"):
        predicted, observed = zip(*result[name], strict=True)
        table = reliability(predicted, observed)
        label = "EM, uncalibrated" if name == "raw" else "EM + Platt on 100 labels"
        print(
            f"\nReliability of blocked pair probabilities, {generator}, {label} "
            f"(expected calibration error {expected_calibration_error(table):.3f}):\n"
        )
        print(reliability_markdown(table))


def draw(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(results), figsize=(5 * len(results), 4.6), squeeze=False)
    for axis, (generator, result) in zip(axes[0], results.items(), strict=True):
        axis.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label="perfectly calibrated")
        for name, colour, label in (
            ("raw", "#d95f02", "EM, uncalibrated"),
            ("calibrated", "#1b9e77", "EM + 100 labels"),
        ):
            predicted, observed = zip(*result[name], strict=True)
            table = [b for b in reliability(predicted, observed) if b.pairs]
            axis.plot(
                [b.mean_predicted for b in table], [b.observed for b in table], marker="o", color=colour, label=label
            )
        axis.set_title(f"{generator}: blocked report pairs")
        axis.set_xlabel("predicted probability (bin mean)")
        axis.set_ylabel("observed share of one event")
        axis.set_xlim(0, 1)
        axis.set_ylim(0, 1)
        axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    print(f"\nreliability plot written to {path}")


def train_default(incidents: int) -> None:
    """EM over the blocked pairs of coast seeds 101–105, calibrated on 100 labels each; write default_model.json."""
    levels_all, labels_all = [], []
    start = hand_model()
    for seed in TUNING_SEEDS:
        records, truth = records_of("coast", seed, incidents)
        pairs, levels = comparisons_of(records, PairCache())
        levels_all += levels
        em = train_em(levels, start=start, version="tmp")
        _, labels = active_labels(em, pairs, levels, truth, version="tmp", seed=seed)
        labels_all += labels
    em = train_em(levels_all, start=start, version=DEFAULT_VERSION)
    model = calibrate(em, labels_all, version=DEFAULT_VERSION)
    model = model.evolve(
        # A candidate is a question for a reviewer before partners count both incidents: asked from one
        # chance in ten (BENCHMARKS.md, 2026-12-04: what partners would read), not three.
        candidate_threshold=DEFAULT_CANDIDATE_THRESHOLD,
        trained={**dict(model.trained), "sources": "synthetic.coast seeds 101–105, 300 incidents each"},
    )
    DEFAULT_MODEL_PATH.write_text(model.to_json() + "\n", encoding="utf-8")
    print(
        f"wrote {DEFAULT_MODEL_PATH}: {model.version}, calibration {model.calibration}, "
        f"join {model.join_threshold}, merge {model.merge_threshold}, candidate {model.candidate_threshold}, "
        f"pair prior {model.pair_prior}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2026, help="first evaluation seed (never used for tuning)")
    parser.add_argument("--sets", type=int, default=3)
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--generators", default="coast,second,third")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--png", type=Path, help="draw the reliability plot into this file")
    parser.add_argument("--train-default", action="store_true", help="re-train the shipped default model")
    args = parser.parse_args()
    if args.train_default:
        train_default(args.incidents)
        return
    seeds = range(args.seed, args.seed + args.sets)
    results = {}
    for generator in args.generators.split(","):
        results[generator] = evaluate(generator, seeds, args.incidents, splink=not args.no_splink)
        print_table(generator, seeds, results[generator])
        print_partner(generator, results[generator])
        print_reliability(generator, results[generator])
    if args.png:
        draw(results, args.png)


if __name__ == "__main__":
    main()
