"""A coordinator changes an account's role in the admin, in Chromium, in English and Arabic, on a phone and a desk.

The save goes through `reports.accounts.user_update`; the account's History
page then names who changed it and the role before and after, in the
coordinator's language (right to left in Arabic); a name another account has
in another case is refused on the form.
"""

from __future__ import annotations

import pytest

from reports.choices import Role
from reports.models import User
from tests.factories import CoordinatorFactory, MonitorFactory, ReviewerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1440, "height": 900}}
WORDS = {
    "en": {
        "recorded": "Role: Reviewer → Field monitor.",
        "taken": "A user named “Taken” already exists.",
        "dir": "ltr",
    },
    "ar": {"recorded": "الدور: مراجع ← راصد ميداني.", "taken": "يوجد مستخدم باسم «Taken» من قبل.", "dir": "rtl"},
}


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def context_options(size) -> dict:
    return {"viewport": SIZES[size]}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_coordinator_changes_a_role_and_the_history_says_who_and_from_what(
    page, screenshot, settings, language, size
):
    settings.SIJIL_ADMIN_2FA = False  # the code is tested in tests/browser/test_admin_walk.py
    coordinator = CoordinatorFactory(username="amal", preferred_language=language, is_staff=True)
    hala = ReviewerFactory(username="hala", is_staff=True)
    MonitorFactory(username="taken")
    words = WORDS[language]

    page.goto("/admin/login/")
    page.fill("input[name=username]", coordinator.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")

    page.goto(f"/admin/reports/user/{hala.pk}/change/")
    assert page.locator("html").get_attribute("dir") == words["dir"]
    page.fill("input[name=username]", "Taken")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert words["taken"] in page.locator(".errorlist").first.inner_text()
    screenshot(page, f"admin-user-name-taken-{language}-{size}")
    assert User.objects.get(pk=hala.pk).username == "hala"

    page.fill("input[name=username]", "hala")
    page.select_option("select[name=role]", Role.MONITOR)
    with page.expect_navigation():
        page.click("input[name=_save]")
    hala = User.objects.get(pk=hala.pk)
    assert hala.roles == {Role.MONITOR} and not hala.is_staff

    page.goto(f"/admin/reports/user/{hala.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert coordinator.username in row and words["recorded"] in row
    screenshot(page, f"admin-user-history-{language}-{size}")
