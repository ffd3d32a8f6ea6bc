"""The database gone: 503 in the API's error format with Retry-After, never Django's HTML 500.

Against a PostgreSQL cluster the test owns (tests/pg_cluster.py), stopped and started again here;
the shared server is never touched. Requests go through the whole WSGI stack (Django's test client,
which here does not re-raise the error the site's handler answers).
"""

import uuid

import pytest
from rest_framework.test import APIClient

from incidents.api_keys import api_key_issue
from incidents.services import processing
from reports.models import Report
from tests.api.conftest import ALL_SCOPES
from tests.factories import MonitorFactory, PartnerOrganisationFactory, VerifiedIncidentFactory

# Transactional: the test database is set up (it is copied to the private cluster) and left untouched by the swap.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def client_with(key: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def submission(report_id) -> dict:
    return {
        "id": str(report_id),
        "category": "looting",
        "occurred_at": "2025-03-07T09:30:00+03:00",
        "admin1": "SY06",
        "admin2": "SY0602",
        "title": "Shops looted on the main street",
        "source_type": "eyewitness",
        "casualties": [{"kind": "injured", "group": "civilian", "low": 1, "high": 2}],
    }


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "30"
    assert list(response.json()) == ["errors"]
    assert "database" in response.json()["errors"]["detail"][0]


def test_every_api_request_answers_503_in_the_error_format_while_the_database_is_down(on_private_cluster):
    VerifiedIncidentFactory()
    partner = client_with(
        api_key_issue(name="sync", scopes=["incidents:read"], organisation=PartnerOrganisationFactory()).key
    )
    monitor = client_with(api_key_issue(name="phone", scopes=ALL_SCOPES, user=MonitorFactory()).key)
    assert partner.get("/api/v1/incidents/").status_code == 200
    on_private_cluster.stop()
    assert_unavailable(partner.get("/api/v1/incidents/"))
    assert_unavailable(partner.get("/api/v1/incidents/?format=csv"))
    assert_unavailable(monitor.post("/api/v1/reports/", submission(uuid.uuid4()), format="json"))
    assert_unavailable(monitor.get("/api/v1/categories/"))
    on_private_cluster.start()
    again = partner.get("/api/v1/incidents/")
    assert again.status_code == 200, again.content[:500]


def test_a_failure_before_the_view_on_an_api_path_is_the_same_503(on_private_cluster):
    """Signed in by session: the middleware reads the session and the user before any view runs."""
    client = APIClient(raise_request_exception=False)
    client.force_login(MonitorFactory())
    assert client.get("/api/v1/categories/").status_code == 200
    on_private_cluster.stop()
    assert_unavailable(client.get("/api/v1/categories/"))


def test_a_submission_committed_just_before_the_database_is_lost_is_answered_201(on_private_cluster, monkeypatch):
    """The database goes away right after the commit (where the enqueue runs): the answer is still 201."""
    monitor = client_with(api_key_issue(name="phone", scopes=ALL_SCOPES, user=MonitorFactory()).key)
    monkeypatch.setattr(processing, "enqueue_report", lambda report_id: on_private_cluster.stop())
    report_id = uuid.uuid4()
    response = monitor.post("/api/v1/reports/", submission(report_id), format="json")
    assert not on_private_cluster.is_up()
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert body["id"] == str(report_id) and body["status"] == "submitted"
    assert body["casualties"] == [{"kind": "injured", "group": "civilian", "low": 1, "high": 2, "scope": "incident"}]
    on_private_cluster.start()
    assert Report.objects.filter(pk=report_id).count() == 1
    # The phone sending it again (it had no way to know) gets the same report, once.
    monkeypatch.setattr(processing, "enqueue_report", lambda report_id: None)
    replay = monitor.post("/api/v1/reports/", submission(report_id), format="json")
    assert replay.status_code == 200 and replay.json() == body
