"""What a new reviewer and a new monitor stumbled on (issue 15), one test per item, each failing on the code before.

The admin through the test client, in English and Arabic; the layout itself (columns on screen, no
horizontal scrolling, direction of mixed text) is checked in Chromium by tests/browser/test_review_desk_walk.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from reports.admin_base import isolate, local_datetime, user_text
from reports.choices import ReportStatus
from reports.models import AttachmentAccess, Category, Report
from reports.review import report_take
from tests.factories import (
    CoordinatorFactory,
    IncidentFactory,
    MonitorFactory,
    ReportCasualtyFactory,
    ReportFactory,
    ReviewerFactory,
    category,
)

pytestmark = pytest.mark.django_db
QUEUE = "/admin/reports/report/"


def arabic(user):
    user.preferred_language = "ar"
    user.save(update_fields=["preferred_language"])
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- 1. every message states the state the service returned -----------------------------------


def test_bulk_verify_says_verified_from_the_returned_reports_not_the_decision_name(admin_login):
    client = admin_login(ReviewerFactory())
    reports = [ReportFactory(), ReportFactory()]
    response = client.post(
        QUEUE, {"action": "verify_selected", "_selected_action": [str(r.pk) for r in reports]}, follow=True
    )
    assert "Verified: 2." in messages_of(response)  # before: "Verify: 2."
    assert all(r.status == ReportStatus.VERIFIED for r in Report.objects.all())


def test_taking_from_the_queue_and_verifying_from_the_page_say_the_state_it_is_in_now(admin_login):
    client = admin_login(ReviewerFactory())
    report = ReportFactory(title="Executions in al-Qusour")
    taken = client.post(QUEUE, {"action": "take_selected", "_selected_action": [str(report.pk)]}, follow=True)
    assert "Taken by you: 1. In review: 1." in messages_of(taken)
    review = reverse("admin:reports_report_review", args=[report.pk])
    verified = client.post(review, {"step": "verify"}, follow=True)
    assert messages_of(verified) == [f"“{isolate('Executions in al-Qusour')}” is now Verified."]


def test_in_arabic_the_message_names_the_state_in_arabic_with_the_title_isolated(admin_login):
    client = admin_login(arabic(ReviewerFactory()))
    report = ReportFactory(title="Killings in Jableh")
    client.post(reverse("admin:reports_report_review", args=[report.pk]), {"step": "take"})
    verified = client.post(reverse("admin:reports_report_review", args=[report.pk]), {"step": "verify"}, follow=True)
    assert messages_of(verified)[-1] == "«\u2068Killings in Jableh\u2069» الآن: متحقق منه."


# --- 2. the queue: a running total shows as such, short dates ----------------------------------------


def test_a_running_total_shows_as_a_running_total_not_as_zero_killed(admin_login):
    client = admin_login(ReviewerFactory())
    claim = ReportFactory(title="Monitor reports over a thousand killed on the coast")
    ReportCasualtyFactory(report=claim, low=1000, high=1225, scope="cumulative")
    page = client.get(QUEUE).content.decode()
    row = page[page.index("Monitor reports over a thousand") :]
    row = row[: row.index("</tr>")]
    killed = re.search(r'<td class="field-killed">(.*?)</td>', row, re.S).group(1)
    assert "running total: 1225" in killed
    assert killed.strip() != "0"


def test_the_queue_shows_dates_in_an_unambiguous_short_form(admin_login):
    client = admin_login(ReviewerFactory())
    ReportFactory(title="Dated", occurred_at=datetime(2025, 3, 9, 6, 0, tzinfo=UTC))
    page = client.get(QUEUE).content.decode()
    assert "2025-03-09 09:00" in page  # Damascus time; before: "March 9, 2025, 9 a.m."


# --- 3. the Arabic admin is translated ------------------------------------------------------------------


ADMIN_WORDS = ("report", "Reports", "Incidents", "Categories", "Areas", "Organisations", "OTP_TOTP", "Killing")


def test_the_arabic_queue_title_sidebar_breadcrumbs_and_categories_are_arabic(admin_login):
    client = admin_login(arabic(CoordinatorFactory()))
    ReportFactory(category=category("killing"))
    queue = client.get(QUEUE).content.decode()
    assert "اختر التقرير للاستعراض" in queue  # before: "اختر report للاستعراض"
    breadcrumbs = re.search(r'<nav aria-label="[^"]*">\s*<div class="breadcrumbs">(.*?)</div>', queue, re.S).group(1)
    assert "التقارير" in breadcrumbs and "Reports" not in breadcrumbs
    filters = queue[queue.index('id="changelist-filter"') :]
    assert "قتل" in filters and ">Killing<" not in filters
    index = client.get("/admin/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", index[index.index('id="content"') :])
    for word in ADMIN_WORDS:
        assert not re.search(rf"\b{word}\b", visible), word


def test_the_arabic_report_page_names_its_casualty_rows_in_arabic(admin_login):
    client = admin_login(arabic(ReviewerFactory()))
    report = ReportFactory(category=category("killing"))
    ReportCasualtyFactory(report=report, kind="killed", group="civilian", low=20, high=30)
    page = client.get(f"{QUEUE}{report.pk}/change/").content.decode()
    assert "killed civilian" not in page  # before: the row's title was "killed civilian 20–30 (incident)"
    assert "قتلى، مدنيون: 20–30 (هذه الحادثة)" in page


def test_category_and_area_names_follow_the_language():
    killing = Category.objects.get(slug="killing")
    with translation.override("ar"):
        assert str(killing) == killing.name_ar
    with translation.override("en"):
        assert str(killing) == killing.name_en


# --- 4. user-written text keeps its own direction -------------------------------------------------------


def test_user_text_is_isolated_in_markup_and_in_plain_sentences():
    assert str(user_text("?from Jableh city")) == '<bdi dir="auto">?from Jableh city</bdi>'
    assert user_text("") == "—"
    assert isolate("Hmeimim") == "\u2068Hmeimim\u2069"


def test_the_queue_and_report_page_isolate_titles_places_and_the_question(admin_login):
    client = admin_login(arabic(ReviewerFactory()))
    report = ReportFactory(title="Families fled to Hmeimim to seek shelter.", place_name="Jableh city")
    queue = client.get(QUEUE).content.decode()
    assert re.search(r'<bdi dir="auto"[^>]*>Families fled to Hmeimim to seek shelter.</bdi>', queue)
    assert '<bdi dir="auto">Jableh city</bdi>' in queue
    report_take(report=report, reviewer=ReviewerFactory())
    Report.objects.filter(pk=report.pk).update(review_note="Which street, from Jableh city?")
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert '<bdi dir="auto" id="review-note">Which street, from Jableh city?</bdi>' in page


def test_the_monitors_pages_isolate_what_was_written(client):
    monitor = MonitorFactory()
    report = ReportFactory(monitor=monitor, title="Shelling near Hmeimim.", status=ReportStatus.NEEDS_INFO)
    Report.objects.filter(pk=report.pk).update(review_note="?from Jableh city")
    client.force_login(monitor)
    listing = client.get(reverse("my-reports")).content.decode()
    assert '<bdi dir="auto">Shelling near Hmeimim.</bdi>' in listing
    assert '<bdi dir="auto">?from Jableh city</bdi>' in listing
    detail = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert '<h1 dir="auto">Shelling near Hmeimim.</h1>' in detail
    form = client.get(reverse("report-new")).content.decode()
    assert re.search(r'<input[^>]*name="title"[^>]*dir="auto"|<input[^>]*dir="auto"[^>]*name="title"', form)


# --- 7. dates: a range, and formats that cannot be misread -----------------------------------------------


def test_the_queue_filters_on_a_date_range_inclusive_of_both_days(admin_login):
    client = admin_login(ReviewerFactory())
    for day in (5, 6, 8, 9):
        ReportFactory(title=f"day {day}", occurred_at=datetime(2025, 3, day, 12, 0, tzinfo=UTC))
    response = client.get(QUEUE + "?occurred_at__from=2025-03-06&occurred_at__to=2025-03-08")
    assert {r.title for r in response.context["cl"].result_list} == {"day 6", "day 8"}


def test_a_date_range_that_is_not_a_date_is_named_and_not_applied(admin_login):
    client = admin_login(ReviewerFactory())
    ReportFactory(title="kept")
    response = client.get(QUEUE + "?occurred_at__from=8%2F3%2F2025")
    assert response.status_code == 200
    assert {r.title for r in response.context["cl"].result_list} == {"kept"}
    assert any("is not a date (YYYY-MM-DD)" in m for m in messages_of(response))


def test_dates_read_the_same_anywhere_in_both_languages():
    moment = datetime(2025, 3, 8, 11, 0, tzinfo=UTC)
    from django.utils import formats

    with translation.override("ar"):
        assert formats.date_format(moment, "DATE_FORMAT") == "8 مارس 2025"
        assert local_datetime(moment) == "2025-03-08 14:00"
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "2025-03-08"
        assert formats.date_format(moment, "DATE_FORMAT") == "8 March 2025"


# --- 8. words ---------------------------------------------------------------------------------------------


def test_the_admin_speaks_of_governorates_districts_openings_and_authenticator_apps(admin_login):
    client = admin_login(CoordinatorFactory())
    incident = IncidentFactory()
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    assert "Governorate" in page and "District" in page
    assert not re.search(r">\s*Admin[12]:?\s*<", page)
    assert AttachmentAccess._meta.verbose_name_plural == "openings of originals"  # before: "Attachment accesss"
    index = client.get("/admin/").content.decode()
    assert "OTP_TOTP" not in index and "Authenticator apps" in index


def test_the_favicon_is_the_sites_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("sijil/favicon.svg")


# --- 10. the demo's start -----------------------------------------------------------------------------------


def test_without_the_second_factor_the_sign_in_asks_for_no_one_time_code(client, settings):
    settings.SIJIL_ADMIN_2FA = False
    page = client.get("/admin/login/").content.decode()
    assert 'name="otp_token"' not in page and 'name="password"' in page
    settings.SIJIL_ADMIN_2FA = True
    assert 'name="otp_token"' in client.get("/admin/login/").content.decode()


def test_a_coordinator_on_the_monitor_form_is_shown_the_way_to_the_admin(client):
    client.force_login(CoordinatorFactory())
    response = client.get(reverse("report-new"))
    assert response.status_code == 403
    page = response.content.decode()
    assert f'href="{reverse("admin:index")}"' in page and "افتح لوحة المراجعة" in page


def test_in_process_tasks_log_no_line_per_task_and_send_nothing_to_amqp():
    """The demo's settings (no broker): kombu's "No hostname was supplied" and a log line per task are gone."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import logging, logging.config, django; django.setup()\n"
        "from django.conf import settings; from config.celery import app\n"
        "logging.config.dictConfig(settings.LOGGING)\n"
        "print(app.conf.task_always_eager, app.conf.broker_url,"
        " logging.getLogger('celery.app.trace').isEnabledFor(logging.INFO))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", CELERY_BROKER_URL="", SIJIL_DEMO="1", DEBUG="1")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["True", "memory://localhost/", "False"]
    assert "No hostname was supplied" not in out.stderr
