"""Healing in the pipeline: fragments of one event merged back, reviewers' decisions sticky, every merge explained.

To make fragments on purpose, the register's active model is the shipped one
with a join threshold no pair reaches: each report then starts an incident of
its own online, and only healing (incidents/services/healing.py) can put the
event back together.
"""

import uuid

import pytest

from incidents.dedup import default_model
from incidents.models import DuplicateCandidate, Incident, IncidentStatus, MatchDecision, MatcherModel
from incidents.selectors import matcher_model, matcher_model_forget
from incidents.services import reports_process
from incidents.services.aggregates import aggregates_snapshot, compute_all
from incidents.services.incidents import candidate_reject, incident_split, report_move
from incidents.services.learning import matcher_train
from reports.services import report_submit
from tests.factories import MonitorFactory, ReviewerFactory
from tests.incidents.conftest import banyas_outage, jableh_report, reload

pytestmark = pytest.mark.django_db

NEVER_JOINS = "test-never-joins"


@pytest.fixture
def fragments_online():
    """The active model joins nothing online (join threshold 0.999999); healing merges at the shipped threshold."""
    model = default_model().evolve(version=NEVER_JOINS, join_threshold=0.999999)
    MatcherModel.objects.create(version=NEVER_JOINS, model=model.to_dict(), active=True)
    matcher_model_forget()
    yield model
    matcher_model_forget()


def drain() -> dict[str, str]:
    outcomes: dict[str, str] = {}
    while (result := reports_process(limit=50)).outcomes or result.failed:
        outcomes.update(result.outcomes)
    return outcomes


def live() -> list[Incident]:
    return list(Incident.objects.filter(status__in=[IncidentStatus.UNVERIFIED, IncidentStatus.VERIFIED]))


def test_two_fragments_of_one_event_are_merged_and_the_merge_is_explained(fragments_online):
    first = jableh_report()
    drain()
    second = jableh_report(minutes=40, killed=(9, 12))
    outcomes = drain()
    assert outcomes == {str(second.pk): "candidate"}  # online, it started an incident of its own
    [incident] = live()
    assert reload(first).incident == incident == reload(second).incident
    tombstone = Incident.objects.get(status=IncidentStatus.MERGED)
    assert tombstone.merged_into == incident
    assert (incident.casualties.get().low, incident.casualties.get().high) == (8, 12)
    merged = MatchDecision.objects.get(outcome=MatchDecision.Outcome.MERGED)
    assert merged.incident == incident and merged.model_version == NEVER_JOINS
    explanation = merged.reasons["collective"]
    assert explanation["method"] == "collective" and explanation["linkage"] == "average"
    assert explanation["probability"] >= explanation["merge_threshold"] == fragments_online.merge_threshold
    assert explanation["model_version"] == NEVER_JOINS and explanation["pairs"]
    assert "one event with" in reload(merged.report).history.first().history_change_reason
    # Counted once: the day's aggregate holds one execution incident, as a rebuild says.
    assert aggregates_snapshot() == compute_all()
    # The pipeline placed it there, not a reviewer: a reviewer's split can undo it.
    assert not reload(merged.report).incident_pinned


def test_a_verified_incident_is_never_merged_automatically_a_reviewer_is_asked(fragments_online):
    reviewer = ReviewerFactory()
    first = jableh_report(status="verified", reviewed_by=reviewer)
    drain()
    incident = reload(first).incident
    assert incident.status == IncidentStatus.VERIFIED  # its verified report verified it
    second = jableh_report(minutes=30)
    drain()
    assert len(live()) == 2
    assert reload(second).incident != incident
    assert DuplicateCandidate.objects.filter(report=second, incident=incident, decision="pending").exists()
    assert not MatchDecision.objects.filter(outcome=MatchDecision.Outcome.MERGED).exists()


def test_a_pair_a_reviewer_rejected_is_never_merged(fragments_online):
    reviewer = ReviewerFactory()
    first = jableh_report()
    drain()
    second = jableh_report(minutes=30)
    reports_process(limit=1)  # placed (and healed) at once…
    assert len(live()) == 1
    # …a reviewer says these are two events: split, then the pipeline sees them again.
    incident_split(incident=reload(first).incident, report_ids=[second.pk], by=reviewer)
    third = jableh_report(minutes=60)
    drain()
    homes = {reload(first).incident_id, reload(second).incident_id}
    assert len(homes) == 2, "the split was undone"
    # The third account joined one of the two (healing); it is put to the reviewer beside the other, and
    # no candidate is left for the incident it is already in.
    [pending] = DuplicateCandidate.objects.filter(report=third, decision="pending")
    assert pending.incident_id != reload(third).incident_id and pending.incident_id in homes
    # A rejected candidate stays rejected: no merge of that report with that incident, ever.
    candidate_reject(candidate=pending, by=reviewer)
    jableh_report(minutes=90)
    drain()
    assert reload(third).incident_id != pending.incident_id
    assert {reload(first).incident_id, reload(second).incident_id} == homes
    assert aggregates_snapshot() == compute_all()


