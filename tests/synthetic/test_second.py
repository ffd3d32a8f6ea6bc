"""The second generator: deterministic, shaped like submissions, and different from the coast's on purpose."""

import random
from collections import Counter, defaultdict

import pytest

from incidents.dedup.features import place_similarity, specific_place
from incidents.dedup.geo import place_key
from synthetic import coast, second
from synthetic.localities import localities
from tests.synthetic.submissions import assert_submissions


@pytest.fixture(scope="module")
def generated():
    return second.generate(seed=5, incidents=300)


def test_the_same_seed_gives_the_same_set(generated):
    again = second.generate(seed=5, incidents=300)
    assert [(r.report_id, r.data) for r in again.reports] == [(r.report_id, r.data) for r in generated.reports]
    assert [r.report_id for r in second.generate(seed=6, incidents=300).reports] != [
        r.report_id for r in generated.reports
    ]


def test_each_report_is_a_submission_report_submit_accepts(generated):
    assert_submissions(generated.reports)


def test_its_assumptions_differ_from_the_coast(generated):
    reports = generated.reports
    by_id = {i.id: i for i in generated.incidents}
    languages = Counter(r.data["language"] for r in reports)
    assert 0.4 < languages["ar"] / len(reports) < 0.6  # half and half
    with_coordinates = sum(r.data["latitude"] is not None for r in reports) / len(reports)
    assert with_coordinates < 0.3  # the coast gives them in half the reports
    # Times to the hour that are 4–10 hours off.
    off = [
        abs((r.data["occurred_at"] - by_id[r.incident_id].occurred_at).total_seconds()) / 3600
        for r in reports
        if r.data["time_precision"] == 1 and r.data["occurred_until"] is None
    ]
    assert sum(4 <= h <= 10.1 for h in off) / len(off) > 0.3
    # A killing filed as an execution and the reverse, within one event.
    mixed = defaultdict(set)
    for r in reports:
        if by_id[r.incident_id].category in ("killing", "execution"):
            mixed[r.incident_id].add(r.data["category"])
    assert sum(1 for cats in mixed.values() if cats == {"killing", "execution"}) >= 20
    # Sweeps: the same kind of event the same day in other villages of the district, by the same party.
    sweeps = [i for i in generated.incidents if i.hard_negative_of and i.locality != by_id[i.hard_negative_of].locality]
    assert len(sweeps) >= 20
    for sweep in sweeps:
        first = by_id[sweep.hard_negative_of]
        assert sweep.admin2 == first.admin2 and sweep.party == first.party and sweep.category == first.category
    twins = [i for i in generated.incidents if i.hard_negative_of and i.locality == by_id[i.hard_negative_of].locality]
    coast_set = coast.generate(seed=5, incidents=300)
    coast_twins = [i for i in coast_set.incidents if i.hard_negative_of]
    assert len(twins) < len(coast_twins) / 2  # fewer look-alikes in the same village
    # The place field in the other script than the text.
    cross = sum(1 for r in reports if (r.data["language"] == "en") == _is_arabic(r.data["place_name"]))
    assert cross / len(reports) > 0.1
    assert max(Counter(r.incident_id for r in reports).values()) == 7


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_romanised_names_are_the_same_place_as_the_arabic_for_every_village():
    rng = random.Random(1)
    failures = []
    for locality in localities():
        arabic = locality.arabic[0]
        for _ in range(25):
            latin = second.place_spellings(locality, rng, "en")
            mine, theirs = specific_place(arabic) or place_key(arabic), specific_place(latin) or place_key(latin)
            if place_similarity(mine, theirs) < 85:
                failures.append((arabic, latin, mine, theirs))
    assert failures == []


def test_romanisation_varies_the_vowels_semivowels_and_french_spellings():
    rng = random.Random(2)
    renderings = {second.romanise("جوبة برغال", rng) for _ in range(60)}
    assert len(renderings) > 20
    assert {place_key(r) for r in renderings} == {place_key("جوبة برغال")}
    assert any("ou" in r.lower() or "oo" in r.lower() for r in renderings)
    assert any(r.lower().startswith(("dj", "g")) for r in renderings)
    shaykh = {second.romanise("الشيخ بدر", rng) for _ in range(60)}
    assert any("ch" in r.lower() for r in shaykh)
    assert {place_key(r) for r in shaykh} == {place_key("الشيخ بدر")}
