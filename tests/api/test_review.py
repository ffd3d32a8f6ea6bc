"""POST /api/v1/reports/{id}/review/: reviewers decide through the review workflow service."""

import uuid

import pytest

from reports.models import Report, ReviewDecision
from reports.review import report_take
from tests.api.conftest import ALL_SCOPES, keyed_client
from tests.factories import ReportFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def review(client, report_id, **body):
    return client.post(f"/api/v1/reports/{report_id}/review/", data=body, format="json")


def test_a_reviewer_verifies_a_report_and_it_is_recorded(reviewer_api, reviewer_user):
    report = ReportFactory()
    response = review(reviewer_api, report.pk, decision="verify", note="Two independent witnesses.")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified"
    decisions = list(ReviewDecision.objects.filter(report=report).values_list("decision", "actor"))
    assert ("verify", reviewer_user.pk) in decisions


def test_asking_for_information_shows_the_question_to_the_monitor(reviewer_api, monitor_api, monitor_user):
    report = ReportFactory(monitor=monitor_user)
    response = review(reviewer_api, report.pk, decision="needs_info", note="Which street was it?")
    assert response.status_code == 200
    seen = monitor_api.get(f"/api/v1/reports/{report.pk}/").json()
    assert (seen["status"], seen["review_note"]) == ("needs_info", "Which street was it?")


def test_a_rejection_without_a_reason_is_a_400_naming_the_note(reviewer_api):
    report = ReportFactory()
    response = review(reviewer_api, report.pk, decision="reject")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_an_unknown_decision_is_a_400(reviewer_api):
    response = review(reviewer_api, ReportFactory().pk, decision="approve")
    assert response.status_code == 400
    assert "decision" in response.json()["errors"]


def test_deciding_a_final_report_again_is_a_409(reviewer_api):
    report = ReportFactory()
    assert review(reviewer_api, report.pk, decision="verify").status_code == 200
    response = review(reviewer_api, report.pk, decision="reject", note="Changed my mind")
    assert response.status_code == 409
    assert Report.objects.get(pk=report.pk).status == "verified"


def test_another_reviewers_hold_is_a_409():
    report = ReportFactory()
    report_take(report=report, reviewer=ReviewerFactory())
    response = review(keyed_client(_key(ReviewerFactory())), report.pk, decision="verify")
    assert response.status_code == 409
    assert "assigned_to" in response.json()["errors"]
    assert Report.objects.get(pk=report.pk).status == "in_review"


def test_monitors_and_partners_cannot_review(monitor_api, monitor_user, partner):
    report = ReportFactory(monitor=monitor_user)
    assert review(monitor_api, report.pk, decision="verify").status_code == 403
    assert review(partner, report.pk, decision="verify").status_code == 403
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_reviewing_a_missing_report_is_a_404(reviewer_api):
    assert review(reviewer_api, uuid.uuid4(), decision="verify").status_code == 404
    assert review(reviewer_api, "nope", decision="verify").status_code == 404


def _key(user):
    from incidents.api_keys import api_key_issue

    return api_key_issue(name="k", scopes=ALL_SCOPES, user=user).key
