"""A monitor signs in, switches to Arabic (right to left) and back; screenshots of the form in both."""

from tests.browser.conftest import sign_in
from tests.factories import MonitorFactory


def test_a_monitor_signs_in_and_switches_the_form_to_arabic_right_to_left(page, screenshot):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    assert page.url.endswith("/reports/new/")
    assert page.get_attribute("html", "lang") == "en" and page.get_attribute("html", "dir") == "ltr"
    screenshot(page, "report-form-en")

    with page.expect_navigation():
        page.click("form.lang button[value=ar]")
    assert page.get_attribute("html", "lang") == "ar" and page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("h1").inner_text() != "New report"  # translated
    screenshot(page, "report-form-ar")

    monitor.refresh_from_db()
    assert monitor.preferred_language == "ar"

    with page.expect_navigation():
        page.click("form.lang button[value=en]")
    assert page.get_attribute("html", "dir") == "ltr"
