"""Offline: a report filed without a connection waits on the phone and arrives exactly once when it returns."""

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
    page.wait_for_selector("#queue:not([hidden])")
    assert page.get_attribute("#queue", "data-count") == "1"
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
