"""The situation room is the admin's: reviewers and coordinators with their one-time code; nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import keyed_client
from tests.factories import MonitorFactory, ReviewerFactory

pytestmark = pytest.mark.django_db
PAGES = ["situation:dashboard", "situation:map-points", "situation:report-list"]


def refused(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_sign_in(client, page):
    assert refused(client.get(reverse(page)))


@pytest.mark.parametrize("page", PAGES)
def test_a_monitor_is_refused_even_with_a_one_time_code(admin_login, page):
    assert refused(admin_login(MonitorFactory()).get(reverse(page)))


@pytest.mark.parametrize("page", PAGES)
def test_a_partner_key_opens_nothing_of_the_situation_room(partner_key, page):
    assert refused(keyed_client(partner_key.key).get(reverse(page)))


def test_a_reviewer_without_the_one_time_code_is_refused(client):
    client.force_login(ReviewerFactory())
    assert refused(client.get(reverse("situation:dashboard")))


def test_a_reviewer_sees_the_dashboard_but_may_not_generate_a_report(admin_login):
    client = admin_login(ReviewerFactory())
    page = client.get(reverse("situation:dashboard"))
    assert page.status_code == 200
    assert 'id="report-form"' not in page.text
    response = client.post(
        reverse("situation:report-list"), {"date_from": "2025-03-06", "date_to": "2025-03-10", "language": "en"}
    )
    assert response.status_code == 403


def test_the_admin_links_the_situation_room_from_its_index_and_its_header(admin_login, coordinator):
    client = admin_login(coordinator)
    index = client.get(reverse("admin:index"))
    assert 'id="situation-entry"' in index.text and reverse("situation:dashboard") in index.text
    other = client.get(reverse("admin:incidents_incident_changelist"))
    assert 'id="situation-link"' in other.text


def test_the_dashboard_is_never_cached(admin_login, coordinator):
    response = admin_login(coordinator).get(reverse("situation:dashboard"))
    assert "no-store" in response["Cache-Control"]
