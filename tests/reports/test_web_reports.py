"""A monitor's own reports: the list, one report, answering a reviewer's question; nobody else's."""

import pytest
from django.urls import reverse

from reports.models import Report, ReviewDecision
from reports.review import report_review
from reports.services import report_submit
from tests.factories import MonitorFactory, ReportFactory, ReviewerFactory
from tests.reports.web_helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read messages in English; the monitors' pages default to Arabic without a browser language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def submitted(monitor, **overrides) -> Report:
    """A report filed through the form's own path, so that amending it is a real change."""
    import uuid
    from datetime import UTC, datetime

    data = {
        "category": "looting",
        "occurred_at": datetime(2025, 3, 8, 9, 0, tzinfo=UTC),
        "admin1": "SY06",
        "place_name": "Jableh",
        "title": "Shops emptied on the main street",
        "source_type": "eyewitness",
        **overrides,
    }
    return report_submit(monitor=monitor, report_id=uuid.uuid4(), data=data).report


def sent_back(monitor, question="Which street? How many shops?") -> Report:
    report = submitted(monitor)
    report_review(report=report, reviewer=ReviewerFactory(), decision="needs_info", note=question)
    report.refresh_from_db()
    return report


def test_my_reports_lists_only_mine_with_their_state_and_the_reviewers_question(client, monitor):
    mine = sent_back(monitor)
    theirs = ReportFactory(title="Someone else's report")
    client.force_login(monitor)
    html = client.get(reverse("my-reports")).content.decode()
    assert mine.title in html and "Needs information" in html and "Which street? How many shops?" in html
    assert theirs.title not in html


def test_another_monitors_report_is_a_404_identical_to_a_missing_one(client, monitor):
    theirs = sent_back(MonitorFactory())
    client.force_login(monitor)
    missing_id = "00000000-0000-4000-8000-000000000000"
    for name in ("report-detail", "report-amend"):
        other = client.get(reverse(name, kwargs={"pk": theirs.pk}))
        missing = client.get(reverse(name, kwargs={"pk": missing_id}))
        assert other.status_code == missing.status_code == 404
        assert other.content == missing.content
    assert client.post(reverse("report-amend", kwargs={"pk": theirs.pk}), form_data()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "needs_info"


def test_the_report_page_shows_the_figures_the_question_and_a_way_to_answer(client, monitor):
    report = sent_back(monitor)
    client.force_login(monitor)
    html = client.get(reverse("report-detail", kwargs={"pk": report.pk})).content.decode()
    assert "Which street?" in html and reverse("report-amend", kwargs={"pk": report.pk}) in html


def test_the_monitor_answers_the_reviewer_and_the_amendment_is_in_the_history(client, monitor):
    report = sent_back(monitor)
    client.force_login(monitor)
    page = client.get(reverse("report-amend", kwargs={"pk": report.pk}))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["title"] == report.title and form.initial["category"] == "looting"

    data = form_data(
        client_id=str(report.pk),
        category="looting",
        title="Twelve shops emptied on Al-Corniche street",
        place_name="Jableh",
        **{"casualties-0-kind": ""},
    )
    data["answer"] = "Al-Corniche street, twelve shops."
    response = client.post(reverse("report-amend", kwargs={"pk": report.pk}), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "in_review" and report.title.startswith("Twelve shops")
    amend = ReviewDecision.objects.filter(report=report, decision="amend").get()
    assert amend.actor == monitor and amend.note == "Al-Corniche street, twelve shops."
    assert report.history.filter(history_change_reason="amended by the monitor").exists()


def test_a_report_not_sent_back_cannot_be_amended(client, monitor):
    report = submitted(monitor)
    client.force_login(monitor)
    response = client.post(reverse("report-amend", kwargs={"pk": report.pk}), form_data(title="Changed"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "Shops emptied on the main street" and report.status == "submitted"


def test_an_amendment_with_errors_keeps_the_report_as_it_was(client, monitor):
    report = sent_back(monitor)
    client.force_login(monitor)
    response = client.post(reverse("report-amend", kwargs={"pk": report.pk}), form_data(title=""))
    assert response.status_code == 400 and response.context["form"].errors["title"]
    report.refresh_from_db()
    assert report.status == "needs_info" and report.title == "Shops emptied on the main street"
