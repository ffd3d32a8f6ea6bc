"""Signing in (throttled by django-axes per username and address), out, password change, language."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import MonitorFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_monitor_signs_in_and_lands_on_the_form(client):
    monitor = MonitorFactory()
    response = sign_in(client, monitor.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == reverse("report-new")


def test_the_session_expires(client):
    monitor = MonitorFactory()
    response = sign_in(client, monitor.username, PASSWORD)
    assert 0 < django_settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert int(response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"]) == django_settings.SESSION_COOKIE_AGE


def test_wrong_passwords_from_one_address_lock_that_address_out_for_that_name_only(client):
    monitor = MonitorFactory()
    for _ in range(4):
        assert sign_in(client, monitor.username, "guess", address="10.6.6.6").status_code == 200
    assert sign_in(client, monitor.username, "guess", address="10.6.6.6").status_code == 429  # the fifth
    locked = sign_in(client, monitor.username, PASSWORD, address="10.6.6.6")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The monitor, on their own connection, is not locked out by the attacker's guesses.
    assert sign_in(client, monitor.username, PASSWORD, address="10.0.0.1").status_code == 302


def test_behind_the_proxy_an_attacker_cannot_lock_out_a_monitor_nor_pose_as_their_address(client, settings):
    """Every connection comes from the proxy (10.0.0.2); the proxy appends the address it saw."""
    settings.BEHIND_PROXY = True
    monitor = MonitorFactory()

    def via_proxy(password, forwarded):
        return client.post(
            LOGIN,
            {"username": monitor.username, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(5):  # the attacker writes the monitor's address first; the proxy appends the real one
        via_proxy("guess", "198.51.100.7, 203.0.113.66")
    assert via_proxy(PASSWORD, "198.51.100.7, 203.0.113.66").status_code == 429
    assert via_proxy(PASSWORD, "198.51.100.7").status_code == 302  # the monitor, through the same proxy


def test_the_lock_lifts_by_itself_after_the_cool_off(client):
    monitor = MonitorFactory()
    for _ in range(5):
        sign_in(client, monitor.username, "guess")
    assert sign_in(client, monitor.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - django_settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert sign_in(client, monitor.username, PASSWORD).status_code == 302


def test_signing_out_takes_a_post(client):
    monitor = MonitorFactory()
    client.force_login(monitor)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_monitor_changes_their_password(client):
    monitor = MonitorFactory()
    client.force_login(monitor)
    response = client.post(
        reverse("password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "river-stones-at-dusk-7",
            "new_password2": "river-stones-at-dusk-7",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("password-change-done")
    monitor.refresh_from_db()
    assert monitor.check_password("river-stones-at-dusk-7")


def test_switching_to_arabic_is_remembered_on_the_user_and_turns_the_page_right_to_left(client):
    monitor = MonitorFactory()
    client.force_login(monitor)
    response = client.post(reverse("language-set"), {"language": "ar", "next": reverse("report-new")})
    assert response.status_code == 302 and response["Location"] == reverse("report-new")
    monitor.refresh_from_db()
    assert monitor.preferred_language == "ar"
    # Even a browser asking for English gets the monitor's choice.
    client.cookies.pop(django_settings.LANGUAGE_COOKIE_NAME, None)
    html = client.get(reverse("report-new"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_signing_in_on_another_phone_brings_the_chosen_language(client):
    monitor = MonitorFactory(preferred_language="ar")
    response = sign_in(client, monitor.username, PASSWORD)
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "ar"


def test_the_language_comes_from_the_browser_and_arabic_when_it_says_nothing(client):
    assert '<html lang="en" dir="ltr">' in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-GB,en").content.decode()
    assert '<html lang="ar" dir="rtl">' in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ar-SY,ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in client.get(LOGIN).content.decode()


def test_the_language_switch_never_redirects_off_the_site(client):
    response = client.post(reverse("language-set"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_the_api_and_the_admin_keep_english_as_their_fallback(client):
    assert client.get("/admin/login/")["Content-Language"] == "en"
    assert client.get("/api/v1/categories/")["Content-Language"] == "en"
    assert client.get(LOGIN)["Content-Language"] == "ar"