def test_a_report_a_reviewer_moved_out_is_never_merged_back_with_the_incident_it_left(fragments_online):
    reviewer = ReviewerFactory()
    first = jableh_report()
    drain()
    second = jableh_report(minutes=30)
    drain()
    assert reload(second).incident == reload(first).incident
    # The reviewer says: another event. It goes to an incident of its own, pinned; the pair is rejected.
    report_move(report=reload(second), by=reviewer)
    assert DuplicateCandidate.objects.filter(
        report=second, incident=reload(first).incident, decision="rejected"
    ).exists()
    jableh_report(minutes=45)
    drain()
    assert reload(second).incident != reload(first).incident


def test_healing_never_merges_across_categories_or_places(fragments_online):
    jableh_report()
    banyas_outage()
    jableh_report(minutes=3 * 24 * 60)  # three days later: another execution
    drain()
    assert len(live()) == 3
    assert not MatchDecision.objects.filter(outcome=MatchDecision.Outcome.MERGED).exists()


def test_the_matcher_learns_from_the_register_and_every_decision_records_the_version(settings):
    from synthetic import generate

    generated = generate(seed=11, incidents=60)
    monitors: dict = {}
    for item in generated.reports:
        report_submit(
            monitor=monitors.setdefault(item.monitor_index, MonitorFactory()), report_id=item.report_id, data=item.data
        )
    drain()
    shipped = default_model()
    assert set(MatchDecision.objects.values_list("model_version", flat=True)) == {shipped.version}
    row = matcher_train(min_comparisons=20, version="register-test-1")
    assert row is not None and row.active and row.comparisons >= 20 and not row.calibrated
    learned = matcher_model()
    assert learned.version == "register-test-1" and learned.trained["comparisons"] == row.comparisons
    assert learned.m_u != shipped.m_u  # EM moved the weights
    # A new report is decided with the learned model, and says so.
    later = generated.reports[0]
    again = {**later.data, "title": later.data["title"] + " (2)"}
    report_submit(monitor=MonitorFactory(), report_id=uuid.uuid4(), data=again)
    drain()
    assert MatchDecision.objects.filter(model_version="register-test-1").exists()
    # Only one model is active at a time; the older version is kept for the decisions that name it.
    second = matcher_train(min_comparisons=20, version="register-test-2")
    assert second is not None
    assert list(MatcherModel.objects.filter(active=True).values_list("version", flat=True)) == ["register-test-2"]
    assert MatcherModel.objects.filter(version="register-test-1", active=False).exists()


def test_training_takes_when_to_ask_a_reviewer_from_the_shipped_model():
    """A register trained under an older model (candidates from 0.30) asks from today's threshold once it learns."""
    from synthetic import generate

    older = default_model().evolve(version="coast-em-2", candidate_threshold=0.30)
    MatcherModel.objects.create(version=older.version, model=older.to_dict(), active=True)
    matcher_model_forget()
    monitors: dict = {}
    for item in generate(seed=12, incidents=40).reports:
        report_submit(
            monitor=monitors.setdefault(item.monitor_index, MonitorFactory()), report_id=item.report_id, data=item.data
        )
    drain()
    assert set(MatchDecision.objects.values_list("candidate_threshold", flat=True)) == {0.30}
    assert matcher_train(min_comparisons=20, version="register-after") is not None
    learned = matcher_model()
    assert learned.candidate_threshold == default_model().candidate_threshold == 0.10
    assert learned.join_threshold == older.join_threshold  # what the comparisons teach is EM's; this is policy
    matcher_model_forget()


def test_a_register_too_small_to_learn_from_keeps_the_shipped_model():
    jableh_report()
    drain()
    assert matcher_train(min_comparisons=200) is None
    assert not MatcherModel.objects.exists()
    matcher_model_forget()
    assert matcher_model().version == default_model().version
