"""A monitor's page while the database is gone: "try again, your report is kept on the phone", never a 500.

Against a PostgreSQL cluster the test owns (tests/pg_cluster.py), stopped here; the page must render
without the database (no session, no user), in the monitor's language, right to left in Arabic.
"""

import pytest
from django.test import Client

from tests.factories import MonitorFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def signed_in_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(MonitorFactory())
    return client


def test_a_monitors_page_says_to_try_again_and_that_the_report_is_kept_on_the_phone(on_private_cluster):
    client = signed_in_client()
    assert client.get("/reports/new/").status_code == 200
    on_private_cluster.stop()
    response = client.get("/reports/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Please try again in a few minutes" in page
    assert "kept on the phone and sent by itself when Sijil is back" in page
    assert "Server Error" not in page
    # The phone's outbox script is on the page: it keeps trying to send what waits on the phone.
    assert "sijil/sijil.js" in page and 'data-form-url="/reports/new/"' in page


def test_the_page_is_in_arabic_right_to_left_for_an_arabic_phone(on_private_cluster):
    client = signed_in_client()
    on_private_cluster.stop()
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "يُرجى المحاولة مرة أخرى بعد بضع دقائق" in page
    assert "يبقى محفوظاً عليه ويُرسل تلقائياً" in page


def test_the_sign_in_page_too_is_the_friendly_page_not_a_500(on_private_cluster):
    on_private_cluster.stop()
    response = Client(raise_request_exception=False).post(
        "/accounts/login/", {"username": "monitor.jableh", "password": "x" * 12}
    )
    assert response.status_code == 503
    # Nobody signed in and nothing asked: the monitors' pages are in Arabic first.
    assert "يُرجى المحاولة مرة أخرى بعد بضع دقائق" in response.content.decode()
