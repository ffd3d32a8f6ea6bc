"""A coordinator imports a spreadsheet in the admin, in Chromium: upload, the preview's row errors, confirm.

In English on a desk's screen and in Arabic (right to left) on a phone's,
with screenshots under artifacts/screenshots/.
"""

from __future__ import annotations

import random
import uuid

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from reports.imports.models import ImportJob
from reports.models import Report
from tests.factories import CoordinatorFactory
from tests.imports.files import good_row, write_csv, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=[("en", "desk", "csv"), ("ar", "phone", "xlsx"), ("ar", "desk", "csv"), ("en", "phone", "xlsx")])
def case(request):
    return request.param


@pytest.fixture
def context_options(case) -> dict:
    language, size, _fmt = case
    return {"viewport": SIZES[size], "locale": "ar" if language == "ar" else "en-GB"}


def code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_coordinator_previews_and_imports_a_file_in_the_admin(page, screenshot, case, tmp_path):
    language, size, fmt = case
    coordinator = CoordinatorFactory(username=f"coordinator.{language}", preferred_language=language)
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    rng = random.Random(2)
    rows = [good_row(index, rng=rng, namespace=uuid.uuid4()) for index in range(6)]
    rows[1]["admin1"] = "SY99"
    rows[4]["category"] = "massacre"
    path = (write_csv if fmt == "csv" else write_xlsx)(tmp_path / f"partner.{fmt}", rows)

    page.goto("/admin/")
    page.fill("input[name=username]", coordinator.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", code(device))
    with page.expect_navigation():
        page.click("input[type=submit]")

    page.goto("/admin/imports/importjob/add/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator(".sijil-template-link").count() == 4
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.click("#import-upload-submit")
    job = ImportJob.objects.get()
    assert page.locator("#import-job").get_attribute("data-status") == "ready"
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 2
    assert errors.nth(0).locator("td").nth(0).inner_text() == "3"
    assert errors.nth(0).locator("td").nth(1).inner_text() == "admin1"
    reason = errors.nth(1).locator("td").nth(2).inner_text()
    assert "massacre" in reason
    assert ("Unknown category" in reason) == (language == "en")
    screenshot(page, f"admin-import-preview-{language}-{size}")

    with page.expect_navigation():
        page.click("#import-confirm")
    page.goto(f"/admin/imports/importjob/{job.pk}/change/")
    assert page.locator("#import-job").get_attribute("data-status") == "done"
    assert page.locator("#import-imported").inner_text() == "4"
    assert page.locator("#import-errors-file").is_visible()
    screenshot(page, f"admin-import-done-{language}-{size}")
    assert Report.objects.count() == 4
    # Nothing wider than the screen on a phone.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"] + 1 or size == "desk"
