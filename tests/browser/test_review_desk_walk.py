"""The reviewer's whole path in Chromium, in English and in Arabic, at a desk's size (1440×900), and the
monitor's offline path on a phone (390×844): what a person sees (issue 15).

Queue → report with its duplicate candidates → take → accept → verify → merge → split. At each step: the
message states what the service did; the queue has every column on screen and nothing to scroll
sideways; in Arabic none of the admin's own English words is left (ADMIN_WORDS); user-written text keeps
its own direction inside a page of the other (an English title reads left to right in the Arabic page,
and the reverse). Screenshots go to artifacts/screenshots/desk-<lang>-<step>.png and monitor-offline-*.png.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import DuplicateCandidate, Incident, IncidentStatus
from reports.choices import ReportStatus
from reports.models import Organisation, Report
from tests.browser.conftest import sign_in, wait_for_js
from tests.browser.test_admin_walk import PASSWORD, current_code
from tests.browser.test_monitor_offline import waiting_on_phone
from tests.browser.test_monitor_report import fill_report
from tests.factories import (
    IncidentFactory,
    MonitorFactory,
    ReportCasualtyFactory,
    ReportFactory,
    ReviewerFactory,
    area,
    category,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1440, "height": 900}
AT = datetime(2025, 3, 7, 6, 30, tzinfo=UTC)

# The admin's own English words (headers, filters, states, categories, breadcrumbs, buttons) that must not be
# left in the Arabic pages. User-written text (titles, places, organisations' names) is not in this list.
ADMIN_WORDS = (
    "Select",
    "report",
    "Reports",
    "Incidents",
    "Home",
    "Filter",
    "By review state",
    "Waiting for review",
    "Submitted",
    "In review",
    "Verified",
    "Killing",
    "Execution",
    "killed",
    "taken by",
    "received",
    "candidates",
    "organisation",
    "Action",
    "Search",
    "running total",
    "Duplicate candidates",
    "likely the same event",
    "hours apart",
    "Same town",
    "Take this report",
    "Merge",
    "Split",
    "Governorate",
    "District",
    "Admin1",
    "Admin2",
)
MESSAGES = {
    "en": {
        "taken": "is now In review.",
        "joined": "The report joined",
        "verified": "is now Verified.",
        "merged": "which survives.",
        "split": "The reports are now in a new incident",
    },
    "ar": {
        "taken": "الآن: قيد المراجعة.",
        "joined": "انضمّ التقرير إلى",
        "verified": "الآن: متحقق منه.",
        "merged": "التي تبقى.",
        "split": "أصبحت التقارير في حادثة جديدة",
    },
}


@pytest.fixture
def context_options() -> dict:
    return {"viewport": DESK}


def the_story():
    """The coast, 7 March 2025: one massacre reported four ways, a running total, an Arabic report, a question."""
    network = Organisation.objects.create(name="Coastal Monitoring Network (demo)")
    monitor = MonitorFactory(organisation=network)
    massacre = IncidentFactory(title="Killings in al-Qusour, Baniyas", occurred_from=AT, admin2=area("SY0603"))
    first = ReportFactory(title="Killings in al-Qusour, Baniyas", incident=massacre, occurred_at=AT, monitor=monitor)
    same_event = IncidentFactory(title="Baniyas: bodies in al-Qusour street", occurred_from=AT, admin2=area("SY0603"))
    earliest = ReportFactory(
        title="Baniyas: bodies in al-Qusour street", incident=same_event, occurred_at=AT, monitor=monitor
    )
    Report.objects.filter(pk=earliest.pk).update(received_at=timezone.now() - timedelta(days=3))
    Report.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(days=2))
    report = ReportFactory(
        title="Executions in al-Qusour, hospital counts bodies",
        category=category("execution"),
        occurred_at=AT,
        place_name="al-Qusour, Baniyas",
        admin2=area("SY0603"),
        monitor=monitor,
        narrative="Families fled to Hmeimim to seek shelter.",
    )
    ReportCasualtyFactory(report=report, low=20, high=30)
    cumulative = ReportFactory(
        title="Monitor reports over a thousand killed on the coast since Thursday", monitor=monitor
    )
    ReportCasualtyFactory(report=cumulative, low=1000, high=1225, scope="cumulative")
    ReportFactory(title="إعدامات ميدانية في بانياس", category=category("execution"), monitor=monitor)
    ReportFactory(title="Who fired on the bakery queue in Jableh city?", monitor=monitor)
    for n in range(4):
        ReportFactory(title=f"Looting of shops in the old market of Jableh, account {n + 1}", monitor=monitor)
    candidate = DuplicateCandidate.objects.create(
        report=report,
        incident=massacre,
        score=0.786359,
        reasons={
            "time_gap_hours": 2.0,
            "distance_km": 0.4,
            "place_agreement": "same_town",
            "place_detail": "SY0603",
            "levels": {
                "category": "compatible",
                "time": "close",
                "location": "same_town/same_spot",
                "text": "same_mid",
                "figures": "unknown",
            },
            "weights": {"time": 3.1},
            "pairwise_probability": 0.91,
            "competing_odds": 0.1,
        },
    )
    return massacre, same_event, report, candidate


def sign_in_admin(page, reviewer, device) -> None:
    page.goto("/admin/")
    page.fill("input[name=username]", reviewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", current_code(device))
    with page.expect_navigation():
        page.click("input[type=submit]")


def messages(page) -> list[str]:
    return page.locator("ul.messagelist li").all_inner_texts()


def admin_words_left(page, selector: str) -> list[str]:
    """English admin words in the visible text of `selector`, user-written text (<bdi>) left out."""
    text = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).map((node) => {
            const copy = node.cloneNode(true);
            copy.querySelectorAll('bdi, .field-organisation, input, textarea, select').forEach((n) => n.remove());
            return copy.textContent;
        }).join(' ')""",
        selector,
    )
    return [word for word in ADMIN_WORDS if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)]


