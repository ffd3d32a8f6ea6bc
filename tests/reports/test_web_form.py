"""The monitor's report form: one path to report_submit, errors next to the fields, never twice."""

import re
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from reports.models import Attachment, Report
from tests.factories import MonitorFactory, ReviewerFactory
from tests.reports.attachment_files import SECRET_AUTHOR
from tests.reports.web_helpers import form_data, photo

FORM = "/reports/new/"
SYNC = {"HTTP_X_SIJIL_SYNC": "1"}


@pytest.fixture(autouse=True)
def _english(client):
    """These tests read messages in English; the monitors' pages default to Arabic without a browser language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def monitor_client(client, monitor):
    client.force_login(monitor)
    return client


def test_the_form_draws_a_fresh_client_id_each_time(monitor_client):
    first = monitor_client.get(FORM)
    second = monitor_client.get(FORM)
    assert first.status_code == 200
    ids = {str(r.context["form"]["client_id"].value()) for r in (first, second)}
    assert len(ids) == 2
    assert b'name="client_id"' in first.content
    assert "no-store" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]


def test_a_filed_report_goes_through_report_submit_with_its_figures_photo_and_resolved_district(
    monitor_client, monitor
):
    data = form_data()
    response = monitor_client.post(FORM, {**data, "files": [photo("Fatima-home.jpg")]})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("report-detail", kwargs={"pk": report.pk})
    assert str(report.pk) == data["client_id"] and report.monitor == monitor
    assert report.category_id == "execution" and report.admin2_id == "SY0604"  # القرداحة → Al-Qardaha district
    assert report.latitude is None and report.longitude is None  # no location unless the monitor asked
    assert report.language == "ar"
    assert report.source_notes == "Neighbour, reached by phone"
    assert list(report.casualties.values_list("kind", "group", "low", "high", "scope")) == [
        ("killed", "civilian", 3, 4, "incident")
    ]
    # The date and time are the monitor's local time (Asia/Damascus, UTC+3 then).
    assert report.occurred_at.isoformat() == "2025-03-07T03:30:00+00:00"
    attachment = report.attachments.get()
    assert SECRET_AUTHOR.encode() not in attachment.stripped.read()
    assert "Fatima" not in attachment.original.name


def test_a_date_without_a_time_is_noon_of_that_day(monitor_client):
    monitor_client.post(FORM, form_data(occurred_time="", time_precision="2"))
    report = Report.objects.get()
    assert report.occurred_at.isoformat() == "2025-03-07T09:00:00+00:00" and report.time_precision == 2


def test_coordinates_are_stored_when_the_monitor_gave_them(monitor_client):
    monitor_client.post(FORM, form_data(latitude="35.361100", longitude="35.925600"))
    report = Report.objects.get()
    assert (str(report.latitude), str(report.longitude), report.geo_precision) == ("35.361100", "35.925600", 1)


def test_a_double_tap_gives_one_report(monitor_client):
    data = form_data()
    first = monitor_client.post(FORM, {**data, "files": [photo()]})
    second = monitor_client.post(FORM, {**data, "files": [photo()]})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1 and Attachment.objects.count() == 1


def test_the_offline_sync_gets_201_then_200_for_a_resend_and_one_report(monitor_client):
    data = form_data()
    first = monitor_client.post(FORM, {**data, "files": [photo()]}, **SYNC)
    assert first.status_code == 201
    body = first.json()
    assert body["id"] == data["client_id"] and body["created"] is True
    # The response was lost; the phone sends it again when the connection returns.
    again = monitor_client.post(FORM, {**data, "files": [photo()]}, **SYNC)
    assert again.status_code == 200 and again.json()["id"] == data["client_id"] and again.json()["created"] is False
    assert Report.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_sync_after_an_online_submit_is_a_replay(monitor_client):
    data = form_data()
    assert monitor_client.post(FORM, data).status_code == 302
    assert monitor_client.post(FORM, data, **SYNC).status_code == 200
    assert Report.objects.count() == 1


def test_the_same_id_with_other_content_is_a_409_and_changes_nothing(monitor_client):
    data = form_data()
    monitor_client.post(FORM, data)
    response = monitor_client.post(FORM, {**data, "title": "Something else"}, **SYNC)
    assert response.status_code == 409 and response.json()["errors"]["detail"]
    assert Report.objects.get().title == data["title"]
    page = monitor_client.post(FORM, {**data, "title": "Something else"})
    assert page.status_code == 409 and "already sent" in page.content.decode()


def test_errors_are_shown_next_to_the_field_keeping_everything_typed(monitor_client):
    data = form_data(title="", narrative="Typed at length, kept.")
    response = monitor_client.post(FORM, data)
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    html = response.content.decode()
    assert 'id="id_title_error"' in html
    assert "Typed at length, kept." in html and data["client_id"] in html
    assert not Report.objects.exists()


def test_a_domain_error_from_the_service_lands_on_its_field(monitor_client):
    response = monitor_client.post(FORM, form_data(admin2="SY1002"))  # a Tartous district, Lattakia governorate
    assert response.status_code == 400
    assert "SY1002" in response.context["form"].errors["admin2"][0]


def test_outage_fields_are_refused_for_other_categories(monitor_client):
    response = monitor_client.post(FORM, form_data(restored_date="2025-03-08"))
    assert response.status_code == 400
    assert response.context["form"].errors["restored_date"]


def test_an_outage_report_takes_its_service_from_the_category(monitor_client):
    data = form_data(category="electricity_outage", restored_date="2025-03-09", restored_time="18:00")
    data.update({"casualties-0-kind": ""})
    assert monitor_client.post(FORM, data).status_code == 302
    report = Report.objects.get()
    assert report.service == "electricity" and report.outage_restored_at.isoformat() == "2025-03-09T15:00:00+00:00"


def test_a_casualty_row_with_high_below_low_is_an_error_on_that_row(monitor_client):
    response = monitor_client.post(FORM, form_data(**{"casualties-0-low": "9", "casualties-0-high": "2"}))
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["high"]


def test_a_repeated_casualty_row_is_refused_by_the_service(monitor_client):
    data = form_data(**{"casualties-1-kind": "killed", "casualties-1-low": "1", "casualties-1-high": "1"})
    response = monitor_client.post(FORM, data)
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors()


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field_and_nothing_is_stored(monitor_client):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 a program", content_type="image/jpeg")
    response = monitor_client.post(FORM, {**form_data(), "files": [photo(), fake]})
    assert response.status_code == 400
    (error,) = response.context["form"].errors["files"]
    assert error.startswith("File 2:") and "photo.jpg" not in error
    assert not Report.objects.exists() and not Attachment.objects.exists()


def test_the_sync_endpoint_answers_errors_as_json_by_field(monitor_client):
    response = monitor_client.post(FORM, form_data(title="", admin1="SY99"), **SYNC)
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"title", "admin1"}


def test_the_sync_endpoint_answers_401_when_signed_out_never_a_sign_in_page(client):
    response = client.post(FORM, form_data(), **SYNC)
    assert response.status_code == 401 and "errors" in response.json()
    assert client.post(FORM, form_data()).status_code == 302  # a plain browser is sent to sign in


def test_only_monitors_file_reports(client, db):
    client.force_login(ReviewerFactory())
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, form_data(), **SYNC).status_code == 403
    assert not Report.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_taps_arriving_together_give_one_report_and_one_photo():
    monitor = MonitorFactory()
    data = form_data()
    barrier = threading.Barrier(2)
    statuses = []

    def tap():
        client = Client()
        client.force_login(monitor)
        barrier.wait()
        try:
            statuses.append(client.post(FORM, {**data, "files": [photo()]}, **SYNC).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Report.objects.count() == 1 and Attachment.objects.count() == 1


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert '"/reports/new/"' in body and "/static/sijil/sijil.js" in body


def test_the_id_is_a_uuid_whatever_is_posted(monitor_client):
    response = monitor_client.post(FORM, form_data(client_id="not-a-uuid"), **SYNC)
    assert response.status_code == 400 and "client_id" in response.json()["errors"]
    assert uuid.UUID(str(monitor_client.get(FORM).context["form"]["client_id"].value()))


def test_the_first_load_of_the_form_stays_within_150_kb_even_uncompressed(monitor_client):
    """Page, stylesheet, script, manifest and service worker; bench/bench_form_weight.py prints the figures."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    for language in ("ar", "en"):
        html = monitor_client.get(FORM, HTTP_ACCEPT_LANGUAGE=language).content
        total = len(html) + len(monitor_client.get("/sw.js").content)
        for static in re.findall(r'(?:href|src)="/static/([^"]+)"', html.decode()):
            total += len(Path(finders.find(static)).read_bytes())
        assert total <= 150 * 1024, (language, total)
