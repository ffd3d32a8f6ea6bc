"""Processing a report: placed once, in the right incident, with reconciled figures (invariants 3–5)."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Q

from incidents.models import DuplicateCandidate, Incident, IncidentStatus, MatchDecision
from incidents.services import (
    incident_split,
    report_claim,
    report_process,
    report_processing_failed,
    reports_sweep,
)
from incidents.services import processing as processing_module
from incidents.services.processing import report_hand_back
from incidents.tasks import process_report
from reports.choices import HandBack, ProcessingState, ReportStatus
from reports.models import Report
from reports.services import report_submit
from tests.factories import ReviewerFactory, area, category
from tests.incidents.conftest import banyas_outage, jableh_report, process, reload

pytestmark = pytest.mark.django_db


def test_the_first_report_of_an_event_starts_an_incident():
    report = jableh_report()
    assert process(report) == "new"
    report = reload(report)
    assert report.processing_state == ProcessingState.DONE and report.processed_at is not None
    incident = report.incident
    assert incident.status == IncidentStatus.UNVERIFIED
    assert (incident.category_id, incident.admin1_id, incident.admin2_id) == ("execution", "SY06", "SY0602")
    assert incident.title == report.title and incident.report_count == 1 and incident.source_count == 1
    assert incident.first_reported_at == report.received_at
    figure = incident.casualties.get()
    assert (figure.kind, figure.group, figure.low, figure.best, figure.high) == ("killed", "civilian", 8, 9, 10)
    decision = MatchDecision.objects.get(report=report)
    assert decision.outcome == "new" and decision.incident == incident


def test_three_reports_of_one_event_make_one_incident_whose_figures_are_not_summed():
    reports = [jableh_report(killed=(8, 8)), jableh_report(killed=(8, 10), minutes=30), jableh_report(killed=(9, 12))]
    outcomes = [process(r) for r in reports]
    assert outcomes == ["new", "join", "join"]
    incident = Incident.objects.get()
    assert incident.report_count == 3
    assert incident.source_count == 3  # three monitors
    figure = incident.casualties.get()
    assert (figure.low, figure.high) == (8, 12)
    assert figure.best == 9  # median of 8, 9, 10
    join = MatchDecision.objects.filter(outcome="join").first()
    assert join.score >= join.join_threshold and join.reasons["matches"][0]["incident"] == str(incident.pk)


def test_processing_a_report_again_changes_nothing():
    report = jableh_report()
    process(report)
    assert process(report) == "skipped"
    incident = reload(report).incident
    history_before = incident.history.count()
    updated_before = incident.updated_at
    Report.objects.filter(pk=report.pk).update(processing_state=ProcessingState.PENDING)
    assert process(report) == "kept"
    incident = reload(incident)
    assert incident.history.count() == history_before and incident.updated_at == updated_before
    assert Incident.objects.count() == 1


def test_a_claim_is_taken_once_and_a_stale_claim_can_be_taken_over(settings):
    report = jableh_report()
    assert report_claim(report_id=report.pk) is not None
    assert report_claim(report_id=report.pk) is None
    settings.SIJIL_PROCESSING_STALE_SECONDS = 0
    assert report_claim(report_id=report.pk) is not None
    assert reload(report).processing_attempts == 2


def test_a_worker_whose_claim_was_taken_over_does_nothing(settings):
    report = jableh_report()
    first = report_claim(report_id=report.pk)
    settings.SIJIL_PROCESSING_STALE_SECONDS = 0
    second = report_claim(report_id=report.pk)
    assert first != second
    # The first worker comes back to life: its claim token no longer matches, the report is the second's.
    settings.SIJIL_PROCESSING_STALE_SECONDS = 300
    Report.objects.filter(pk=report.pk).update(processing_state=ProcessingState.CLAIMED, processing_claimed_at=second)
    assert report_process(report_id=report.pk) == "skipped"
    assert reload(report).incident is None


def test_an_outage_and_a_killing_in_the_same_street_stay_apart():
    killing = jableh_report()
    outage = banyas_outage(admin1=area("SY06"), admin2=area("SY0602"), category=category("water_outage"))
    process(killing)
    assert process(outage) == "new"
    assert Incident.objects.count() == 2


def test_a_rejected_candidate_is_never_suggested_again():
    first = jableh_report()
    process(first)
    incident = reload(first).incident
    second = jableh_report(minutes=20)
    reviewer = ReviewerFactory()
    DuplicateCandidate.objects.create(
        report=second,
        incident=incident,
        score=0.5,
        decision="rejected",
        decided_by=reviewer,
        decided_at=incident.created_at,
    )
    assert process(second) == "new"
    assert reload(second).incident != incident
    assert not DuplicateCandidate.objects.filter(report=second, decision="pending").exists()


def test_a_report_between_the_thresholds_starts_its_own_incident_with_a_pending_candidate():
    # Two look-alike killings by the bakery, of two families: a vague third account fits both,
    # so neither is joined automatically; a reviewer decides.
    def shooting(narrative, minutes=0):
        return jableh_report(killed=(7, 7), minutes=minutes, title="Seven men shot in Jableh", narrative=narrative)

    haddad = shooting("Gunmen shot seven men of the Haddad family near the bakery.")
    deeb = shooting("Gunmen shot seven men of the Deeb family near the bakery.")
    process(haddad)
    process(deeb)
    if reload(deeb).incident_id == reload(haddad).incident_id:
        # Setup, not the behaviour under test: two incidents, as a reviewer's split makes them.
        incident_split(incident=reload(haddad).incident, report_ids=[deeb.pk], by=ReviewerFactory())
    first, second = reload(haddad).incident_id, reload(deeb).incident_id
    vague = shooting("Gunmen shot seven men near the bakery.", minutes=10)
    assert process(vague) == "candidate"
    vague = reload(vague)
    assert vague.incident_id not in (first, second)
    pending = DuplicateCandidate.objects.filter(report=vague, decision="pending")
    assert {c.incident_id for c in pending} == {first, second}
    assert all(c.reasons and c.reasons["time_gap_hours"] is not None and 0 <= c.score <= 1 for c in pending)
    decision = MatchDecision.objects.get(report=vague)
    assert decision.outcome == "candidate" and len(decision.reasons["matches"]) == 2
    assert all(
        decision.candidate_threshold <= m["score"] < decision.join_threshold for m in decision.reasons["matches"]
    )


def test_a_pinned_report_is_never_moved():
    first = jableh_report()
    process(first)
    other = Incident.objects.create(
        category=category("killing"),
        occurred_from=first.occurred_at + timedelta(days=20),
        admin1=area("SY10"),
        title="Elsewhere",
    )
    report = jableh_report(minutes=5)
    Report.objects.filter(pk=report.pk).update(incident=other, incident_pinned=True)
    assert process(report) == "pinned"
    assert reload(report).incident == other
    assert reload(report).incident_pinned
    # The two are one event: healing brings the first report's fragment into the reviewer's incident,
    # never the reviewer's incident into the fragment.
    assert reload(other).status == "unverified" and reload(first).incident == other


def test_a_rejected_report_leaves_its_incident_and_an_empty_incident_is_withdrawn():
    report = jableh_report()
    process(report)
    incident = reload(report).incident
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.REJECTED, processing_state=ProcessingState.PENDING)
    assert process(report) == "removed"
    assert reload(report).incident is None
    incident = reload(incident)
    assert incident.status == IncidentStatus.WITHDRAWN and incident.report_count == 0
    assert not incident.casualties.exists()


def test_a_verified_report_verifies_its_incident_and_only_verified_figures_count():
    reviewer = ReviewerFactory()
    loud = jableh_report(killed=(40, 60))
    process(loud)
    careful = jableh_report(killed=(8, 8), minutes=10)
    Report.objects.filter(pk=careful.pk).update(
        status=ReportStatus.VERIFIED, reviewed_by=reviewer, reviewed_at=careful.received_at
    )
    assert process(careful) == "join"
    incident = reload(careful).incident
    assert incident.status == IncidentStatus.VERIFIED and incident.verified_by == reviewer
    figure = incident.casualties.get()
    assert (figure.low, figure.best, figure.high) == (8, 8, 8)
    assert "verified reports" in figure.method


def test_withdrawn_and_merged_incidents_are_not_candidates():
    first = jableh_report()
    process(first)
    Incident.objects.filter(pk=reload(first).incident_id).update(status=IncidentStatus.WITHDRAWN)
    second = jableh_report(minutes=5)
    assert process(second) == "new"
    assert reload(second).incident_id != reload(first).incident_id


def test_an_amended_report_is_matched_again():
    first = jableh_report()
    process(first)
    elsewhere = jableh_report(
        admin1=area("SY10"),
        admin2=area("SY1002"),
        place_name="Banyas",
        latitude=None,
        longitude=None,
        title="Men shot in Banyas",
        narrative="Men were shot in Banyas.",
    )
    process(elsewhere)
    lonely = reload(elsewhere).incident
    assert lonely != reload(first).incident
    # The monitor corrects the place: it was Jableh after all.
    Report.objects.filter(pk=elsewhere.pk).update(
        admin1=area("SY06"),
        admin2=area("SY0602"),
        place_name="Jableh",
        title="Eight men executed in Jableh",
        narrative="Gunmen took eight men from their homes in Jableh at dawn and shot them.",
        status=ReportStatus.IN_REVIEW,
    )
    report_hand_back(report_id=elsewhere.pk, reason=HandBack.AMENDED)  # what report_amend says
    assert process(elsewhere) == "join"
    assert reload(elsewhere).incident == reload(first).incident
    lonely = reload(lonely)
    assert lonely.status == IncidentStatus.MERGED and lonely.merged_into == reload(first).incident


def test_a_failing_report_is_retried_then_marked_failed_with_its_error(settings, monkeypatch):
    settings.SIJIL_PROCESSING_MAX_ATTEMPTS = 3
    report = jableh_report()

    def broken(*args, **kwargs):
        raise RuntimeError("matcher exploded")

    monkeypatch.setattr(processing_module, "score_candidates", broken)
    process_report.apply(args=[str(report.pk)])  # eager: the retries run at once
    report = reload(report)
    assert report.processing_state == ProcessingState.FAILED
    assert report.processing_attempts == 3
    assert "matcher exploded" in report.processing_error
    assert report.incident is None
    # The sweeper leaves failed reports alone: a person has to look at them.
    settings.SIJIL_PROCESSING_STALE_SECONDS = 0
    assert reports_sweep(enqueue=lambda pk: None) == 0


def test_a_failed_attempt_goes_back_to_pending_while_attempts_remain(settings):
    settings.SIJIL_PROCESSING_MAX_ATTEMPTS = 2
    report = jableh_report()
    report_claim(report_id=report.pk)
    assert report_processing_failed(report_id=report.pk, error="boom") is True
    assert reload(report).processing_state == ProcessingState.PENDING
    report_claim(report_id=report.pk)
    assert report_processing_failed(report_id=report.pk, error="boom again") is False
    assert reload(report).processing_state == ProcessingState.FAILED


def test_a_report_that_keeps_killing_its_worker_is_failed_by_the_claim(settings):
    settings.SIJIL_PROCESSING_MAX_ATTEMPTS = 2
    settings.SIJIL_PROCESSING_STALE_SECONDS = 0
    report = jableh_report()
    assert report_claim(report_id=report.pk)  # attempt 1: the worker dies
    assert report_claim(report_id=report.pk)  # attempt 2: dies again
    assert report_claim(report_id=report.pk) is None
    report = reload(report)
    assert report.processing_state == ProcessingState.FAILED and "maximum number of attempts" in report.processing_error


def test_the_sweeper_sends_again_only_what_waited_too_long(settings):
    fresh = jableh_report()
    old = jableh_report(minutes=1)
    stuck = jableh_report(minutes=2)
    done = jableh_report(minutes=3)
    long_ago = old.received_at - timedelta(hours=1)
    Report.objects.filter(pk=old.pk).update(received_at=long_ago)
    Report.objects.filter(pk=stuck.pk).update(processing_state=ProcessingState.CLAIMED, processing_claimed_at=long_ago)
    Report.objects.filter(pk=done.pk).update(processing_state=ProcessingState.DONE, received_at=long_ago)
    sent = []
    assert reports_sweep(enqueue=sent.append) == 2
    assert set(sent) == {old.pk, stuck.pk}
    # Sent once per staleness period: straight away again, nothing.
    assert reports_sweep(enqueue=sent.append) == 0
    assert fresh.pk not in sent
    # A stuck claim is taken over when its message arrives.
    assert process(stuck) == "new"


def test_a_submission_is_processed_in_process_when_there_is_no_broker(monitor, django_capture_on_commit_callbacks):
    data = {
        "category": "execution",
        "occurred_at": jableh_report(killed=None).occurred_at,
        "admin1": "SY06",
        "place_name": "Jableh",
        "title": "Executions in Jableh",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": 2,
        "casualties": [{"kind": "killed", "group": "civilian", "low": 5, "high": 7, "scope": "incident"}],
    }
    Report.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        result = report_submit(monitor=monitor, report_id=uuid.uuid4(), data=data)
    report = reload(result.report)
    assert report.processing_state == ProcessingState.DONE
    assert report.incident is not None and report.incident.casualties.get().best == 6


def test_the_pipeline_groups_a_generated_set_as_the_pure_matcher_does(monitor):
    from synthetic import generate, report_record
    from synthetic.evaluation import cluster_online
    from tests.factories import MonitorFactory

    generated = generate(seed=7, incidents=25)
    monitors = {}
    for item in generated.reports:
        who = monitors.setdefault(item.monitor_index, MonitorFactory())
        report_submit(monitor=who, report_id=item.report_id, data=item.data)
        report_process(report_id=item.report_id)
    expected = cluster_online([report_record(report_id=r.report_id, data=r.data) for r in generated.reports])
    by_incident: dict = {}
    for report_id, incident_id in Report.objects.values_list("pk", "incident_id"):
        by_incident.setdefault(incident_id, set()).add(str(report_id))
    expected_groups: dict = {}
    for report_id, cluster in expected.assignment.items():
        expected_groups.setdefault(cluster, set()).add(report_id)
    assert sorted(map(sorted, by_incident.values())) == sorted(map(sorted, expected_groups.values()))
    assert not Report.objects.filter(~Q(processing_state=ProcessingState.DONE)).exists()
