"""Reviewers' decisions on incidents win over the pipeline (invariant 5), and every one is recorded."""

from datetime import timedelta

import pytest

from incidents.models import DailyAggregate, DuplicateCandidate, Incident, IncidentStatus
from incidents.services import (
    IncidentActionError,
    candidate_accept,
    candidate_reject,
    incident_merge,
    incident_override_best,
    incident_split,
    incident_verify,
    incident_withdraw,
    report_move,
)
from incidents.services.aggregates import aggregates_snapshot, compute_all
from reports.choices import ProcessingState, ReportStatus
from reports.models import Report
from tests.factories import MonitorFactory, area
from tests.incidents.conftest import jableh_report, process, reload

pytestmark = pytest.mark.django_db


def two_incidents():
    """One execution reported in Jableh and one in Banyas: two incidents."""
    first = jableh_report(killed=(8, 8))
    process(first)
    second = jableh_report(
        killed=(3, 3),
        admin1=area("SY10"),
        admin2=area("SY1002"),
        place_name="Banyas",
        latitude=None,
        longitude=None,
        title="Men shot in Banyas",
        narrative="Three men were shot in Banyas.",
    )
    process(second)
    return reload(first), reload(second)


def assert_aggregates_match_a_rebuild():
    assert aggregates_snapshot() == compute_all()


def test_merging_makes_a_tombstone_and_moves_and_pins_the_reports(reviewer):
    first, second = two_incidents()
    target, absorbed = first.incident, second.incident
    incident_merge(target=target, absorbed=absorbed, by=reviewer, note="same massacre, two names")
    absorbed, target = reload(absorbed), reload(target)
    assert absorbed.status == IncidentStatus.MERGED and absorbed.merged_into == target
    assert absorbed.report_count == 0 and not absorbed.casualties.exists()
    second = reload(second)
    assert second.incident == target and second.incident_pinned
    assert target.report_count == 2
    record = absorbed.history.first()
    assert record.history_user == reviewer and "same massacre" in record.history_change_reason
    assert DailyAggregate.objects.filter(incidents__gt=0).count() == 1
    assert_aggregates_match_a_rebuild()
    # The pipeline, running again on the moved report, leaves it where the reviewer put it.
    Report.objects.filter(pk=second.pk).update(processing_state=ProcessingState.PENDING)
    assert process(second) == "pinned"
    assert reload(second).incident == target


def test_merging_carries_the_absorbed_incidents_override_and_verification(reviewer):
    first, second = two_incidents()
    incident_override_best(
        incident=second.incident, kind="killed", group="unknown", best=4, note="hospital count", by=reviewer
    )
    incident_verify(incident=second.incident, by=reviewer)
    target = incident_merge(target=first.incident, absorbed=second.incident, by=reviewer)
    assert target.status == IncidentStatus.VERIFIED
    carried = target.casualties.get(kind="killed", group="unknown")
    assert carried.best_override == 4 and carried.override_note == "hospital count"
    assert_aggregates_match_a_rebuild()


def test_a_merge_refuses_itself_and_tombstones(reviewer):
    first, second = two_incidents()
    with pytest.raises(IncidentActionError) as error:
        incident_merge(target=first.incident, absorbed=first.incident, by=reviewer)
    assert error.value.status == 400 and error.value.field == "absorbed"
    incident_merge(target=first.incident, absorbed=second.incident, by=reviewer)
    with pytest.raises(IncidentActionError) as error:
        incident_merge(target=reload(second).incident, absorbed=Incident.objects.get(status="merged"), by=reviewer)
    assert error.value.status == 409


def test_only_reviewers_may_change_incidents(monitor):
    first, second = two_incidents()
    with pytest.raises(IncidentActionError) as error:
        incident_merge(target=first.incident, absorbed=second.incident, by=monitor)
    assert error.value.status == 403
    assert reload(second.incident).status == IncidentStatus.UNVERIFIED


def test_splitting_moves_reports_to_a_new_incident_where_they_stay(reviewer):
    first = jableh_report(killed=(8, 8))
    second = jableh_report(killed=(8, 9), minutes=10)
    process(first), process(second)
    incident = reload(first).incident
    assert reload(second).incident == incident
    new = incident_split(incident=incident, report_ids=[second.pk], by=reviewer, note="two villages")
    second = reload(second)
    assert second.incident == new and second.incident_pinned
    assert reload(incident).report_count == 1 and new.report_count == 1
    assert new.history.first().history_user == reviewer
    Report.objects.filter(pk=second.pk).update(processing_state=ProcessingState.PENDING)
    assert process(second) == "pinned"
    assert reload(second).incident == new
    assert DailyAggregate.objects.get(incidents__gt=0).incidents == 2
    assert_aggregates_match_a_rebuild()


def test_a_split_must_leave_a_report_and_name_only_its_reports(reviewer):
    first, second = two_incidents()
    with pytest.raises(IncidentActionError) as error:
        incident_split(incident=first.incident, report_ids=[first.pk], by=reviewer)
    assert error.value.field == "report_ids" and error.value.status == 400
    with pytest.raises(IncidentActionError) as error:
        incident_split(incident=first.incident, report_ids=[second.pk], by=reviewer)
    assert "Not reports of this incident" in error.value.reason


def test_accepting_a_candidate_moves_the_report_and_retires_its_own_incident(reviewer):
    first, second = two_incidents()
    candidate = DuplicateCandidate.objects.create(report=second, incident=first.incident, score=0.6, reasons={"x": 1})
    lonely = second.incident
    candidate_accept(candidate=candidate, by=reviewer, note="same event")
    second = reload(second)
    assert second.incident == first.incident and second.incident_pinned
    lonely = reload(lonely)
    assert lonely.status == IncidentStatus.MERGED and lonely.merged_into == first.incident
    candidate = reload(candidate)
    assert candidate.decision == "accepted" and candidate.decided_by == reviewer
    with pytest.raises(IncidentActionError) as error:
        candidate_accept(candidate=candidate, by=reviewer)
    assert error.value.status == 409
    assert_aggregates_match_a_rebuild()


