"""Filing a report in Chromium: a GPS-tagged photo, "use my location", a double tap; the stored result."""

import io
import re
import time

import pytest
from PIL import Image

from reports.models import Attachment, Report
from tests.browser.conftest import sign_in, wait_for_js
from tests.factories import MonitorFactory
from tests.reports.attachment_files import SECRET_AUTHOR, jpeg_with_gps


@pytest.fixture
def context_options():
    return {"geolocation": {"latitude": 35.52, "longitude": 35.79}, "permissions": ["geolocation"]}


def fill_report(page, *, title: str) -> None:
    page.check("input[name=category][value=execution]")
    page.fill("#id_occurred_date", "2025-03-07")
    page.fill("#id_occurred_time", "06:30")
    page.select_option("#id_admin1", "SY06")
    page.fill("#id_place_name", "Al-Qardaha")
    page.fill("#id_title", title)
    page.fill("#id_narrative", "Witnesses in hiding describe gunmen going house to house.")
    page.select_option("#id_casualties-0-kind", "killed")
    page.fill("#id_casualties-0-low", "3")
    page.fill("#id_casualties-0-high", "4")
    page.select_option("#id_source_type", "eyewitness")


def test_a_report_with_a_gps_tagged_photo_is_stored_and_the_photo_is_served_without_gps(page):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    fill_report(page, title="Three men shot outside their homes")
    # Districts follow the governorate.
    assert page.locator("#id_admin2 option[value=SY1002]").is_disabled()
    assert not page.locator("#id_admin2 option[value=SY0604]").is_disabled()
    # No coordinates until the monitor presses the button.
    assert page.input_value("#id_latitude") == ""
    page.click("#use-location")
    wait_for_js(page, "document.querySelector('#id_latitude').value !== ''")
    photo = jpeg_with_gps()
    page.set_input_files("#id_files", files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    with page.expect_navigation(url="**/reports/*/"):
        page.click("#submit")

    report = Report.objects.get()
    assert report.monitor == monitor and report.admin2_id == "SY0604"
    assert (str(report.latitude), str(report.longitude)) == ("35.520000", "35.790000")
    assert list(report.casualties.values_list("kind", "low", "high")) == [("killed", 3, 4)]
    attachment = Attachment.objects.get(report=report)
    assert attachment.original.read() == photo

    # The page shows the photo; what the browser gets has no EXIF, no GPS.
    src = page.get_attribute(".thumbs img", "src")
    served = page.request.get(src)
    assert served.status == 200
    with Image.open(io.BytesIO(served.body())) as image:
        assert not image.getexif() and image.size == (64, 32)
    assert b"GPS" not in served.body() and SECRET_AUTHOR.encode() not in served.body()
    assert page.request.get(f"/attachments/{attachment.pk}/original/").status == 404  # reviewers only


def test_a_double_tap_on_send_gives_one_report(page):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    fill_report(page, title="Double tap")
    with page.expect_navigation(url="**/reports/*/"):
        page.dblclick("#submit")
    page.wait_for_load_state("networkidle")
    assert Report.objects.count() == 1


@pytest.mark.parametrize("context_options", [{"java_script_enabled": False}], ids=["no-javascript"])
def test_without_javascript_the_plain_form_works_and_a_double_tap_gives_one_report(page):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    page.check("input[name=category][value=looting]")
    page.fill("#id_occurred_date", "2025-03-08")
    page.select_option("#id_admin1", "SY06")
    page.fill("#id_title", "Shops emptied")
    page.select_option("#id_source_type", "eyewitness")
    # Without the script nothing stops a second tap: the server recognises the client id drawn into the page.
    # The second tap's submission aborts the first's navigation (net::ERR_ABORTED, which expect_navigation
    # may catch first on a loaded machine): wait for where the browser ends up instead.
    page.dblclick("#submit")
    deadline = time.monotonic() + 30
    while not re.search(r"/reports/[0-9a-f-]{36}/$", page.url) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert re.search(r"/reports/[0-9a-f-]{36}/$", page.url), page.url
    page.wait_for_load_state("networkidle")
    assert Report.objects.count() == 1
    assert Report.objects.get().title == "Shops emptied"


@pytest.mark.parametrize("context_options", [{"java_script_enabled": False}], ids=["no-javascript"])
def test_without_javascript_errors_appear_next_to_the_field_keeping_what_was_typed(page):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    page.fill("#id_narrative", "Typed at length on a phone.")
    with page.expect_navigation():
        page.click("#submit")
    assert page.locator("#id_title_error").is_visible()
    assert page.input_value("#id_narrative") == "Typed at length on a phone."
    assert not Report.objects.exists()
