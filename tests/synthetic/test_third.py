"""The third generator, held out: deterministic, shaped like submissions, and different from both others on purpose."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest

from incidents.dedup import block_for
from incidents.dedup.geo import gazetteer
from reports.choices import CasualtyGroup, CasualtyKind, CasualtyScope, SourceReliability, SourceType
from reports.seed_data import CATEGORIES
from reports.services import SUBMISSION_FIELDS
from reports.submission_input import parse_submission
from synthetic import report_record, third


@pytest.fixture(scope="module")
def generated():
    return third.generate(seed=5, incidents=300)


def test_the_same_seed_gives_the_same_set(generated):
    again = third.generate(seed=5, incidents=300)
    assert [(r.report_id, r.data) for r in again.reports] == [(r.report_id, r.data) for r in generated.reports]
    assert [r.report_id for r in third.generate(seed=6, incidents=300).reports] != [
        r.report_id for r in generated.reports
    ]
    assert len(generated.incidents) == 300


def test_each_report_is_a_submission_report_submit_accepts(generated):
    slugs = {row[0] for row in CATEGORIES}
    areas = gazetteer()
    for report in generated.reports:
        data = report.data
        assert set(data) <= set(SUBMISSION_FIELDS)
        assert data["category"] in slugs and data["title"] and len(data["title"]) <= 200
        assert isinstance(data["occurred_at"], datetime) and data["occurred_at"].utcoffset() is not None
        assert data["occurred_until"] is None or data["occurred_until"] >= data["occurred_at"]
        assert data["admin2"] is None or areas[data["admin2"]]["parent"] == data["admin1"]
        assert data["source_type"] in SourceType.values and data["source_reliability"] in SourceReliability.values
        for row in data["casualties"]:
            assert row["kind"] in CasualtyKind.values and row["group"] in CasualtyGroup.values
            assert row["scope"] in CasualtyScope.values and 0 <= row["low"] <= row["high"]
        block_for(report_record(report_id=report.report_id, data=data))


def test_its_reports_pass_the_submission_rules(generated):
    """The one parser the API and the importer use accepts every generated body (as JSON would carry it)."""
    for report in generated.reports[:200]:
        body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in report.data.items()}
        body["id"] = report.report_id
        parse_submission(body)  # raises the errors by field


def test_its_assumptions_differ_from_the_other_worlds(generated):
    reports, incidents = generated.reports, generated.incidents
    by_id = {i.id: i for i in incidents}
    start = min(i.occurred_at for i in incidents)
    # A wave: most events in the first 60 hours.
    early = sum(i.occurred_at - start < timedelta(hours=60) for i in incidents) / len(incidents)
    assert early > 0.65
    # Look-alikes a day or two later in the same village, and outages that come back.
    again = [i for i in incidents if i.hard_negative_of]
    assert len(again) >= 15
    for later in again:
        first = by_id[later.hard_negative_of]
        assert later.locality == first.locality and later.category == first.category
        assert timedelta(hours=18) < later.occurred_at - first.occurred_at < timedelta(hours=53)
    # Reposts: accounts of one event with the very words of another account of it.
    texts = defaultdict(list)
    for r in reports:
        texts[r.incident_id].append(r.data["narrative"])
    reposted = sum(len(t) - len(set(t)) for t in texts.values())
    assert reposted >= 40
    # Coordinates for a third, many of them the district town's centre.
    with_point = [r for r in reports if r.data["latitude"] is not None]
    assert 0.2 < len(with_point) / len(reports) < 0.45
    assert sum(r.data["geo_precision"] == 2 for r in with_point) / len(with_point) > 0.25
    # Many told once, a few told many times.
    per_event = Counter(Counter(r.incident_id for r in reports).values())
    assert per_event[1] > per_event[2] and max(per_event) >= 7
