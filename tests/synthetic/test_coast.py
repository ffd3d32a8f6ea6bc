"""The generator of test data: deterministic, shaped like submissions, with ground truth and hard negatives."""

from collections import Counter
from datetime import datetime

import pytest

from incidents.dedup import ReportRecord, block_for
from incidents.dedup.geo import gazetteer
from reports.choices import CasualtyGroup, CasualtyKind, CasualtyScope, SourceReliability, SourceType
from reports.seed_data import CATEGORIES
from reports.services import SUBMISSION_FIELDS
from synthetic import DEFAULT_START, generate, report_record


@pytest.fixture(scope="module")
def generated():
    return generate(seed=7, incidents=400)


def test_the_same_seed_gives_the_same_set_and_another_seed_another(generated):
    again = generate(seed=7, incidents=400)
    assert [(r.report_id, r.incident_id, r.data) for r in again.reports] == [
        (r.report_id, r.incident_id, r.data) for r in generated.reports
    ]
    other = generate(seed=8, incidents=400)
    assert [r.report_id for r in other.reports] != [r.report_id for r in generated.reports]


def test_each_report_is_a_submission_report_submit_accepts(generated):
    slugs = {row[0] for row in CATEGORIES}
    areas = gazetteer()
    for report in generated.reports:
        data = report.data
        assert set(data) <= set(SUBMISSION_FIELDS)
        assert "source_notes" not in data  # nothing about who the source is
        for required in ("category", "occurred_at", "admin1", "title", "source_type"):
            assert data[required]
        assert data["category"] in slugs
        assert isinstance(data["occurred_at"], datetime) and data["occurred_at"].utcoffset() is not None
        assert data["occurred_until"] is None or data["occurred_until"] >= data["occurred_at"]
        assert data["time_precision"] in (1, 2, 3) and data["geo_precision"] in (1, 2, 3)
        assert areas[data["admin1"]]["level"] == 1 and data["admin1"] in {"SY06", "SY10"}
        assert data["admin2"] is None or areas[data["admin2"]]["parent"] == data["admin1"]
        assert (data["latitude"] is None) == (data["longitude"] is None)
        assert 0 < len(data["title"]) <= 200
        assert data["source_type"] in SourceType.values
        assert data["source_reliability"] in SourceReliability.values
        assert 1 <= data["info_credibility"] <= 6
        keys = [(row["kind"], row["group"], row["scope"]) for row in data["casualties"]]
        assert len(keys) == len(set(keys))
        for row in data["casualties"]:
            assert row["kind"] in CasualtyKind.values and row["group"] in CasualtyGroup.values
            assert row["scope"] in CasualtyScope.values and 0 <= row["low"] <= row["high"]
        is_outage = data["category"].endswith("_outage")
        assert bool(data.get("service")) == is_outage
        if data.get("outage_restored_at"):
            assert data["outage_restored_at"] >= data["occurred_at"]


def test_reports_carry_their_ground_truth_and_arrive_in_order(generated):
    ids = {incident.id for incident in generated.incidents}
    assert len(generated.incidents) == 400
    assert {r.incident_id for r in generated.reports} <= ids
    per_incident = Counter(r.incident_id for r in generated.reports)
    assert set(per_incident.values()) <= {1, 2, 3, 4, 5}
    assert max(per_incident.values()) == 5
    assert len({r.report_id for r in generated.reports}) == len(generated.reports)
    arrivals = [r.submitted_at for r in generated.reports]
    assert arrivals == sorted(arrivals)
    for incident_id in per_incident:
        monitors = [r.monitor_index for r in generated.reports if r.incident_id == incident_id]
        assert len(monitors) == len(set(monitors))  # one report per monitor and event


def test_it_varies_language_precision_spelling_and_figures(generated):
    reports = generated.reports
    assert {r.data["language"] for r in reports} == {"ar", "en"}
    assert {r.data["time_precision"] for r in reports} == {1, 2, 3}
    assert any(r.data["latitude"] is None for r in reports) and any(r.data["latitude"] is not None for r in reports)
    qardaha = {r.data["place_name"] for r in reports if r.data["admin2"] == "SY0604"}
    assert len(qardaha) > 5
    cumulative = [row for r in reports for row in r.data["casualties"] if row["scope"] == "cumulative"]
    assert cumulative and all(row["low"] >= 700 for row in cumulative)
    assert any(r.data["admin2"] is None for r in reports)


def test_it_makes_hard_negatives_in_the_same_place_and_day(generated):
    by_id = {incident.id: incident for incident in generated.incidents}
    twins = [i for i in generated.incidents if i.hard_negative_of]
    assert twins
    for twin in twins:
        original = by_id[twin.hard_negative_of]
        assert twin.locality == original.locality
        assert abs((twin.occurred_at - original.occurred_at).total_seconds()) <= 9 * 3600
        if twin.category == original.category:
            assert twin.family != original.family
    assert any(by_id[t.hard_negative_of].category == t.category == "arson" for t in twins) or any(
        by_id[t.hard_negative_of].category == t.category for t in twins
    )
    assert any(t.category.endswith("_outage") for t in twins)


def test_the_default_set_is_the_coast_from_thursday_6_march_2025():
    small = generate(seed=1, incidents=30)
    assert all(i.occurred_at >= DEFAULT_START for i in small.incidents)
    assert all(i.admin1 in {"SY06", "SY10"} for i in small.incidents)


def test_report_record_keeps_incident_figures_only_and_fills_the_district_from_the_place(generated):
    report = next(r for r in generated.reports if any(c["scope"] == "cumulative" for c in r.data["casualties"]))
    record = report_record(report_id=report.report_id, data=report.data)
    assert isinstance(record, ReportRecord)
    assert all(figure.low < 700 for figure in record.figures)
    assert record.id == report.report_id
    data = {**report.data, "admin1": "SY06", "admin2": None, "place_name": "قرب القرداحة"}
    assert report_record(report_id="x", data=data).admin2 == "SY0604"
    assert report_record(report_id="x", data={**data, "place_name": "Beit Yashout"}).admin2 is None
    block_for(record)  # every generated report can be blocked


def test_it_scales_to_many_incidents_spread_over_time():
    big = generate(seed=3, incidents=20_000, days=340)
    assert len(big.incidents) == 20_000
    assert len(big.reports) > 40_000