def direction_of(page, selector: str) -> str:
    return page.evaluate("(s) => getComputedStyle(document.querySelector(s)).direction", selector)


def check_the_queue_fits(page) -> None:
    """No sideways scrolling, and every column header wholly on screen and inside the table's box."""
    geometry = page.evaluate(
        """() => {
            const results = document.querySelector('#changelist .results').getBoundingClientRect();
            const heads = Array.from(document.querySelectorAll('#result_list thead th')).map((th) => {
                const r = th.getBoundingClientRect();
                return {text: th.innerText.trim(), left: r.left, right: r.right, width: r.width};
            });
            return {
                page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
                box: [document.querySelector('#changelist .results').scrollWidth,
                      document.querySelector('#changelist .results').clientWidth],
                results: [results.left, results.right], heads,
                viewport: window.innerWidth,
            };
        }"""
    )
    assert geometry["page"][0] <= geometry["page"][1], geometry["page"]
    assert geometry["box"][0] <= geometry["box"][1], geometry["box"]
    heads = [h for h in geometry["heads"] if h["text"]]
    assert len(heads) == 10, [h["text"] for h in heads]  # title … received, the candidates included
    left, right = geometry["results"]
    for head in heads:
        assert head["width"] > 20, head
        assert left - 1 <= head["left"] and head["right"] <= right + 1 <= geometry["viewport"], head


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_reviewers_whole_path_reads_right_in_both_languages(page, screenshot, lang):
    reviewer = ReviewerFactory(username=f"reviewer.{lang}", preferred_language=lang)
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    massacre, same_event, report, candidate = the_story()
    said = MESSAGES[lang]
    sign_in_admin(page, reviewer, device)

    # 1. The queue: every column on screen, the running total as such, nothing left in English.
    page.goto("/admin/reports/report/")
    check_the_queue_fits(page)
    cumulative_row = page.locator("#result_list tbody tr", has_text="over a thousand killed")
    killed_cell = cumulative_row.locator("td.field-killed").inner_text()
    assert ("running total: 1225" if lang == "en" else "حصيلة تراكمية: 1225") in killed_cell
    # Mixed directions: each title in its own direction, whatever the page's.
    english = page.locator("#result_list bdi", has_text="Who fired on the bakery queue")
    arabic = page.locator("#result_list bdi", has_text="إعدامات ميدانية في بانياس")
    assert english.evaluate("(n) => getComputedStyle(n).direction") == "ltr"
    assert arabic.evaluate("(n) => getComputedStyle(n).direction") == "rtl"
    assert direction_of(page, "html") == ("rtl" if lang == "ar" else "ltr")
    if lang == "ar":
        assert admin_words_left(page, "#content h1, .breadcrumbs, #changelist-filter, #result_list thead") == []
        assert admin_words_left(page, "#result_list td.field-category, #result_list td.field-status") == []
    screenshot(page, f"desk-{lang}-1-queue")

    # 2. The report page: the candidates right after the review panel, in plain words, one score.
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    box = page.locator("#duplicate-candidates").bounding_box()
    assert box is not None and box["y"] < DESK["height"]  # on the first screen, not 2,500 px down
    card = page.locator(f"#candidate-{candidate.pk}")
    card_text = card.inner_text()
    assert card_text.count("%") == 1 and "79" in card_text
    for internal in ("same_town", "same_mid", "pairwise", "competing", "SY0603", "0.786"):
        assert internal not in card_text
    assert ("2 hours apart" if lang == "en" else "بينهما ساعتان") in card_text
    assert card.locator(".candidate-accept").is_visible()  # the decision beside the reasons
    narrative = page.locator("div.readonly", has_text="Families fled to Hmeimim")
    assert narrative.evaluate("(n) => getComputedStyle(n).unicodeBidi") == "plaintext"
    if lang == "ar":
        assert admin_words_left(page, "#review-panel, #duplicate-candidates, .breadcrumbs") == []
    screenshot(page, f"desk-{lang}-2-report-with-candidates")

    # 3. Take it.
    with page.expect_navigation():
        page.click("#review-take")
    assert any(said["taken"] in m for m in messages(page)), messages(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW and report.assigned_to == reviewer

    # 4. Accept the candidate: the report joins the incident.
    with page.expect_navigation():
        page.click(f"#candidate-{candidate.pk} .candidate-accept")
    assert any(said["joined"] in m and "Killings in al-Qusour, Baniyas" in m for m in messages(page)), messages(page)
    report.refresh_from_db()
    assert report.incident_id == massacre.pk
    screenshot(page, f"desk-{lang}-3-accepted")

    # 5. Verify: the message says the state the service returned (not "Done: submitted.").
    with page.expect_navigation():
        page.click("#review-verify")
    shown = messages(page)
    assert any(said["verified"] in m and "Executions in al-Qusour" in m for m in shown), shown
    report.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED
    screenshot(page, f"desk-{lang}-4-verified")

    # 6. Merge the other account's incident INTO the massacre, chosen from a search; the survivor keeps its title.
    massacre.refresh_from_db()
    survivor_title = massacre.title  # after the verification: the verified report's words (invariant 6)
    page.goto(f"/admin/incidents/incident/{same_event.pk}/change/?find=al-Qusour")
    assert page.locator("#merge-form input[name=into]").count() >= 1
    assert page.locator("#incident-decisions strong", has_text="survives" if lang == "en" else "تبقى").count() == 1
    page.check(f"#merge-form input[name=into][value='{massacre.pk}']")
    page.fill("#merge-form input[name=note]", "Same street, same morning")
    with page.expect_navigation():
        page.click("#merge-submit")
    shown = messages(page)
    assert any(said["merged"] in m and survivor_title in m for m in shown), shown
    massacre.refresh_from_db()
    same_event.refresh_from_db()
    assert same_event.status == IncidentStatus.MERGED and same_event.merged_into_id == massacre.pk
    assert massacre.title == survivor_title  # not the absorbed incident's (earlier) title
    screenshot(page, f"desk-{lang}-5-merged")
    page.goto(f"/admin/incidents/incident/{same_event.pk}/change/")
    assert survivor_title in page.locator("#tombstone").inner_text()
    if lang == "ar":
        assert admin_words_left(page, "#incident-state, .breadcrumbs, fieldset .form-row label") == []

    # 7. Split the other account back out: it was another event after all.
    page.goto(f"/admin/incidents/incident/{massacre.pk}/change/")
    earliest = Report.objects.get(title="Baniyas: bodies in al-Qusour street")
    page.check(f"#split-form input[name=report_ids][value='{earliest.pk}']")
    with page.expect_navigation():
        page.click("#split-form button[type=submit]")
    assert any(said["split"] in m for m in messages(page)), messages(page)
    earliest.refresh_from_db()
    assert earliest.incident_id not in (massacre.pk, same_event.pk)
    assert Incident.objects.get(pk=earliest.incident_id).title == "Baniyas: bodies in al-Qusour street"
    screenshot(page, f"desk-{lang}-6-split")

    # The tombstone is not in the default incident list; every column of it is on screen.
    page.goto("/admin/incidents/incident/")
    listed = page.locator("#result_list tbody bdi").all_inner_texts()
    assert "Baniyas: bodies in al-Qusour street" in listed  # the split's new incident
    assert listed.count("Baniyas: bodies in al-Qusour street") == 1  # and not its tombstone namesake
    width = page.evaluate(
        "() => [document.querySelector('#changelist .results').scrollWidth,"
        " document.querySelector('#changelist .results').clientWidth]"
    )
    assert width[0] <= width[1]
    screenshot(page, f"desk-{lang}-7-incidents")


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 390, "height": 844}}], ids=["phone"])
def test_a_monitor_offline_sees_offline_at_once_and_the_reports_waiting_on_the_phone(page, browser_context, screenshot):
    monitor = MonitorFactory()
    ReportFactory(monitor=monitor, title="Sent yesterday from Jableh")
    sign_in(page, monitor.username)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto("/reports/")
    for _ in range(200):  # the service worker keeps "My reports" for offline use
        if page.evaluate("() => caches.match('/reports/').then((r) => Boolean(r))"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("My reports was not kept for offline use")

    # The connection drops while the page is open: it says so at once, with nothing waiting yet.
    browser_context.set_offline(True)
    page.wait_for_selector("#queue:not([hidden])")
    assert page.locator("#queue").inner_text().startswith("Offline: no connection.")  # the phone's language
    screenshot(page, "monitor-offline-1-connection-dropped")

    # A report filed offline waits on the phone …
    page.goto("/reports/new/")
    fill_report(page, title="Filed in a cellar without signal")
    page.click("#submit")
    wait_for_js(page, "document.querySelector('#queue').dataset.count === '1'")
    assert waiting_on_phone(page) == 1

    # … and "My reports", opened offline, lists it first, under the offline banner (not a blank form).
    page.goto("/reports/")
    assert page.locator("#report-form").count() == 0
    wait_for_js(page, "!document.querySelector('#waiting').hidden")
    assert page.locator("#waiting li").all_inner_texts()[0].startswith("Filed in a cellar without signal")
    assert page.locator("#waiting-heading").is_visible()
    assert "Sent yesterday from Jableh" in page.locator("main").inner_text()
    banner = page.locator("#queue").inner_text()
    assert banner.startswith("You are offline.") and "One report is waiting on this phone" in banner
    screenshot(page, "monitor-offline-2-my-reports")
    assert not Report.objects.filter(title="Filed in a cellar without signal").exists()

    browser_context.set_offline(False)
    wait_for_js(page, "document.querySelector('#queue').dataset.count === '0'")
    assert Report.objects.filter(title="Filed in a cellar without signal").count() == 1
