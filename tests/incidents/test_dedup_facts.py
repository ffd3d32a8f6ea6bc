"""The comparisons made from each record's facts, read once (`incidents/dedup/facts.py`), against the per-pair path.

`scoring.comparison_levels` (what online scoring, collective resolution and EM
use) reads each record once; `scoring.comparison_levels_per_pair` is the
feature functions of `features.py`, each reading both records afresh. They
must agree exactly — levels, details, and the order of both — on every pair.
"""

import random
from dataclasses import replace
from itertools import islice

import pytest

from incidents.dedup import IncidentRecord, ReportRecord, block_for, score_candidates
from incidents.dedup import facts as facts_module
from incidents.dedup.blocking import block_contains
from incidents.dedup.features import place_key
from incidents.dedup.scoring import comparison_levels, comparison_levels_per_pair
from incidents.dedup.text import Compared, _without, content_words, skeletons
from synthetic import coast, second, third
from synthetic import report_record as record_of


def _records(world, seed: int) -> list[ReportRecord]:
    generated = world.generate(seed=seed, incidents=50)
    return [record_of(report_id=r.report_id, data=r.data) for r in generated.reports]


def _incidents(records: list[ReportRecord], rng: random.Random) -> list[IncidentRecord]:
    """Incidents of one to four reports drawn from the set (any mix: names, scripts, figures and times differ)."""
    found = []
    for i in range(len(records) // 2):
        found.append(IncidentRecord.from_reports(f"inc-{i}", rng.sample(records, rng.randint(1, 4))))
    return found


def _shuffled_case(record: ReportRecord, rng: random.Random) -> ReportRecord:
    """The record with its place name used as a family's key, or its text without place, now and then."""
    roll = rng.random()
    if roll < 0.1:
        return replace(record, place_name="")
    if roll < 0.2:
        return replace(record, title="The Haddad family", place_name="hdd")  # a place written as a family's key
    if roll < 0.25:
        return replace(record, narrative="", title="")
    return record


@pytest.mark.parametrize(("world", "seed"), [(coast, 5), (second, 2), (third, 3)])
def test_facts_give_the_per_pair_comparison_exactly(world, seed):
    rng = random.Random(seed)
    records = [_shuffled_case(r, rng) for r in _records(world, seed)]
    incidents = _incidents(records, rng)
    compared = 0
    for report in islice(records, 0, None, 3):
        for incident in incidents:
            # Twice: the facts made on the first comparison are the ones found on the second.
            for _ in range(2):
                fast = comparison_levels(report, incident)
                slow = comparison_levels_per_pair(report, incident)
                assert fast == slow
                assert list(fast[0]) == list(slow[0]) and list(fast[1]) == list(slow[1])
            compared += 1
    assert compared > 1000


def test_facts_follow_a_record_that_changed_under_the_same_id():
    records = _records(coast, 8)
    report, other = records[0], records[1]
    incident = IncidentRecord.from_reports("same-id", [other])
    before = comparison_levels(report, incident)
    amended = replace(other, place_name=report.place_name, title=report.title, narrative=report.narrative)
    changed = IncidentRecord.from_reports("same-id", [amended])
    assert comparison_levels(report, changed) == comparison_levels_per_pair(report, changed)
    assert comparison_levels(report, incident) == before
    # An equal record, another object (a later batch's read of the same rows): its facts are found again.
    again = IncidentRecord.from_reports("same-id", [other])
    assert again is not incident and comparison_levels(report, again) == before
    assert facts_module.incident_facts(again) is facts_module.incident_facts(incident)


def test_online_scores_are_those_of_the_per_pair_path(monkeypatch):
    from incidents.dedup import scoring

    records = _records(second, 4)
    incidents = _incidents(records, random.Random(4))
    fast = [score_candidates(r, [i for i in incidents if block_contains(block_for(r), i)]) for r in records]
    monkeypatch.setattr(scoring, "comparison_levels", comparison_levels_per_pair)
    slow = [score_candidates(r, [i for i in incidents if block_contains(block_for(r), i)]) for r in records]
    assert [[(m.incident_id, m.score, m.decision, m.reasons) for m in ms] for ms in fast] == [
        [(m.incident_id, m.score, m.decision, m.reasons) for m in ms] for ms in slow
    ]
    assert sum(map(len, fast)) > 100


def test_compared_reads_a_text_as_before_whatever_it_ignores():
    """`Compared.of` from each text's reading, kept (`text._reading`), against the reading it replaced."""
    rng = random.Random(11)
    records = _records(coast, 9) + _records(second, 9)
    texts = [f"{r.title}. {r.narrative}" for r in records] + [r.narrative for r in records] + ["", "the killed"]
    places = [r.place_name for r in records]
    for text in texts:
        for ignore in (
            frozenset(),
            frozenset(k for k in place_key(rng.choice(places)).split() if len(k) >= 2),
            frozenset(rng.sample(sorted(skeletons(text) | {"xx"}), min(2, len(skeletons(text)) + 1))),
        ):
            words = _without(content_words(text), ignore)
            keys = frozenset(k for k in skeletons(text) - ignore if not k.startswith("~")) if words else frozenset()
            got = Compared.of(text, ignore)
            assert (got.words, got.keys) == (words, keys)


def test_an_incidents_profile_from_its_facts_is_profile_of():
    from incidents.dedup.features import Profile

    records = _records(third, 6)
    for incident in _incidents(records, random.Random(6)):
        assert facts_module.profile(incident) == Profile.of(incident)
