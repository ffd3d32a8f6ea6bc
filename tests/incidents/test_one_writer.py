"""One writer for incidents: every path through the same transitions (absorb, verify, hand back to the pipeline).

Each test here failed while a transition was written twice and the copies had
diverged (docs/invariants.md lists the invariants these keep).
"""

from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse

from incidents.models import DuplicateCandidate, IncidentStatus
from incidents.services import candidate_accept, incident_edit_public_text, report_move
from incidents.services.aggregates import aggregates_snapshot, compute_all
from reports.choices import ProcessingState, ReportStatus
from reports.models import Report
from reports.review import report_review
from reports.services import report_amend
from tests.factories import MonitorFactory, ReviewerFactory, area
from tests.incidents.conftest import jableh_report, process, reload

pytestmark = pytest.mark.django_db

RAW_TITLE = "Abu Khaled (who hides at the mill) saw eight men executed in Jableh"
REDACTED = "Eight men executed in Jableh"


def banyas_report(**fields) -> Report:
    values = {
        "admin1": area("SY10"),
        "admin2": area("SY1002"),
        "place_name": "Banyas",
        "latitude": None,
        "longitude": None,
        "title": "Men shot in Banyas",
        "narrative": "Men were shot in Banyas.",
        "monitor": MonitorFactory(),
    }
    values.update(fields)
    return jableh_report(**values)


def redacted_incident(reviewer):
    """An incident of one report whose raw title names a witness; a reviewer redacted it."""
    witness = jableh_report(title=RAW_TITLE)
    process(witness)
    incident = reload(witness).incident
    incident_edit_public_text(incident=incident, by=reviewer, title=REDACTED, summary="", perpetrator="armed group")
    return reload(witness), reload(incident)


def test_moving_the_last_report_out_of_a_redacted_incident_keeps_the_redaction():
    reviewer = ReviewerFactory()
    witness, redacted = redacted_incident(reviewer)
    other = banyas_report()  # received after the witness: the target's first report is the witness's
    process(other)
    target = reload(other).incident

    report_move(report=witness, by=reviewer, incident=target, note="one event")

    target = reload(target)
    assert reload(redacted).status == IncidentStatus.MERGED and reload(redacted).merged_into == target
    assert RAW_TITLE not in target.title
    assert target.title == REDACTED and target.title_by_reviewer


def test_accepting_a_candidate_that_empties_a_redacted_incident_keeps_the_redaction():
    reviewer = ReviewerFactory()
    witness, redacted = redacted_incident(reviewer)
    other = banyas_report()
    process(other)
    target = reload(other).incident
    candidate = DuplicateCandidate.objects.create(report=witness, incident=target, score=0.8, reasons={})

    candidate_accept(candidate=candidate, by=reviewer)

    target = reload(target)
    assert reload(redacted).merged_into == target
    assert RAW_TITLE not in target.title and target.title == REDACTED


def test_moving_the_last_report_re_points_the_candidates_of_the_incident_it_leaves():
    reviewer = ReviewerFactory()
    leaving = banyas_report()
    process(leaving)
    emptied = reload(leaving).incident
    elsewhere = jableh_report()
    process(elsewhere)
    target = reload(elsewhere).incident
    waiting = banyas_report(title="Shots heard in Banyas", minutes=60 * 24 * 20)  # another event
    process(waiting)
    candidate = DuplicateCandidate.objects.create(
        report=reload(waiting), incident=emptied, score=0.7, reasons={}, decision=DuplicateCandidate.Decision.PENDING
    )

    report_move(report=leaving, by=reviewer, incident=target)

    assert reload(emptied).status == IncidentStatus.MERGED
    assert reload(candidate).incident == target


def test_a_verified_report_shows_in_the_partners_aggregates_in_the_reviews_own_transaction():
    reviewer = ReviewerFactory()
    report = jableh_report(killed=(8, 8))
    process(report)
    assert reload(report).incident.status == IncidentStatus.UNVERIFIED

    # No pipeline run after the review (its hand-back is never executed here).
    report_review(report=reload(report), reviewer=reviewer, decision="verify")

    incident = reload(report).incident
    assert incident.status == IncidentStatus.VERIFIED
    snapshot = aggregates_snapshot()
    assert snapshot == compute_all()
    assert [key.verified for key, row in snapshot.items() if row["incidents"]] == [True]


def test_the_amendment_says_itself_that_the_report_must_be_matched_again():
    """The pipeline learns of an amendment from the hand-back, not by reading the review rows."""
    reviewer = ReviewerFactory()
    first = jableh_report()
    process(first)
    moved = banyas_report(monitor=MonitorFactory())
    process(moved)
    assert reload(moved).incident != reload(first).incident
    report_review(report=reload(moved), reviewer=reviewer, decision="needs_info", note="Which town?")

    body = {
        "category": "execution",
        "occurred_at": "2025-03-07T09:05:00Z",
        "admin1": "SY06",
        "admin2": "SY0602",
        "place_name": "Jableh",
        "latitude": Decimal("35.361100"),
        "longitude": Decimal("35.925600"),
        "geo_precision": 1,
        "title": "Eight men executed in Jableh",
        "narrative": "Gunmen took eight men from their homes in Jableh at dawn and shot them.",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": 2,
        "casualties": [{"kind": "killed", "group": "civilian", "low": 8, "high": 10}],
        "perpetrator": "armed group",
    }
    with TestCase.captureOnCommitCallbacks(execute=False):
        report_amend(report=reload(moved), monitor=reload(moved).monitor, data=body, note="It was Jableh")
    amended = reload(moved)
    assert amended.processing_state == ProcessingState.PENDING
    assert amended.processing_reason == "amended"
    assert process(amended) == "join"
    assert reload(moved).incident == reload(first).incident
    assert reload(moved).processing_reason == ""


def test_the_admins_verify_message_states_the_state_the_service_returned(admin_login):
    reviewer = ReviewerFactory()
    report = jableh_report()
    process(report)
    client = admin_login(reviewer)
    response = client.post(
        reverse("admin:reports_report_review", args=[report.pk]), {"step": "verify", "note": ""}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert reload(report).status == ReportStatus.VERIFIED
    assert any("verified" in m.lower() for m in messages), messages
    assert not any("submitted" in m.lower() for m in messages), messages
