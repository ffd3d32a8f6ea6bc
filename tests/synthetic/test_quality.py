"""The matcher's quality on a generated set it was not tuned on: floors, not figures (see BENCHMARKS.md)."""

import pytest

from synthetic import generate, report_record
from synthetic.evaluation import cluster_online, quality

# Tuning used seeds 101–110; this one never was.
SEED = 4242


@pytest.fixture(scope="module")
def generated():
    generated = generate(seed=SEED, incidents=200)
    records = [report_record(report_id=r.report_id, data=r.data) for r in generated.reports]
    return records, generated.truth()


def test_the_matcher_merges_with_high_precision_and_finds_many_duplicates(generated):
    records, truth = generated
    run = cluster_online(records, truth=truth)
    q = quality(run.assignment, truth)
    assert q.pairwise_precision >= 0.95
    assert q.pairwise_recall >= 0.40
    assert q.bcubed_f1 >= 0.80
    assert run.decisions["join"] + run.decisions["candidate"] + run.decisions["new"] == len(records)


def test_reviewers_accepting_its_candidates_recover_most_duplicates(generated):
    records, truth = generated
    run = cluster_online(records, truth=truth, reviewers_accept=True)
    q = quality(run.assignment, truth)
    assert q.pairwise_precision >= 0.95
    assert q.pairwise_recall >= 0.75
    assert run.useful_candidates > run.decisions["candidate"] / 2


def test_hard_negatives_are_not_merged(generated):
    records, truth = generated
    run = cluster_online(records, truth=truth)
    incidents = {i.id: i for i in generate(seed=SEED, incidents=200).incidents}
    by_cluster: dict[str, set[str]] = {}
    for report_id, cluster in run.assignment.items():
        by_cluster.setdefault(cluster, set()).add(truth[report_id])
    merged_twins = [
        events
        for events in by_cluster.values()
        if any(incidents[e].hard_negative_of in events for e in events if incidents[e].hard_negative_of)
    ]
    twins = sum(1 for i in incidents.values() if i.hard_negative_of)
    assert len(merged_twins) <= max(1, twins // 10)
    # An outage never shares an incident with a killing.
    for events in by_cluster.values():
        outage = {incidents[e].category.endswith("_outage") for e in events}
        assert len(outage) == 1


def test_quality_measures_pairs_and_b_cubed():
    truth = {"a": "x", "b": "x", "c": "y", "d": "y"}
    perfect = quality({"a": "1", "b": "1", "c": "2", "d": "2"}, truth)
    assert (perfect.pairwise_precision, perfect.pairwise_recall, perfect.bcubed_f1) == (1.0, 1.0, 1.0)
    lumped = quality({"a": "1", "b": "1", "c": "1", "d": "1"}, truth)
    assert lumped.pairwise_precision == pytest.approx(2 / 6)
    assert lumped.pairwise_recall == 1.0
    assert lumped.bcubed_precision == pytest.approx(0.5)
    split = quality({"a": "1", "b": "2", "c": "3", "d": "4"}, truth)
    assert split.pairwise_recall == 0.0
    assert split.bcubed_recall == pytest.approx(0.5)


def test_with_healing_the_reviewer_answers_healings_candidates_too(generated):
    records, truth = generated
    alone = cluster_online(records, truth=truth, heal=True)
    online_only = cluster_online(records, truth=truth, reviewers_accept=True)
    system = cluster_online(records, truth=truth, reviewers_accept=True, heal=True)
    # Healing proposes pairs of incidents besides each report's candidate, and the reviewer answers them.
    assert system.answers > system.decisions["candidate"] > 0
    assert system.reviewer_merges > 0
    q, q_alone, q_online = (quality(r.assignment, truth) for r in (system, alone, online_only))
    assert q.pairwise_recall > max(q_alone.pairwise_recall, q_online.pairwise_recall)
    assert q.pairwise_precision >= 0.95


def test_what_the_reviewer_rejected_healing_never_merges(generated):
    records, _ = generated
    # A reviewer for whom every account is its own event rejects every candidate.
    apart = {r.id: r.id for r in records}
    alone = cluster_online(records, truth=apart, heal=True)
    system = cluster_online(records, truth=apart, reviewers_accept=True, heal=True)
    assert system.answers > 0 and system.reviewer_merges == 0
    # Healing merges only what no answer forbade: fewer merges once the reviewer has said no.
    assert system.merges < alone.merges
