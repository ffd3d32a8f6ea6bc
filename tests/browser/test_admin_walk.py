"""A reviewer's walk through the admin in Chromium, checking the database after each step.

Sign in with a password and a one-time code, take a report from the queue,
accept its duplicate candidate, verify it, and merge two incidents that are
one event. The live server runs in another thread, so the test is
transactional and reads only committed rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import DuplicateCandidate, IncidentStatus
from reports.choices import ReportStatus
from reports.models import Report
from tests.factories import IncidentFactory, ReportCasualtyFactory, ReportFactory, ReviewerFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@pytest.fixture
def context_options() -> dict:
    """A desk's screen: reviewers work the admin on a computer (tests/browser/conftest.py has the rest)."""
    return {"viewport": {"width": 1280, "height": 900}}


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_reviewer_signs_in_takes_accepts_verifies_and_merges(page, screenshot):
    reviewer = ReviewerFactory(username="reviewer.walk")
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    at = datetime(2025, 3, 7, 6, 30, tzinfo=UTC)
    massacre = IncidentFactory(title="Killings in al-Qusour, Baniyas", occurred_from=at)
    ReportFactory(title="First account from al-Qusour", incident=massacre, occurred_at=at)
    same_event = IncidentFactory(title="Baniyas: bodies in al-Qusour street", occurred_from=at)
    ReportFactory(title="Second account, other spelling", incident=same_event, occurred_at=at)
    report = ReportFactory(title="Executions in al-Qusour", category=category("execution"), occurred_at=at)
    ReportCasualtyFactory(report=report, low=20, high=30)
    ReportFactory(title="Looting in Jableh", category=category("looting"))
    candidate = DuplicateCandidate.objects.create(
        report=report,
        incident=massacre,
        score=0.91,
        reasons={"time_gap_hours": 0.5, "distance_km": 0.4, "text_similarity": 0.8, "levels": {}, "weights": {}},
    )

    # 1. Sign in: password and the code of the moment.
    page.goto("/admin/")
    page.fill("input[name=username]", reviewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", current_code(device))
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.endswith("/admin/")
    device.refresh_from_db()
    assert device.last_used_at is not None

    # 2. The queue: the execution heads it; take it from its page.
    page.goto("/admin/reports/report/")
    rows = page.locator("#result_list tbody tr th a")
    assert rows.first.inner_text() == "Executions in al-Qusour"
    with page.expect_navigation():
        rows.first.click()
    with page.expect_navigation():
        page.click("#review-take")
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW
    assert report.assigned_to == reviewer
    assert report.decisions.get().decision == "take"
    screenshot(page, "admin-report-taken")

    # 3. The duplicate candidate, side by side: accept it.
    assert page.locator(f"#candidate-{candidate.pk}").is_visible()
    assert "91%" in page.locator(f"#candidate-{candidate.pk} .sijil-score").inner_text()
    with page.expect_navigation():
        page.click(f"#candidate-{candidate.pk} .candidate-accept")
    candidate.refresh_from_db()
    report.refresh_from_db()
    assert candidate.decision == DuplicateCandidate.Decision.ACCEPTED
    assert candidate.decided_by == reviewer
    assert report.incident_id == massacre.pk
    assert report.incident_pinned

    # 4. Verify: the report and, with it, its incident.
    with page.expect_navigation():
        page.click("#review-verify")
    report.refresh_from_db()
    massacre.refresh_from_db()
    assert report.status == ReportStatus.VERIFIED
    assert report.reviewed_by == reviewer
    assert massacre.status == IncidentStatus.VERIFIED
    assert massacre.verified_by == reviewer

    # 5. Merge the other incident into this one (from its page, as the API does): it becomes a tombstone.
    page.goto(f"/admin/incidents/incident/{same_event.pk}/change/")
    page.check(f"#merge-form input[name=into][value='{massacre.pk}']")
    page.fill("#merge-form input[name=note]", "Same street, same morning")
    with page.expect_navigation():
        page.click("#merge-submit")
    same_event.refresh_from_db()
    massacre.refresh_from_db()
    assert same_event.status == IncidentStatus.MERGED
    assert same_event.merged_into_id == massacre.pk
    assert set(Report.objects.filter(incident=massacre).values_list("title", flat=True)) == {
        "First account from al-Qusour",
        "Second account, other spelling",
        "Executions in al-Qusour",
    }
    # Published counts follow the figures: only the verified report counts once there is one (docs/pipeline.md).
    assert massacre.report_count == 1
    assert same_event.history.latest().history_user == reviewer
    screenshot(page, "admin-incidents-merged")
