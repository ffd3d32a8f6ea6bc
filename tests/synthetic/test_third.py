"""The third generator, held out: deterministic, shaped like submissions, and different from both others on purpose."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from synthetic import third
from tests.synthetic.submissions import assert_submissions


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
    assert_submissions(generated.reports)


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
