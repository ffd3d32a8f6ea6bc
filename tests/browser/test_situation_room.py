"""A coordinator in the situation room, in Chromium: the demo's March 2025 on charts and a map, in both languages.

At a desk (1440×900) and a phone (390×844), in English and Arabic: the
dashboard (tiles, charts, the map drawn from the shipped outlines with its
points), a situation report generated and opened. Screenshots are kept under
artifacts/screenshots/situation-*.png to be looked at.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.situation.models import SituationReport
from tests.browser.conftest import wait_for_js
from tests.factories import CoordinatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "en": ["Situation room", "Verified", "All reported", "Killed", "Active outages", "Cumulative claims, quoted apart"],
    "ar": ["غرفة متابعة الوضع", "متحقق منه", "كل ما أُبلغ عنه", "انقطاعات قائمة", "ادعاءات تراكمية تُورد على حدة"],
}


def code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_coordinator_sees_the_coasts_march_and_generates_reports_in_both_languages(page, screenshot):
    call_command("seed_demo", stdout=io.StringIO())
    coordinator = CoordinatorFactory(username="coordinator.room")
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    page.set_viewport_size(SIZES["desk"])
    page.goto("/admin/situation/")
    page.fill("input[name=username]", coordinator.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", code(device))
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.endswith("/admin/situation/")

    for language in ("en", "ar"):
        if language == "ar":
            page.goto("/admin/situation/")
            with page.expect_navigation():
                page.click("form.situation-lang button[value=ar]")
        page.goto("/admin/situation/")
        assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
        text = page.inner_text("#content")
        for word in WORDS[language]:
            assert word in text, word
        # The demo's period by default: 6–10 March 2025.
        assert page.input_value("#id_date_from") == "2025-03-06" and page.input_value("#id_date_to") == "2025-03-10"
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.goto("/admin/situation/")
            wait_for_js(page, "document.getElementById('map').dataset.ready === '1'")
            # Fourteen governorates drawn from the shipped file, and the incidents (clustered or not) on top.
            assert page.locator("#map path.leaflet-interactive").count() >= 14
            assert page.locator("#map .marker-cluster, #map path.leaflet-interactive").count() > 14
            assert page.locator("svg.chart").count() == 4
            # The clusters count in the page's digits (Arabic-Indic in Arabic).
            counts = page.locator("#map .marker-cluster span").all_inner_texts()
            digits = "٠١٢٣٤٥٦٧٨٩" if language == "ar" else "0123456789"
            assert counts and all(count and set(count) <= set(digits) for count in counts), counts
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= viewport["width"] + 1, f"{language} {size}: the page scrolls sideways ({wide}px)"
            screenshot(page, f"situation-dashboard-{language}-{size}")

        # Generate a situation report in this language (tasks run in-process here) and open it.
        page.set_viewport_size(SIZES["desk"])
        page.goto("/admin/situation/")
        page.select_option("#report-form select[name=language]", language)
        with page.expect_navigation():
            page.click("#report-form button[type=submit]")
        report = SituationReport.objects.order_by("-requested_at").first()
        assert report.language == language and report.status == "done", report.error
        page.click("#open-html")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == language
        body = page.inner_text("body")
        assert ("Highlights" if language == "en" else "أبرز ما في التقرير") in body
        assert ("1,225" if language == "en" else "١٬٢٢٥") in body
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.reload()
            screenshot(page, f"situation-report-{language}-{size}")
