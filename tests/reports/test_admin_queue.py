"""The review queue and the report page in the admin: order, filters, actions, all through the review service."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import DuplicateCandidate
from reports.choices import ReportStatus
from reports.models import Report
from reports.review import report_review, report_take
from tests.factories import (
    CoordinatorFactory,
    IncidentFactory,
    ReportCasualtyFactory,
    ReportFactory,
    ReviewerFactory,
    area,
    category,
)

pytestmark = pytest.mark.django_db
QUEUE = "/admin/reports/report/"


def queue_titles(client, query: str = "") -> list[str]:
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return [report.title for report in response.context["cl"].result_list]


def aged(report: Report, hours: int) -> Report:
    Report.objects.filter(pk=report.pk).update(received_at=timezone.now() - timedelta(hours=hours))
    return report


def test_the_queue_puts_killings_and_executions_first_then_the_highest_figures_then_the_oldest(admin_login):
    client = admin_login(ReviewerFactory())
    aged(ReportFactory(title="looting, old", category=category("looting")), 50)
    aged(ReportFactory(title="arson, older", category=category("arson")), 60)
    ReportCasualtyFactory(
        report=aged(ReportFactory(title="injuries", category=category("injury")), 1), kind="injured", low=5, high=9
    )
    ReportCasualtyFactory(
        report=aged(ReportFactory(title="execution 2", category=category("execution")), 2), low=1, high=2
    )
    ReportCasualtyFactory(report=aged(ReportFactory(title="killing 10", category=category("killing")), 3), high=10)
    # A cumulative claim is shown but does not rank a report above an event's own toll.
    ReportCasualtyFactory(
        report=aged(ReportFactory(title="killing cumulative", category=category("killing")), 4),
        high=1225,
        scope="cumulative",
    )
    aged(ReportFactory(title="killing, no figures, oldest", category=category("killing")), 90)
    aged(ReportFactory(title="killing, no figures, newer", category=category("killing")), 5)
    ReportFactory(title="already verified", status=ReportStatus.VERIFIED)
    assert queue_titles(client) == [
        "killing 10",
        "execution 2",
        "killing, no figures, oldest",
        "killing, no figures, newer",
        "killing cumulative",
        "injuries",
        "arson, older",
        "looting, old",
    ]


def test_the_queue_filters_by_state_category_place_date_organisation_and_candidates(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    jableh = ReportFactory(title="Jableh", narrative="Shots near the bakery", admin2=area("SY0602"))
    qardaha = ReportFactory(title="Qardaha", place_name="Qardaha", admin2=area("SY0603"), category=category("arson"))
    tartous = ReportFactory(
        title="Tartous",
        admin1=area("SY10"),
        admin2=area("SY1000"),
        occurred_at=datetime(2025, 1, 2, tzinfo=UTC),
    )
    needs_info = ReportFactory(title="Waiting")
    report_review(report=needs_info, reviewer=reviewer, decision="needs_info", note="Which street?")
    DuplicateCandidate.objects.create(report=qardaha, incident=IncidentFactory(), score=0.8, reasons={})

    assert set(queue_titles(client)) == {"Jableh", "Qardaha", "Tartous"}
    assert queue_titles(client, "?state=needs_info") == ["Waiting"]
    assert set(queue_titles(client, "?state=all")) == {"Jableh", "Qardaha", "Tartous", "Waiting"}
    assert queue_titles(client, "?category__slug__exact=arson") == ["Qardaha"]
    assert queue_titles(client, "?admin1__pcode__exact=SY10") == ["Tartous"]
    assert queue_titles(client, "?admin2__pcode__exact=SY0603") == ["Qardaha"]
    assert queue_titles(client, "?candidates=yes") == ["Qardaha"]
    assert "Qardaha" not in queue_titles(client, "?candidates=no")
    assert queue_titles(client, "?q=bakery") == ["Jableh"]
    assert queue_titles(client, "?q=Qardaha") == ["Qardaha"]
    assert queue_titles(client, "?occurred_at__gte=2025-01-01&occurred_at__lt=2025-02-01") == ["Tartous"]
    org = jableh.organisation
    assert queue_titles(client, f"?organisation__id__exact={org.pk}") == ["Jableh"]
    report_take(report=tartous, reviewer=reviewer)
    assert queue_titles(client, "?taken=mine") == ["Tartous"]
    assert "Tartous" not in queue_titles(client, "?taken=free")


def test_the_queue_runs_the_same_number_of_queries_for_5_or_40_reports(admin_login):
    client = admin_login(ReviewerFactory())

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    for report in ReportFactory.create_batch(5):
        ReportCasualtyFactory(report=report)
    few = count()
    for report in ReportFactory.create_batch(35, category=category("arson")):
        ReportCasualtyFactory(report=report)
        DuplicateCandidate.objects.create(report=report, incident=IncidentFactory(), score=0.5, reasons={})
    assert count() == few


def action(client, name: str, reports, **extra):
    return client.post(QUEUE, {"action": name, "_selected_action": [str(r.pk) for r in reports], **extra}, follow=True)


def test_taking_from_the_queue_assigns_the_reports_to_me(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    mine, theirs = ReportFactory(), ReportFactory()
    other = ReviewerFactory()
    report_take(report=theirs, reviewer=other)
    response = action(client, "take_selected", [mine, theirs])
    assert "Another reviewer has taken this report" in response.text
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.assigned_to) == (ReportStatus.IN_REVIEW, reviewer)
    assert theirs.assigned_to == other
    assert mine.decisions.get().actor == reviewer


def test_bulk_verify_from_the_queue_goes_through_the_service(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    reports = ReportFactory.create_batch(3)
    action(client, "verify_selected", reports)
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.VERIFIED
        assert [d.decision for d in report.decisions.all()] == ["take", "verify"]
        assert report.history.latest().history_user == reviewer


def test_bulk_reject_asks_for_the_reason_before_rejecting(admin_login):
    client = admin_login(ReviewerFactory())
    reports = ReportFactory.create_batch(2)
    asked = action(client, "reject_selected", reports)
    assert "Reason for rejecting" in asked.text
    assert not Report.objects.filter(status=ReportStatus.REJECTED).exists()
    still_empty = action(client, "reject_selected", reports, apply="1", note="")
    assert "This field is required" in still_empty.text
    assert not Report.objects.filter(status=ReportStatus.REJECTED).exists()
    action(client, "reject_selected", reports, apply="1", note="Recycled footage from 2013")
    for report in reports:
        report.refresh_from_db()
        assert report.status == ReportStatus.REJECTED
        assert report.review_note == "Recycled footage from 2013"


def review(client, report, step, note=""):
    return client.post(
        reverse("admin:reports_report_review", args=[report.pk]), {"step": step, "note": note}, follow=True
    )


def test_the_report_page_takes_asks_and_verifies_through_the_service(admin_login):
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    report = ReportFactory()
    review(client, report, "take")
    report.refresh_from_db()
    assert report.assigned_to == reviewer
    refused = review(client, report, "needs_info", note="")
    assert "A note is required" in refused.text
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    review(client, report, "needs_info", note="Which street?")
    report.refresh_from_db()
    assert (report.status, report.review_note) == (ReportStatus.NEEDS_INFO, "Which street?")
    waiting = review(client, report, "verify")
    assert "waits for its monitor" in waiting.text
    report.refresh_from_db()
    assert report.status == ReportStatus.NEEDS_INFO


def test_a_report_taken_by_another_shows_who_and_offers_no_decision(admin_login):
    other = ReviewerFactory(username="amal")
    report = ReportFactory()
    report_take(report=report, reviewer=other)
    client = admin_login(ReviewerFactory())
    page = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assert "Taken by amal" in page.text
    assert 'id="review-verify"' not in page.text
    refused = review(client, report, "verify")
    assert "Another reviewer has taken this report" in refused.text


def test_the_report_page_shows_everything_and_no_editable_state(admin_login):
    client = admin_login(ReviewerFactory())
    report = ReportFactory(
        title="Executions in al-Mukhtariya", source_notes="Cousin of the victim, reached by phone", perpetrator="X"
    )
    ReportCasualtyFactory(report=report, low=12, high=20)
    incident = IncidentFactory(title="Mukhtariya killings", place_name="al-Mukhtariya")
    DuplicateCandidate.objects.create(
        report=report,
        incident=incident,
        score=0.87,
        reasons={
            "time_gap_hours": 2.5,
            "distance_km": 1.2,
            "place_agreement": "same",
            "place_detail": "al-Mukhtariya",
            "text_similarity": 0.73,
            "figures_agreement": "overlap",
            "figures_detail": {"killed/civilian": "12–20 vs 15–30"},
            "levels": {"time": "close", "distance": "near", "place": "same", "text": "high", "figures": "overlap"},
            "weights": {"time": 1.5, "distance": 1.1, "place": 2.0, "text": 1.7, "figures": 0.8},
        },
    )
    page = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assert page.status_code == 200
    text = page.text
    for shown in (
        "Executions in al-Mukhtariya",
        "Cousin of the victim",  # reviewers see the source notes; partners never do
        "Mukhtariya killings",
        "87% likely the same event",  # one score, and the reasons in plain words (incidents/reasons.py)
        "2 hours apart",
        "1.2 km apart",
        "The accounts are worded very much alike",
        'id="review-take"',
    ):
        assert shown in text, shown
    assert 'name="status"' not in text
    assert 'name="_save"' not in text
    # The change form itself accepts nothing.
    posted = client.post(reverse("admin:reports_report_change", args=[report.pk]), {"status": "verified"})
    assert posted.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_nobody_adds_or_deletes_reports_in_the_admin(admin_login):
    client = admin_login(ReviewerFactory())
    report = ReportFactory()
    assert client.get("/admin/reports/report/add/").status_code == 403
    assert client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()


def test_the_report_page_shows_stripped_photos_inline_and_the_original_behind_a_recorded_button(admin_login):
    import io

    from PIL import Image

    from reports.attachments import attachment_add
    from reports.models import AttachmentAccess

    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    report = ReportFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.seek(0)
    attachment = attachment_add(report=report, uploaded_by=report.monitor, file=buffer)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    stripped = reverse("attachment-stripped", kwargs={"pk": attachment.pk})
    original = reverse("attachment-original", kwargs={"pk": attachment.pk})
    assert f'<img src="{stripped}"' in page.text
    assert f'href="{original}"' in page.text
    assert not AttachmentAccess.objects.exists()  # showing the page opens no original
    assert client.get(original).status_code == 200
    assert AttachmentAccess.objects.get().user == reviewer
    # The chain of custody is for coordinators to read, and for nobody to edit.
    assert client.get("/admin/reports/attachmentaccess/").status_code == 403
    coordinator_client = admin_login(CoordinatorFactory())
    log = coordinator_client.get("/admin/reports/attachmentaccess/")
    assert log.status_code == 200
    assert reviewer.username in log.text
    access = AttachmentAccess.objects.get()
    assert (
        coordinator_client.post(
            reverse("admin:reports_attachmentaccess_delete", args=[access.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_history_page_shows_who_did_what_and_offers_no_revert(admin_login):
    reviewer = ReviewerFactory(username="nour")
    client = admin_login(reviewer)
    report = ReportFactory()
    report_review(report=report, reviewer=reviewer, decision="reject", note="Recycled footage")
    page = client.get(reverse("admin:reports_report_history", args=[report.pk]))
    assert page.status_code == 200
    assert "nour" in page.text
    assert "reject: Recycled footage" in page.text
    historic = report.history.earliest()
    url = reverse("admin:reports_report_simple_history", args=[report.pk, historic.history_id])
    assert 'name="_save"' not in client.get(url).text
    rows = report.history.count()
    # simple-history's switch only hides the button; the POST itself must be refused.
    assert client.post(url, {"status": "submitted"}).status_code == 403
    assert report.history.count() == rows
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED
