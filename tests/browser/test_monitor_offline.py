"""Offline: a report filed without a connection waits on the phone and arrives exactly once when it returns."""

import pytest

from reports.models import Report
from tests.browser.conftest import sign_in, wait_for_js
from tests.browser.test_monitor_report import fill_report
from tests.factories import MonitorFactory


def waiting_on_phone(page) -> int:
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("sijil", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "id"});
            open.onsuccess = () => {
                const request = open.result.transaction("outbox").objectStore("outbox").count();
                request.onsuccess = () => { open.result.close(); resolve(request.result); };
                request.onerror = () => reject(request.error);
            };
        })"""
    )


def test_a_report_filed_offline_is_sent_once_when_the_connection_returns(page, browser_context, screenshot):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # the form is kept for offline use

    browser_context.set_offline(True)
    # Opening the form without a connection: the service worker serves the kept copy.
    page.goto("/reports/new/")
    fill_report(page, title="Filed in a cellar without signal")
    page.click("#submit")
    # The banner is already up ("no connection") when the form opens offline: wait for the count itself.
    wait_for_js(page, "document.querySelector('#queue').dataset.count === '1'")
    assert page.locator("#queue").is_visible()
    assert waiting_on_phone(page) == 1
    assert page.input_value("#id_title") == ""  # the form is ready for the next report
    screenshot(page, "offline-waiting")
    assert Report.objects.count() == 0

    browser_context.set_offline(False)
    wait_for_js(page, "document.querySelector('#queue').dataset.count === '0'")
    assert waiting_on_phone(page) == 0
    report = Report.objects.get()
    assert report.title == "Filed in a cellar without signal" and report.monitor == monitor

    # Another round of syncing (a later page, the periodic timer) sends nothing again.
    page.goto("/reports/")
    page.wait_for_load_state("networkidle")
    assert Report.objects.count() == 1


@pytest.mark.parametrize("context_options", [{"service_workers": "block"}], ids=["network-routed"])
def test_a_report_whose_answer_was_lost_is_resent_and_stored_once(page):
    """The server stored the report but the phone never heard back: it keeps its copy, resends, gets a 200."""
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    lost = []

    def lose_the_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # reaches the server, which stores the report …
            lost.append(True)
            route.abort()  # … and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/reports/new/", lose_the_answer)
    fill_report(page, title="Answer lost on the way")
    page.click("#submit")
    wait_for_js(page, "document.querySelector('#queue').dataset.count === '1'")
    assert Report.objects.count() == 1 and waiting_on_phone(page) == 1

    page.evaluate("window.dispatchEvent(new Event('online'))")  # the next sync
    wait_for_js(page, "document.querySelector('#queue').dataset.count === '0'")
    assert waiting_on_phone(page) == 0
    assert Report.objects.count() == 1


def test_a_report_refused_when_filed_shows_the_errors_next_to_the_fields_and_leaves_nothing_waiting(page):
    monitor = MonitorFactory()
    sign_in(page, monitor.username)
    fill_report(page, title="")
    page.fill("#id_narrative", "Kept after the error.")
    with page.expect_navigation():
        page.click("#submit")
    assert page.locator("#id_title_error").is_visible()
    assert page.input_value("#id_narrative") == "Kept after the error."
    assert waiting_on_phone(page) == 0 and not Report.objects.exists()
