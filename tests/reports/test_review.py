"""The review workflow (reports/review.py): every step allowed and refused, per role."""

from datetime import timedelta

import pytest
from celery.signals import task_prerun
from django.utils import timezone

from incidents.models import IncidentStatus
from reports.choices import ProcessingState, ReportStatus
from reports.review import (
    ReviewError,
    lock_duration,
    report_release,
    report_review,
    report_review_bulk,
    report_take,
)
from reports.services import report_amend
from tests.factories import CoordinatorFactory, IncidentFactory, MonitorFactory, ReportFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

DECISIONS = {"verify": ReportStatus.VERIFIED, "reject": ReportStatus.REJECTED, "needs_info": ReportStatus.NEEDS_INFO}


def _refused(call, *, status, field):
    with pytest.raises(ReviewError) as caught:
        call()
    assert caught.value.status == status, caught.value.reason
    assert caught.value.field == field
    return caught.value


def test_taking_a_submitted_report_puts_it_in_review_assigned_with_an_expiring_lock(reviewer):
    report = ReportFactory()
    before = timezone.now()
    report_take(report=report, reviewer=reviewer)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    assert report.assigned_to == reviewer
    assert before + lock_duration() <= report.assigned_until <= timezone.now() + lock_duration()
    step = report.decisions.get()
    assert (step.actor, step.decision, step.from_status, step.to_status) == (
        reviewer,
        "take",
        "submitted",
        "in_review",
    )
    latest = report.history.latest()
    assert latest.history_user == reviewer
    assert latest.history_change_reason == "taken for review"


