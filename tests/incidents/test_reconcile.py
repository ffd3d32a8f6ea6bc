"""The reconciliation rule (docs/pipeline.md), on plain records: no database."""

from incidents.services.reconcile import SourceFigure, reconcile


def fig(low, high, *, source="s1", reliability="B", credibility=2, verified=False, scope="incident", order=0, **kw):
    return SourceFigure(
        report_id=kw.get("report_id", f"r-{source}-{order}-{low}-{high}"),
        source=source,
        kind=kw.get("kind", "killed"),
        group=kw.get("group", "civilian"),
        low=low,
        high=high,
        reliability=reliability,
        credibility=credibility,
        verified=verified,
        order=order,
        scope=scope,
    )


KEY = ("killed", "civilian")


def test_it_takes_the_lowest_and_highest_credible_figures_and_the_median_of_sources():
    estimates = reconcile(
        [fig(10, 12, source="a"), fig(14, 20, source="b"), fig(30, 30, source="c")], any_verified=False
    )
    estimate = estimates[KEY]
    assert (estimate.low, estimate.best, estimate.high) == (10, 17, 30)
    assert "median of 3 independent credible source" in estimate.method


def test_it_never_sums_the_reports_of_one_incident():
    estimate = reconcile([fig(8, 8, source="a"), fig(8, 8, source="b"), fig(8, 8, source="c")], any_verified=False)[KEY]
    assert (estimate.low, estimate.best, estimate.high) == (8, 8, 8)


def test_cumulative_claims_never_enter_the_estimate():
    estimates = reconcile([fig(5, 6), fig(1225, 1225, source="b", scope="cumulative")], any_verified=False)
    assert (estimates[KEY].low, estimates[KEY].high) == (5, 6)
    assert reconcile([fig(1225, 1225, scope="cumulative")], any_verified=False) == {}


def test_only_verified_reports_count_once_the_incident_has_one():
    figures = [fig(3, 4, source="a", verified=True), fig(40, 50, source="b")]
    estimate = reconcile(figures, any_verified=True)[KEY]
    assert (estimate.low, estimate.high) == (3, 4)
    assert "verified reports" in estimate.method
    # A verified report without figures still excludes the unverified ones.
    assert reconcile([fig(40, 50, source="b")], any_verified=True) == {}


def test_a_source_reporting_twice_counts_once_with_its_latest_figure():
    figures = [fig(2, 2, source="a", order=0), fig(10, 10, source="a", order=1), fig(4, 4, source="b", order=2)]
    estimate = reconcile(figures, any_verified=False)[KEY]
    # Sources: a → 10 (its latest), b → 4: lower middle of (4, 10) is 4.
    assert estimate.best == 4
    assert (estimate.low, estimate.high) == (2, 10)
    assert "median of 2 independent" in estimate.method


def test_without_a_credible_source_best_falls_back_to_low_over_all_figures():
    figures = [
        fig(5, 9, reliability="E", credibility=5, source="a"),
        fig(7, 12, reliability="F", credibility=6, source="b"),
    ]
    estimate = reconcile(figures, any_verified=False)[KEY]
    assert (estimate.low, estimate.best, estimate.high) == (5, 5, 12)
    assert "no source graded credible" in estimate.method


def test_credible_figures_set_the_range_when_there_are_any():
    figures = [fig(10, 12, source="a"), fig(100, 200, reliability="F", credibility=6, source="b")]
    estimate = reconcile(figures, any_verified=False)[KEY]
    assert (estimate.low, estimate.best, estimate.high) == (10, 11, 12)


def test_an_override_wins_and_widens_the_range_to_include_it():
    estimate = reconcile([fig(10, 12)], any_verified=False, overrides={KEY: 30})[KEY]
    assert (estimate.low, estimate.best, estimate.high) == (10, 30, 30)
    assert "overridden by a reviewer" in estimate.method
    inside = reconcile([fig(10, 12)], any_verified=False, overrides={KEY: 11})[KEY]
    assert (inside.low, inside.best, inside.high) == (10, 11, 12)


def test_an_override_survives_when_no_figure_is_left():
    estimate = reconcile([], any_verified=False, overrides={KEY: 7})[KEY]
    assert (estimate.low, estimate.best, estimate.high) == (7, 7, 7)


def test_it_flags_sources_whose_ranges_do_not_overlap():
    assert reconcile([fig(3, 4, source="a"), fig(10, 12, source="b")], any_verified=False)[KEY].disagree
    assert not reconcile([fig(3, 10, source="a"), fig(8, 12, source="b")], any_verified=False)[KEY].disagree


def test_it_keeps_kinds_and_groups_apart():
    estimates = reconcile(
        [fig(3, 3, kind="killed"), fig(9, 9, kind="injured"), fig(2, 2, kind="killed", group="armed_group")],
        any_verified=False,
    )
    assert set(estimates) == {("killed", "civilian"), ("injured", "civilian"), ("killed", "armed_group")}
    assert estimates[("injured", "civilian")].best == 9


def test_low_best_high_are_always_ordered():
    figures = [
        fig(i, i + j, source=str(i % 3), reliability="ABCDEF"[i % 6], credibility=1 + i % 6)
        for i in range(20)
        for j in (0, 5)
    ]
    for override in (None, 0, 3, 1000):
        overrides = {KEY: override} if override is not None else {}
        for estimate in reconcile(figures, any_verified=False, overrides=overrides).values():
            assert estimate.low <= estimate.best <= estimate.high
