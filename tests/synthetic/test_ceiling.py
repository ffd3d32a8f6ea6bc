"""The pure estimators of bench/bench_matcher_ceiling.py: counts, back-off, curves, clustering. No database."""

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from incidents.dedup.model import M_FLOOR, U_FLOOR

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def ceiling():
    """The bench as a module (it puts bench/ on sys.path itself, for bench_matcher_quality)."""
    name = "bench_matcher_ceiling"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_the_saturated_estimate_backs_off_to_naive_bayes_where_a_vector_is_rare(ceiling):
    assert ceiling.saturated(0, 0, backoff=0.3, strength=10) == pytest.approx(0.3)  # never seen
    assert ceiling.saturated(1, 1, backoff=0.3, strength=10) == pytest.approx((1 + 3) / 11)  # seen once: mostly NB
    assert ceiling.saturated(900, 1000, backoff=0.3, strength=10) == pytest.approx(903 / 1010)  # its own share


def test_the_saturated_estimator_counts_the_full_vector_unknowns_included(ceiling):
    features = ("family", "time")
    levels = [{"family": "unknown", "time": "same_day"}, {"time": "same_day"}, {"family": "same", "time": "same_day"}]
    counts = ceiling.count_vectors(levels, [True, False, True], features)
    assert counts == {
        (("family", "unknown"), ("time", "same_day")): [1, 2],
        (("family", "same"), ("time", "same_day")): [1, 1],
    }
    assert ceiling.merge_counts(counts, counts)[(("family", "same"), ("time", "same_day"))] == [2, 2]


def test_supervised_m_u_leaves_unknown_out_conditions_distance_on_the_place_and_floors_as_em(ceiling):
    v = lambda location, distance: (("distance", distance), ("location", location))  # noqa: E731
    counts = {
        v("same", "same/same_spot"): [6, 6],
        v("same", "same/far"): [2, 4],
        v("same", "unknown"): [2, 10],
        v("different", "different/far"): [0, 80],
    }
    m_u = ceiling.supervised_m_u(counts)
    assert m_u["location"]["same"] == pytest.approx((1.0, 10 / 90))
    assert m_u["location"]["different"] == pytest.approx((M_FLOOR, 80 / 90))  # never among matches: the floor
    # P(distance | same place): 6 of the 8 matches with points, 0 of the 2 non-matches (floored)
    assert m_u["distance"]["same/same_spot"] == pytest.approx((0.75, U_FLOOR))
    assert m_u["distance"]["same/far"] == pytest.approx((0.25, 1.0))
    assert m_u["distance"]["different/far"] == pytest.approx((1.0, 1.0))  # no match in its group: uniform m
    assert "unknown" not in m_u["distance"]


def test_platt_recovers_a_known_slope_and_intercept(ceiling):
    a, b = 0.7, -0.4
    points = {}
    for w in range(-8, 9):
        p = 1 / (1 + 2 ** -(a * w + b))
        points[float(w)] = [round(10_000 * p), 10_000]
    fitted = ceiling.platt(points)
    assert fitted == pytest.approx((a, b), abs=0.01)


def test_the_pair_curve_counts_every_true_pair_and_ties_together(ceiling):
    scored = [(0.9, True), (0.9, False), (0.8, True), (0.1, False)]
    curve = ceiling.pr_curve(scored, true_pairs=4)  # two true pairs were never blocked
    assert [(c.threshold, c.precision, c.recall) for c in curve] == [
        (0.9, 0.5, 0.25),
        (0.8, pytest.approx(2 / 3), 0.5),
        (0.1, 0.5, 0.5),
    ]
    assert ceiling.best_recall_at(curve, 0.6).threshold == 0.8
    assert ceiling.best_recall_at(curve, 0.9) is None
    assert ceiling.best_f1(curve).threshold == 0.8
    assert math.isclose(ceiling.best_f1(curve).f1, 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_average_linkage_links_clusters_by_the_mean_over_their_pairs(ceiling):
    ids = ["a", "b", "c", "d"]
    probability = {("a", "b"): 0.9, ("b", "c"): 0.5, ("c", "d"): 0.1}
    merges = ceiling.average_linkage(ids, probability, floor=0.05)
    # a+b first; then {a,b}–c is (0 + 0.5) / 2, above c–d; then {a,b,c}–d is 0.1 / 3, below the floor
    assert [round(link, 6) for link, *_ in merges] == [0.9, 0.25]
    links = [link for link, *_ in merges]
    assert links == sorted(links, reverse=True)
    assert len(set(ceiling.clusters_at(ids, merges, 0.3).values())) == 3
    at = ceiling.clusters_at(ids, merges, 0.2)
    assert at["a"] == at["b"] == at["c"] != at["d"]
    # single linkage chains through b
    single = ceiling.single_linkage(probability, floor=0.05)
    assert len(set(ceiling.clusters_at(ids, single, 0.5).values())) == 2


def test_the_bench_refuses_the_held_out_world(ceiling):
    with pytest.raises(SystemExit):
        ceiling.load("third", 2026, 10)


def test_strength_zero_is_the_vector_s_own_share(ceiling):
    assert ceiling.saturated(3, 4, backoff=0.1, strength=0) == 0.75
    assert ceiling.saturated(0, 0, backoff=0.1, strength=0) == 0.1
