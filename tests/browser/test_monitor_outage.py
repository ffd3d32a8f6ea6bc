"""The database gone, as a monitor's phone (and a desk) sees it: the "try again" page, in English and in Arabic.

The live server's connection follows the swap to a PostgreSQL cluster the test owns (tests/pg_cluster.py),
which is stopped after the monitor signed in. Screenshots: artifacts/screenshots/outage-*.png.
"""

import pytest
from django.db import connection

from tests.browser.conftest import sign_in
from tests.factories import MonitorFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}


def test_a_monitor_meets_the_try_again_page_in_english_and_in_arabic(page, screenshot, on_private_cluster):
    # `on_private_cluster` after `page`: starting Playwright can hand the test body another context's
    # database connection (still open on the shared test database); swapping after it closes the right one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        assert cursor.fetchone()[0] == on_private_cluster.port
    monitor = MonitorFactory(preferred_language="en")
    sign_in(page, monitor.username)
    assert page.url.endswith("/reports/new/")
    on_private_cluster.stop()

    response = page.goto("/reports/")
    assert response.status == 503
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "Please try again in a few minutes"
    assert "kept on the phone and sent by itself when Sijil is back" in page.locator("main").inner_text()
    assert page.locator("a.button", has_text="Try again").is_visible()
    screenshot(page, "outage-en-phone")
    page.set_viewport_size(DESK)
    page.reload()
    screenshot(page, "outage-en-desk")
    # Nothing overflows sideways at either size.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The phone's language cookie (set at sign-in from the account) says Arabic now.
    [cookie] = [c for c in page.context.cookies() if c["name"] == "django_language"]
    page.context.add_cookies([{**cookie, "value": "ar"}])
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.get_attribute("html", "lang") == "ar" and page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("h1").inner_text() == "يُرجى المحاولة مرة أخرى بعد بضع دقائق"
    assert "فلا حاجة إلى كتابته من جديد" in page.locator("main").inner_text()
    screenshot(page, "outage-ar-phone")
    page.set_viewport_size(DESK)
    page.reload()
    screenshot(page, "outage-ar-desk")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    on_private_cluster.start()
    page.goto("/reports/")
    assert page.locator("h1").count() == 1 and "try again" not in page.content().lower()