def test_rejecting_a_candidate_keeps_the_report_apart_for_good(reviewer):
    first, second = two_incidents()
    candidate = DuplicateCandidate.objects.create(report=second, incident=first.incident, score=0.6, reasons={})
    candidate_reject(candidate=candidate, by=reviewer, note="different villages")
    assert reload(candidate).decision == "rejected"
    assert reload(second).incident != first.incident


def test_moving_a_report_to_an_incident_of_its_own(reviewer):
    first = jableh_report()
    second = jableh_report(minutes=5)
    process(first), process(second)
    incident = reload(first).incident
    new = report_move(report=second, by=reviewer, note="another family")
    assert new != incident and reload(second).incident == new and reload(second).incident_pinned
    back = report_move(report=second, incident=incident, by=reviewer)
    assert back == incident
    assert reload(new).status == IncidentStatus.MERGED
    assert_aggregates_match_a_rebuild()


def test_an_override_survives_recomputation_and_widens_the_range(reviewer):
    first = jableh_report(killed=(8, 10))
    process(first)
    incident = reload(first).incident
    figure = incident_override_best(
        incident=incident, kind="killed", group="civilian", best=25, note="morgue list", by=reviewer
    )
    assert (figure.low, figure.best, figure.high) == (8, 25, 25)
    assert figure.overridden_by == reviewer and "overridden by a reviewer" in figure.method
    another = jableh_report(killed=(9, 11), minutes=5, monitor=MonitorFactory())
    assert process(another) == "join"
    figure = reload(figure)
    assert (figure.low, figure.best, figure.high) == (8, 25, 25)
    assert DailyAggregate.objects.get().killed_best == 25
    cleared = incident_override_best(
        incident=incident, kind="killed", group="civilian", best=None, note="", by=reviewer
    )
    assert cleared.best_override is None and cleared.best == 9
    assert_aggregates_match_a_rebuild()


def test_an_override_needs_a_note_and_a_known_kind(reviewer):
    first = jableh_report()
    process(first)
    incident = reload(first).incident
    for kwargs, field in (
        ({"kind": "killed", "group": "civilian", "best": 3, "note": ""}, "note"),
        ({"kind": "eaten", "group": "civilian", "best": 3, "note": "x"}, "kind"),
        ({"kind": "killed", "group": "civilian", "best": -1, "note": "x"}, "best"),
    ):
        with pytest.raises(IncidentActionError) as error:
            incident_override_best(incident=incident, by=reviewer, **kwargs)
        assert error.value.field == field and error.value.status == 400


def test_a_withdrawn_incident_counts_nowhere_and_keeps_its_reports(reviewer):
    first = jableh_report()
    process(first)
    incident = reload(first).incident
    assert DailyAggregate.objects.count() == 1
    with pytest.raises(IncidentActionError):
        incident_withdraw(incident=incident, by=reviewer, note="")
    incident_withdraw(incident=incident, by=reviewer, note="fabricated")
    assert reload(incident).status == IncidentStatus.WITHDRAWN
    assert not DailyAggregate.objects.exists()
    assert reload(first).incident == incident
    Report.objects.filter(pk=first.pk).update(processing_state=ProcessingState.PENDING)
    assert process(first) == "kept"
    assert reload(incident).status == IncidentStatus.WITHDRAWN


def test_verifying_an_incident_moves_it_to_the_verified_rows(reviewer):
    first = jableh_report()
    process(first)
    incident = reload(first).incident
    assert DailyAggregate.objects.get().verified is False
    incident_verify(incident=incident, by=reviewer, note="two sources agree")
    row = DailyAggregate.objects.get()
    assert row.verified is True and row.incidents == 1
    with pytest.raises(IncidentActionError) as error:
        incident_verify(incident=incident, by=reviewer)
    assert error.value.status == 409


def test_the_review_service_verifying_a_report_verifies_its_incident_and_recomputes(
    reviewer, django_capture_on_commit_callbacks
):
    from reports.review import report_review

    loud = jableh_report(killed=(40, 60))
    careful = jableh_report(killed=(8, 8), minutes=10, monitor=MonitorFactory())
    process(loud), process(careful)
    with django_capture_on_commit_callbacks(execute=True):
        report_review(report=careful, reviewer=reviewer, decision="verify")
    incident = reload(careful).incident
    assert incident.status == IncidentStatus.VERIFIED
    assert incident.casualties.get().high == 8  # only the verified report's figures now
    assert reload(careful).processing_state == ProcessingState.DONE
    row = DailyAggregate.objects.get()
    assert row.verified and (row.killed_low, row.killed_best, row.killed_high) == (8, 8, 8)


def test_the_review_service_rejecting_a_report_takes_it_out_of_its_incident(
    reviewer, django_capture_on_commit_callbacks
):
    from reports.review import report_review

    true = jableh_report(killed=(8, 8))
    false = jableh_report(killed=(80, 80), minutes=10, monitor=MonitorFactory())
    process(true), process(false)
    incident = reload(true).incident
    assert incident.report_count == 2
    with django_capture_on_commit_callbacks(execute=True):
        report_review(report=false, reviewer=reviewer, decision="reject", note="not credible")
    incident = reload(incident)
    assert reload(false).incident is None and reload(false).status == ReportStatus.REJECTED
    assert incident.report_count == 1 and incident.casualties.get().high == 8
    assert incident.occurred_from <= true.occurred_at + timedelta(minutes=1)