def test_a_report_taken_by_another_reviewer_cannot_be_taken_or_decided(reviewer):
    other = ReviewerFactory()
    report = ReportFactory()
    report_take(report=report, reviewer=other)
    _refused(lambda: report_take(report=report, reviewer=reviewer), status=409, field="assigned_to")
    _refused(
        lambda: report_review(report=report, reviewer=reviewer, decision="verify"), status=409, field="assigned_to"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    assert report.assigned_to == other


def test_an_expired_lock_lets_another_reviewer_take_the_report(reviewer):
    other = ReviewerFactory()
    report = ReportFactory()
    report_take(report=report, reviewer=other)
    type(report).objects.filter(pk=report.pk).update(assigned_until=timezone.now() - timedelta(seconds=1))
    report_take(report=report, reviewer=reviewer)
    report.refresh_from_db()
    assert report.assigned_to == reviewer
    assert [d.actor for d in report.decisions.all()] == [other, reviewer]


def test_taking_ones_own_report_again_extends_the_lock_without_a_new_step(reviewer):
    report = ReportFactory()
    report_take(report=report, reviewer=reviewer)
    type(report).objects.filter(pk=report.pk).update(assigned_until=timezone.now() + timedelta(minutes=1))
    report_take(report=report, reviewer=reviewer)
    report.refresh_from_db()
    assert report.assigned_until > timezone.now() + lock_duration() - timedelta(minutes=1)
    assert report.decisions.count() == 1


@pytest.mark.parametrize("role_factory", [ReviewerFactory, CoordinatorFactory])
@pytest.mark.parametrize("decision", list(DECISIONS))
def test_reviewers_and_coordinators_may_take_a_decision_on_a_report_in_review(role_factory, decision):
    user = role_factory()
    report = ReportFactory()
    report_take(report=report, reviewer=user)
    report_review(report=report, reviewer=user, decision=decision, note="Who else saw it?")
    report.refresh_from_db()
    assert report.status == DECISIONS[decision]
    assert report.reviewed_by == user
    assert report.review_note == "Who else saw it?"
    assert report.assigned_to is None
    last = report.decisions.last()
    assert (last.actor, last.decision, last.from_status, last.to_status, last.note) == (
        user,
        decision,
        "in_review",
        DECISIONS[decision],
        "Who else saw it?",
    )
    assert report.history.latest().history_user == user


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_a_decision_on_a_submitted_report_takes_it_first_and_records_both_steps(reviewer, decision):
    report = ReportFactory()
    report_review(report=report, reviewer=reviewer, decision=decision, note="Reason")
    report.refresh_from_db()
    assert report.status == DECISIONS[decision]
    assert [(d.decision, d.from_status, d.to_status) for d in report.decisions.all()] == [
        ("take", "submitted", "in_review"),
        (decision, "in_review", DECISIONS[decision]),
    ]


@pytest.mark.parametrize("decision", ["take", *DECISIONS])
def test_monitors_may_not_review_even_their_own_report(decision):
    monitor = MonitorFactory()
    report = ReportFactory(monitor=monitor)
    if decision == "take":
        _refused(lambda: report_take(report=report, reviewer=monitor), status=403, field="reviewer")
    else:
        _refused(
            lambda: report_review(report=report, reviewer=monitor, decision=decision, note="x"),
            status=403,
            field="reviewer",
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not report.decisions.exists()


def test_a_user_without_a_role_or_inactive_may_not_review():
    nobody = MonitorFactory(role=None)
    nobody.groups.clear()
    nobody._roles_cache = None
    inactive = ReviewerFactory(is_active=False)
    report = ReportFactory()
    for user in (nobody, inactive):
        _refused(
            lambda u=user: report_review(report=report, reviewer=u, decision="verify"), status=403, field="reviewer"
        )


@pytest.mark.parametrize("decision", ["reject", "needs_info"])
def test_rejecting_or_asking_needs_a_note(reviewer, decision):
    report = ReportFactory()
    _refused(
        lambda: report_review(report=report, reviewer=reviewer, decision=decision, note="  "), status=400, field="note"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert not report.decisions.exists()


def test_an_unknown_decision_is_refused_naming_the_field(reviewer):
    report = ReportFactory()
    error = _refused(
        lambda: report_review(report=report, reviewer=reviewer, decision="approve"), status=400, field="decision"
    )
    assert "approve" in error.reason


@pytest.mark.parametrize("final", ["verify", "reject"])
@pytest.mark.parametrize("then", ["take", *DECISIONS])
def test_verified_and_rejected_reports_are_final(reviewer, final, then):
    report = ReportFactory()
    report_review(report=report, reviewer=reviewer, decision=final, note="Because")
    if then == "take":
        _refused(lambda: report_take(report=report, reviewer=reviewer), status=409, field="status")
    else:
        _refused(
            lambda: report_review(report=report, reviewer=reviewer, decision=then, note="x"), status=409, field="status"
        )
    report.refresh_from_db()
    assert report.status == DECISIONS[final]


@pytest.mark.parametrize("then", ["take", *DECISIONS])
def test_a_report_waiting_for_its_monitor_cannot_be_taken_or_decided(reviewer, then):
    report = ReportFactory()
    report_review(report=report, reviewer=reviewer, decision="needs_info", note="Which street?")
    if then == "take":
        error = _refused(lambda: report_take(report=report, reviewer=reviewer), status=409, field="status")
    else:
        error = _refused(
            lambda: report_review(report=report, reviewer=reviewer, decision=then, note="x"), status=409, field="status"
        )
    assert "monitor" in error.reason


def test_the_monitors_amendment_returns_the_report_to_review_where_it_can_be_verified(reviewer):
    report = ReportFactory()
    report_review(report=report, reviewer=reviewer, decision="needs_info", note="Which street?")
    report.refresh_from_db()
    assert report.review_note == "Which street?"
    data = {
        "category": "killing",
        "occurred_at": report.occurred_at,
        "admin1": "SY06",
        "admin2": "SY0602",
        "title": report.title,
        "source_type": "eyewitness",
        "place_name": "Jableh, al-Qusour street",
    }
    report_amend(report=report, monitor=report.monitor, data=data, note="Al-Qusour street")
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    report_review(report=report, reviewer=reviewer, decision="verify")
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED
    assert [d.decision for d in report.decisions.all()] == ["take", "needs_info", "amend", "verify"]


def test_verifying_a_report_verifies_its_incident(reviewer):
    incident = IncidentFactory()
    report = ReportFactory(incident=incident)
    report_review(report=report, reviewer=reviewer, decision="verify")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.VERIFIED
    assert incident.verified_by == reviewer
    assert incident.verified_at is not None
    assert incident.history.latest().history_user == reviewer


def test_rejecting_a_report_leaves_its_incident_unverified(reviewer):
    incident = IncidentFactory()
    report = ReportFactory(incident=incident)
    report_review(report=report, reviewer=reviewer, decision="reject", note="The photo is from 2013.")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.UNVERIFIED
    assert incident.verified_by is None


def test_verifying_a_report_of_a_withdrawn_incident_leaves_the_incident_withdrawn(reviewer):
    incident = IncidentFactory(status=IncidentStatus.WITHDRAWN)
    report = ReportFactory(incident=incident)
    report_review(report=report, reviewer=reviewer, decision="verify")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITHDRAWN


@pytest.mark.parametrize("decision", ["verify", "reject"])
def test_a_decision_hands_the_report_back_to_the_pipeline_after_commit(
    reviewer, decision, django_capture_on_commit_callbacks
):
    report = ReportFactory(processing_state=ProcessingState.DONE)
    started = []

    def record(sender=None, args=None, **kwargs):
        started.append((sender.name, tuple(args or ())))

    task_prerun.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report_review(report=report, reviewer=reviewer, decision=decision, note="n")
        report.refresh_from_db()
        assert report.processing_state == ProcessingState.PENDING  # the sweeper's record of work to do
        assert started == []  # nothing leaves before the decision is committed
        for callback in callbacks:
            callback()
    finally:
        task_prerun.disconnect(record)
    assert ("incidents.tasks.process_report", (str(report.pk),)) in started


def test_asking_for_information_does_not_reprocess_the_report(reviewer):
    report = ReportFactory(processing_state=ProcessingState.DONE)
    report_review(report=report, reviewer=reviewer, decision="needs_info", note="Which street?")
    report.refresh_from_db()
    assert report.processing_state == ProcessingState.DONE


def test_the_holder_or_a_coordinator_may_release_a_report_but_not_another_reviewer(reviewer):
    other = ReviewerFactory()
    report = ReportFactory()
    report_take(report=report, reviewer=reviewer)
    _refused(lambda: report_release(report=report, reviewer=other), status=409, field="assigned_to")
    report_release(report=report, reviewer=CoordinatorFactory())
    report.refresh_from_db()
    assert report.assigned_to is None
    assert report.status == ReportStatus.IN_REVIEW
    report_take(report=report, reviewer=other)


def test_bulk_verify_decides_each_report_and_reports_the_refused_ones(reviewer):
    other = ReviewerFactory()
    free = ReportFactory.create_batch(3)
    taken = ReportFactory()
    report_take(report=taken, reviewer=other)
    done = ReportFactory()
    report_review(report=done, reviewer=other, decision="reject", note="Duplicate of a hoax")
    result = report_review_bulk(reports=[*free, taken, done], reviewer=reviewer, decision="verify")
    assert {r.pk for r in result.decided} == {r.pk for r in free}
    assert set(result.refused) == {taken.pk, done.pk}
    assert result.refused[taken.pk].status == 409
    for report in free:
        report.refresh_from_db()
        assert report.status == ReportStatus.VERIFIED
        assert report.decisions.last().actor == reviewer
    taken.refresh_from_db()
    assert taken.status == ReportStatus.IN_REVIEW


def test_bulk_reject_needs_a_reason_and_bulk_questions_are_refused(reviewer):
    reports = ReportFactory.create_batch(2)
    _refused(
        lambda: report_review_bulk(reports=reports, reviewer=reviewer, decision="reject"), status=400, field="note"
    )
    _refused(
        lambda: report_review_bulk(reports=reports, reviewer=reviewer, decision="needs_info", note="?"),
        status=400,
        field="decision",
    )
    _refused(
        lambda: report_review_bulk(reports=reports, reviewer=MonitorFactory(), decision="verify"),
        status=403,
        field="reviewer",
    )
    assert all(
        r.status == ReportStatus.SUBMITTED for r in type(reports[0]).objects.filter(pk__in=[r.pk for r in reports])
    )
